import type { AppError } from '../../../shared/api/result';
import type { ImplementationInfo } from '../../../shared/registry/catalogue';
import type { Implementation } from '../../../shared/registry/implementations';
import type { ResolvedSecret } from '../credentials/types';
import type { DriverContext, InventoryDriver } from '../inventory/types';
import type { LoginOutcome, PrepareLoginContext } from '../registry/logins';
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
  readonly listing: InventoryDriver;
  readonly deleteProbe: DeletePermissionProbe;
  /** The check's hint when the repository is missing and the registry does not create it on push. */
  missingRepositoryHint?(repository: string, region: string | undefined): string;
  /** Removes one tag, keeping the manifest when the registry can (info.capabilities.deleteTagWithoutDigest). */
  deleteTag(ctx: DriverContext, repository: string, tag: string): Promise<MutationOutcome>;
  /** Removes a manifest by digest (and with it every tag on it). */
  deleteManifest(ctx: DriverContext, repository: string, digest: string): Promise<MutationOutcome>;
  /** Puts a deleted tag back on a digest, where the registry keeps deleted content. */
  restoreTag(ctx: DriverContext, repository: string, tag: string, digest: string): Promise<MutationOutcome>;
}

export type MutationOutcome = { ok: true; detail: string } | { ok: false; error: AppError };
