import { CreateRepositoryCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { UserError } from '../../../shared/api/result';
import type { RegistrySettings } from '../../../shared/credentials/types';
import { MANIFEST_ACCEPT } from '../../../shared/inventory/classify';
import { repositoryScope } from '../../../shared/registry/auth-challenge';
import { DOCKER_HUB_REGISTRY, type Detection } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import type { ResolvedCredential } from '../credentials/types';
import { apiHostOf, connectRegistry, fatal, settingsFor } from '../inventory/connect';
import { driverFor } from '../inventory/drivers';
import { sha256Digest } from '../inventory/manifest';
import { MANIFEST_MAX_BYTES } from '../inventory/registry-api';
import { awsErrorParts, ecrClient, ecrTarget } from '../registry/ecr-client';
import { httpError } from '../registry/errors';
import { RegistryHttp } from '../registry/http';
import type { RegistryAuth, RegistryLogin } from '../registry/registry-auth';

/** `host/path:tag` → its parts; the host is the images repo's registry. */
export function splitReference(reference: string, registry: string): { repository: string; tag: string } {
  const colon = reference.lastIndexOf(':');
  const slash = reference.lastIndexOf('/');
  if (colon <= slash) throw new Error(`not a tagged reference: ${reference}`);
  const name = reference.slice(0, colon);
  const tag = reference.slice(colon + 1);
  const first = name.split('/')[0]!.toLowerCase();
  let repository = first === registry || (registry === DOCKER_HUB_REGISTRY && (first === 'docker.io' || first === 'index.docker.io')) ? name.slice(name.indexOf('/') + 1) : name;
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  return { repository, tag };
}

/**
 * The engine's `X-Registry-Auth` for a login (dockerode base64-encodes it). The engine performs the
 * registry's token exchange itself, so it gets what the user would give `docker login`.
 */
export function engineAuthConfig(login: RegistryLogin, serverAddress: string): Record<string, string> | undefined {
  switch (login.kind) {
    case 'anonymous':
      return undefined;
    case 'basic':
      return { username: login.username, password: login.password.reveal(), serveraddress: serverAddress };
    case 'identity-token':
      return { username: login.username, identitytoken: login.token.reveal(), serveraddress: serverAddress };
    case 'registry-token':
      return { registrytoken: login.token.reveal(), serveraddress: serverAddress };
  }
}

export interface RegistrySessionInput {
  registry: string;
  implementation: Implementation;
  detection: Detection;
  credential: ResolvedCredential | null;
  settings: RegistrySettings | undefined;
  signal: AbortSignal;
}

/** One registry, logged in once per publish: the engine's auth, the read-back of pushed digests, ECR repositories. */
export class RegistrySession {
  private constructor(
    readonly input: RegistrySessionInput,
    private readonly http: RegistryHttp,
    private readonly auth: RegistryAuth,
    readonly notes: string[],
  ) {}

  static async open(input: RegistrySessionInput): Promise<RegistrySession> {
    const apiHost = apiHostOf(driverFor(input.implementation), input.registry);
    const http = new RegistryHttp({ settings: settingsFor(input.registry, apiHost, input.settings), timeouts: { connectMs: 10_000, headersMs: 20_000, bodyMs: 20_000, totalMs: 60_000 } });
    try {
      const { auth, notes } = await connectRegistry({
        registry: input.registry,
        apiHost,
        implementation: input.implementation,
        credential: input.credential,
        settings: input.settings,
        details: input.detection.details,
        http,
        signal: input.signal,
        activity: 'Publishing',
      });
      return new RegistrySession(input, http, auth, notes);
    } catch (error) {
      await http.close();
      throw error;
    }
  }

  /** What the engine sends to the registry; the secret goes into a header only, never a log. */
  authConfig(): Record<string, string> | undefined {
    const server = this.input.registry === DOCKER_HUB_REGISTRY ? 'https://index.docker.io/v1/' : this.input.registry;
    return engineAuthConfig(this.auth.login, server);
  }

  /**
   * What the registry itself holds for `repository:tag`: the manifest is fetched and hashed (the
   * digest is the registry's bytes, not the engine's word), and the image's size is the manifest,
   * its config and its layers as the manifest lists them.
   */
  async digestOf(repository: string, tag: string, signal: AbortSignal): Promise<{ digest: string; size: number | null }> {
    const what = `The registry's manifest of ${repository}:${tag}`;
    const res = await this.auth.request({
      method: 'GET',
      path: `/v2/${repository}/manifests/${encodeURIComponent(tag)}`,
      scopes: [repositoryScope(repository, ['pull'])],
      headers: { accept: MANIFEST_ACCEPT },
      maxBytes: MANIFEST_MAX_BYTES,
      signal,
    });
    if (!res.outcome.ok) throw fatal(res.outcome.error, what);
    const r = res.outcome.response;
    if (r.status !== 200) throw fatal(httpError({ method: 'GET', url: r.url, status: r.status, body: r.body }), what);
    const digest = sha256Digest(r.body);
    const header = r.headers.get('docker-content-digest');
    if (header && header !== digest) {
      throw new UserError({ code: 'digest-mismatch', message: `${what} hashes to ${digest}, but the registry says ${header}`, hint: 'Something between Stowage and the registry altered the manifest.' });
    }
    return { digest, size: imageSize(r.text(), r.body.length) };
  }

  /**
   * ECR has no repository until one is created, and multirepo needs one per image. Lists the
   * missing ones; creates them only with the user's consent (`create`).
   */
  async ensureEcrRepositories(repositories: string[], create: boolean, signal: AbortSignal): Promise<{ created: string[] }> {
    const secret = this.input.credential?.secret;
    if (secret?.kind !== 'aws') {
      throw new UserError({ code: 'ecr-needs-aws', message: `Creating ECR repositories needs AWS credentials; ${this.input.registry} was reached with ${this.input.credential ? this.input.credential.summary.source : 'no credential'}`, hint: 'Configure the AWS credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, …) or create the repositories in the AWS console.' });
    }
    const target = ecrTarget(this.input.detection.details?.ecr);
    const client = ecrClient(target, secret.provider, this.input.settings);
    const missing: string[] = [];
    try {
      for (const name of repositories) {
        try {
          await client.send(new DescribeRepositoriesCommand({ repositoryNames: [name], ...(target.registryId ? { registryId: target.registryId } : {}) }), { abortSignal: signal });
        } catch (error) {
          if (awsErrorParts(error).name === 'RepositoryNotFoundException') missing.push(name);
          else throw ecrFailure('DescribeRepositories', name, error);
        }
      }
      if (missing.length === 0) return { created: [] };
      if (!create) {
        throw new UserError({
          code: 'ecr-repositories-missing',
          message: `ECR has no repository ${missing.join(', ')} in ${target.region}${target.registryId ? ` (account ${target.registryId})` : ''}; a push there is refused`,
          hint: 'Allow Stowage to create them ("Create missing ECR repositories", or --create-repositories), or create them in AWS.',
          details: { missing: missing.join(',') },
        });
      }
      for (const name of missing) {
        try {
          await client.send(new CreateRepositoryCommand({ repositoryName: name, ...(target.registryId ? { registryId: target.registryId } : {}) }), { abortSignal: signal });
        } catch (error) {
          if (awsErrorParts(error).name !== 'RepositoryAlreadyExistsException') throw ecrFailure('CreateRepository', name, error);
        }
      }
      return { created: missing };
    } finally {
      client.destroy();
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** Manifest + config + layers (an index: its manifests as listed), or null when the body is not a manifest. */
export function imageSize(text: string, manifestBytes: number): number | null {
  try {
    const m = JSON.parse(text) as { config?: { size?: unknown }; layers?: { size?: unknown }[]; manifests?: { size?: unknown }[] };
    const sizes = [m.config, ...(m.layers ?? []), ...(m.manifests ?? [])].map((d) => (typeof d?.size === 'number' ? d.size : 0));
    return manifestBytes + sizes.reduce((a, b) => a + b, 0);
  } catch {
    return null;
  }
}

function ecrFailure(op: string, name: string, error: unknown): UserError {
  const e = awsErrorParts(error);
  return new UserError({
    code: 'ecr-error',
    message: `ECR ${op} for ${name} failed: ${e.name}: ${e.message}`,
    hint: e.hint ?? (e.name === 'AccessDeniedException' ? `The AWS identity lacks ecr:${op}.` : 'Check the AWS credentials and region.'),
  });
}
