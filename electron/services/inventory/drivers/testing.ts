import type { RegistrySettings } from '../../../../shared/credentials/types';
import { detectImplementation } from '../../../../shared/registry/detect';
import type { Implementation } from '../../../../shared/registry/implementations';
import type { ResolvedCredential } from '../../credentials/types';
import { RegistryHttp, type RegistryRequest } from '../../registry/http';
import { prepareLogin } from '../../registry/logins';
import { registryDriver } from '../../registries';
import { RegistryAuth } from '../../registry/registry-auth';
import { requestScopes } from '../../registry/request-scopes';
import type { DriverContext, InventoryDriver, ListEvent, ListedTag, RegistryApiRequest } from '../types';

/**
 * Test-only: a DriverContext as the engine builds one (login prepared, challenge known, every call
 * through one RegistryHttp), plus a log of what the driver asked for, so tests can check the
 * request count per page and where credentials went. Retry waits are recorded, not slept.
 */
export interface TestRun {
  ctx: DriverContext;
  http: RegistryHttp;
  /** Calls the driver made through ctx.request / ctx.registryRequest (URL and whether it carried a credential). */
  calls: { via: 'native' | 'registry'; method: string; url: string; authorized: boolean }[];
  /** Retry-After waits RegistryHttp would have slept, in ms. */
  sleeps: number[];
  /** Long rate-limit waits a driver asked for through `ctx.rateLimitWait` (recorded, not slept). */
  rateLimitWaits: { untilMs: number; reason: string }[];
  warnings: string[];
  controller: AbortController;
  close(): Promise<void>;
}

export async function testRun(o: {
  /** host[:port] as in the images repo. */
  registry: string;
  implementation: Implementation;
  credential: ResolvedCredential | null;
  settings?: RegistrySettings;
  /** Where `/v2/` answers when it is not `http://<registry>` (Docker Hub). */
  baseUrl?: string;
  withConfig?: boolean;
  retryAttempts?: number;
  concurrencyPerHost?: number;
  /** Resolves real registry host names (an ECR host) to the emulator. */
  resolveHost?: (host: string) => Promise<string[]>;
}): Promise<TestRun> {
  const settings: RegistrySettings = o.settings ?? { registry: o.registry, plainHttp: true };
  const sleeps: number[] = [];
  const http = new RegistryHttp({
    settings: () => settings,
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      if (signal?.aborted) throw signal.reason;
    },
    retry: { attempts: o.retryAttempts ?? 3 },
    ...(o.concurrencyPerHost !== undefined ? { concurrencyPerHost: o.concurrencyPerHost } : {}),
    ...(o.resolveHost ? { resolveHost: o.resolveHost } : {}),
  });
  const baseUrl = new URL(o.baseUrl ?? `http://${o.registry}`);
  const auth = new RegistryAuth({ http, registry: o.registry, baseUrl, login: { kind: 'anonymous' } });
  const ping = await auth.ping();
  if (!ping.ok) throw new Error(`ping failed: ${ping.error.message}`);
  const ecr = detectImplementation(o.registry).details?.ecr;
  const prepared = await prepareLogin({
    driver: registryDriver(o.implementation),
    registry: o.registry,
    baseUrl,
    credential: o.credential,
    settings,
    http,
    scheme: ping.value.scheme,
    ...(ecr ? { ecr } : {}),
    onSecret: () => undefined,
  });
  if (!prepared.ok) throw new Error(`login failed: ${prepared.error.message}`);
  auth.setLogin(prepared.value.login);
  const controller = new AbortController();
  const calls: TestRun['calls'] = [];
  const warnings: string[] = [];
  const rateLimitWaits: TestRun['rateLimitWaits'] = [];
  const ctx: DriverContext = {
    registry: o.registry,
    implementation: o.implementation,
    baseUrl,
    http,
    auth,
    credential: o.credential,
    settings,
    signal: controller.signal,
    withConfig: o.withConfig ?? false,
    async registryRequest(req: RegistryApiRequest) {
      calls.push({ via: 'registry', method: req.method, url: new URL(req.path, baseUrl).href, authorized: true });
      const r = await auth.request({
        method: req.method,
        path: req.path,
        scopes: requestScopes(req.repository, req.method, req.actions),
        ...(req.headers ? { headers: req.headers } : {}),
        ...(req.body !== undefined ? { body: req.body } : {}),
        ...(req.maxBytes !== undefined ? { maxBytes: req.maxBytes } : {}),
        ...(req.followRedirects !== undefined ? { followRedirects: req.followRedirects } : {}),
        signal: controller.signal,
      });
      return r.outcome;
    },
    async request(req: RegistryRequest) {
      calls.push({ via: 'native', method: req.method, url: String(req.url), authorized: req.authorization !== undefined || Object.keys(req.headers ?? {}).some((h) => h.toLowerCase() === 'private-token') });
      const signal = req.signal ? AbortSignal.any([req.signal, controller.signal]) : controller.signal;
      return http.request({ ...req, signal });
    },
    warn(message: string) {
      if (!warnings.includes(message)) warnings.push(message);
    },
    async rateLimitWait(untilMs: number, reason: string) {
      rateLimitWaits.push({ untilMs, reason });
      if (controller.signal.aborted) throw controller.signal.reason;
    },
  };
  return { ctx, http, calls, sleeps, rateLimitWaits, warnings, controller, close: () => http.close() };
}

/** Drains a driver's events for one repository. */
export async function collect(driver: InventoryDriver, run: TestRun, repository: string): Promise<{ tags: ListedTag[]; events: ListEvent[]; pages: number }> {
  const events: ListEvent[] = [];
  const tags: ListedTag[] = [];
  let pages = 0;
  for await (const e of driver.listTags(run.ctx, repository)) {
    events.push(e);
    if (e.type === 'tags') {
      pages++;
      tags.push(...e.tags);
    }
  }
  return { tags, events, pages };
}

/**
 * The event types of a listing whose run is cancelled as soon as the first event arrives. A
 * failure counts as `failed` only when it says it was cancelled; any other failure shows with its
 * message, so an expectation of `['tags', 'failed']` cannot pass on an unrelated error.
 */
export async function eventTypesCancellingAtFirst(driver: InventoryDriver, run: TestRun, repository: string): Promise<string[]> {
  const seen: string[] = [];
  for await (const e of driver.listTags(run.ctx, repository)) {
    seen.push(e.type === 'failed' && !/cancel/i.test(e.failure.message) ? `failed: ${e.failure.message}` : e.type);
    run.controller.abort();
  }
  return seen;
}

export function lastEvent(events: ListEvent[]): ListEvent | undefined {
  return events[events.length - 1];
}
