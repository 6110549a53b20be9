import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listen, parseBasic, parseBearer, readBody, sendJson } from '../services/http-util';
import { accessAllows, formatScope, intersect, parseScopes, type AccessEntry } from '../services/scope';

export { parseBasic, parseBearer, readBody, sendJson, sendText } from '../services/http-util';
export type { AccessEntry } from '../services/scope';

export interface RecordedRequest {
  method: string;
  /** Path with query, as received. */
  path: string;
  /** Request headers with secrets masked (see `redactHeaders`). */
  headers: Record<string, string>;
  /** Which listener took it (`127.0.0.1:PORT`), for emulators with two hosts. */
  host: string;
  status?: number;
}

const SECRET_HEADERS = new Set(['cookie', 'private-token', 'job-token', 'deploy-token', 'x-amz-security-token', 'x-api-key', 'proxy-authorization']);

/**
 * Keeps what a test wants to assert (which scheme, which user or access key) and drops the
 * secret part, so recorded requests can be printed in failure output safely.
 */
export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : v;
    if (SECRET_HEADERS.has(k)) out[k] = '***';
    else if (k === 'authorization') out[k] = redactAuthorization(value);
    else out[k] = value;
  }
  return out;
}

function redactAuthorization(value: string): string {
  const basic = parseBasic(value);
  if (basic) return `Basic ${basic.username}:***`;
  const aws = /^(AWS4-HMAC-SHA256)\s+Credential=([^,\s]+)/.exec(value);
  if (aws) return `${aws[1]} Credential=${aws[2]}, Signature=***`;
  const scheme = /^(\S+)/.exec(value)?.[1] ?? '';
  return `${scheme} ***`;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Capture groups of the matched route: from the decoded path, or the raw one for `raw` routes. */
  params: string[];
  body(): Promise<Buffer>;
  json<T>(): Promise<T>;
  form(): Promise<URLSearchParams>;
}

type Handler = (ctx: Ctx) => void | Promise<void>;

interface Route {
  methods: string[];
  pattern: RegExp;
  handler: Handler;
  /** Match against the raw (still-encoded) path instead of the decoded one. */
  raw: boolean;
}

/** A tiny router + recorder on 127.0.0.1:0 shared by all emulators. */
export class EmulatorHttp {
  private readonly routes: Route[] = [];
  /** Shareable so an emulator with two hosts (Hub API + registry) keeps one ordered log. */
  constructor(private readonly recorded: RecordedRequest[] = []) {}
  private server: Server | null = null;
  url = '';
  host = '';
  fallback: Handler = (ctx) => sendJson(ctx.res, 404, { message: 'Not Found' });

  route(methods: string | string[], pattern: RegExp, handler: Handler, opts: { raw?: boolean } = {}): this {
    this.routes.push({ methods: Array.isArray(methods) ? methods : [methods], pattern, handler, raw: opts.raw ?? false });
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.dispatch(req, res);
    });
    const port = await listen(this.server);
    this.host = `127.0.0.1:${port}`;
    this.url = `http://${this.host}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
    this.server = null;
  }

  requests(): RecordedRequest[] {
    return this.recorded.map((r) => ({ ...r, headers: { ...r.headers } }));
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = req.url ?? '/';
    const entry: RecordedRequest = { method: req.method ?? 'GET', path: rawPath, headers: redactHeaders(req.headers), host: this.host };
    this.recorded.push(entry);
    res.once('finish', () => {
      entry.status = res.statusCode;
    });
    const url = new URL(rawPath, this.url);
    let bodyPromise: Promise<Buffer> | null = null;
    const body = (): Promise<Buffer> => (bodyPromise ??= readBody(req));
    const ctxBase = {
      req,
      res,
      url,
      body,
      json: async <T>(): Promise<T> => {
        const b = await body();
        return (b.length ? JSON.parse(b.toString('utf8')) : {}) as T;
      },
      form: async (): Promise<URLSearchParams> => new URLSearchParams((await body()).toString('utf8')),
    };
    try {
      let decodedPath: string;
      try {
        decodedPath = decodeURIComponent(url.pathname);
      } catch {
        decodedPath = url.pathname;
      }
      for (const r of this.routes) {
        if (!r.methods.includes(req.method ?? 'GET') && !r.methods.includes('*')) continue;
        const m = r.pattern.exec(r.raw ? url.pathname : decodedPath);
        if (!m) continue;
        await r.handler({ ...ctxBase, params: m.slice(1).map((p) => p ?? '') });
        return;
      }
      await this.fallback({ ...ctxBase, params: [] });
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { message: `emulator error: ${String(err)}` });
      else res.destroy();
    }
  }
}

/** Distribution-style error body. */
export function registryError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}, detail: unknown = null): void {
  sendJson(res, status, { errors: [{ code, message, detail }] }, headers);
}

export function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export interface TokenClaims {
  sub: string;
  access: AccessEntry[];
  exp: number;
  iat: number;
  [k: string]: unknown;
}

/**
 * JWT-shaped bearer tokens (HS256 with a per-emulator secret): clients that peek at `exp` in the
 * payload (the ACR SDK does) see a real JWT, and the emulator can verify without a lookup table.
 */
export class TokenIssuer {
  private readonly secret = randomBytes(32);
  private readonly revoked = new Set<string>();
  skewSeconds = 0;

  constructor(private readonly issuer: string, private readonly audience: string) {}

  now(): number {
    return Math.floor(Date.now() / 1000) + this.skewSeconds;
  }

  issue(sub: string, access: AccessEntry[], ttlSeconds: number, extra: Record<string, unknown> = {}): { token: string; expiresIn: number; issuedAt: string; exp: number } {
    const iat = this.now();
    const exp = iat + ttlSeconds;
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify({ iss: this.issuer, aud: this.audience, sub, iat, nbf: iat, exp, jti: randomUUID(), access, ...extra }));
    const sig = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest('base64url');
    return { token: `${header}.${payload}.${sig}`, expiresIn: ttlSeconds, issuedAt: new Date(iat * 1000).toISOString(), exp };
  }

  /** Returns the claims of a valid, unexpired, unrevoked token, else null. */
  verify(token: string): TokenClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const expected = createHmac('sha256', this.secret).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let claims: TokenClaims & { jti: string };
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims & { jti: string };
    } catch {
      return null;
    }
    if (this.revoked.has(claims.jti)) return null;
    if (claims.exp <= this.now()) return null;
    return claims;
  }

  revoke(token: string): void {
    const claims = this.verify(token);
    if (claims && typeof claims.jti === 'string') this.revoked.add(claims.jti);
  }
}

/** A principal as the token endpoint sees it: who, and what it may be granted for each scope. */
export interface Principal {
  subject: string;
  allowed(entry: AccessEntry): Set<string>;
}

export type Authenticate = (basic: { username: string; password: string } | null) => Principal | null;

/**
 * Distribution-style token endpoint (`GET realm?service=&scope=` with optional Basic): answers the
 * intersection of asked and allowed, 401 for bad credentials.
 */
export function serveRegistryToken(
  ctx: Ctx,
  o: { service: string; issuer: TokenIssuer; ttlSeconds: number; authenticate: Authenticate; anonymous: Principal | null; shape?: 'token' | 'both' },
): void {
  const { url, req, res } = ctx;
  const service = url.searchParams.get('service');
  if (service !== null && service !== o.service) {
    registryError(res, 400, 'DENIED', `invalid service ${service}`);
    return;
  }
  let principal: Principal | null;
  if (req.headers.authorization) {
    principal = o.authenticate(parseBasic(req.headers.authorization));
    if (!principal) {
      registryError(res, 401, 'UNAUTHORIZED', 'authentication required: invalid username or password');
      return;
    }
  } else {
    principal = o.anonymous;
    if (!principal) {
      registryError(res, 401, 'UNAUTHORIZED', 'authentication required');
      return;
    }
  }
  const requested = parseScopes(url.searchParams.getAll('scope'));
  const granted = intersect(requested, (e) => principal.allowed(e));
  const t = o.issuer.issue(principal.subject, granted, o.ttlSeconds);
  const body: Record<string, unknown> = { token: t.token, expires_in: t.expiresIn, issued_at: t.issuedAt };
  if ((o.shape ?? 'both') === 'both') body.access_token = t.token;
  sendJson(res, 200, body);
}

export type AuthResult = { ok: true; subject: string } | { ok: false; send(res: ServerResponse): void };

/** What `/v2` needs before a request may pass, per distribution's method → action mapping. */
export function challengeScope(need: AccessEntry[]): string {
  return need.map(formatScope).join(' ');
}

/**
 * `/v2` authorization for registries that use Bearer tokens from our own `TokenIssuer`: 401 with
 * a challenge when the token is missing, invalid, expired or lacks an action.
 */
export function bearerAuthorizer(o: {
  issuer: TokenIssuer;
  realm: () => string;
  service: string;
  /** Extra challenges in the same header (Quay sends Basic before Bearer). */
  prefixChallenges?: () => string[];
  /** Vendor-specific refusal when the token is valid but lacks an action. */
  insufficient?: (need: AccessEntry[], subject: string) => (res: ServerResponse) => void;
}): (authorization: string | undefined, need: AccessEntry[]) => AuthResult {
  const challenge = (need: AccessEntry[], error?: string): string => {
    const parts = [`realm="${o.realm()}"`, `service="${o.service}"`];
    if (need.length > 0) parts.push(`scope="${challengeScope(need)}"`);
    if (error) parts.push(`error="${error}"`);
    return [...(o.prefixChallenges?.() ?? []), `Bearer ${parts.join(',')}`].join(', ');
  };
  return (authorization, need) => {
    const bearer = parseBearer(authorization);
    if (!bearer) {
      return { ok: false, send: (res) => registryError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': challenge(need) }, need) };
    }
    const claims = o.issuer.verify(bearer);
    if (!claims) {
      return { ok: false, send: (res) => registryError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': challenge(need, 'invalid_token') }, need) };
    }
    const missing = need.flatMap((n) => n.actions.filter((a) => !accessAllows(claims.access, n.type, n.name, a)).map((a) => ({ ...n, actions: [a] })));
    if (missing.length === 0) return { ok: true, subject: claims.sub };
    if (o.insufficient) return { ok: false, send: o.insufficient(missing, claims.sub) };
    return {
      ok: false,
      send: (res) => registryError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': challenge(missing, 'insufficient_scope') }, missing),
    };
  };
}

/** Parses `page`/`per_page`-style integers with a default and bounds. */
export function intParam(url: URL, name: string, def: number, min: number, max: number): number | null {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) return null;
  return Math.min(n, max);
}

/** A numbered page: `page` (from 1) and the page size. */
export interface PageParams {
  page: number;
  size: number;
}

/**
 * `page` and the vendor's page-size parameter (`per_page`, `page_size`, `limit`): the default
 * when absent, capped at `maxSize`; null when either is not a whole number in range.
 */
export function pageParams(url: URL, sizeName: string, defaultSize: number, maxSize = 100): PageParams | null {
  const page = intParam(url, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  const size = intParam(url, sizeName, defaultSize, 1, maxSize);
  return page === null || size === null ? null : { page, size };
}

/** The entries on a numbered page. */
export function pageSlice<T>(all: readonly T[], p: PageParams): T[] {
  return all.slice((p.page - 1) * p.size, p.page * p.size);
}

/** Another page of the listing a request asked for: its path and query, with `page` and the size set, on `base`. */
export function pageUrl(request: URL, base: string, sizeName: string, size: number, page: number): URL {
  const u = new URL(request.pathname + request.search, base);
  u.searchParams.set('page', String(page));
  u.searchParams.set(sizeName, String(size));
  return u;
}

/** A fixed-window request budget; tests set `remaining` directly to provoke 429/403 answers. */
export class RateLimit {
  remaining: number;
  resetAt: number;

  constructor(public limit: number, public windowSeconds: number) {
    this.remaining = limit;
    this.resetAt = Math.floor(Date.now() / 1000) + windowSeconds;
  }

  /** Consumes one request; false when the budget is exhausted. */
  take(): boolean {
    const now = Math.floor(Date.now() / 1000);
    if (now >= this.resetAt) {
      this.remaining = this.limit;
      this.resetAt = now + this.windowSeconds;
    }
    if (this.remaining <= 0) return false;
    this.remaining -= 1;
    return true;
  }

  used(): number {
    return this.limit - this.remaining;
  }
}

/**
 * Test switch for vendor listing endpoints: every `every`-th listing call answers 429 (in the
 * vendor's own error format, with `Retry-After`), so a client that honours it and retries gets
 * through, and `every: 1` shows that retries are bounded.
 */
export interface RateLimitInjection {
  every: number;
  /** Seconds sent in Retry-After (default 1). */
  retryAfterSeconds?: number;
}

/** What an emulator state carries to support `RateLimitInjection`. */
export interface ListingFaults {
  rateLimit: RateLimitInjection | null;
  /** Listing calls seen so far (counted whether or not a 429 is injected). */
  listingCalls: number;
}

/** Counts a listing call; returns the Retry-After seconds when this one must answer 429. */
export function injected429(s: ListingFaults): number | null {
  s.listingCalls += 1;
  const r = s.rateLimit;
  if (!r || !Number.isInteger(r.every) || r.every < 1) return null;
  return s.listingCalls % r.every === 0 ? (r.retryAfterSeconds ?? 1) : null;
}

/** What starting an emulator on one host gives a test. */
export interface EmulatorHandle<S> {
  /** Server root; the registry (`/v2`) is served here too. */
  url: string;
  /** `127.0.0.1:PORT`, what a docker client would use as the registry host. */
  host: string;
  state: S;
  requests(): RecordedRequest[];
  /** Stops the emulator, then its backing registry. */
  stop(): Promise<void>;
}

/** Starts a one-host emulator (`start()` resolves to what stops its backing registry) and hands out its handle. */
export async function startEmulator<S>(emu: { http: EmulatorHttp; state: S; start(): Promise<() => Promise<void>> }): Promise<EmulatorHandle<S>> {
  const stopBacking = await emu.start();
  return {
    url: emu.http.url,
    host: emu.http.host,
    state: emu.state,
    requests: () => emu.http.requests(),
    stop: async () => {
      await emu.http.stop();
      await stopBacking();
    },
  };
}
