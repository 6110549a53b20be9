import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialSource } from '../../../shared/credentials/types';
import { helperBinary, helperGet, type HelperListResult, type RunHelper } from './credential-helper';
import { displayPath, dockerConfigKeyFor, isDockerHub, normaliseRegistryHost } from './hosts';
import { describeJsonError, SecretScrubber, tokenExpiry } from './redact';
import { Secret } from './secret';
import { quoted, unusableCandidate, usableCandidate, type SummaryBase } from './summary';
import type { CredentialCandidate, Environment, ResolvedSecret } from './types';

/**
 * Docker's client configuration, read the way docker/cli reads it (cli/config/configfile/file.go,
 * cli/config/credentials/*, cli/command/registry.go ResolveAuthConfig) and never written:
 * `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, and the `DOCKER_AUTH_CONFIG` variable
 * (same JSON), which newer CLIs consult before the file.
 */

export type DockerConfigOrigin = 'env' | 'file';

/** One `auths` entry, decoded. `candidate` is null for the `{}` placeholders a credsStore login leaves. */
export interface DockerAuthEntry {
  key: string;
  registry: string;
  candidate: CredentialCandidate | null;
}

export interface DockerConfigSource {
  origin: DockerConfigOrigin;
  /** `$DOCKER_AUTH_CONFIG` or the file as shown to the user (`~/.docker/config.json`). */
  label: string;
  path: string | null;
  auths: DockerAuthEntry[];
  credsStore: string | null;
  /** Registry host → helper name, plus the key as written (for messages). */
  credHelpers: Map<string, { key: string; helper: string }>;
  /** Set when the source exists but cannot be used at all (unreadable, not JSON, wrong shape). */
  problem: { problem: string; hint: string } | null;
}

export interface DockerConfigOptions {
  env: Environment;
  homeDir: string;
  scrubber?: SecretScrubber;
  now?: () => Date;
}

export const DOCKER_AUTH_CONFIG_LABEL = '$DOCKER_AUTH_CONFIG';

export function dockerConfigDir(env: Environment, homeDir: string): string {
  const dir = env.DOCKER_CONFIG;
  return dir !== undefined && dir !== '' ? dir : join(homeDir, '.docker');
}

export function dockerConfigPath(env: Environment, homeDir: string): string {
  return join(dockerConfigDir(env, homeDir), 'config.json');
}

function sourceOf(origin: DockerConfigOrigin): CredentialSource {
  return origin === 'env' ? 'docker-auth-config-env' : 'docker-config';
}

function emptySource(origin: DockerConfigOrigin, label: string, path: string | null): DockerConfigSource {
  return { origin, label, path, auths: [], credsStore: null, credHelpers: new Map(), problem: null };
}

/** The file, or null when there is none (docker then simply has no logins). Never throws. */
export async function readDockerConfigFile(options: DockerConfigOptions): Promise<DockerConfigSource | null> {
  const path = dockerConfigPath(options.env, options.homeDir);
  const label = displayPath(path, options.homeDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    const source = emptySource('file', label, path);
    source.problem =
      code === 'EACCES' || code === 'EPERM'
        ? { problem: `${label} cannot be read (permission denied)`, hint: `Give your user read permission on it: chmod u+r ${label}` }
        : code === 'EISDIR'
          ? { problem: `${label} is a folder, not a file`, hint: `Remove or rename it; docker expects a JSON file there.` }
          : { problem: `${label} cannot be read (${code})`, hint: `Check the file; docker reads it from ${label}.` };
    return source;
  }
  return parseDockerConfig(text, 'file', label, path, options);
}

/** `DOCKER_AUTH_CONFIG`, or null when unset or empty (docker ignores an empty value too). */
export function readDockerAuthConfigEnv(options: DockerConfigOptions): DockerConfigSource | null {
  const text = options.env.DOCKER_AUTH_CONFIG;
  if (text === undefined || text.trim() === '') return null;
  options.scrubber?.remember(text);
  return parseDockerConfig(text, 'env', DOCKER_AUTH_CONFIG_LABEL, null, options);
}

export function parseDockerConfig(
  text: string,
  origin: DockerConfigOrigin,
  label: string,
  path: string | null,
  options: Pick<DockerConfigOptions, 'scrubber' | 'now'> = {},
): DockerConfigSource {
  const source = emptySource(origin, label, path);
  const fixHint =
    origin === 'env'
      ? 'Set DOCKER_AUTH_CONFIG to a JSON object such as {"auths":{"registry.example.com":{"auth":"<base64 of user:password>"}}}, or unset it.'
      : `Fix the JSON in ${label}, or move it away and log in again with docker login (docker rewrites it).`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    source.problem = { problem: `${label} cannot be used: ${describeJsonError(error, text)}`, hint: fixHint };
    return source;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    source.problem = { problem: `${label} cannot be used: it is not a JSON object`, hint: fixHint };
    return source;
  }
  const root = parsed as Record<string, unknown>;

  if (root.credsStore !== undefined && root.credsStore !== '') {
    if (typeof root.credsStore !== 'string') {
      source.problem = { problem: `${label} cannot be used: "credsStore" is not a string`, hint: fixHint };
      return source;
    }
    source.credsStore = root.credsStore;
  }
  if (root.credHelpers !== undefined && root.credHelpers !== null) {
    if (typeof root.credHelpers !== 'object' || Array.isArray(root.credHelpers)) {
      source.problem = { problem: `${label} cannot be used: "credHelpers" is not an object`, hint: fixHint };
      return source;
    }
    for (const [key, helper] of Object.entries(root.credHelpers as Record<string, unknown>)) {
      const host = normaliseRegistryHost(key);
      if (host === '' || source.credHelpers.has(host)) continue;
      // A non-string helper name reaches the runner as an invalid name and is reported per host.
      source.credHelpers.set(host, { key, helper: typeof helper === 'string' ? helper : '' });
    }
  }
  if (root.auths !== undefined && root.auths !== null) {
    if (typeof root.auths !== 'object' || Array.isArray(root.auths)) {
      source.problem = { problem: `${label} cannot be used: "auths" is not an object`, hint: fixHint };
      return source;
    }
    for (const [key, value] of Object.entries(root.auths as Record<string, unknown>)) {
      const registry = normaliseRegistryHost(key);
      if (registry === '') continue;
      source.auths.push({ key, registry, candidate: decodeAuthEntry(source, key, registry, value, options) });
    }
  }
  return source;
}

type AuthFields = Partial<Record<'auth' | 'username' | 'password' | 'identitytoken' | 'registrytoken', string>>;

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeAuthEntry(
  source: DockerConfigSource,
  key: string,
  registry: string,
  value: unknown,
  options: Pick<DockerConfigOptions, 'scrubber' | 'now'>,
): CredentialCandidate | null {
  const where = `${source.label} auths[${quoted(key)}]`;
  const b = (kind: SummaryBase['kind'], username?: string): SummaryBase => ({
    registry,
    source: sourceOf(source.origin),
    sourceDetail: where,
    kind,
    ...(username !== undefined ? { username } : {}),
  });
  const relogin = `Log in again with ${dockerLoginCommand(registry)}` + (source.origin === 'env' ? ', or fix DOCKER_AUTH_CONFIG.' : ' (it rewrites the entry).');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return unusableCandidate(b('basic'), `${where} is not an object`, relogin);
  }
  const fields: AuthFields = {};
  for (const name of ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const) {
    const v = (value as Record<string, unknown>)[name];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') return unusableCandidate(b('basic'), `${where}.${name} is not a string`, relogin);
    fields[name] = v;
  }
  for (const secretField of ['auth', 'password', 'identitytoken', 'registrytoken'] as const) options.scrubber?.remember(fields[secretField]);

  let username = fields.username;
  let password = fields.password !== undefined ? new Secret(fields.password) : undefined;
  if (fields.auth !== undefined) {
    // docker/cli decodeAuth: base64.StdEncoding, split at the first ':', NULs trimmed off the password.
    const raw = fields.auth.replace(/[\r\n]/g, '');
    if (!STRICT_BASE64.test(raw) || raw.length % 4 !== 0) {
      return unusableCandidate(b('basic', username), `${where}.auth is not valid base64`, relogin);
    }
    const decoded = Buffer.from(raw, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      return unusableCandidate(b('basic', username), `${where}.auth does not hold "user:password"`, relogin);
    }
    username = decoded.slice(0, colon);
    password = new Secret(decoded.slice(colon + 1).replace(/\0+$/, ''));
    options.scrubber?.remember(password);
  }

  const now = (options.now ?? (() => new Date()))();
  const renew = relogin;
  // The registry client prefers a registry token, then an identity token, then the password.
  if (fields.registrytoken !== undefined) {
    const token = new Secret(fields.registrytoken);
    return usableCandidate(b('registry-token', username), { kind: 'registry-token', token }, { at: tokenExpiry(token), now, renew });
  }
  if (fields.identitytoken !== undefined) {
    const token = new Secret(fields.identitytoken);
    return usableCandidate(b('identity-token', username), { kind: 'identity-token', username: username ?? '', token }, { at: tokenExpiry(token), now, renew });
  }
  if (username !== undefined && password !== undefined && !password.empty) {
    return usableCandidate(b('basic', username), { kind: 'basic', username, password }, { at: tokenExpiry(password), now, renew });
  }
  if (username !== undefined) return unusableCandidate(b('basic', username), `${where} has a user name but no password`, relogin);
  if (password !== undefined) return unusableCandidate(b('basic'), `${where} has a password but no user name`, relogin);
  return null;
}

/** docker/cli ResolveAuthConfig: the exact key first, then any key whose host (port kept) matches. */
/** `docker login HOST`, or plain `docker login` for Docker Hub (its default). */
function dockerLoginCommand(registry: string): string {
  return isDockerHub(registry) ? 'docker login' : `docker login ${registry}`;
}

export function authEntriesFor(source: DockerConfigSource, host: string): DockerAuthEntry[] {
  const registry = normaliseRegistryHost(host);
  const exactKey = dockerConfigKeyFor(registry);
  const exact = source.auths.filter((e) => e.key === exactKey);
  const rest = source.auths.filter((e) => e.key !== exactKey && e.registry === registry);
  return [...exact, ...rest];
}

/** Every registry host the source names. */
export function hostsOf(source: DockerConfigSource): string[] {
  return [...new Set([...source.auths.map((e) => e.registry), ...source.credHelpers.keys()])];
}

/** Problem summary for a source that cannot be used, attached to a host it would have served. */
export function configProblemCandidate(source: DockerConfigSource, host: string): CredentialCandidate | null {
  if (!source.problem) return null;
  return unusableCandidate(
    { registry: normaliseRegistryHost(host), source: sourceOf(source.origin), sourceDetail: source.label, kind: 'basic' },
    source.problem.problem,
    source.problem.hint,
  );
}

export interface ConfigLookupContext {
  runHelper: RunHelper;
  mode: 'resolve' | 'list';
  signal?: AbortSignal;
  scrubber?: SecretScrubber;
  now: () => Date;
  helperTimeoutMs?: number;
  /** list mode: one `list` per store per call, shared by every host. */
  storeList?: (helper: string) => Promise<HelperListResult>;
}

/**
 * Everything one config source offers for a host, in docker's lookup order: credHelpers[host],
 * then credsStore, then auths (exact key, then legacy keys with the same host). Where docker
 * would stop at the first store, we go on when a store has nothing, so a stale `auths` entry still
 * shows up (and a missing helper does not hide a working entry).
 */
export async function* configCandidates(source: DockerConfigSource, host: string, ctx: ConfigLookupContext): AsyncGenerator<CredentialCandidate> {
  const registry = normaliseRegistryHost(host);
  const problem = configProblemCandidate(source, registry);
  if (problem) {
    yield problem;
    return;
  }
  const serverUrl = dockerConfigKeyFor(registry);
  const kindSource: CredentialSource = 'credential-helper';
  const helperSummary = (helper: string, configuredAs: string): Omit<SummaryBase, 'kind'> => ({
    registry,
    source: kindSource,
    sourceDetail: `${helperBinary(helper)} (${configuredAs})`,
  });

  const perHost = source.credHelpers.get(registry);
  if (perHost) {
    const configuredAs = `credHelpers[${quoted(perHost.key)}] in ${source.label}`;
    // Named for this very host, so a helper with nothing for it is worth saying: it is why
    // Stowage (and docker) would go anonymous.
    yield* helperCandidate(perHost.helper, serverUrl, helperSummary(perHost.helper, configuredAs), configuredAs, ctx, true);
  }

  const entries = authEntriesFor(source, registry);
  if (source.credsStore !== null) {
    const configuredAs = `credsStore in ${source.label}`;
    const b = helperSummary(source.credsStore, configuredAs);
    // The store serves every host, so "nothing for this host" is only news when the config says a
    // login was made here: the `{}` placeholder `docker login` leaves in auths next to a store.
    const loggedInHere = entries.some((e) => e.candidate === null);
    if (ctx.mode === 'list' && ctx.storeList) {
      // `list` names the logins without handing out secrets, and does not make a keychain prompt
      // for every host the way `get` can.
      const listed = await ctx.storeList(source.credsStore);
      if (listed.status === 'failed') {
        yield unusableCandidate({ ...b, kind: 'basic' }, listed.problem, listed.hint);
      } else {
        let found = false;
        for (const [url, user] of listed.entries) {
          if (normaliseRegistryHost(url) !== registry) continue;
          const token = user === '<token>';
          yield usableCandidate({ ...b, kind: token ? 'identity-token' : 'basic', ...(token ? {} : { username: user }) }, null);
          found = true;
          break;
        }
        if (!found && loggedInHere) yield noLoginCandidate(source.credsStore, b);
      }
    } else {
      yield* helperCandidate(source.credsStore, serverUrl, b, configuredAs, ctx, loggedInHere);
    }
  }

  for (const entry of entries) {
    if (entry.candidate) {
      yield entry.candidate;
    } else if (source.credsStore === null && !perHost) {
      yield unusableCandidate(
        { registry, source: sourceOf(source.origin), sourceDetail: `${source.label} auths[${quoted(entry.key)}]`, kind: 'basic' },
        `${source.label} auths[${quoted(entry.key)}] holds no credentials and no credential store is configured`,
        `Log in with ${dockerLoginCommand(registry)}.`,
      );
    }
  }
}

/** A helper that answered "credentials not found" for a host it was expected to have a login for. */
function noLoginCandidate(helper: string, b: Omit<SummaryBase, 'kind'>): CredentialCandidate {
  const binary = helperBinary(helper);
  const login = dockerLoginCommand(b.registry);
  const hint =
    helper === 'ecr-login'
      ? `${binary} found no AWS credentials for ${b.registry}: set up the AWS CLI credentials it reads (aws configure, AWS_PROFILE), or save a credential for ${b.registry} in Stowage.`
      : helper === 'gcloud'
        ? `${binary} found no Google login: run gcloud auth login (or gcloud auth configure-docker), or save a credential for ${b.registry} in Stowage.`
        : `Log in with ${login} (docker stores the login through ${binary}), or save a credential for ${b.registry} in Stowage.`;
  return unusableCandidate({ ...b, kind: 'basic' }, `${binary} has no login for ${b.registry}`, hint);
}

async function* helperCandidate(
  helper: string,
  serverUrl: string,
  b: Omit<SummaryBase, 'kind'>,
  configuredAs: string,
  ctx: ConfigLookupContext,
  reportNotFound: boolean,
): AsyncGenerator<CredentialCandidate> {
  const result = await helperGet(ctx.runHelper, helper, serverUrl, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.scrubber ? { scrubber: ctx.scrubber } : {}),
    ...(ctx.helperTimeoutMs !== undefined ? { timeoutMs: ctx.helperTimeoutMs } : {}),
    configuredIn: configuredAs,
  });
  if (result.status === 'not-found') {
    if (reportNotFound) yield noLoginCandidate(helper, b);
    return;
  }
  if (result.status === 'failed') {
    yield unusableCandidate({ ...b, kind: 'basic' }, result.problem, result.hint);
    return;
  }
  const renew = `Log in again with ${dockerLoginCommand(b.registry)}.`;
  const secret: ResolvedSecret = result.identityToken
    ? { kind: 'identity-token', username: '', token: result.secret }
    : { kind: 'basic', username: result.username, password: result.secret };
  yield usableCandidate(
    { ...b, kind: result.identityToken ? 'identity-token' : 'basic', ...(result.identityToken ? {} : { username: result.username }) },
    secret,
    { at: tokenExpiry(result.secret), now: ctx.now(), renew },
  );
}

/** The helper docker would ask for this host, if any (used to avoid running the same helper twice). */
export function helperNameFor(source: DockerConfigSource, host: string): string | null {
  return source.credHelpers.get(normaliseRegistryHost(host))?.helper ?? source.credsStore;
}
