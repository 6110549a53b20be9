import { readFile } from 'node:fs/promises';
import { isIP, isIPv6, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import type { RegistrySettings } from '../../../shared/credentials/types';
import type { Secret } from '../credentials/secret';
import { dispatchAndCollect } from './collect';
import { classifyError, httpError, safeUrl, tlsHint, type RegistryHttpError } from './errors';
import { KeyedLimiter } from './limiter';

export type HttpMethod = 'GET' | 'HEAD' | 'DELETE' | 'POST' | 'PUT' | 'PATCH';

export interface Timeouts {
  /** TCP + TLS handshake. */
  connectMs: number;
  /** From the request being sent to the response headers. */
  headersMs: number;
  /** Longest silence while the body streams. */
  bodyMs: number;
  /** The whole call, redirects and retries included. */
  totalMs: number;
}

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  attempts: number;
  baseDelayMs: number;
  /** A server asking for a longer wait is not retried: the caller gets the 429 with its Retry-After. */
  maxDelayMs: number;
  statuses: readonly number[];
}

export interface RegistryHttpOptions {
  /** Per-registry TLS and transport settings, by `host[:port]`. */
  settings?: readonly RegistrySettings[] | ((host: string) => RegistrySettings | undefined);
  /** Replaces the system resolver (tests, split-horizon DNS); the DNS step of the check uses the same function. */
  resolveHost?: (host: string) => Promise<string[]>;
  timeouts?: Partial<Timeouts>;
  maxResponseBytes?: number;
  maxRedirects?: number;
  concurrencyPerHost?: number;
  retry?: Partial<RetryPolicy>;
  /** Waits between retries; injectable so tests do not sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  userAgent?: string;
}

export interface RegistryRequest {
  method: HttpMethod;
  url: URL | string;
  headers?: Record<string, string>;
  /**
   * The `Authorization` header value. Bound to the origin of `url`: a redirect to another
   * origin (blob downloads go to storage hosts) never carries it.
   */
  authorization?: Secret;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Overrides the client's response size cap for this call. */
  maxBytes?: number;
  /** Default true. */
  followRedirects?: boolean;
  /** Default true: retry 429/5xx (honouring Retry-After), and reset connections for GET/HEAD. */
  retry?: boolean;
  timeoutMs?: number;
}

export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  /** Epoch ms when the window resets. */
  resetAt?: number;
}

export class ResponseHeaders {
  readonly #raw: Record<string, string | string[] | undefined>;

  constructor(raw: Record<string, string | string[] | undefined>) {
    this.#raw = {};
    for (const [k, v] of Object.entries(raw)) this.#raw[k.toLowerCase()] = v;
  }

  get(name: string): string | undefined {
    const v = this.#raw[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  all(name: string): string[] {
    const v = this.#raw[name.toLowerCase()];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }

  has(name: string): boolean {
    return this.#raw[name.toLowerCase()] !== undefined;
  }
}

export interface RegistryResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
  /** Where the response came from, after redirects. */
  url: URL;
  redirected: boolean;
  rateLimit?: RateLimitInfo;
  text(): string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json(): unknown;
}

export type HttpOutcome = { ok: true; response: RegistryResponse } | { ok: false; error: RegistryHttpError };

const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000, totalMs: 60_000 };
const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 20_000, statuses: [429, 502, 503, 504] };
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/**
 * A mutating call is never replayed elsewhere: a redirect of DELETE/PUT/POST/PATCH goes back to
 * the caller as the 3xx it is. Only 303 is followed, as the body-less GET it means.
 */
const MUTATING: ReadonlySet<HttpMethod> = new Set<HttpMethod>(['DELETE', 'PUT', 'POST', 'PATCH']);
export function followsRedirect(method: HttpMethod, status: number): boolean {
  return REDIRECTS.has(status) && (!MUTATING.has(method) || status === 303);
}
/** Headers that identify the caller; they belong to the origin they were meant for. */
const SENSITIVE = new Set(['authorization', 'cookie', 'proxy-authorization', 'private-token', 'job-token', 'deploy-token']);
const RETRYABLE_CONNECT = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A number of seconds past which a "delay" is really a Unix time (2001-09-09): no server asks for
 * a 31-year wait, and Docker Hub has been seen sending `Retry-After: 1746136938`.
 */
const EPOCH_SECONDS = 1_000_000_000;

/**
 * Retry-After (seconds, an HTTP date, or — as Docker Hub has sent it — a Unix time), Docker Hub's
 * older X-Retry-After (a unix time), and the reset time of an exhausted rate-limit window.
 * Milliseconds to wait (never negative), or undefined.
 */
export function retryAfterMs(headers: ResponseHeaders, now: number): number | undefined {
  const secondsOrEpoch = (n: number): number => (n > EPOCH_SECONDS ? Math.max(0, Math.round(n * 1000 - now)) : Math.round(n * 1000));
  const ra = headers.get('retry-after');
  if (ra !== undefined) {
    const trimmed = ra.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return secondsOrEpoch(Number(trimmed));
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const unixAt = (v: string | undefined): number | undefined => {
    if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
    // Some servers send a delta here despite the name; a unix time is far larger.
    return secondsOrEpoch(Number(v.trim()));
  };
  const xra = unixAt(headers.get('x-retry-after'));
  if (xra !== undefined) return xra;
  const remaining = headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
  if (remaining !== undefined && /^0(\D|$)/.test(remaining.trim())) {
    return unixAt(headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset'));
  }
  return undefined;
}

function leadingInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+)/.exec(v);
  return m ? Number(m[1]) : undefined;
}

/** Docker Hub (`ratelimit-*`, `100;w=21600`), GitHub/GitLab (`x-ratelimit-*`, `ratelimit-*`). */
export function rateLimitOf(headers: ResponseHeaders, now: number): RateLimitInfo | undefined {
  const limit = leadingInt(headers.get('ratelimit-limit') ?? headers.get('x-ratelimit-limit'));
  const remaining = leadingInt(headers.get('ratelimit-remaining') ?? headers.get('x-ratelimit-remaining'));
  const reset = leadingInt(headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset'));
  if (limit === undefined && remaining === undefined && reset === undefined) return undefined;
  const out: RateLimitInfo = {};
  if (limit !== undefined) out.limit = limit;
  if (remaining !== undefined) out.remaining = remaining;
  if (reset !== undefined) out.resetAt = reset > 1_000_000_000 ? reset * 1000 : now + reset * 1000;
  return out;
}

function lookupVia(resolveHost: (host: string) => Promise<string[]>): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const entries = addresses
          .map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }))
          .filter((e) => family === 0 || e.family === family);
        const first = entries[0];
        if (!first) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 0);
          return;
        }
        if (options.all) callback(null, entries);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => {
        const e = error instanceof Error ? error : new Error(String(error));
        if ((e as NodeJS.ErrnoException).code === undefined) Object.assign(e, { code: 'ENOTFOUND' });
        callback(e as NodeJS.ErrnoException, '', 0);
      },
    );
  };
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/**
 * One signal for a request: aborted by the caller or when the time is up. Built by hand because
 * `AbortSignal.timeout` + `AbortSignal.any` cost weak references and a finalizer per request,
 * which showed as a tenth of the client's CPU in a 5,000-tag inventory.
 */
function requestDeadline(ms: number, caller: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(caller?.reason);
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException('The request did not complete in time', 'TimeoutError')), ms);
  timer.unref();
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}

type AgentEntry = { ok: true; agent: Agent } | { ok: false; error: RegistryHttpError };

/**
 * The registry HTTP client: one keep-alive pool per host, each with that host's TLS settings;
 * per-host concurrency limit; timeouts, a size cap and an AbortSignal on every call; redirects
 * followed by hand so credentials stay with their origin; 429/503 retried after Retry-After.
 * Never throws for network or HTTP trouble: the outcome says what went wrong and how to fix it.
 */
export class RegistryHttp {
  readonly #settings: (host: string) => RegistrySettings | undefined;
  readonly #resolveHost: ((host: string) => Promise<string[]>) | undefined;
  readonly #timeouts: Timeouts;
  readonly #retry: RetryPolicy;
  readonly #maxBytes: number;
  readonly #maxRedirects: number;
  readonly #limiters: KeyedLimiter;
  readonly #agents = new Map<string, Promise<AgentEntry>>();
  /** token-server host → the registry host whose challenge named it. */
  readonly #tokenServers = new Map<string, string>();
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #userAgent: string;
  #closed = false;

  constructor(opts: RegistryHttpOptions = {}) {
    const s = opts.settings;
    if (typeof s === 'function') this.#settings = s;
    else {
      const list = s ?? [];
      this.#settings = (host) => list.find((x) => x.registry.toLowerCase() === host.toLowerCase());
    }
    this.#resolveHost = opts.resolveHost;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.#maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_BYTES;
    this.#maxRedirects = opts.maxRedirects ?? 5;
    this.#limiters = new KeyedLimiter(opts.concurrencyPerHost ?? 8);
    this.#sleep = opts.sleep ?? defaultSleep;
    this.#now = opts.now ?? Date.now;
    this.#userAgent = opts.userAgent ?? 'stowage';
  }

  get limiters(): KeyedLimiter {
    return this.#limiters;
  }

  settingsFor(host: string): RegistrySettings | undefined {
    return this.#settings(host);
  }

  /**
   * A registry's challenge names its token server. That server typically sits behind the same
   * private CA, so it inherits the registry's CA file. Skipping verification is inherited only by
   * the same machine (same host name, another port): "insecure" must never spread to other hosts.
   */
  trustTokenServer(registryHost: string, realm: URL): void {
    const realmHost = realm.host.toLowerCase();
    if (realmHost === registryHost.toLowerCase() || this.#settings(realmHost)) return;
    this.#tokenServers.set(realmHost, registryHost.toLowerCase());
  }

  /** The TLS-relevant settings that apply to a host (its own, or those inherited as a token server). */
  effectiveTls(host: string): { caFile?: string; insecureSkipVerify?: boolean; inheritedFrom?: string } {
    const own = this.#settings(host);
    if (own) {
      const out: { caFile?: string; insecureSkipVerify?: boolean } = {};
      if (own.caFile) out.caFile = own.caFile;
      if (own.insecureSkipVerify) out.insecureSkipVerify = true;
      return out;
    }
    const registry = this.#tokenServers.get(host.toLowerCase());
    const reg = registry !== undefined ? this.#settings(registry) : undefined;
    if (!registry || !reg) return {};
    const out: { caFile?: string; insecureSkipVerify?: boolean; inheritedFrom?: string } = { inheritedFrom: registry };
    if (reg.caFile) out.caFile = reg.caFile;
    if (reg.insecureSkipVerify && hostnameOf(registry) === hostnameOf(host.toLowerCase())) out.insecureSkipVerify = true;
    return out;
  }

  /** TLS options for node:tls for a host; shared with the TLS probe so both see the same trust. */
  async tlsOptionsFor(host: string): Promise<{ ok: true; options: { ca?: string[]; rejectUnauthorized?: boolean } } | { ok: false; error: RegistryHttpError }> {
    const tls = this.effectiveTls(host);
    if (tls.insecureSkipVerify) return { ok: true, options: { rejectUnauthorized: false } };
    if (tls.caFile) {
      try {
        const pem = await readFile(tls.caFile, 'utf8');
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
          return { ok: false, error: { kind: 'tls', message: `The CA file ${tls.caFile} for ${host} holds no PEM certificate`, hint: tlsHint('CA_FILE', host, 'no "BEGIN CERTIFICATE" block') } };
        }
        // `ca` replaces Node's trust store, so the public roots are kept next to the private CA.
        return { ok: true, options: { ca: [...rootCertificates, pem] } };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'read error';
        return { ok: false, error: { kind: 'tls', message: `The CA file ${tls.caFile} for ${host} cannot be read (${code})`, hint: tlsHint('CA_FILE', host, code) } };
      }
    }
    return { ok: true, options: {} };
  }

  lookupFunction(): LookupFunction | undefined {
    return this.#resolveHost ? lookupVia(this.#resolveHost) : undefined;
  }

  async #agentFor(host: string): Promise<AgentEntry> {
    const key = host.toLowerCase();
    let entry = this.#agents.get(key);
    if (!entry) {
      entry = (async (): Promise<AgentEntry> => {
        const tls = await this.tlsOptionsFor(key);
        if (!tls.ok) return tls;
        const lookup = this.lookupFunction();
        const agent = new Agent({
          connections: this.#limiters.limitPerKey,
          keepAliveTimeout: 10_000,
          headersTimeout: this.#timeouts.headersMs,
          bodyTimeout: this.#timeouts.bodyMs,
          connect: { timeout: this.#timeouts.connectMs, ...tls.options, ...(lookup ? { lookup } : {}) },
        });
        return { ok: true, agent };
      })();
      this.#agents.set(key, entry);
    }
    return entry;
  }

  async request(req: RegistryRequest): Promise<HttpOutcome> {
    if (this.#closed) throw new Error('RegistryHttp is closed');
    let url: URL;
    try {
      url = typeof req.url === 'string' ? new URL(req.url) : new URL(req.url.href);
    } catch {
      return { ok: false, error: { kind: 'connect', message: `Invalid URL ${String(req.url)}`, hint: 'Check the registry address.' } };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return { ok: false, error: { kind: 'connect', message: `Unsupported URL scheme ${url.protocol}`, hint: 'Registry URLs are http(s).' } };
    }
    const deadline = requestDeadline(req.timeoutMs ?? this.#timeouts.totalMs, req.signal);
    try {
      return await this.#requestUntil(req, url, deadline.signal);
    } finally {
      deadline.dispose();
    }
  }

  async #requestUntil(req: RegistryRequest, first: URL, signal: AbortSignal): Promise<HttpOutcome> {
    let url = first;
    const origin = url.origin;
    let method: HttpMethod = req.method;
    let body = req.body;
    let redirects = 0;
    let attempt = 1;
    const follow = req.followRedirects ?? true;
    const retry = req.retry ?? true;

    while (true) {
      const headers: Record<string, string> = { 'user-agent': this.#userAgent };
      const sameOrigin = url.origin === origin;
      for (const [k, v] of Object.entries(req.headers ?? {})) {
        if (!sameOrigin && SENSITIVE.has(k.toLowerCase())) continue;
        headers[k.toLowerCase()] = v;
      }
      if (sameOrigin && req.authorization) headers.authorization = req.authorization.reveal();

      const once = await this.#once(url, method, headers, body, signal, req.signal, req.maxBytes ?? this.#maxBytes);
      if (!once.ok) {
        const code = once.code;
        if (retry && attempt < this.#retry.attempts && (method === 'GET' || method === 'HEAD') && code !== undefined && RETRYABLE_CONNECT.has(code)) {
          const slept = await this.#wait(this.#backoff(attempt), signal, req.signal, url, method);
          if (slept) return slept;
          attempt++;
          continue;
        }
        return { ok: false, error: once.error };
      }
      const res = once.response;
      if (follow && followsRedirect(method, res.status)) {
        const location = res.headers.get('location');
        if (location) {
          if (++redirects > this.#maxRedirects) {
            return { ok: false, error: { ...httpError({ method, url, status: res.status }), message: `${method} ${safeUrl(url)}: more than ${this.#maxRedirects} redirects`, hint: 'The registry redirects in a loop: check its external URL setting.' } };
          }
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            return { ok: false, error: httpError({ method, url, status: res.status, hint: 'The registry sent an invalid redirect Location.' }) };
          }
          if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
            method = 'GET';
            body = undefined;
          }
          url = next;
          continue;
        }
      }
      if (retry && this.#retry.statuses.includes(res.status) && attempt < this.#retry.attempts) {
        const asked = retryAfterMs(res.headers, this.#now());
        const delay = asked ?? this.#backoff(attempt);
        if (delay <= this.#retry.maxDelayMs) {
          const slept = await this.#wait(delay, signal, req.signal, url, method);
          if (slept) return slept;
          attempt++;
          continue;
        }
      }
      res.redirected = redirects > 0;
      return { ok: true, response: res };
    }
  }

  #backoff(attempt: number): number {
    const exp = this.#retry.baseDelayMs * 2 ** (attempt - 1);
    // Jitter spreads the retries of a parallel inventory so they do not hit the registry in step.
    return Math.min(this.#retry.maxDelayMs, Math.round(exp * (0.75 + Math.random() * 0.5)));
  }

  async #wait(ms: number, signal: AbortSignal, userSignal: AbortSignal | undefined, url: URL, method: string): Promise<HttpOutcome | null> {
    try {
      await this.#sleep(ms, signal);
      return null;
    } catch {
      return { ok: false, error: this.#abortError(userSignal, url, method) };
    }
  }

  #abortError(userSignal: AbortSignal | undefined, url: URL, method: string): RegistryHttpError {
    if (userSignal?.aborted) {
      return { kind: 'aborted', message: `${method} ${safeUrl(url)} was cancelled`, hint: 'Cancelled on request; run it again when ready.', url: safeUrl(url) };
    }
    return {
      kind: 'timeout',
      message: `${method} ${safeUrl(url)} did not complete in time`,
      hint: `${url.host} is slow or unreachable: try again later, or check the network.`,
      url: safeUrl(url),
    };
  }

  async #once(
    url: URL,
    method: HttpMethod,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    signal: AbortSignal,
    userSignal: AbortSignal | undefined,
    maxBytes: number,
  ): Promise<{ ok: true; response: RegistryResponse } | { ok: false; error: RegistryHttpError; code?: string }> {
    const host = url.host;
    let release: (() => void) | null = null;
    try {
      release = await this.#limiters.for(host.toLowerCase()).acquire(signal);
    } catch {
      return { ok: false, error: this.#abortError(userSignal, url, method) };
    }
    try {
      const agent = await this.#agentFor(host);
      if (!agent.ok) return { ok: false, error: agent.error };
      const res = await dispatchAndCollect(agent.agent, { url, method, headers, body, signal, maxBytes });
      if (!res.ok) return { ok: false, error: tooLarge(method, url, maxBytes, res.declared) };
      const responseHeaders = new ResponseHeaders(res.headers);
      const buffer = res.body;
      const rateLimit = rateLimitOf(responseHeaders, this.#now());
      const response: RegistryResponse = {
        status: res.status,
        headers: responseHeaders,
        body: buffer,
        url,
        redirected: false,
        ...(rateLimit ? { rateLimit } : {}),
        text: () => buffer.toString('utf8'),
        json: () => {
          try {
            return JSON.parse(buffer.toString('utf8')) as unknown;
          } catch {
            return undefined;
          }
        },
      };
      return { ok: true, response };
    } catch (error) {
      if (signal.aborted) return { ok: false, error: this.#abortError(userSignal, url, method) };
      const classified = classifyError(error, { method, url });
      const code = (error as { code?: unknown }).code;
      return { ok: false, error: classified, ...(typeof code === 'string' ? { code } : {}) };
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const entries = await Promise.all(this.#agents.values());
    await Promise.all(entries.map((e) => (e.ok ? e.agent.close().catch(() => undefined) : undefined)));
    this.#agents.clear();
  }
}

function tooLarge(method: string, url: URL, maxBytes: number, declared?: number): RegistryHttpError {
  return {
    kind: 'too-large',
    message: `${method} ${safeUrl(url)}: the response ${declared !== undefined ? `declares ${declared} bytes, more than` : 'grew past'} the ${maxBytes}-byte limit, so reading stopped`,
    hint: 'The registry sent far more than this call expects: check that the address points at a registry, not a web page or a file server.',
    url: safeUrl(url),
  };
}

export function isIpLiteral(host: string): boolean {
  return isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}
