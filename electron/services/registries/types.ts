import type { AppError } from '../../../shared/api/result';
import type { ImplementationInfo } from '../../../shared/registry/catalogue';
import type { Implementation } from '../../../shared/registry/implementations';
import type { ResolvedSecret } from '../credentials/types';
import type { DriverContext, InventoryDriver } from '../inventory/types';
import type { LoginOutcome, PrepareLoginContext } from '../registry/logins';
import type { CatalogLister } from './catalog/types';
import type { DeletePermissionProbe } from '../registry/permissions/types';

/**
 * Everything Stowage knows about one registry implementation, in one object and one folder
 * (`registries/<impl>/`). The services ask the driver; they never name a registry:
 *
 * - `info`: the pure catalogue entry (capabilities, settings that apply, credential guide), the
 *   same object the renderer and the cleanup planner read from `shared/registry/catalogue.ts`;
 * - connection: which host serves `/v2/`, where a credential may be sent for a token, and how a
 *   bare API token becomes a registry login;
 * - the check's steps specific to it (the delete-permission probe, the hint for a repository
 *   that must exist before a push);
 * - listing (`listing`, the inventory engine's contract);
 * - mutations: tag delete, manifest delete, restore — required so a new registry cannot forget
 *   them; today they answer "not implemented yet" as data.
 */
export interface RegistryDriver {
  readonly implementation: Implementation;
  readonly info: ImplementationInfo;
  /** host[:port] that serves the Registry API for an address (Docker Hub: registry-1.docker.io). */
  apiHost(registry: string): string;
  /**
   * Hosts besides the registry's own to which a credential may go for a token (the challenge's
   * realm), or 'any' where a self-hosted token server can live anywhere (distribution, GitLab,
   * Harbor). Applied by `realmRule` to every exchange that sends a secret to a realm.
   */
  tokenRealmHosts(registry: string): readonly string[] | 'any';
  /** The user name a bare token (no user name from its source) logs in to the registry as. */
  tokenUser(username: string | undefined): string;
  /**
   * Turns a cloud identity only this registry understands into a login (AWS → ECR password,
   * Azure → ACR refresh token); null when the secret is not its kind. Absent = no cloud identity.
   */
  cloudLogin?(ctx: PrepareLoginContext, secret: Extract<ResolvedSecret, { kind: 'aws' | 'azure' }>): Promise<LoginOutcome> | null;
  /**
   * The cloud whose own credential chain logs in here (AWS → ECR, Azure → ACR, Google → Artifact
   * Registry): the resolver asks that chain last, and a secret saved for this registry is read as
   * that cloud's (an AWS access key pair, a Google access token). Absent = no cloud identity.
   */
  readonly cloudIdentity?: CloudIdentity;
  /**
   * werf's own credential flags for this registry (`--repo-docker-hub-*`, `--repo-github-token`,
   * read from `WERF_*_DOCKER_HUB_*` / `WERF_*_GITHUB_TOKEN`), with the host they go to when no repo
   * variable names one of this kind.
   */
  readonly werfCredentialFlags?: { readonly flags: 'docker-hub' | 'github-token'; readonly defaultHost: string };
  readonly listing: InventoryDriver;
  /** How its repositories are listed (`/v2/_catalog`, or the registry's own project/repository list). */
  readonly catalog: CatalogLister;
  readonly deleteProbe: DeletePermissionProbe;
  /** The check's hint when the repository is missing and the registry does not create it on push. */
  missingRepositoryHint?(repository: string, region: string | undefined): string;
  /**
   * Removes a group's tags the most precise way the registry offers (its `info.deletion`): the
   * manifest goes only when `group.digestGoes`; otherwise only the tags (or, where the registry
   * cannot untag, nothing, with a `skipped` result saying why). One result per tag, in order;
   * never throws (a failure is a `failed` result carrying the registry's error and a hint). A tag
   * or digest the registry no longer has is `already-gone`, so a rerun deletes nothing twice.
   */
  deleteTags(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]>;
  /**
   * Puts a deleted tag back on its digest: re-PUT of the recorded manifest where the registry still
   * holds the blobs, or the registry's own restore (Quay tag history, GitHub version restore), per
   * `info.deletion.*.undo`. The caller checks the result by resolving the tag again.
   */
  restoreTag(ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome>;
}

export type CloudIdentity = 'aws' | 'azure' | 'google';

/** One digest's share of a confirmed plan, handed to a driver after every tag was re-resolved. */
export interface DeleteGroup {
  repository: string;
  digest: string;
  /** The manifest's media type as the registry served it; null when unknown. */
  mediaType: string | null;
  /** The plan's tags on this digest, each resolved to `digest` just before the call. Never empty. */
  tags: readonly string[];
  /** No tag outside `tags` points at `digest` (checked just now): the manifest itself may go. */
  digestGoes: boolean;
}

export type DeleteOutcome = 'deleted' | 'untagged' | 'already-gone' | 'skipped' | 'failed';

export interface TagDeleteResult {
  tag: string;
  outcome: DeleteOutcome;
  /** The call that did it, for the audit log and the results (`DELETE /v2/<name>/manifests/<digest>`). */
  method: string;
  detail?: string;
  /** For `failed` (and a `skipped` the registry refused): the registry's error with a hint. */
  error?: AppError;
  /** Registry-native facts a later restore needs (a GitHub package version id, …). Never a secret. */
  restore?: Record<string, string>;
}

/** A deleted tag as the audit log recorded it. */
export interface RestoreEntry {
  repository: string;
  tag: string;
  digest: string;
  mediaType: string | null;
  /** The manifest bytes read before the delete, base64; null where they were not read (metered reads). */
  manifest: string | null;
  /** `TagDeleteResult.method` of the delete. */
  method: string;
  restore?: Record<string, string>;
}

export type MutationOutcome = { ok: true; detail: string } | { ok: false; error: AppError };
