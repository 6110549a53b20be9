import type { CredentialSource } from '../../../shared/credentials/types';
import { detectParsed, parseImagesRepo } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import { implementationIds, isImplementation } from '../../../shared/registry/implementation-registry';
import { registryDriver } from '../registries';
import { normaliseRegistryHost } from './hosts';
import { SecretScrubber, tokenExpiry } from './redact';
import { Secret } from './secret';
import { unusableCandidate, usableCandidate, type SummaryBase } from './summary';
import type { CredentialCandidate, Environment } from './types';

/**
 * Credentials that CI systems and werf put into the environment. Only read: nothing here ever
 * exports, unsets or rewrites a variable.
 */

export const GITHUB_HOSTS = ['ghcr.io', 'docker.pkg.github.com'] as const;

export interface EnvSourceOptions {
  now?: () => Date;
  scrubber?: SecretScrubber;
}

function value(env: Environment, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/**
 * werf reads the Docker Hub and GitHub flags for one repo at a time: `--images-repo-*` for the
 * images repo (v1.1), `--repo-*` for the repo shared with the stages storage (v1.1) or the single
 * repo (v1.2+). The address variables say which registry that is.
 */
interface WerfScope {
  prefix: 'WERF_IMAGES_REPO' | 'WERF_REPO';
  addressVars: readonly string[];
  implementationVars: readonly string[];
}

const WERF_SCOPES: readonly WerfScope[] = [
  { prefix: 'WERF_IMAGES_REPO', addressVars: ['WERF_IMAGES_REPO'], implementationVars: ['WERF_IMAGES_REPO_IMPLEMENTATION', 'WERF_REPO_IMPLEMENTATION'] },
  {
    prefix: 'WERF_REPO',
    addressVars: ['WERF_REPO', 'WERF_IMAGES_REPO'],
    implementationVars: ['WERF_REPO_CONTAINER_REGISTRY', 'WERF_REPO_IMPLEMENTATION', 'WERF_IMAGES_REPO_IMPLEMENTATION'],
  },
];

/** The implementation werf's flags of this kind are for, and its host when no repo variable names one (its driver says). */
function werfFlagsOwner(flags: 'docker-hub' | 'github-token'): { implementation: Implementation; defaultHost: string } | null {
  for (const implementation of implementationIds()) {
    const declared = registryDriver(implementation).werfCredentialFlags;
    if (declared?.flags === flags) return { implementation, defaultHost: declared.defaultHost };
  }
  return null;
}

interface Target {
  registry: string;
  /** The variable the registry came from, or null for the implementation's default host. */
  from: string | null;
}

function werfTarget(env: Environment, scope: WerfScope, flags: 'docker-hub' | 'github-token'): Target {
  const owner = werfFlagsOwner(flags);
  if (owner === null) return { registry: '', from: null };
  const { implementation, defaultHost } = owner;
  for (const name of scope.addressVars) {
    const address = value(env, name);
    if (address === undefined) continue;
    const parsed = parseImagesRepo(address);
    if (parsed.registry === '') break;
    const explicit = scope.implementationVars.map((v) => value(env, v)).find((v): v is Implementation => v !== undefined && isImplementation(v));
    // A repo of another kind means werf would never send these credentials to it.
    if ((explicit ?? detectParsed(parsed).implementation) === implementation) return { registry: normaliseRegistryHost(parsed.registry), from: name };
    break;
  }
  return { registry: defaultHost, from: null };
}

function detailFor(names: string, target: Target): string {
  return target.from ? `${names} (for ${target.from})` : names;
}

function werfCandidates(env: Environment, now: Date, scrubber?: SecretScrubber): CredentialCandidate[] {
  const out: CredentialCandidate[] = [];
  const source: CredentialSource = 'werf-env';
  for (const scope of WERF_SCOPES) {
    const p = scope.prefix;
    const hub = werfTarget(env, scope, 'docker-hub');
    const user = value(env, `${p}_DOCKER_HUB_USERNAME`);
    const password = value(env, `${p}_DOCKER_HUB_PASSWORD`);
    const token = value(env, `${p}_DOCKER_HUB_TOKEN`);
    scrubber?.remember(password);
    scrubber?.remember(token);
    const hubBase = (kind: SummaryBase['kind'], names: string): SummaryBase => ({
      registry: hub.registry,
      source,
      sourceDetail: detailFor(names, hub),
      kind,
      ...(user !== undefined ? { username: user } : {}),
    });
    if (password !== undefined && user !== undefined) {
      out.push(usableCandidate(hubBase('basic', `${p}_DOCKER_HUB_USERNAME + ${p}_DOCKER_HUB_PASSWORD`), { kind: 'basic', username: user, password: new Secret(password) }));
    } else if (password !== undefined) {
      out.push(unusableCandidate(hubBase('basic', `${p}_DOCKER_HUB_PASSWORD`), `${p}_DOCKER_HUB_PASSWORD is set but ${p}_DOCKER_HUB_USERNAME is not`, `Set ${p}_DOCKER_HUB_USERNAME to the Docker Hub user the password belongs to.`));
    }
    if (token !== undefined) {
      const secret = new Secret(token);
      out.push(
        usableCandidate(
          hubBase('bearer-token', `${p}_DOCKER_HUB_TOKEN`),
          { kind: 'bearer-token', ...(user !== undefined ? { username: user } : {}), token: secret },
          { at: tokenExpiry(secret), now, renew: `Create a new Docker Hub token and update ${p}_DOCKER_HUB_TOKEN.` },
        ),
      );
    } else if (user !== undefined && password === undefined) {
      out.push(unusableCandidate(hubBase('basic', `${p}_DOCKER_HUB_USERNAME`), `${p}_DOCKER_HUB_USERNAME is set without ${p}_DOCKER_HUB_PASSWORD or ${p}_DOCKER_HUB_TOKEN`, `Set ${p}_DOCKER_HUB_TOKEN to a Docker Hub access token (Read, Write, Delete to clean up).`));
    }

    const ghToken = value(env, `${p}_GITHUB_TOKEN`);
    if (ghToken !== undefined) {
      scrubber?.remember(ghToken);
      const gh = werfTarget(env, scope, 'github-token');
      const actor = value(env, 'GITHUB_ACTOR');
      out.push(
        usableCandidate(
          { registry: gh.registry, source, sourceDetail: detailFor(`${p}_GITHUB_TOKEN`, gh), kind: 'bearer-token', ...(actor !== undefined ? { username: actor } : {}) },
          { kind: 'bearer-token', ...(actor !== undefined ? { username: actor } : {}), token: new Secret(ghToken) },
        ),
      );
    }
  }
  return out;
}

function githubCandidates(env: Environment, scrubber?: SecretScrubber): CredentialCandidate[] {
  const token = value(env, 'GITHUB_TOKEN');
  if (token === undefined) return [];
  scrubber?.remember(token);
  const actor = value(env, 'GITHUB_ACTOR');
  const detail = actor !== undefined ? 'GITHUB_TOKEN (user from GITHUB_ACTOR)' : 'GITHUB_TOKEN';
  return GITHUB_HOSTS.map((registry) =>
    usableCandidate(
      { registry, source: 'github-env', sourceDetail: detail, kind: 'bearer-token', ...(actor !== undefined ? { username: actor } : {}) },
      { kind: 'bearer-token', ...(actor !== undefined ? { username: actor } : {}), token: new Secret(token) },
    ),
  );
}

function gitlabCandidates(env: Environment, scrubber?: SecretScrubber): CredentialCandidate[] {
  // GitLab sets CI_REGISTRY only when the project's registry is enabled; without it the host is unknown.
  const ciRegistry = value(env, 'CI_REGISTRY');
  if (ciRegistry === undefined) return [];
  const registry = normaliseRegistryHost(ciRegistry);
  if (registry === '') return [];
  const out: CredentialCandidate[] = [];
  const user = value(env, 'CI_REGISTRY_USER');
  const password = value(env, 'CI_REGISTRY_PASSWORD');
  scrubber?.remember(password);
  const b = (detail: string, username?: string): SummaryBase => ({ registry, source: 'gitlab-ci-env', sourceDetail: detail, kind: 'basic', ...(username !== undefined ? { username } : {}) });
  if (user !== undefined && password !== undefined) {
    out.push(usableCandidate(b('CI_REGISTRY_USER + CI_REGISTRY_PASSWORD', user), { kind: 'basic', username: user, password: new Secret(password) }));
  } else if (user !== undefined || password !== undefined) {
    const missing = user === undefined ? 'CI_REGISTRY_USER' : 'CI_REGISTRY_PASSWORD';
    out.push(unusableCandidate(b(user !== undefined ? 'CI_REGISTRY_USER' : 'CI_REGISTRY_PASSWORD', user), `${missing} is not set`, 'GitLab sets both in every job when the container registry is enabled; check the job does not override one of them.'));
  }
  const jobToken = value(env, 'CI_JOB_TOKEN');
  if (jobToken !== undefined) {
    scrubber?.remember(jobToken);
    // What `werf ci-env gitlab` logs in with.
    out.push(usableCandidate(b('CI_JOB_TOKEN as gitlab-ci-token', 'gitlab-ci-token'), { kind: 'basic', username: 'gitlab-ci-token', password: new Secret(jobToken) }));
  }
  return out;
}

/**
 * werf, GitHub Actions and GitLab CI credentials, in that order (werf's own variables are the most
 * specific: someone set them for werf on purpose). Each names its registry.
 */
export function envCandidates(env: Environment, options: EnvSourceOptions = {}): CredentialCandidate[] {
  const now = (options.now ?? (() => new Date()))();
  return [...werfCandidates(env, now, options.scrubber), ...githubCandidates(env, options.scrubber), ...gitlabCandidates(env, options.scrubber)];
}

/** Registry hosts the environment points at, whether or not it also holds credentials for them. */
export function envRegistries(env: Environment): string[] {
  const hosts = new Set<string>();
  for (const name of ['WERF_IMAGES_REPO', 'WERF_REPO', 'CI_REGISTRY']) {
    const v = value(env, name);
    if (v === undefined) continue;
    const registry = normaliseRegistryHost(parseImagesRepo(v).registry);
    if (registry !== '') hosts.add(registry);
  }
  for (const c of envCandidates(env)) hosts.add(c.summary.registry);
  return [...hosts];
}

/**
 * GOOGLE_OAUTH_ACCESS_TOKEN (what `gcloud auth print-access-token` prints). It carries no host: the
 * caller offers it to Google registries only.
 */
export function googleTokenCandidate(env: Environment, registry: string, options: EnvSourceOptions = {}): CredentialCandidate | null {
  const token = value(env, 'GOOGLE_OAUTH_ACCESS_TOKEN');
  if (token === undefined) return null;
  const host = normaliseRegistryHost(registry);
  options.scrubber?.remember(token);
  return usableCandidate(
    { registry: host, source: 'google-token', sourceDetail: 'GOOGLE_OAUTH_ACCESS_TOKEN', kind: 'google-token', username: 'oauth2accesstoken' },
    { kind: 'google-token', token: new Secret(token) },
  );
}
