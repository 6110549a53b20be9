import type { PlatformChild } from '../../../../shared/inventory/types';
import type { Secret } from '../../credentials/secret';
import { httpError, safeUrl, type RegistryHttpError } from '../../registry/errors';
import type { HttpOutcome, RegistryResponse } from '../../registry/http';
import type { DriverContext, DriverFailure, ListEvent, ListedTag } from '../types';

/**
 * What a vendor listing API says about one tag, before the engine classifies it (werf service
 * tags, signatures, image mapping). Every field the vendor does not tell stays null/absent, so the
 * engine knows exactly what is left for the generic Registry API (HEAD for digests, the config
 * blob for `created` and labels).
 */
export interface NativeTag {
  repository: string;
  tag: string;
  digest: string | null;
  mediaType: string | null;
  /** Compressed bytes as the vendor reports them; null when it does not. */
  size: number | null;
  /** ISO push time (last time the tag was pushed/moved, or the manifest's push time). */
  pushed?: string;
  /** ISO last-pull time. */
  pulled?: string;
  /** ISO image creation time, when the vendor parsed the config (Harbor, Google). */
  created?: string;
  labels?: Record<string, string>;
  platforms?: PlatformChild[];
  /**
   * The vendor says it is an index without naming the media type (Quay's is_manifest_list, Hub's
   * several images). Kept for tests and logs; the engine derives the kind from the media type.
   */
  index?: boolean;
  /** The image config's digest (GitLab's `revision`): the engine can fetch the config without the manifest. */
  configDigest?: string;
}

/** One page of a native listing: rows, how to continue, and anything odd worth a warning. */
export interface NativePage<C> {
  rows: NativeTag[];
  /** Where the next page is; null on the last page. */
  next: C | null;
  /** Entries skipped as malformed, with why (never a secret: only names and field names). */
  skipped: string[];
}

/** A JSON object, or null for anything else (arrays included): vendor answers are read defensively. */
export function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

/** A byte count sent as a number or a decimal string (Google's imageSizeBytes, GitLab's BigInt). */
export function size(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v);
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

const SHA256 = /^sha256:[a-f0-9]{64}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A content digest, or null (vendors send empty strings and `null` for unknown ones). */
export function digest(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const d = v.trim();
  return SHA256.test(d) || DIGEST.test(d) ? d : null;
}

/** Before this, a time is a placeholder (Harbor's Go zero time `0001-01-01T00:00:00Z`, epoch 0). */
const EARLIEST_REAL = Date.UTC(2000, 0, 1);

/**
 * An ISO time from what vendors send: ISO strings, Date objects (AWS SDK), epoch seconds or
 * milliseconds as numbers or strings (Google sends `timeUploadedMs` either way). `unit` says how
 * to read bare numbers. Zero times and Go's zero time mean "never" and give undefined.
 */
export function isoTime(v: unknown, unit: 's' | 'ms' = 'ms'): string | undefined {
  let ms: number;
  if (v instanceof Date) ms = v.getTime();
  else if (typeof v === 'number') ms = unit === 's' ? v * 1000 : v;
  else if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return undefined;
    if (/^\d+(\.\d+)?$/.test(t)) ms = unit === 's' ? Number(t) * 1000 : Number(t);
    else ms = Date.parse(t);
  } else return undefined;
  if (!Number.isFinite(ms) || ms < EARLIEST_REAL) return undefined;
  return new Date(Math.round(ms)).toISOString();
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export function isIndexMediaType(mediaType: string | null | undefined): boolean {
  return mediaType !== null && mediaType !== undefined && INDEX_TYPES.has(mediaType.split(';')[0]!.trim().toLowerCase());
}

export interface LinkEntry {
  url: string;
  rels: string[];
}

/**
 * RFC 8288 `Link` values: several per header (comma-separated, Harbor uses ` , `), `rel` quoted
 * or not and possibly several space-separated relations, URLs relative or absolute.
 */
export function parseLinks(values: readonly string[]): LinkEntry[] {
  const out: LinkEntry[] = [];
  const re = /<([^>]*)>((?:\s*;\s*[^;,<]+(?:=(?:"[^"]*"|[^;,<]*))?)*)/g;
  for (const value of values) {
    for (const m of value.matchAll(re)) {
      const params = m[2] ?? '';
      const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params);
      const rels = (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/).filter((r) => r !== '').map((r) => r.toLowerCase());
      out.push({ url: m[1] ?? '', rels });
    }
  }
  return out;
}

/** The `rel="next"` target of `Link` headers (RFC 8288), as written (relative or absolute). */
export function parseNextLink(values: readonly string[]): string | null {
  return parseLinks(values).find((l) => l.rels.includes('next'))?.url ?? null;
}

/** Some `Link` names a next page (usable or not). */
export function hasNextLink(values: readonly string[]): boolean {
  return parseNextLink(values) !== null;
}

/** The `rel="next"` URL resolved against the URL that answered, or null. */
export function nextLink(values: readonly string[], answeredUrl: URL): URL | null {
  const next = parseLinks(values).find((l) => l.rels.includes('next'));
  if (!next || next.url === '') return null;
  try {
    return new URL(next.url, answeredUrl);
  } catch {
    return null;
  }
}

/** Platform children with the fields we know; drops entries without a digest. */
export function platformChild(v: unknown, fallbackMediaType = ''): PlatformChild | null {
  const r = record(v);
  if (!r) return null;
  const d = digest(r.digest ?? r.child_digest);
  if (!d) return null;
  const platform = record(r.platform);
  const child: PlatformChild = { digest: d, mediaType: str(r.mediaType) ?? str(r.media_type) ?? fallbackMediaType };
  const os = str(r.os) ?? str(platform?.os);
  const architecture = str(r.architecture) ?? str(platform?.architecture);
  const variant = str(r.variant) ?? str(platform?.variant);
  if (os) child.os = os;
  if (architecture) child.architecture = architecture;
  if (variant) child.variant = variant;
  const s = size(r.size);
  if (s !== null) child.size = s;
  return child;
}

/** Labels as a string map; other values (null, numbers) are dropped. */
export function labels(v: unknown): Record<string, string> | undefined {
  const r = record(v);
  if (!r) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(r)) if (typeof val === 'string') out[k] = val;
  return Object.keys(out).length > 0 ? out : undefined;
}

// ---------------------------------------------------------------------------------------------
// Shared by the native drivers: calling a vendor API through the run's client, and turning its
// answers into the engine's events.


/** Native listing pages are small JSON documents; a hostile server cannot make us hold more. */
export const NATIVE_PAGE_MAX_BYTES = 16 * 1024 * 1024;
/** A listing longer than this many pages is a loop or a broken server, not a repository. */
export const MAX_NATIVE_PAGES = 10_000;

/** NativeTag → what the engine takes (nulls become absent: "not told", not "zero"). */
export function listed(t: NativeTag): ListedTag {
  const out: ListedTag = { tag: t.tag };
  if (t.digest !== null) out.digest = t.digest;
  if (t.mediaType !== null) out.mediaType = t.mediaType;
  if (t.size !== null) out.size = t.size;
  if (t.pushed !== undefined) out.pushed = t.pushed;
  if (t.pulled !== undefined) out.pulled = t.pulled;
  if (t.created !== undefined) out.created = t.created;
  if (t.labels !== undefined) out.labels = t.labels;
  if (t.platforms !== undefined && t.platforms.length > 0) out.platforms = t.platforms;
  if (t.configDigest !== undefined) out.configDigest = t.configDigest;
  return out;
}

export function failureFrom(error: RegistryHttpError): DriverFailure {
  const f: DriverFailure = { message: error.message, hint: error.hint };
  if (error.status !== undefined) f.status = error.status;
  if (error.registryCode !== undefined) f.code = error.registryCode;
  return f;
}

/**
 * @deprecated Use `answerFailure(res, { method, what, hint })`; kept one release so mutation code
 * written alongside this change still compiles. No listing calls it.
 */
export function responseFailure(res: RegistryResponse, method: string, what: string, hint?: string): DriverFailure {
  return answerFailure(res, { method, what, hint });
}

export interface NativeCall {
  method?: 'GET' | 'POST';
  url: URL;
  authorization?: Secret;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A call to a vendor API through the run's client (its per-host slot, retries with Retry-After,
 * rate-limit accounting). The credential is bound to `url`'s origin by RegistryHttp, so a
 * redirect elsewhere never carries it.
 */
export function nativeRequest(ctx: DriverContext, call: NativeCall): ReturnType<DriverContext['request']> {
  return ctx.request({
    method: call.method ?? 'GET',
    url: call.url,
    headers: { accept: 'application/json', ...(call.headers ?? {}) },
    ...(call.authorization ? { authorization: call.authorization } : {}),
    ...(call.body !== undefined ? { body: call.body } : {}),
    signal: ctx.signal,
    maxBytes: NATIVE_PAGE_MAX_BYTES,
  });
}

/**
 * Where a vendor's "next page" may lead: the same origin and the same path as the first page
 * (only the query changes). Anything else is not requested: a pagination URL is data from the
 * server, and our credential must never follow it to another host or endpoint.
 */
export function checkNext(next: URL, first: URL, visited: Set<string>, repository: string, pages: number): DriverFailure | null {
  if (next.origin !== first.origin) {
    return {
      message: `${repository}: the next page is on another host (${next.origin}); it was not requested`,
      hint: 'A registry API paginates on its own host; a link elsewhere is a misconfiguration. The tags read so far are shown.',
    };
  }
  if (next.pathname !== first.pathname) {
    return { message: `${repository}: the next-page link points to ${next.pathname}, not to this listing; it was not followed`, hint: 'The tags read so far are shown.' };
  }
  if (visited.has(next.href)) {
    return { message: `${repository}: the next-page link leads back to a page already read (a pagination loop); listing stopped`, hint: 'The tags read so far are shown; the registry has a pagination bug.' };
  }
  if (pages >= MAX_NATIVE_PAGES) return { message: `${repository}: more than ${MAX_NATIVE_PAGES} pages of tags; listing stopped`, hint: 'The tags read so far are shown.' };
  return null;
}

/** Rows of one page as an engine event (nothing when the page was empty). */
export function tagsEvent(rows: readonly NativeTag[]): ListEvent[] {
  return rows.length > 0 ? [{ type: 'tags', tags: rows.map(listed) }] : [];
}

/** Tag names only, as an engine event: every fact is left to the Registry API. */
export function nameEvents(names: readonly string[]): ListEvent[] {
  return names.length > 0 ? [{ type: 'tags', tags: names.map((tag) => ({ tag })) }] : [];
}

/** A parsed page: its skipped entries become warnings, its rows the page's event. */
export function pageEvents(ctx: DriverContext, page: { rows: readonly NativeTag[]; skipped: readonly string[] }): ListEvent[] {
  for (const s of page.skipped) ctx.warn(s);
  return tagsEvent(page.rows);
}

/**
 * The entries of a vendor's tag array that are objects with a `name` (Docker Hub, Quay); the
 * others are noted in `skipped`.
 */
export function namedEntries(repository: string, list: unknown, skipped: string[]): { entry: Record<string, unknown>; name: string }[] {
  const out: { entry: Record<string, unknown>; name: string }[] = [];
  for (const item of Array.isArray(list) ? list : []) {
    const entry = record(item);
    const name = str(entry?.name);
    if (!entry || !name) {
      skipped.push(`${repository}: a tag entry without a name`);
      continue;
    }
    out.push({ entry, name });
  }
  return out;
}

/** `GET <url>` for messages. */
export function getWhat(res: RegistryResponse): string {
  return `GET ${describeUrl(res.url)}`;
}

/**
 * How one page of a listing ends: the next page's URL, `last` when the listing is complete, or
 * `stop` when the page's handler ended it (missing, failed, or handed over to another listing).
 */
export type PageEnd = URL | 'last' | 'stop';

/**
 * How a registry's listing says "this repository does not exist" on its first page, declared per
 * driver and decided in `followPages` only:
 * - `registry-code`: a 404 whose body carries a registry error code (any, or one of `codes`);
 *   a bare 404 page means the address is not the API, which is a failure, not a missing repository;
 * - `status`: any answer with one of these statuses (vendor APIs whose 404 has no code).
 */
export type MissingRule = { kind: 'registry-code'; codes?: readonly string[] } | { kind: 'status'; statuses: readonly number[] };

/** The Registry API's own rule (distribution, OCI): a 404 with an error code, never a bare 404 page. */
export const REGISTRY_API_MISSING: MissingRule = { kind: 'registry-code' };

/** A vendor API whose 404 carries no registry code: any 404 means the repository is not there. */
export const ANY_404_MISSING: MissingRule = { kind: 'status', statuses: [404] };

export function isMissingAnswer(res: RegistryResponse, rule: MissingRule): boolean {
  if (rule.kind === 'status') return rule.statuses.includes(res.status);
  if (res.status !== 404) return false;
  const code = answerFailure(res).code;
  return code !== undefined && (rule.codes === undefined || rule.codes.includes(code));
}

/**
 * What a listing makes of an answer that is not a page (any status but 200), declared per driver
 * and applied by `followPages` only: on the first page the repository may be missing, or the
 * native API may be absent or closed to this login (the Registry API lists instead); any other
 * answer ends the listing as failed, with the registry's words and the driver's hint.
 */
export interface AnswerPolicy {
  missing?: { rule: MissingRule; message(failure: DriverFailure): string };
  /** First page only: why this answer hands the listing to `list` (a warning), or null to fail. */
  fallback?: ListingFallback;
  /** The fix for a failed answer (a refused token, a rate limit); the generic hint when undefined. */
  hint?(res: RegistryResponse): string | undefined;
  /** A vendor's own error name where its body has no registry error code (Quay's `error_type`). */
  vendorCode?(res: RegistryResponse): string | undefined;
}

/** Another listing that takes over when the first answer says this one cannot work (the Registry API's, usually). */
export interface ListingFallback {
  when(res: RegistryResponse, failure: DriverFailure): string | null;
  warn(message: string): void;
  list(): AsyncIterable<ListEvent>;
}

/** The one builder of a listing's failure from an HTTP answer: the call, the registry's own words, the hint. */
export function answerFailure(res: RegistryResponse, opts: { method?: string; what?: string; hint?: string | undefined } = {}): DriverFailure {
  const method = opts.method ?? 'GET';
  return failureFrom(
    httpError({ method, url: res.url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what: opts.what ?? `${method} ${describeUrl(res.url)}`, ...(opts.hint !== undefined ? { hint: opts.hint } : {}) }),
  );
}

/** An answer ended the listing: the policy's hint and vendor code on top of the registry's words. */
function policyFailure(res: RegistryResponse, policy: AnswerPolicy, method: string): DriverFailure {
  const failure = answerFailure(res, { method, hint: policy.hint?.(res) });
  if (failure.code === undefined) {
    const code = policy.vendorCode?.(res);
    if (code !== undefined) failure.code = code;
  }
  return failure;
}

/**
 * The first answer of a listing (or of one API call a listing depends on) judged by the policy:
 * `page` to read it, or the events that end the listing (missing, failed, or the fallback's).
 */
export async function* judgeAnswer(res: RegistryResponse, policy: AnswerPolicy, first: boolean, method = 'GET'): AsyncGenerator<ListEvent, 'page' | 'ended'> {
  if (res.status === 200) return 'page';
  if (first && policy.missing && isMissingAnswer(res, policy.missing.rule)) {
    yield { type: 'missing', message: policy.missing.message(answerFailure(res, { method })) };
    return 'ended';
  }
  const failure = policyFailure(res, policy, method);
  const why = first ? policy.fallback?.when(res, failure) : null;
  if (why && policy.fallback) {
    policy.fallback.warn(why);
    yield* policy.fallback.list();
    return 'ended';
  }
  yield { type: 'failed', failure };
  return 'ended';
}

export interface PagedListing extends AnswerPolicy {
  repository: string;
  first: URL;
  /** The first page's answer when the driver already has it (GitHub probes /orgs, then /users). */
  firstResponse?: RegistryResponse;
  /** Asks for one page; never throws. */
  fetch(url: URL): Promise<HttpOutcome>;
  /** Reads one 200 answer, yields its events and says where the listing goes; `pagesRead` counts the pages before it. */
  page(res: RegistryResponse, pagesRead: number, url: URL): AsyncGenerator<ListEvent, PageEnd>;
}

/**
 * Every listing read page by page from `first` (the Registry API's and each vendor's): a transport
 * failure ends it as failed, any answer but 200 is judged by the driver's policy (`judgeAnswer`),
 * each page goes to `page`, and every next-page URL must pass checkNext before it is requested.
 * Returns true when the listing reached its last page.
 */
export async function* followPages(listing: PagedListing): AsyncGenerator<ListEvent, boolean> {
  const { repository, first } = listing;
  const visited = new Set<string>();
  let url = first;
  let prefetched = listing.firstResponse;
  for (let pages = 0; ; ) {
    visited.add(url.href);
    let res: RegistryResponse;
    if (prefetched) {
      res = prefetched;
      prefetched = undefined;
    } else {
      const out = await listing.fetch(url);
      if (!out.ok) {
        yield { type: 'failed', failure: failureFrom(out.error) };
        return false;
      }
      res = out.response;
    }
    if ((yield* judgeAnswer(res, listing, pages === 0)) === 'ended') return false;
    const end = yield* listing.page(res, pages, url);
    if (end === 'last') return true;
    if (end === 'stop') return false;
    pages++;
    const bad = checkNext(end, first, visited, repository, pages);
    if (bad) {
      yield { type: 'failed', failure: bad };
      return false;
    }
    url = end;
  }
}

export function describeUrl(url: URL): string {
  return safeUrl(url);
}

/**
 * Per-run memory of a driver (a resolved account id, an API token, which endpoint works), keyed by
 * the run's RegistryAuth so concurrent runs never share a login.
 */
export function perRun<T extends object>(make: () => T): (ctx: DriverContext) => T {
  const store = new WeakMap<object, T>();
  return (ctx) => {
    let v = store.get(ctx.auth);
    if (!v) {
      v = make();
      store.set(ctx.auth, v);
    }
    return v;
  };
}
