import type { RegistrySettings } from '../../../shared/credentials/types';
import type { InventoryProgress, InventoryTag, PlatformChild } from '../../../shared/inventory/types';
import type { Implementation } from '../../../shared/registry/implementations';
import type { ResolvedCredential } from '../credentials/types';
import type { HttpMethod, HttpOutcome, RegistryHttp, RegistryHttpOptions, RegistryRequest } from '../registry/http';
import type { RegistryAuth } from '../registry/registry-auth';

/**
 * The contract between the inventory engine and a registry driver.
 *
 * The engine owns everything every registry shares: which repositories to list (repo mode), the
 * Registry API calls that fill in missing facts (HEAD/GET manifests, index children, config
 * blobs with an on-disk cache), concurrency, cancellation, batching rows, counting requests and
 * connections, and rate-limit headers. A driver only says how its registry LISTS tags, and may
 * hand over facts its native API already knows (digest, size, push/pull times, platforms); the
 * engine then skips the Registry API calls those facts make unnecessary.
 *
 * Each implementation's listing lives in `registries/<impl>/listing.ts` and is the `listing`
 * member of its RegistryDriver (`registries/index.ts`). A native one can fall back to the generic
 * listing by delegating to `listTagsViaRegistryApi`; every one pages through `followPages`.
 */
export interface InventoryDriver {
  /** For logs and stats warnings: the implementation's name, or generic. */
  readonly id: string;
  /**
   * Manifest GETs count against a quota (Docker Hub counts a GET as a pull, a HEAD not): the
   * engine then finds digests with HEAD only and GETs each distinct manifest once.
   */
  readonly meteredManifestGets?: boolean;
  /** The host that serves `/v2/` when it differs from the address (Docker Hub: registry-1.docker.io). */
  apiHost?(registry: string): string;
  /**
   * Adjusts the repositories the repo mode planned (a native API may know which exist). The
   * default lists exactly the planned ones. Returning a repository the plan lacks is allowed.
   */
  repositories?(ctx: DriverContext, planned: readonly string[]): Promise<string[]>;
  /**
   * One repository's tags, page by page, as they arrive. Every tag listed must be yielded once;
   * per-tag problems go into `ListedTag.error`, never a silent drop. End with `missing` when the
   * repository does not exist, or `failed` when listing could not finish (tags already yielded stay).
   */
  listTags(ctx: DriverContext, repository: string): AsyncIterable<ListEvent>;
}

/** What a native API may already know about a tag. Everything but `tag` is optional. */
export interface ListedTag {
  tag: string;
  digest?: string;
  mediaType?: string;
  /** Compressed bytes as the registry reports them (config + layers; deduplicated children for an index). */
  size?: number;
  created?: string;
  pushed?: string;
  pulled?: string;
  platforms?: PlatformChild[];
  /** Lets the engine fetch the config without the manifest. */
  configDigest?: string;
  labels?: Record<string, string>;
  /** The registry said something is wrong with this tag; the engine keeps the row and does not inspect it. */
  error?: string;
}

export interface DriverFailure {
  message: string;
  hint?: string;
  status?: number;
  /** The registry's error code (`DENIED`, `NAME_UNKNOWN`, …). */
  code?: string;
}

export type ListEvent =
  | { type: 'tags'; tags: ListedTag[] }
  /** The repository does not exist: a warning in the stats, not a failure. */
  | { type: 'missing'; message: string }
  /**
   * Every tag the registry gave was yielded, yet the registry itself may have left some out (Google's
   * `tags/list` stops at 10,000): the inventory is marked partial, so cleanup will not plan from it.
   */
  | { type: 'incomplete'; message: string }
  | { type: 'failed'; failure: DriverFailure };

/**
 * Registry API call on behalf of a repository: the context adds auth (a token for the call's
 * scope), the concurrency slot and accounting. Listings only read; a cleanup's drivers also PUT
 * and DELETE through it.
 */
export interface RegistryApiRequest {
  method: Extract<HttpMethod, 'GET' | 'HEAD' | 'PUT' | 'DELETE'>;
  repository: string;
  /** A path under the registry (`/v2/...?...`). */
  path: string;
  /** Token actions on `repository`; default by method (`request-scopes.ts`): pull, pull+push for PUT, delete for DELETE. */
  actions?: readonly string[];
  /** A PUT's body (a manifest). */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  maxBytes?: number;
  followRedirects?: boolean;
}

/** What a driver gets to work with. Everything here is already bound to this run's signal and counters. */
export interface DriverContext {
  /** host[:port] as written in the address, lower-cased. */
  readonly registry: string;
  readonly implementation: Implementation;
  /** Base URL of the Registry API (`/v2/`), after `apiHost`. */
  readonly baseUrl: URL;
  readonly http: RegistryHttp;
  /** Logged in already (credential prepared, challenge known). */
  readonly auth: RegistryAuth;
  readonly credential: ResolvedCredential | null;
  readonly settings: RegistrySettings | undefined;
  readonly signal: AbortSignal;
  readonly withConfig: boolean;
  /** An authenticated Registry API call; takes a concurrency slot; notes rate-limit headers. Never throws. */
  registryRequest(req: RegistryApiRequest): Promise<HttpOutcome>;
  /** Any other HTTP call (native APIs) through the same client: takes a slot, notes rate limits. Never throws. */
  request(req: RegistryRequest): Promise<HttpOutcome>;
  /** A line for the stats' warnings (deduplicated). */
  warn(message: string): void;
  /**
   * Waits until `untilMs` (epoch ms) for a registry's rate limit, showing the wait so a view can
   * count down (`InventoryProgress.waitingUntil`, the cleanup run's `RunProgress.waitingUntil`).
   * Rejects when the run is cancelled. Absent: `registries/rate-limit-wait.ts` sleeps on its own.
   */
  rateLimitWait?(untilMs: number, reason: string): Promise<void>;
}

export interface ListInventoryDeps {
  credential: ResolvedCredential | null;
  settings?: RegistrySettings | undefined;
  /** Tighter timeouts or retries for the run's own client (tests of slow and failing registries). */
  httpOptions?: Pick<RegistryHttpOptions, 'timeouts' | 'retry'>;
  /** Where image configs are cached (immutable, keyed by digest). */
  cacheDir: string;
  signal: AbortSignal;
  onRows(rows: InventoryTag[]): void;
  onProgress(progress: InventoryProgress): void;
  /** Registry requests in flight at once; default: the registry's own setting, else 8. */
  concurrency?: number;
  /** Replaces the driver chosen by implementation (tests, experiments). */
  driver?: InventoryDriver;
  /** Longest wait before finished rows are handed over (default 100 ms); batches also go out at 500 rows. */
  flushMs?: number;
  /** Cap of the config cache file (default 16 MiB, some 40,000 configs). */
  configCacheBytes?: number;
  /** Most tags the listing reads (`--max-tags`); default: the registry's setting, else 200,000. */
  maxTags?: number;
  /** Most bytes of tag-list answers the listing reads; default: the registry's setting (MiB), else 256 MiB. */
  maxListingBytes?: number;
}
