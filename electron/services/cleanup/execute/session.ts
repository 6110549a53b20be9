import { setMaxListeners } from 'node:events';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, type RegistrySettings } from '../../../../shared/credentials/types';
import type { DetectionDetails } from '../../../../shared/registry/detect';
import type { Implementation } from '../../../../shared/registry/implementations';
import type { ResolvedCredential } from '../../credentials/types';
import { apiHostOf, connectRegistry, settingsFor } from '../../inventory/connect';
import type { DriverContext, RegistryApiRequest } from '../../inventory/types';
import { registryDriver } from '../../registries';
import type { RegistryDriver } from '../../registries/types';
import { defaultSleep, RegistryHttp, type HttpOutcome, type RegistryHttpOptions, type RegistryRequest, type RegistryResponse } from '../../registry/http';
import { ConcurrencyLimiter } from '../../registry/limiter';
import type { AuthedRequest } from '../../registry/registry-auth';
import { requestScopes } from '../../registry/request-scopes';

/**
 * A logged-in connection to one registry for a cleanup run or a restore, outside the inventory
 * engine: the same login as a listing (`connectRegistry`), a `DriverContext` whose Registry API
 * calls ask for the token scope their method needs (delete, push), a per-host concurrency cap, the
 * HTTP client's retries honouring Retry-After (reported as waits), and a rate-limit budget: once a
 * registry says none is left, the next call waits for its reset instead of spending a 429.
 */

export interface SessionInput {
  registry: string;
  implementation: Implementation;
  credential: ResolvedCredential | null;
  settings: RegistrySettings | undefined;
  details?: DetectionDetails | undefined;
  /** Requests in flight at once; default the registry's setting, else 8. */
  concurrency?: number;
  /** Aborts every request of the session (a cancel). */
  signal: AbortSignal;
  /** Told when the session starts waiting for a registry (Retry-After, an exhausted budget) and when it resumes (null). */
  onWait?: (until: Date | null) => void;
  httpOptions?: Pick<RegistryHttpOptions, 'timeouts' | 'retry' | 'sleep'>;
  /** The longest a spent rate-limit budget is waited for before calls go ahead anyway. */
  maxBudgetWaitMs?: number;
  now?: () => number;
}

export interface RegistrySession {
  readonly driver: RegistryDriver;
  readonly ctx: DriverContext;
  /** Requests in flight at once (the caller's, else the registry's setting, else 8). */
  readonly concurrency: number;
  /** Said while connecting (plain HTTP on loopback, …). */
  readonly notes: string[];
  /** Rate-limit waits met, for the run's notes. */
  readonly waits: number;
  close(): Promise<void>;
}

const DEFAULT_BUDGET_WAIT_MS = 5 * 60_000;

export async function openSession(input: SessionInput): Promise<RegistrySession> {
  const driver = registryDriver(input.implementation);
  const apiHost = apiHostOf(driver.listing, input.registry);
  const wanted = input.concurrency ?? input.settings?.concurrency;
  const concurrency = typeof wanted === 'number' && Number.isFinite(wanted) ? Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(wanted))) : DEFAULT_CONCURRENCY;
  const now = input.now ?? Date.now;
  const signal = input.signal;
  setMaxListeners(0, signal);
  let waits = 0;
  const baseSleep = input.httpOptions?.sleep ?? defaultSleep;
  const waitFor = async (ms: number, s?: AbortSignal): Promise<void> => {
    waits++;
    input.onWait?.(new Date(now() + ms));
    try {
      await baseSleep(ms, s);
    } finally {
      input.onWait?.(null);
    }
  };
  const http = new RegistryHttp({
    settings: settingsFor(input.registry, apiHost, input.settings),
    concurrencyPerHost: concurrency,
    // A run waits out a registry's Retry-After (up to a minute) rather than failing the tag.
    retry: { attempts: 4, maxDelayMs: 60_000, ...input.httpOptions?.retry },
    timeouts: { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000, totalMs: 120_000, ...input.httpOptions?.timeouts },
    sleep: waitFor,
    // One clock for Retry-After, rate-limit resets and the budget waits that read them.
    now,
  });
  let connected;
  try {
    connected = await connectRegistry({
      registry: input.registry,
      apiHost,
      implementation: input.implementation,
      credential: input.credential,
      settings: input.settings,
      details: input.details,
      http,
      signal,
      activity: 'The cleanup run',
    });
  } catch (e) {
    await http.close();
    throw e;
  }
  const { auth, baseUrl, notes } = connected;
  const limiter = new ConcurrencyLimiter(concurrency);
  const maxBudgetWait = input.maxBudgetWaitMs ?? DEFAULT_BUDGET_WAIT_MS;
  let spentUntil = 0;

  const aborted = (what: string): HttpOutcome => ({ ok: false, error: { kind: 'aborted', message: `${what} was cancelled`, hint: 'Cancelled on request; run it again to finish.' } });
  const noteBudget = (res: RegistryResponse): void => {
    const rl = res.rateLimit;
    if (rl?.remaining === 0 && rl.resetAt !== undefined && rl.resetAt > now()) spentUntil = rl.resetAt;
  };
  const slot = async <T>(what: string, call: () => Promise<HttpOutcome>): Promise<HttpOutcome> => {
    let release: () => void;
    try {
      release = await limiter.acquire(signal);
    } catch {
      return aborted(what);
    }
    try {
      const wait = spentUntil - now();
      if (wait > 0 && wait <= maxBudgetWait) {
        try {
          await waitFor(wait, signal);
        } catch {
          return aborted(what);
        }
      }
      if (signal.aborted) return aborted(what);
      const out = await call();
      if (out.ok) noteBudget(out.response);
      return out;
    } finally {
      release();
    }
  };

  const warnings = new Set<string>();
  const ctx: DriverContext = {
    registry: input.registry,
    implementation: input.implementation,
    baseUrl,
    http,
    auth,
    credential: input.credential,
    settings: input.settings,
    signal,
    withConfig: false,
    registryRequest: (r: RegistryApiRequest) =>
      slot(`${r.method} ${r.path}`, async () => {
        const authed: AuthedRequest = { method: r.method, path: r.path, scopes: requestScopes(r.repository, r.method, r.actions), signal };
        if (r.headers) authed.headers = r.headers;
        if (r.body !== undefined) authed.body = r.body;
        if (r.maxBytes !== undefined) authed.maxBytes = r.maxBytes;
        if (r.followRedirects !== undefined) authed.followRedirects = r.followRedirects;
        return (await auth.request(authed)).outcome;
      }),
    request: (r: RegistryRequest) => slot(`${r.method} request`, () => http.request({ ...r, signal: r.signal ? AbortSignal.any([r.signal, signal]) : signal })),
    warn: (m) => {
      warnings.add(m);
    },
    // A driver that meets a long rate-limit wait (beyond the HTTP client's own retries) waits here,
    // so the run shows the countdown and a cancel ends the wait.
    rateLimitWait: async (untilMs) => {
      const ms = untilMs - now();
      if (ms > 0) await waitFor(ms, signal);
    },
  };
  return {
    driver,
    ctx,
    concurrency,
    get notes() {
      return [...notes, ...warnings];
    },
    get waits() {
      return waits;
    },
    close: () => http.close(),
  };
}
