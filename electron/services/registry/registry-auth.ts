import { z } from 'zod';
import {
  basicChallenge,
  bearerChallenge,
  mergeScopes,
  parseWwwAuthenticate,
  type AuthChallenge,
  type BearerChallenge,
} from '../../../shared/registry/auth-challenge';
import { Secret } from '../credentials/secret';
import { httpError, safeUrl, type RegistryHttpError } from './errors';
import type { HttpMethod, HttpOutcome, RegistryHttp, RegistryResponse } from './http';
import { realmRefusal } from './realm-rule';
import { inspectToken, type GrantView } from './token-claims';

/** How we authenticate to one registry, after the credential source has been turned into something the registry takes. */
export type RegistryLogin =
  | { kind: 'anonymous' }
  | { kind: 'basic'; username: string; password: Secret }
  /** Spent with the OAuth2 refresh-token grant at the token realm (config.json `identitytoken`, ACR refresh tokens). */
  | { kind: 'identity-token'; username: string; token: Secret }
  /** Sent to the registry as `Authorization: Bearer` as is (config.json `registrytoken`). */
  | { kind: 'registry-token'; token: Secret };

export type AuthScheme =
  | { kind: 'none' }
  | { kind: 'basic'; realm?: string }
  | { kind: 'bearer'; realm: URL; service?: string; challenge: BearerChallenge }
  /** 401 without a challenge we understand. */
  | { kind: 'unknown'; header?: string };

export interface PingInfo {
  status: number;
  scheme: AuthScheme;
  challenges: AuthChallenge[];
  /** `Docker-Distribution-Api-Version`, when sent. */
  apiVersion?: string;
  response: RegistryResponse;
}

export type TokenSource = 'basic' | 'anonymous' | 'oauth2-refresh-token' | 'oauth2-fallback-get' | 'registry-token';

export interface IssuedToken {
  token: Secret;
  expiresAt: number;
  /** Scopes asked for (merged). */
  scopes: string[];
  grant: GrantView;
  source: TokenSource;
  realm: string;
  /** A fresh request to the token server, or from the cache. */
  cached: boolean;
}

export type AuthOutcome<T> = { ok: true; value: T } | { ok: false; error: RegistryHttpError };

export interface LoginCheck {
  /** What proved the login (`GET /v2/ → 200 with Basic`, `token server accepted …`). */
  detail: string;
  status: number;
}

export interface RegistryAuthOptions {
  http: RegistryHttp;
  /** host[:port] as the user wrote it (lower-cased). */
  registry: string;
  /** https://host[:port] (or http:// for plain-HTTP registries). */
  baseUrl: URL;
  login: RegistryLogin;
  /** OAuth2 `client_id`; the token spec requires one. */
  clientId?: string;
  now?: () => number;
  /** Told about every secret this class creates (Basic header values, tokens), so reports can be scrubbed. */
  onSecret?: (value: string) => void;
  /**
   * Hosts besides the registry's own where its token server may be (the driver's
   * `tokenRealmHosts`); 'any' (the default) for registries whose token server can live anywhere.
   */
  tokenRealmHosts?: readonly string[] | 'any';
}

export interface AuthedRequest {
  method: HttpMethod;
  /** A path under the registry (`/v2/app/tags/list`) or a full URL on another host. */
  path: string;
  /** Token scopes the operation needs. */
  scopes: string[];
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  maxBytes?: number;
  followRedirects?: boolean;
}

export interface AuthedResponse {
  outcome: HttpOutcome;
  /** The token used for the final attempt (Bearer registries). */
  token?: IssuedToken;
  /** True when a 401 made us fetch a token for the scope the registry's challenge asked for. */
  rechallenged: boolean;
}

const tokenResponse = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  issued_at: z.string().optional(),
});

/** Token lifetime the spec assumes when the server does not say (and the minimum it allows). */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew this long before expiry so a token does not die between check and use. */
const EXPIRY_MARGIN_MS = 10_000;

function basicValue(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export function schemeOf(challenges: AuthChallenge[], base: URL, header?: string): AuthScheme {
  const bearer = bearerChallenge(challenges);
  if (bearer) {
    try {
      const realm = new URL(bearer.realm, base);
      return bearer.service !== undefined ? { kind: 'bearer', realm, service: bearer.service, challenge: bearer } : { kind: 'bearer', realm, challenge: bearer };
    } catch {
      // An unusable realm is treated like no Bearer challenge at all.
    }
  }
  const basic = basicChallenge(challenges);
  if (basic) return basic.realm !== undefined ? { kind: 'basic', realm: basic.realm } : { kind: 'basic' };
  return header !== undefined ? { kind: 'unknown', header } : { kind: 'unknown' };
}

/**
 * The Docker Registry auth flow (distribution token spec, registry-apis.md §1.3): ping, Basic for
 * htpasswd/ECR-style registries, Bearer tokens from the realm for the rest, cached per scope set
 * until they expire, and a second try with the scope the registry's own 401 challenge names.
 */
export class RegistryAuth {
  readonly http: RegistryHttp;
  readonly registry: string;
  readonly baseUrl: URL;
  #login: RegistryLogin;
  readonly #clientId: string;
  readonly #tokenRealmHosts: readonly string[] | 'any';
  readonly #now: () => number;
  readonly #onSecret: (value: string) => void;
  #scheme: AuthScheme | null = null;
  readonly #tokens = new Map<string, IssuedToken>();

  constructor(opts: RegistryAuthOptions) {
    this.http = opts.http;
    this.registry = opts.registry.toLowerCase();
    this.baseUrl = opts.baseUrl;
    this.#login = opts.login;
    this.#clientId = opts.clientId ?? 'stowage';
    this.#now = opts.now ?? Date.now;
    this.#onSecret = opts.onSecret ?? (() => undefined);
    this.#tokenRealmHosts = opts.tokenRealmHosts ?? 'any';
    this.#noteLogin(opts.login);
  }

  get login(): RegistryLogin {
    return this.#login;
  }

  get scheme(): AuthScheme | null {
    return this.#scheme;
  }

  /** Swap the login (e.g. after the ACR AAD exchange); cached tokens belong to the old one. */
  setLogin(login: RegistryLogin): void {
    this.#login = login;
    this.#tokens.clear();
    this.#noteLogin(login);
  }

  #noteLogin(login: RegistryLogin): void {
    if (login.kind === 'basic') {
      this.#onSecret(login.password.reveal());
      this.#onSecret(basicValue(login.username, login.password.reveal()).slice('Basic '.length));
    } else if (login.kind === 'identity-token') {
      this.#onSecret(login.token.reveal());
      this.#onSecret(basicValue(login.username, login.token.reveal()).slice('Basic '.length));
    } else if (login.kind === 'registry-token') this.#onSecret(login.token.reveal());
  }

  url(path: string): URL {
    return new URL(path, this.baseUrl);
  }

  /** `GET /v2/` without credentials: is it a registry, and how does it want us to authenticate? */
  async ping(signal?: AbortSignal): Promise<AuthOutcome<PingInfo>> {
    const url = this.url('/v2/');
    const out = await this.http.request({ method: 'GET', url, signal, maxBytes: 64 * 1024 });
    if (!out.ok) return out;
    const res = out.response;
    const header = res.headers.all('www-authenticate');
    const challenges = parseWwwAuthenticate(header);
    let scheme: AuthScheme;
    if (res.status === 200) scheme = { kind: 'none' };
    else if (res.status === 401) scheme = schemeOf(challenges, url, header.join(', ') || undefined);
    else {
      const hint =
        res.status === 404
          ? `${this.registry} answers, but not as a Docker registry (no /v2/ API): check the host and port.`
          : undefined;
      return { ok: false, error: httpError({ method: 'GET', url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), ...(hint ? { hint } : {}) }) };
    }
    this.#scheme = scheme;
    if (scheme.kind === 'bearer') this.http.trustTokenServer(this.registry, scheme.realm);
    const info: PingInfo = { status: res.status, scheme, challenges, response: res };
    const apiVersion = res.headers.get('docker-distribution-api-version');
    if (apiVersion !== undefined) info.apiVersion = apiVersion;
    return { ok: true, value: info };
  }

  async #ensureScheme(signal?: AbortSignal): Promise<AuthOutcome<AuthScheme>> {
    if (this.#scheme) return { ok: true, value: this.#scheme };
    const p = await this.ping(signal);
    return p.ok ? { ok: true, value: p.value.scheme } : p;
  }

  #basicSecret(): Secret | null {
    const l = this.#login;
    if (l.kind === 'basic') return new Secret(basicValue(l.username, l.password.reveal()));
    // Registries that take identity tokens over Basic (ACR, with the null-GUID user) accept this pair.
    if (l.kind === 'identity-token') return new Secret(basicValue(l.username, l.token.reveal()));
    return null;
  }

  /**
   * What `docker login` does: Basic registries get `GET /v2/` with the password; Bearer registries
   * get a token request without a scope, then `GET /v2/` with that token.
   */
  async verifyLogin(signal?: AbortSignal): Promise<AuthOutcome<LoginCheck>> {
    const s = await this.#ensureScheme(signal);
    if (!s.ok) return s;
    const scheme = s.value;
    const url = this.url('/v2/');
    const login = this.#login;
    if (scheme.kind === 'none') {
      return { ok: true, value: { status: 200, detail: `${this.registry} answers GET /v2/ without credentials: it does not require a login` } };
    }
    if (scheme.kind === 'basic' || scheme.kind === 'unknown' || login.kind === 'registry-token') {
      let authorization: Secret | undefined;
      let how: string;
      if (login.kind === 'registry-token') {
        authorization = new Secret(`Bearer ${login.token.reveal()}`);
        how = 'the registry token';
      } else {
        authorization = this.#basicSecret() ?? undefined;
        how = authorization ? `Basic auth as "${login.kind === 'anonymous' ? '' : login.username}"` : 'no credentials';
      }
      if (!authorization) {
        return {
          ok: false,
          error: {
            ...httpError({ method: 'GET', url, status: 401 }),
            message: `${this.registry} requires a login (it answered 401 to GET /v2/) and no credential was found for it`,
            hint: `Log in to ${this.registry} (docker login ${this.registry}) or save a user name and password for it in Stowage.`,
          },
        };
      }
      const out = await this.http.request({ method: 'GET', url, authorization, signal, maxBytes: 64 * 1024 });
      if (!out.ok) return out;
      const res = out.response;
      if (res.status === 200) return { ok: true, value: { status: 200, detail: `GET /v2/ with ${how} → 200` } };
      if (res.status === 401) {
        return {
          ok: false,
          error: httpError({
            method: 'GET',
            url,
            status: 401,
            body: res.body,
            contentType: res.headers.get('content-type'),
            what: `GET /v2/ with ${how}`,
            hint:
              login.kind === 'registry-token'
                ? `The registry token for ${this.registry} was refused (expired or revoked): log in again.`
                : `Wrong user name or password for ${this.registry}: log in again (docker login ${this.registry}) or fix the saved credential.`,
          }),
        };
      }
      return { ok: false, error: httpError({ method: 'GET', url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what: `GET /v2/ with ${how}` }) };
    }
    const token = await this.token([], signal);
    if (!token.ok) return token;
    const out = await this.http.request({ method: 'GET', url, authorization: new Secret(`Bearer ${token.value.token.reveal()}`), signal, maxBytes: 64 * 1024 });
    if (!out.ok) return out;
    if (out.response.status !== 200) {
      return {
        ok: false,
        error: httpError({
          method: 'GET',
          url,
          status: out.response.status,
          body: out.response.body,
          contentType: out.response.headers.get('content-type'),
          what: 'GET /v2/ with the token the token server issued',
          hint: `The token server at ${scheme.realm.host} issued a token that ${this.registry} refuses: the registry and its token server disagree (service name or signing key).`,
        }),
      };
    }
    return { ok: true, value: { status: 200, detail: `${describeSource(token.value.source, login)} at ${safeUrl(scheme.realm)} → token; GET /v2/ with it → 200` } };
  }

  /** A Bearer token for these scopes (an empty list = a login check), from the cache when still valid. */
  async token(scopes: readonly string[], signal?: AbortSignal, opts: { fresh?: boolean } = {}): Promise<AuthOutcome<IssuedToken>> {
    const s = await this.#ensureScheme(signal);
    if (!s.ok) return s;
    const scheme = s.value;
    const merged = mergeScopes(scopes);
    const login = this.#login;
    if (login.kind === 'registry-token') {
      return {
        ok: true,
        value: { token: login.token, expiresAt: Number.POSITIVE_INFINITY, scopes: merged, grant: inspectToken(login.token.reveal()), source: 'registry-token', realm: '', cached: true },
      };
    }
    if (scheme.kind !== 'bearer') {
      return {
        ok: false,
        error: { kind: 'http', status: 401, message: `${this.registry} does not use token authentication (${scheme.kind === 'basic' ? 'it asks for Basic auth' : 'no Bearer challenge'})`, hint: 'Tokens only exist on Bearer registries; Basic auth is sent with every request instead.' },
      };
    }
    const key = `${scheme.realm.href}|${scheme.service ?? ''}|${[...merged].sort().join(' ')}`;
    const hit = this.#tokens.get(key);
    if (!opts.fresh && hit && hit.expiresAt - EXPIRY_MARGIN_MS > this.#now()) return { ok: true, value: { ...hit, cached: true } };

    const realm = scheme.realm;
    if (login.kind !== 'anonymous') {
      const refused = realmRefusal({
        registry: this.registry,
        baseUrl: this.baseUrl,
        realm,
        allowedHosts: this.#tokenRealmHosts,
        realmPlainHttpAllowed: this.http.settingsFor(realm.host)?.plainHttp === true,
      });
      if (refused) return { ok: false, error: { kind: 'tls', message: refused.message, hint: refused.hint } };
    }
    const fetched = login.kind === 'identity-token' ? await this.#oauthToken(realm, scheme.service, merged, login, signal) : await this.#getToken(realm, scheme.service, merged, signal);
    if (!fetched.ok) return fetched;
    this.#tokens.set(key, fetched.value);
    return fetched;
  }

  #tokenUrl(realm: URL, service: string | undefined, scopes: readonly string[], extra: Record<string, string> = {}): URL {
    const u = new URL(realm.href);
    if (service !== undefined) u.searchParams.set('service', service);
    for (const s of scopes) u.searchParams.append('scope', s);
    for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
    return u;
  }

  async #getToken(realm: URL, service: string | undefined, scopes: string[], signal: AbortSignal | undefined, source?: TokenSource): Promise<AuthOutcome<IssuedToken>> {
    const url = this.#tokenUrl(realm, service, scopes);
    const authorization = this.#basicSecret() ?? undefined;
    const src: TokenSource = source ?? (authorization ? 'basic' : 'anonymous');
    const out = await this.http.request({ method: 'GET', url, ...(authorization ? { authorization } : {}), signal, maxBytes: 1024 * 1024 });
    if (!out.ok) return out;
    return this.#readToken(out.response, 'GET', url, scopes, src);
  }

  async #oauthToken(realm: URL, service: string | undefined, scopes: string[], login: { username: string; token: Secret }, signal: AbortSignal | undefined): Promise<AuthOutcome<IssuedToken>> {
    const form = new URLSearchParams();
    form.set('grant_type', 'refresh_token');
    if (service !== undefined) form.set('service', service);
    form.set('client_id', this.#clientId);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    form.set('refresh_token', login.token.reveal());
    const out = await this.http.request({
      method: 'POST',
      url: realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal,
      maxBytes: 1024 * 1024,
      retry: false,
    });
    if (!out.ok) return out;
    // The spec's fallback: a token server without the OAuth2 endpoint answers 404 to POST.
    if (out.response.status === 404 || out.response.status === 405) return this.#getToken(realm, service, scopes, signal, 'oauth2-fallback-get');
    return this.#readToken(out.response, 'POST', realm, scopes, 'oauth2-refresh-token');
  }

  #readToken(res: RegistryResponse, method: string, url: URL, scopes: string[], source: TokenSource): AuthOutcome<IssuedToken> {
    const login = this.#login;
    if (res.status === 401 || res.status === 403) {
      const hint =
        login.kind === 'anonymous'
          ? `The token server of ${this.registry} refuses anonymous access: log in to ${this.registry} first.`
          : login.kind === 'identity-token'
            ? `The identity token for ${this.registry} was refused (expired or revoked): log in again.`
            : `Wrong user name or password for ${this.registry}: log in again (docker login ${this.registry}) or fix the saved credential.`;
      return { ok: false, error: httpError({ method, url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what: `token request ${method} ${safeUrl(url)}`, hint }) };
    }
    if (res.status !== 200) {
      return { ok: false, error: httpError({ method, url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what: `token request ${method} ${safeUrl(url)}` }) };
    }
    const parsed = tokenResponse.safeParse(res.json());
    const value = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
    if (!parsed.success || value === undefined || value === '') {
      return {
        ok: false,
        error: { kind: 'http', status: 200, message: `The token server ${safeUrl(url)} answered 200 without a token`, hint: `Check that ${url.host} is the token server of ${this.registry}.`, url: safeUrl(url) },
      };
    }
    this.#onSecret(value);
    const seconds = Math.max(DEFAULT_TOKEN_SECONDS, parsed.data.expires_in ?? DEFAULT_TOKEN_SECONDS);
    const issued = parsed.data.issued_at !== undefined ? Date.parse(parsed.data.issued_at) : Number.NaN;
    // Trust our own clock over issued_at when they disagree wildly (skewed servers).
    const base = Number.isNaN(issued) || Math.abs(issued - this.#now()) > 5 * 60_000 ? this.#now() : issued;
    return {
      ok: true,
      value: { token: new Secret(value), expiresAt: base + seconds * 1000, scopes, grant: inspectToken(value), source, realm: safeUrl(url), cached: false },
    };
  }

  /**
   * An authenticated registry call. Bearer registries get a token for `scopes`; if the registry
   * still answers 401 with a challenge, one more token is fetched for the scope that challenge
   * names (Quay wants push for DELETE, Hub asks for delete) and the call is made once more.
   */
  async request(req: AuthedRequest): Promise<AuthedResponse> {
    const s = await this.#ensureScheme(req.signal);
    if (!s.ok) return { outcome: s, rechallenged: false };
    const scheme = s.value;
    const url = this.url(req.path);
    const base = {
      method: req.method,
      url,
      ...(req.headers ? { headers: req.headers } : {}),
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.maxBytes !== undefined ? { maxBytes: req.maxBytes } : {}),
      ...(req.followRedirects !== undefined ? { followRedirects: req.followRedirects } : {}),
    };
    const login = this.#login;
    if (login.kind === 'registry-token') {
      const outcome = await this.http.request({ ...base, authorization: new Secret(`Bearer ${login.token.reveal()}`) });
      return { outcome, rechallenged: false };
    }
    if (scheme.kind !== 'bearer') {
      const authorization = scheme.kind === 'none' ? undefined : (this.#basicSecret() ?? undefined);
      const outcome = await this.http.request({ ...base, ...(authorization ? { authorization } : {}) });
      // An open /v2/ does not mean open repositories: adopt the challenge the operation brought.
      if (scheme.kind === 'none' && outcome.ok && outcome.response.status === 401) {
        const header = outcome.response.headers.all('www-authenticate');
        const next = schemeOf(parseWwwAuthenticate(header), url, header.join(', ') || undefined);
        if (next.kind === 'bearer' || next.kind === 'basic') {
          this.#scheme = next;
          if (next.kind === 'bearer') this.http.trustTokenServer(this.registry, next.realm);
          return this.request(req);
        }
      }
      return { outcome, rechallenged: false };
    }
    const first = await this.token(req.scopes, req.signal);
    if (!first.ok) return { outcome: first, rechallenged: false };
    const outcome = await this.http.request({ ...base, authorization: new Secret(`Bearer ${first.value.token.reveal()}`) });
    if (!outcome.ok || outcome.response.status !== 401) return { outcome, token: first.value, rechallenged: false };

    const again = bearerChallenge(parseWwwAuthenticate(outcome.response.headers.all('www-authenticate')));
    const scopes = again && again.scopes.length > 0 ? mergeScopes([...req.scopes, ...again.scopes]) : req.scopes;
    const second = await this.token(scopes, req.signal, { fresh: true });
    if (!second.ok) return { outcome: second, rechallenged: true };
    const retried = await this.http.request({ ...base, authorization: new Secret(`Bearer ${second.value.token.reveal()}`) });
    return { outcome: retried, token: second.value, rechallenged: true };
  }
}

function describeSource(source: TokenSource, login: RegistryLogin): string {
  switch (source) {
    case 'basic':
      return `token server accepted user "${login.kind === 'basic' ? login.username : ''}"`;
    case 'anonymous':
      return 'anonymous token';
    case 'oauth2-refresh-token':
      return 'OAuth2 refresh-token grant with the identity token';
    case 'oauth2-fallback-get':
      return 'identity token via GET (the token server has no OAuth2 endpoint)';
    case 'registry-token':
      return 'registry token';
  }
}
