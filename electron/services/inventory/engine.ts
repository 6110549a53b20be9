import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { UserError } from '../../../shared/api/result';
import { DEFAULT_CONCURRENCY, LISTING_LIMITS, MAX_CONCURRENCY, type RegistrySettings } from '../../../shared/credentials/types';
import { MEDIA_TYPES, classifyTag, isValidRepository, manifestKind, normalizeMediaType, tagKind, type TagClassification } from '../../../shared/inventory/classify';
import { isoFromMs } from '../../../shared/inventory/rate-limit';
import type { InventoryProgress, InventoryRequest, InventoryStats, InventoryTag, ListingTruncation, PlatformChild, RateLimitInfo } from '../../../shared/inventory/types';
import { repositoryScope } from '../../../shared/registry/auth-challenge';
import type { RegistryHttpError } from '../registry/errors';
import { RegistryHttp, defaultSleep, type HttpOutcome, type RegistryRequest, type RegistryResponse } from '../registry/http';
import { ConcurrencyLimiter } from '../registry/limiter';
import type { AuthedRequest, RegistryAuth } from '../registry/registry-auth';
import { requestScopes } from '../registry/request-scopes';
import { ConfigCache, type ConfigFacts } from './config-cache';
import { apiHostOf, cancelled, connectRegistry, fatal, settingsFor } from './connect';
import { driverFor } from './drivers';
import { MAX_INDEX_CHILDREN, parseConfig, parseManifest, platformsOf, type ManifestFacts } from './manifest';
import { planInventory, type InventoryPlan } from './plan';
import { CONFIG_MAX_BYTES, errorText, getBlob, getManifest, headManifest, type ManifestRef } from './registry-api';
import { markedTraffic, type TrafficCounter } from './traffic';
import type { DriverContext, InventoryDriver, ListInventoryDeps, ListedTag, RegistryApiRequest } from './types';

const BATCH_ROWS = 500;
type ManifestEntry = { ok: true; digest: string; facts: ManifestFacts } | { ok: false; error: string };
type ConfigEntry = { ok: true; facts: ConfigFacts } | { ok: false; error: string };

interface RepoState {
  repository: string;
  /** Tags already listed here: a registry repeating a tag across pages yields one row. */
  seen: Set<string>;
}

interface Task {
  repo: RepoState;
  listed: ListedTag;
  cls: TagClassification;
}

interface RowFacts {
  digest: string | null;
  mediaType: string | null;
  size?: number | null;
  created?: string | undefined;
  labels?: Record<string, string> | undefined;
  platforms?: PlatformChild[] | undefined;
  error?: string | undefined;
}

interface ListingLimits {
  tags: number;
  bytes: number;
}

// The settings file is hand-editable: anything but a positive number falls back to the default.
function wholeWithin(v: unknown, max: number): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.min(max, Math.floor(v)) : undefined;
}

/** The caps of one listing: the caller's (`--max-tags`), else the registry's setting, else the defaults. */
export function listingLimits(deps: Pick<ListInventoryDeps, 'maxTags' | 'maxListingBytes'>, settings: RegistrySettings | undefined): ListingLimits {
  const mib = wholeWithin(settings?.maxListingMiB, LISTING_LIMITS.maxMaxMiB);
  return {
    tags: wholeWithin(deps.maxTags, LISTING_LIMITS.maxMaxTags) ?? wholeWithin(settings?.maxTags, LISTING_LIMITS.maxMaxTags) ?? LISTING_LIMITS.defaultMaxTags,
    bytes: wholeWithin(deps.maxListingBytes, LISTING_LIMITS.maxMaxMiB * 1024 * 1024) ?? (mib ?? LISTING_LIMITS.defaultMaxMiB) * 1024 * 1024,
  };
}

// Header values arrive as fresh strings; rows reuse these instances instead.
const KNOWN_MEDIA_TYPES = new Map<string, string>(Object.values(MEDIA_TYPES).map((m) => [m, m]));
function internMediaType(m: string | null): string | null {
  return m === null ? null : (KNOWN_MEDIA_TYPES.get(m) ?? m);
}


/**
 * Lists the tags of a werf images repo (or of any repository), streaming rows as they become
 * known: first every listed tag (digest pending), then each finished row with digest, kind, size,
 * platforms and, with `withConfig`, created date and labels. Resolves with the run's statistics.
 * Rejects with a UserError when nothing could be listed (bad address, login refused, every
 * repository failed) and with code `cancelled` when the signal fires; no request starts after that.
 */
export async function listInventory(req: InventoryRequest, deps: ListInventoryDeps): Promise<InventoryStats> {
  const started = performance.now();
  if (deps.signal.aborted) throw cancelled();
  const plan = planInventory(req);
  const driver = deps.driver ?? driverFor(plan.implementation);
  const apiHost = apiHostOf(driver, plan.registry);
  const settings = deps.settings;
  const wanted = deps.concurrency ?? settings?.concurrency;
  // The settings file is hand-editable: anything but a number falls back to the default.
  const concurrency = typeof wanted === 'number' && Number.isFinite(wanted) ? Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(wanted))) : DEFAULT_CONCURRENCY;
  const counter: TrafficCounter = { requests: 0, connections: 0 };
  // The run's own client carries a User-Agent marker that attributes its traffic (see traffic.ts).
  const marked = markedTraffic(counter);
  const http = new RegistryHttp({
    settings: settingsFor(plan.registry, apiHost, settings),
    concurrencyPerHost: concurrency,
    timeouts: { connectMs: 10_000, headersMs: 20_000, bodyMs: 20_000, totalMs: 120_000, ...deps.httpOptions?.timeouts },
    ...(deps.httpOptions?.retry ? { retry: deps.httpOptions.retry } : {}),
    userAgent: marked.userAgent,
  });
  try {
    return await marked.run(() => new InventoryRun(req, deps, plan, driver, http, apiHost, concurrency, counter, started).execute());
  } finally {
    await http.close();
  }
}

// Without a credential a 401 is not "wrong password": there was none to be wrong.
function anonymousRefusedHint(registry: string): string {
  return `No credential was found for ${registry}, and it does not allow anonymous reads: log in (docker login ${registry}), or enter credentials in Registry access, then list again.`;
}

class InventoryRun {
  readonly #signal: AbortSignal;
  readonly #limiter: ConcurrencyLimiter;
  readonly #cache: ConfigCache | null;
  readonly #warnings = new Set<string>();
  readonly #manifests = new Map<string, ManifestEntry | Promise<ManifestEntry>>();
  readonly #configs = new Map<string, ConfigEntry | Promise<ConfigEntry>>();
  readonly #queue: Task[] = [];
  #head = 0;
  readonly #waiters: (() => void)[] = [];
  #listingOpen = 0;
  #ctx: DriverContext | null = null;
  #batch: InventoryTag[] = [];
  #listed = 0;
  #inspected = 0;
  #rowErrors = 0;
  #ambiguous = 0;
  #cacheHits = 0;
  #configFetched = 0;
  #rateLimit: RateLimitInfo | undefined;
  #lastProgress = '';
  readonly #limits: ListingLimits;
  #listingBytes = 0;
  /** Set once a per-listing cap is reached: every repository's listing stops at its next event. */
  #capped: ListingTruncation | null = null;
  readonly #truncated: ListingTruncation[] = [];
  readonly #missing: string[] = [];
  readonly #failed: { repository: string; message: string; hint?: string }[] = [];
  readonly #listedRepositories: string[] = [];

  readonly #inner = new AbortController();
  readonly #forward: () => void;

  constructor(
    private readonly req: InventoryRequest,
    private readonly deps: ListInventoryDeps,
    private readonly plan: InventoryPlan,
    private readonly driver: InventoryDriver,
    private readonly http: RegistryHttp,
    private readonly apiHost: string,
    private readonly concurrency: number,
    private readonly counter: TrafficCounter,
    private readonly started: number,
  ) {
    // Every waiting worker and in-flight request listens to the signal; Node warns past 10
    // listeners on the caller's signal, so the run listens to its own, which follows the caller's.
    setMaxListeners(0, this.#inner.signal);
    this.#forward = () => this.#inner.abort(deps.signal.reason);
    if (deps.signal.aborted) this.#forward();
    else deps.signal.addEventListener('abort', this.#forward, { once: true });
    this.#signal = this.#inner.signal;
    this.#limiter = new ConcurrencyLimiter(concurrency);
    this.#limits = listingLimits(deps, deps.settings);
    this.#cache = req.withConfig ? new ConfigCache(deps.cacheDir, deps.configCacheBytes !== undefined ? { maxBytes: deps.configCacheBytes } : {}) : null;
    for (const w of plan.warnings) this.#warnings.add(w);
  }

  async execute(): Promise<InventoryStats> {
    try {
      return await this.#execute();
    } finally {
      this.deps.signal.removeEventListener('abort', this.#forward);
    }
  }

  async #execute(): Promise<InventoryStats> {
    // Read the config cache while the registry is pinged; it is needed only once tags are inspected.
    const cacheLoaded = this.#cache?.load();
    const ctx = await this.#connect();
    this.#ctx = ctx;
    let repositories = this.plan.repositories.map((r) => r.repository);
    if (this.driver.repositories) {
      try {
        repositories = await this.driver.repositories(ctx, repositories);
      } catch (error) {
        if (this.#signal.aborted) throw cancelled();
        // Discovery is an extra; the planned repositories can still be listed.
        this.#warnings.add(`Finding repositories through the ${this.driver.id} API failed (${error instanceof Error ? error.message : String(error)}); listing the planned ones.`);
      }
    }
    repositories = [...new Set(repositories)].filter((r) => {
      if (isValidRepository(r)) return true;
      this.#warnings.add(`"${r}" is not a valid repository name (lower-case letters, digits and . _ - / only); it was not listed.`);
      return false;
    });
    if (repositories.length === 0) throw new UserError({ code: 'nothing-to-list', message: 'No valid repository to list.', hint: 'Check the images repo address and the werf image names.' });
    await cacheLoaded;

    const onAbort = (): void => this.#wakeAll();
    this.#signal.addEventListener('abort', onAbort, { once: true });
    const flushMs = this.deps.flushMs ?? 100;
    const timer = setInterval(() => this.#flush(), flushMs);
    try {
      this.#listingOpen = repositories.length;
      this.#progress(true);
      const listing = repositories.map((r) => this.#list(r));
      // One request in flight per worker (a tag's requests are sequential), so as many workers as slots.
      const workers = Array.from({ length: this.concurrency }, () => this.#worker());
      await Promise.all([...listing, ...workers]);
    } finally {
      clearInterval(timer);
      this.#signal.removeEventListener('abort', onAbort);
      await this.#cache?.flush();
    }
    if (this.#signal.aborted) throw cancelled();
    this.#flush();
    if (this.#cache?.problem) this.#warnings.add(this.#cache.problem);

    // Every repository failed and nothing at all was listed: that is a failure, not an empty inventory.
    if (this.#failed.length === repositories.length && this.#listed === 0) {
      const first = this.#failed[0]!;
      throw new UserError({ code: 'inventory-failed', message: `Listing failed: ${first.message}`, ...(first.hint !== undefined ? { hint: first.hint } : {}) });
    }
    if (this.#ambiguous > 0) {
      this.#warnings.add(
        `${this.#ambiguous} tag${this.#ambiguous === 1 ? '' : 's'} fit more than one werf image's prefix (e.g. app- and app-worker-); the longest was assumed.${this.req.withConfig ? ' Their configs carry no werf-image-name label to settle it.' : ' Fetch image configs to settle them by the werf-image-name label.'}`,
      );
    }
    if (this.#rateLimit?.remaining !== undefined && this.#rateLimit.remaining < 50) {
      this.#warnings.add(`The registry's rate limit is nearly used up: ${this.#rateLimit.remaining} left${this.#rateLimit.resetAt ? ` until ${this.#rateLimit.resetAt}` : ''}.`);
    }
    this.deps.onProgress({ phase: 'done', listed: this.#listed, inspected: this.#inspected, total: this.#listed });

    const stats: InventoryStats = {
      complete: this.#truncated.length === 0,
      ...(this.#truncated.length > 0 ? { truncated: this.#truncated } : {}),
      repositories: this.#listedRepositories,
      registry: this.plan.registry,
      implementation: this.plan.implementation,
      tags: this.#inspected,
      durationMs: Math.round(performance.now() - this.started),
      requests: this.counter.requests,
      connections: this.counter.connections,
      warnings: [...this.#warnings],
      rowErrors: this.#rowErrors,
    };
    if (this.#rateLimit) stats.rateLimit = this.#rateLimit;
    if (this.#missing.length > 0) stats.missingRepositories = this.#missing;
    if (this.plan.mode === 'monorepo') stats.ambiguousRows = this.#ambiguous;
    if (this.req.withConfig) stats.configCache = { hits: this.#cacheHits, fetched: this.#configFetched };
    return stats;
  }

  // ------------------------------------------------------------------------------------------
  // Connection and the context drivers get

  async #connect(): Promise<DriverContext> {
    const settings = this.deps.settings;
    const { auth, baseUrl, notes } = await connectRegistry({
      registry: this.plan.registry,
      apiHost: this.apiHost,
      implementation: this.plan.implementation,
      credential: this.deps.credential,
      settings,
      details: this.plan.details,
      http: this.http,
      signal: this.#signal,
    });
    for (const note of notes) this.#warnings.add(note);

    const run = this;
    return {
      registry: this.plan.registry,
      implementation: this.plan.implementation,
      baseUrl,
      http: this.http,
      auth,
      credential: this.deps.credential,
      settings,
      signal: this.#signal,
      withConfig: this.req.withConfig,
      registryRequest: (r) => run.#registryRequest(auth, r),
      request: (r) => run.#request(r),
      warn: (m) => run.#warnings.add(m),
      rateLimitWait: (until, reason) => run.#rateLimitWait(until, reason),
    };
  }

  /** A driver waits out a rate limit: the progress carries the resume time so the view counts down. */
  async #rateLimitWait(untilMs: number, reason: string): Promise<void> {
    this.#warnings.add(reason);
    const p: InventoryProgress = { phase: 'listing', listed: this.#listed, inspected: this.#inspected, total: null, waitingUntil: new Date(untilMs).toISOString() };
    if (this.#rateLimit) p.rateLimit = { ...this.#rateLimit };
    this.deps.onProgress(p);
    try {
      await defaultSleep(Math.max(0, untilMs - Date.now()), this.#signal);
    } finally {
      this.#progress(true);
    }
  }

  #abortedOutcome(what: string): HttpOutcome {
    return { ok: false, error: { kind: 'aborted', message: `${what} was cancelled`, hint: 'Cancelled on request; run it again when ready.' } };
  }

  async #registryRequest(auth: RegistryAuth, r: RegistryApiRequest): Promise<HttpOutcome> {
    let release: () => void;
    try {
      release = await this.#limiter.acquire(this.#signal);
    } catch {
      return this.#abortedOutcome(`${r.method} ${r.path}`);
    }
    try {
      if (this.#signal.aborted) return this.#abortedOutcome(`${r.method} ${r.path}`);
      const authed: AuthedRequest = { method: r.method, path: r.path, scopes: r.method === 'GET' || r.method === 'HEAD' ? this.#pullScope(r.repository) : requestScopes(r.repository, r.method, r.actions), signal: this.#signal };
      if (r.headers) authed.headers = r.headers;
      if (r.body !== undefined) authed.body = r.body;
      if (r.maxBytes !== undefined) authed.maxBytes = r.maxBytes;
      if (r.followRedirects !== undefined) authed.followRedirects = r.followRedirects;
      const res = await auth.request(authed);
      if (res.outcome.ok) this.#noteRateLimit(res.outcome.response);
      return res.outcome;
    } finally {
      release();
    }
  }

  readonly #scopes = new Map<string, string[]>();

  #pullScope(repository: string): string[] {
    let scopes = this.#scopes.get(repository);
    if (!scopes) {
      scopes = [repositoryScope(repository, ['pull'])];
      this.#scopes.set(repository, scopes);
    }
    return scopes;
  }

  async #request(r: RegistryRequest): Promise<HttpOutcome> {
    let release: () => void;
    try {
      release = await this.#limiter.acquire(this.#signal);
    } catch {
      return this.#abortedOutcome(`${r.method} request`);
    }
    try {
      const out = await this.http.request({ ...r, signal: r.signal ? AbortSignal.any([r.signal, this.#signal]) : this.#signal });
      if (out.ok) this.#noteRateLimit(out.response);
      return out;
    } finally {
      release();
    }
  }

  #noteRateLimit(res: RegistryResponse): void {
    const rl = res.rateLimit;
    if (!rl) return;
    const family = res.headers.has('ratelimit-remaining') || res.headers.has('ratelimit-limit') ? 'ratelimit-*' : 'x-ratelimit-*';
    const info: RateLimitInfo = { source: `${res.url.host} ${family}` };
    if (rl.limit !== undefined) info.limit = rl.limit;
    if (rl.remaining !== undefined) info.remaining = rl.remaining;
    const resetAt = rl.resetAt === undefined ? undefined : isoFromMs(rl.resetAt);
    if (resetAt !== undefined) info.resetAt = resetAt;
    this.#rateLimit = info;
  }

  // ------------------------------------------------------------------------------------------
  // Listing

  /**
   * The context a listing runs with: the run's, counting the bytes of every answer it reads
   * against the per-listing byte cap (drivers page through their own APIs with it).
   */
  #listingContext(ctx: DriverContext): DriverContext {
    const counted = async (pending: Promise<HttpOutcome>): Promise<HttpOutcome> => {
      const out = await pending;
      if (out.ok) {
        this.#listingBytes += out.response.body.length;
        if (this.#listingBytes > this.#limits.bytes) {
          this.#cap({ reason: 'max-bytes', limit: this.#limits.bytes, message: `Listing stopped after ${Math.round(this.#listingBytes / 1024 / 1024)} MiB of tag lists, past the cap of ${Math.round(this.#limits.bytes / 1024 / 1024)} MiB per listing: the result is partial.` });
        }
      }
      return out;
    };
    return { ...ctx, registryRequest: (r) => counted(ctx.registryRequest(r)), request: (r) => counted(ctx.request(r)) };
  }

  #cap(t: ListingTruncation): void {
    if (this.#capped) return;
    this.#capped = t;
    this.#truncated.push(t);
    this.#warnings.add(`${t.message} Raise "Most tags per listing" or "Most MiB per listing" for ${this.plan.registry} in Registry access (CLI: --max-tags) to read more; a cleanup never plans from a partial listing.`);
  }

  async #list(repository: string): Promise<void> {
    const repo: RepoState = { repository, seen: new Set() };
    const ctx = this.#listingContext(this.#ctx!);
    let missing = false;
    let failed = false;
    try {
      for await (const ev of this.driver.listTags(ctx, repository)) {
        // Leaving the loop closes the driver's generator: no further page is asked for.
        if (this.#signal.aborted || this.#capped) break;
        if (ev.type === 'tags') this.#acceptTags(repo, ev.tags);
        else if (ev.type === 'incomplete') {
          this.#truncated.push({ reason: 'registry-cap', message: ev.message });
          this.#warnings.add(ev.message);
        } else if (ev.type === 'missing') {
          missing = true;
          this.#missing.push(repository);
          this.#warnings.add(ev.message);
        } else {
          failed = true;
          const f = ev.failure;
          const hint = this.deps.credential === null && f.status === 401 ? anonymousRefusedHint(this.plan.registry) : f.hint;
          this.#failed.push({ repository, message: f.message, ...(hint !== undefined ? { hint } : {}) });
          this.#warnings.add(repo.seen.size > 0 ? `Listing ${repository} stopped after ${repo.seen.size} tags: ${errorText(f)}` : `Listing ${repository} failed: ${errorText(f)}`);
        }
      }
    } catch (error) {
      if (!this.#signal.aborted) {
        // A driver bug must not take the other repositories down with it.
        failed = true;
        const message = `Listing ${repository} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
        this.#failed.push({ repository, message });
        this.#warnings.add(message);
      }
    } finally {
      if (failed) this.#truncated.push({ reason: 'failed', message: `Listing ${repository} did not reach its last page${repo.seen.size > 0 ? ` (stopped after ${repo.seen.size} tags)` : ''}.` });
      // Listed = it exists and at least part of it was read (an empty repository counts).
      if (!missing && (!failed || repo.seen.size > 0)) this.#listedRepositories.push(repository);
      this.#listingOpen--;
      this.#wakeAll();
    }
  }

  #acceptTags(repo: RepoState, tags: readonly ListedTag[]): void {
    const pending: InventoryTag[] = [];
    const only = this.plan.only;
    for (const listed of tags) {
      if (repo.seen.has(listed.tag)) continue;
      if (this.#listed >= this.#limits.tags) {
        this.#cap({ reason: 'max-tags', limit: this.#limits.tags, message: `Listing stopped at ${this.#limits.tags} tags, the cap per listing: the result is partial.` });
        break;
      }
      if (only !== undefined && this.plan.mapper && !this.plan.mapper.couldBelongTo(listed.tag, only)) continue;
      repo.seen.add(listed.tag);
      this.#listed++;
      const cls = classifyTag(listed.tag);
      const task: Task = { repo, listed, cls };
      if (listed.error !== undefined) {
        this.#finish(task, { digest: listed.digest ?? null, mediaType: normalizeMediaType(listed.mediaType), error: listed.error });
        continue;
      }
      const row = this.#row(task, { digest: listed.digest ?? null, mediaType: internMediaType(normalizeMediaType(listed.mediaType)) });
      row.pending = true;
      pending.push(row);
      this.#queue.push(task);
    }
    if (pending.length > 0) this.deps.onRows(pending);
    this.#wakeAll();
    this.#progress(false);
  }

  // ------------------------------------------------------------------------------------------
  // Workers

  #next(): Task | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const task = this.#queue[this.#head]!;
    this.#queue[this.#head] = undefined as unknown as Task;
    this.#head++;
    // Compact now and then so a long run does not keep a growing array of holes.
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    return task;
  }

  #wakeAll(): void {
    const w = this.#waiters.splice(0);
    for (const f of w) f();
  }

  async #worker(): Promise<void> {
    while (!this.#signal.aborted) {
      const task = this.#next();
      if (task) {
        try {
          await this.#inspect(task);
        } catch (error) {
          if (this.#signal.aborted) return;
          this.#finish(task, { digest: null, mediaType: null, error: `Unexpected error while inspecting: ${error instanceof Error ? error.message : String(error)}` });
        }
        continue;
      }
      if (this.#listingOpen === 0) return;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /**
   * The digest of a tag. Where manifest GETs are free, GET by tag: one round trip gives the digest
   * and the manifest (size, config, children), which a HEAD would need a second request for
   * whenever the digest is new. Where GETs are metered (Docker Hub pulls), HEAD per tag and one
   * GET per distinct digest. Either way the digest is `Docker-Content-Digest`, else the sha256 of
   * the exact bytes.
   */
  async #probe(repo: RepoState, tag: string): Promise<{ ok: true; value: ManifestRef } | { ok: false; error: string }> {
    const ctx = this.#ctx!;
    return this.driver.meteredManifestGets ? headManifest(ctx, repo.repository, tag) : getManifest(ctx, repo.repository, tag);
  }

  async #inspect(task: Task): Promise<void> {
    const { repo, listed } = task;
    let digest = listed.digest ?? null;
    let mediaType = internMediaType(normalizeMediaType(listed.mediaType));
    let size = listed.size ?? null;
    let platforms = listed.platforms;
    let configDigest = listed.configDigest;
    let created = listed.created;
    let labels = listed.labels;
    let annotated: string | undefined;
    let error: string | undefined;
    let seed: ManifestRef | undefined;

    if (digest === null) {
      const r = await this.#probe(repo, listed.tag);
      if (this.#signal.aborted) return;
      if (!r.ok) {
        this.#finish(task, { digest: null, mediaType, size, error: r.error });
        return;
      }
      digest = r.value.digest;
      mediaType = internMediaType(r.value.mediaType) ?? mediaType;
      seed = r.value;
    }

    const needConfig = this.req.withConfig && !(listed.created !== undefined && listed.labels !== undefined);
    const needManifest =
      size === null || mediaType === null || (manifestKind(mediaType) === 'index' && platforms === undefined) || (needConfig && configDigest === undefined);
    if (needManifest) {
      const pending = this.#manifest(repo.repository, digest, seed, false, 0);
      const m = pending instanceof Promise ? await pending : pending;
      if (this.#signal.aborted) return;
      if (!m.ok) error = m.error;
      else {
        digest = m.digest;
        const f = m.facts;
        mediaType = internMediaType(f.mediaType) ?? mediaType;
        if (size === null) size = f.size;
        platforms ??= f.platforms;
        configDigest ??= f.configDigest;
        annotated = f.created;
        if (f.problem !== undefined) error = f.problem;
      }
    }
    if (needConfig && configDigest !== undefined && error === undefined) {
      const pending = this.#config(repo.repository, configDigest);
      const c = pending instanceof Promise ? await pending : pending;
      if (this.#signal.aborted) return;
      if (!c.ok) error = c.error;
      else {
        if (c.facts.created !== undefined) created = c.facts.created;
        if (c.facts.labels !== undefined) labels = c.facts.labels;
      }
    }
    this.#finish(task, { digest, mediaType, size, created: created ?? annotated, labels, platforms, error });
  }

  /** Facts of one manifest, fetched once per digest however many tags point at it. */
  #manifest(repository: string, digest: string, seed: ManifestRef | undefined, keepLayers: boolean, depth: number): Promise<ManifestEntry> | ManifestEntry {
    const known = this.#manifests.get(digest);
    if (known) return known;
    // The common case (an image manifest that came with the GET by tag) is settled on the spot:
    // no promise, no extra turn of the event loop, per tag.
    if (seed?.body && seed.verified) {
      const parsed = this.#parse(digest, seed.body, seed.mediaType, keepLayers);
      if (!parsed.ok || parsed.facts.kind !== 'index' || depth > 0) {
        this.#manifests.set(digest, parsed);
        return parsed;
      }
    }
    const p = (async (): Promise<ManifestEntry> => {
      let entry: ManifestEntry;
      if (seed?.body && seed.verified) entry = this.#parse(digest, seed.body, seed.mediaType, keepLayers);
      else {
        const r = await getManifest(this.#ctx!, repository, digest);
        entry = r.ok ? this.#parse(digest, r.value.body, r.value.mediaType, keepLayers) : { ok: false, error: r.error };
      }
      if (entry.ok && entry.facts.kind === 'index' && depth === 0) await this.#expandIndex(repository, digest, entry.facts);
      // Keep the settled value, not the promise, for later lookups.
      this.#manifests.set(digest, entry);
      return entry;
    })();
    this.#manifests.set(digest, p);
    return p;
  }

  #parse(digest: string, body: Buffer, contentType: string | null, keepLayers: boolean): ManifestEntry {
    const parsed = parseManifest(body, contentType, { keepLayers });
    return parsed.ok ? { ok: true, digest, facts: parsed.value } : { ok: false, error: `Manifest ${digest}: ${parsed.error}` };
  }

  /**
   * An index's platforms, size (children's configs + their layers, each layer once) and the config
   * used for its created date and labels (the first real platform; buildkit's attestation
   * manifests are `unknown/unknown`). Nested indexes are not expanded further.
   */
  async #expandIndex(repository: string, digest: string, facts: ManifestFacts): Promise<void> {
    const children = (facts.children ?? []).filter((c, i, all) => c.digest !== digest && all.findIndex((o) => o.digest === c.digest) === i);
    const entries = await Promise.all(children.map(async (c) => ({ child: c, entry: await this.#manifest(repository, c.digest, undefined, true, 1) })));
    const sizes = new Map<string, number | null>();
    const layers = new Set<string>();
    let total: number | null = 0;
    let problem: string | undefined;
    for (const { child, entry } of entries) {
      if (!entry.ok) {
        problem ??= `Platform manifest ${child.digest} could not be read: ${entry.error}`;
        total = null;
        continue;
      }
      const f = entry.facts;
      sizes.set(child.digest, f.size);
      if (f.kind === 'index' || f.size === null) {
        total = null;
        continue;
      }
      if (total === null) continue;
      if (f.layers) {
        total += f.configSize ?? 0;
        for (const l of f.layers) {
          if (layers.has(l.digest)) continue;
          layers.add(l.digest);
          total += l.size;
        }
      } else total += f.size;
      if (facts.configDigest === undefined && f.configDigest !== undefined && child.platform?.os !== 'unknown') facts.configDigest = f.configDigest;
    }
    facts.size = total;
    facts.platforms = platformsOf(children, sizes);
    if (problem !== undefined) facts.problem = problem;
  }

  /** `created` and labels of a config, from the disk cache or one GET per distinct config digest. */
  #config(repository: string, digest: string): Promise<ConfigEntry> | ConfigEntry {
    const known = this.#configs.get(digest);
    if (known) return known;
    const cached = this.#cache?.get(digest);
    if (cached) {
      this.#cacheHits++;
      const entry: ConfigEntry = { ok: true, facts: cached };
      this.#configs.set(digest, entry);
      return entry;
    }
    const p = (async (): Promise<ConfigEntry> => {
      if (this.#signal.aborted) return { ok: false, error: 'cancelled' };
      const r = await getBlob(this.#ctx!, repository, digest, CONFIG_MAX_BYTES);
      if (!r.ok) return { ok: false, error: `Image config ${digest}: ${r.error}` };
      const parsed = parseConfig(r.value);
      if (!parsed.ok) return { ok: false, error: `Image config ${digest}: ${parsed.error}` };
      this.#configFetched++;
      // getBlob checked the bytes against the digest, so the key is the hash of what was read.
      this.#cache?.put(digest, parsed.value);
      return { ok: true, facts: parsed.value };
    })().then((entry) => {
      this.#configs.set(digest, entry);
      return entry;
    });
    this.#configs.set(digest, p);
    return p;
  }

  // ------------------------------------------------------------------------------------------
  // Rows, batches, progress

  #row(task: Task, f: RowFacts): InventoryTag {
    const { repo, listed, cls } = task;
    const row: InventoryTag = { repository: repo.repository, tag: listed.tag, digest: f.digest, mediaType: f.mediaType, kind: tagKind(cls, f.mediaType), size: f.size ?? null };
    const created = f.created ?? listed.created ?? cls.created;
    if (created !== undefined) row.created = created;
    if (listed.pushed !== undefined) row.pushed = listed.pushed;
    if (listed.pulled !== undefined) row.pulled = listed.pulled;
    if (f.labels !== undefined) row.labels = f.labels;
    if (cls.service !== undefined) row.service = cls.service;
    if (cls.signatureOf !== undefined) row.signatureOf = cls.signatureOf;
    // A native API's platform list is registry data like any other: a row carries no more than an index expands.
    if (f.platforms !== undefined) row.platforms = f.platforms.length > MAX_INDEX_CHILDREN ? f.platforms.slice(0, MAX_INDEX_CHILDREN) : f.platforms;
    if (f.error !== undefined) row.error = f.error;
    const mapper = this.plan.mapper;
    if (mapper) {
      const match = mapper.map(repo.repository, listed.tag, f.labels);
      // werf's bookkeeping tags belong to werf, not to an image: in monorepo a prefix that happens
      // to fit (or the nameless image, which takes every tag) says nothing about them; a label would.
      const bookkeeping = cls.service !== undefined && cls.service !== 'stage';
      if (match.image !== undefined && !(bookkeeping && match.imageBy === 'prefix')) {
        row.image = match.image;
        if (match.imageBy !== undefined) row.imageBy = match.imageBy;
        if (match.candidates) row.imageCandidates = match.candidates;
      }
    }
    return row;
  }

  #finish(task: Task, f: RowFacts): void {
    const row = this.#row(task, f);
    this.#inspected++;
    if (row.error !== undefined) this.#rowErrors++;
    if (row.imageCandidates && row.imageCandidates.length > 1) this.#ambiguous++;
    this.#batch.push(row);
    if (this.#batch.length >= BATCH_ROWS) this.#flush();
  }

  #flush(): void {
    if (this.#signal.aborted) return;
    if (this.#batch.length > 0) {
      const rows = this.#batch;
      this.#batch = [];
      this.deps.onRows(rows);
    }
    this.#progress(false);
  }

  #progress(force: boolean): void {
    if (this.#signal.aborted) return;
    const listing = this.#listingOpen > 0;
    const queued = this.#queue.length - this.#head;
    // Once every tag has been picked up, what is left in flight is mostly config fetches.
    const phase: InventoryProgress['phase'] = listing ? 'listing' : this.req.withConfig && queued === 0 && this.#inspected < this.#listed ? 'configs' : 'digests';
    const p: InventoryProgress = { phase, listed: this.#listed, inspected: this.#inspected, total: listing ? null : this.#listed };
    if (this.#rateLimit) p.rateLimit = { ...this.#rateLimit };
    const key = `${p.phase}|${p.listed}|${p.inspected}|${p.total}|${p.rateLimit?.remaining}`;
    if (!force && key === this.#lastProgress) return;
    this.#lastProgress = key;
    this.deps.onProgress(p);
  }
}
