import { Agent, fetch, type Headers, type Response } from 'undici';
import { readFileSync } from 'node:fs';
import { findChallenge } from './challenge';

export type RegistryAuth = { username: string; password: string } | { bearer: string };

export interface ClientOptions {
  auth?: RegistryAuth;
  /** PEM text (or a path to a PEM file) of a CA to trust for this registry only. */
  ca?: string;
}

export interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
  refresh_token?: string;
}

const agents = new Map<string, Agent>();

/** One undici Agent per CA, so a test can trust a CA without touching process-wide settings. */
export function dispatcherFor(ca: string | undefined): Agent | undefined {
  if (!ca) return undefined;
  const pem = ca.includes('-----BEGIN') ? ca : readFileSync(ca, 'utf8');
  let agent = agents.get(pem);
  if (!agent) {
    agent = new Agent({ connect: { ca: pem } });
    agents.set(pem, agent);
  }
  return agent;
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * A deliberately small Docker Registry v2 client for seeding and assertions: Basic or static
 * Bearer auth, and the token dance (challenge → realm → retry) when the registry asks for it.
 */
export class RegistryClient {
  readonly base: string;
  private readonly tokens = new Map<string, string>();
  private readonly dispatcher: Agent | undefined;

  constructor(baseUrl: string, private readonly opts: ClientOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.dispatcher = dispatcherFor(opts.ca);
  }

  async fetchRaw(url: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer | string; redirect?: 'follow' | 'manual' } = {}): Promise<Response> {
    return fetch(url, { ...init, dispatcher: this.dispatcher });
  }

  private initialAuthHeader(scopeKey: string): string | undefined {
    const auth = this.opts.auth;
    const cached = this.tokens.get(scopeKey);
    if (cached) return `Bearer ${cached}`;
    if (!auth) return undefined;
    if ('bearer' in auth) return `Bearer ${auth.bearer}`;
    return basicHeader(auth.username, auth.password);
  }

  /** Requests `path` (relative to the registry base, or absolute), answering one auth challenge. */
  async request(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const scopeKey = scopeKeyFor(method, url);
    const send = (authz: string | undefined): Promise<Response> =>
      this.fetchRaw(url, {
        method,
        headers: { ...(init.headers ?? {}), ...(authz ? { authorization: authz } : {}) },
        body: init.body,
      });
    const first = await send(this.initialAuthHeader(scopeKey));
    if (first.status !== 401) return first;
    const bearer = findChallenge(first.headers.get('www-authenticate'), 'bearer');
    const auth = this.opts.auth;
    if (!bearer || (auth && 'bearer' in auth)) return first;
    await first.body?.cancel();
    const token = await this.fetchToken(bearer.params.realm, bearer.params.service, bearer.params.scope);
    this.tokens.set(scopeKey, token);
    return send(`Bearer ${token}`);
  }

  async fetchToken(realm: string, service: string | undefined, scope: string | undefined): Promise<string> {
    const u = new URL(realm);
    if (service) u.searchParams.set('service', service);
    if (scope) for (const s of scope.split(' ')) u.searchParams.append('scope', s);
    const auth = this.opts.auth;
    const headers: Record<string, string> = {};
    if (auth && 'username' in auth) headers.authorization = basicHeader(auth.username, auth.password);
    const res = await this.fetchRaw(u.toString(), { headers });
    if (!res.ok) throw new Error(`token request to ${u.origin}${u.pathname} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as TokenResponse;
    const token = body.token ?? body.access_token;
    if (!token) throw new Error('token response without token');
    return token;
  }

  async json<T>(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await this.request(method, path, init);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  }
}

// Tokens are cached per repository and access class, mirroring what distribution would ask for.
function scopeKeyFor(method: string, url: string): string {
  const m = /\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(new URL(url).pathname);
  const cls = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'push';
  return m ? `${m[1]}|${cls}` : `_|${cls}|${new URL(url).pathname}`;
}

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const ACCEPT_ALL = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');
