import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the Docker engine answers, found the way the Docker CLI finds it:
 *   1. DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY or DOCKER_TLS / DOCKER_CERT_PATH, ssh://)
 *   2. DOCKER_CONTEXT, else `currentContext` of config.json ($DOCKER_CONFIG or ~/.docker), read from
 *      contexts/meta/<sha256(name)>/meta.json, with its TLS files under contexts/tls/<sha256(name)>/docker
 *   3. the default socket /var/run/docker.sock
 */
export type EngineEndpoint =
  | { kind: 'unix'; socketPath: string; source: string }
  | { kind: 'tcp'; host: string; port: number; tls: TlsFiles | null; source: string }
  | { kind: 'ssh'; host: string; port: number; username?: string; source: string };

export interface TlsFiles {
  /** PEM contents; `verify` false is docker's `--tls` without `--tlsverify`. */
  ca?: string;
  cert?: string;
  key?: string;
  verify: boolean;
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface EndpointEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  /** Injected for tests; reads a whole small file as UTF-8, or returns null when it is not there. */
  readText?: (path: string) => string | null;
}

export class EndpointError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'EndpointError';
  }
}

const readTextDefault = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

export function describeEndpoint(e: EngineEndpoint): string {
  if (e.kind === 'unix') return `unix://${e.socketPath}`;
  if (e.kind === 'tcp') return `tcp://${e.host}:${e.port}${e.tls ? (e.tls.verify ? ' (TLS)' : ' (TLS, not verified)') : ''}`;
  return `ssh://${e.username ? `${e.username}@` : ''}${e.host}${e.port !== 22 ? `:${e.port}` : ''}`;
}

export function resolveEngineEndpoint(input: EndpointEnvironment): EngineEndpoint {
  const read = input.readText ?? readTextDefault;
  const host = input.env.DOCKER_HOST?.trim();
  if (host) {
    // The CLI: any non-empty DOCKER_TLS_VERIFY turns on TLS with verification; a non-empty
    // DOCKER_TLS alone is `--tls`, encrypted without verifying the engine. Certificates come from
    // DOCKER_CERT_PATH, else ~/.docker, and only those present are used.
    const tlsVerify = nonEmpty(input.env.DOCKER_TLS_VERIFY);
    const wantsTls = tlsVerify || nonEmpty(input.env.DOCKER_TLS);
    const tls: TlsFiles | null = wantsTls ? pemFiles(read, input.env.DOCKER_CERT_PATH || configDir(input), tlsVerify) : null;
    return fromHost(host, tls, 'DOCKER_HOST', wantsTls);
  }
  const contextName = input.env.DOCKER_CONTEXT?.trim() || currentContext(input, read);
  if (contextName && contextName !== 'default') return fromContext(contextName, input, read);
  return { kind: 'unix', socketPath: DEFAULT_SOCKET, source: 'default socket' };
}

const nonEmpty = (v: string | undefined): boolean => v !== undefined && v !== '';

function configDir(input: EndpointEnvironment): string {
  return input.env.DOCKER_CONFIG || join(input.homeDir, '.docker');
}

function currentContext(input: EndpointEnvironment, read: (p: string) => string | null): string | null {
  const text = read(join(configDir(input), 'config.json'));
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    const name = typeof parsed === 'object' && parsed !== null ? (parsed as { currentContext?: unknown }).currentContext : undefined;
    return typeof name === 'string' && name !== '' ? name : null;
  } catch {
    return null;
  }
}

function fromContext(name: string, input: EndpointEnvironment, read: (p: string) => string | null): EngineEndpoint {
  const id = createHash('sha256').update(name).digest('hex');
  const metaPath = join(configDir(input), 'contexts', 'meta', id, 'meta.json');
  const text = read(metaPath);
  const missing = new EndpointError(`The docker context "${name}" is selected, but ${metaPath} does not describe it`, `Run \`docker context ls\` and \`docker context use default\` (or the context you meant), or set DOCKER_HOST.`);
  if (text === null) throw missing;
  let endpoint: { Host?: unknown; SkipTLSVerify?: unknown } | undefined;
  try {
    endpoint = (JSON.parse(text) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } }).Endpoints?.docker;
  } catch {
    throw missing;
  }
  if (!endpoint || typeof endpoint.Host !== 'string' || endpoint.Host === '') throw missing;
  const tlsDir = join(configDir(input), 'contexts', 'tls', id, 'docker');
  const tls = read(join(tlsDir, 'ca.pem')) !== null || read(join(tlsDir, 'cert.pem')) !== null ? pemFiles(read, tlsDir, endpoint.SkipTLSVerify !== true) : null;
  return fromHost(endpoint.Host, tls, `context "${name}"`, tls !== null);
}

function pemFiles(read: (p: string) => string | null, dir: string, verify: boolean): TlsFiles {
  const files: TlsFiles = { verify };
  const ca = read(join(dir, 'ca.pem'));
  const cert = read(join(dir, 'cert.pem'));
  const key = read(join(dir, 'key.pem'));
  if (ca !== null) files.ca = ca;
  if (cert !== null) files.cert = cert;
  if (key !== null) files.key = key;
  return files;
}

function fromHost(raw: string, tls: TlsFiles | null, source: string, wantsTls: boolean): EngineEndpoint {
  if (raw.startsWith('unix://')) return { kind: 'unix', socketPath: raw.slice('unix://'.length) || DEFAULT_SOCKET, source };
  if (raw.startsWith('npipe://')) throw new EndpointError(`${source} names a Windows named pipe (${raw})`, 'Stowage on Linux and macOS reaches the engine over a unix socket, tcp or ssh.');
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `tcp://${raw}`);
  } catch {
    throw new EndpointError(`${source} is not an engine address: ${raw}`, 'Write it like unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host.');
  }
  if (url.protocol === 'ssh:') {
    const e: EngineEndpoint = { kind: 'ssh', host: url.hostname, port: url.port ? Number(url.port) : 22, source };
    if (url.username) e.username = decodeURIComponent(url.username);
    return e;
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    // The CLI's defaults: 2376 with TLS, 2375 without.
    const secure = wantsTls || url.protocol === 'https:';
    const port = url.port ? Number(url.port) : secure ? 2376 : 2375;
    return { kind: 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port, tls: secure ? (tls ?? { verify: true }) : null, source };
  }
  throw new EndpointError(`${source} uses a scheme Stowage cannot reach the engine with: ${url.protocol}`, 'Use unix://, tcp:// or ssh://.');
}
