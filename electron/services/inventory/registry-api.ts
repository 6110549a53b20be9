import { MANIFEST_ACCEPT, isValidDigest, isValidTag, normalizeMediaType } from '../../../shared/inventory/classify';
import { httpError, safeUrl, type RegistryHttpError } from '../registry/errors';
import type { RegistryResponse } from '../registry/http';
import { looksHtml, sha256Digest, type Parsed } from './manifest';
import { answerFailure, failureFrom, followPages, hasNextLink, nextLink, REGISTRY_API_MISSING, type ListingFallback } from './drivers/common';
import type { DriverContext, DriverFailure, ListEvent, ListedTag } from './types';

/**
 * The Docker Registry HTTP API V2 / OCI distribution calls every driver shares
 * (registry-apis.md §0.3, §1): tag listing with `Link` pagination, manifest HEAD/GET, blob GET.
 * Native drivers reuse these for whatever their own API does not cover.
 */

/** Tag lists are a few dozen bytes per tag; 2.8 ignores `n` and sends everything at once. */
const TAG_LIST_MAX_BYTES = 32 * 1024 * 1024;
/** The OCI spec lets registries refuse manifests over 4 MiB; nothing legitimate is bigger. */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
export const CONFIG_MAX_BYTES = 8 * 1024 * 1024;

/** One line for a row's `error`: what happened and what to do. */
export function errorText(error: RegistryHttpError | DriverFailure): string {
  return error.hint ? `${error.message} — ${error.hint}` : error.message;
}

function responseError(res: RegistryResponse, method: string): RegistryHttpError {
  return httpError({ method, url: res.url, status: res.status, body: res.body, contentType: res.headers.get('content-type') });
}

/**
 * The generic listing as a native driver's fallback: used when its first answer says the native
 * API is absent or closed to this login (`when` gives the warning, or null to fail instead).
 */
export function registryApiFallback(ctx: DriverContext, repository: string, when: ListingFallback['when']): ListingFallback {
  return { when, warn: (message) => ctx.warn(message), list: () => listTagsViaRegistryApi(ctx, repository) };
}

/** What to do when a 200 is not a tag list (an HTML login page, a proxy's error, broken JSON). */
export const NOT_A_TAG_LIST_HINT = 'The address does not answer like a container registry here: check the host, port and any proxy in between.';

/**
 * `{"name":…, "tags":[…] | null}`; `null` means an empty repository (distribution after deleting
 * every manifest). The one reader of a tag list: the inventory and Test connection both use it, so
 * the check never passes an answer the listing then refuses.
 */
export function parseTagList(body: Uint8Array): Parsed<{ tags: ListedTag[]; dropped: number }> {
  // We never ask for a content encoding; a compressed body is a proxy or server that ignores that.
  if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) return { ok: false, error: 'the answer is gzip-compressed, which was not asked for, so it is not a tag list we can read' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return { ok: false, error: looksHtml(body) ? 'the answer is an HTML page, not a tag list' : 'the answer is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('tags' in json)) {
    return { ok: false, error: 'the answer has no "tags" list' };
  }
  const raw = (json as { tags: unknown }).tags;
  if (raw === null) return { ok: true, value: { tags: [], dropped: 0 } };
  if (!Array.isArray(raw)) return { ok: false, error: '"tags" is not a list' };
  const tags: ListedTag[] = [];
  let dropped = 0;
  for (const t of raw) {
    if (typeof t !== 'string' || t === '') {
      dropped++;
      continue;
    }
    // A name outside the tag grammar must never reach a request path; the row still shows it.
    tags.push(isValidTag(t) ? { tag: t } : { tag: t.slice(0, 200), error: 'The registry listed a name that is not a valid tag; it was not inspected.' });
  }
  return { ok: true, value: { tags, dropped } };
}

/**
 * `GET /v2/<name>/tags/list`, following only `Link` (relative or absolute, resolved against the URL
 * that answered) through the same page guards as every native listing: a Link to another origin,
 * to another path, or back to a page already read ends the listing with an error and is never
 * requested. A 404 with a registry error code on the first page means the repository does not exist.
 */
export async function* listTagsViaRegistryApi(ctx: DriverContext, repository: string, opts: { pageSize?: number } = {}): AsyncGenerator<ListEvent> {
  const listPath = `/v2/${repository}/tags/list`;
  const fetch = (url: URL) => ctx.registryRequest({ method: 'GET', repository, path: `${url.pathname}${url.search}`, headers: { accept: 'application/json' }, maxBytes: TAG_LIST_MAX_BYTES });
  let first = new URL(opts.pageSize === 0 ? listPath : `${listPath}?n=${opts.pageSize ?? 1000}`, ctx.baseUrl);
  let out = await fetch(first);
  // Registries that validate `n` differently: ask once more without it.
  if (out.ok && out.response.status === 400 && first.search !== '' && answerFailure(out.response).code === 'PAGINATION_NUMBER_INVALID') {
    first = new URL(listPath, ctx.baseUrl);
    out = await fetch(first);
  }
  if (!out.ok) {
    yield { type: 'failed', failure: failureFrom(out.error) };
    return;
  }
  yield* followPages({
    repository,
    first,
    firstResponse: out.response,
    missing: { rule: REGISTRY_API_MISSING, message: (failure) => `${repository} does not exist (${failure.message})` },
    fetch,
    async *page(res) {
      const parsed = parseTagList(res.body);
      if (!parsed.ok) {
        yield {
          type: 'failed',
          failure: { message: `GET ${safeUrl(res.url)} → 200, but ${parsed.error}`, hint: NOT_A_TAG_LIST_HINT, status: 200 },
        };
        return 'stop';
      }
      if (parsed.value.dropped > 0) ctx.warn(`${repository}: the registry listed ${parsed.value.dropped} entries that are not tag names; they were skipped.`);
      if (parsed.value.tags.length > 0) yield { type: 'tags', tags: parsed.value.tags };
      const links = res.headers.all('link');
      if (!hasNextLink(links)) return 'last';
      const next = nextLink(links, res.url);
      if (next === null) {
        yield { type: 'failed', failure: { message: `${repository}: the registry sent an unusable Link header for the next page`, hint: 'The listing stopped; the tags read so far are shown.' } };
        return 'stop';
      }
      return next;
    },
  });
}

export interface ManifestRef {
  digest: string;
  mediaType: string | null;
  /** Present when the manifest was fetched with GET; `verified` = the bytes hash to `digest`. */
  body?: Buffer;
  verified?: boolean;
}

function digestHeader(res: RegistryResponse): string | null {
  const d = res.headers.get('docker-content-digest')?.trim();
  return d !== undefined && isValidDigest(d) ? d : null;
}

function manifestError(res: RegistryResponse, method: string, ref: string): RegistryHttpError {
  const e = responseError(res, method);
  if (res.status === 404 && !ref.includes(':')) {
    e.hint = 'The tag was listed but its manifest is gone: it was deleted or re-pushed during the listing, or the registry lost the manifest.';
  }
  return e;
}

/**
 * `GET /v2/<name>/manifests/<ref>` with all four manifest types in Accept. The digest is
 * `Docker-Content-Digest`, else the sha256 of the exact bytes (the header is optional in OCI 1.1).
 * Fetching by digest checks that the bytes hash to it.
 */
export async function getManifest(ctx: DriverContext, repository: string, ref: string): Promise<Parsed<ManifestRef & { body: Buffer }> & { httpError?: RegistryHttpError }> {
  const out = await ctx.registryRequest({ method: 'GET', repository, path: `/v2/${repository}/manifests/${ref}`, headers: { accept: MANIFEST_ACCEPT }, maxBytes: MANIFEST_MAX_BYTES });
  if (!out.ok) return { ok: false, error: errorText(out.error), httpError: out.error };
  const res = out.response;
  if (res.status !== 200) {
    const e = manifestError(res, 'GET', ref);
    return { ok: false, error: errorText(e), httpError: e };
  }
  const computed = sha256Digest(res.body);
  const byDigest = ref.includes(':');
  if (byDigest && ref.startsWith('sha256:') && computed !== ref) {
    return { ok: false, error: `GET ${safeUrl(res.url)}: the registry answered bytes whose sha256 is ${computed}, not ${ref}; they were not used` };
  }
  const digest = byDigest ? ref : (digestHeader(res) ?? computed);
  return { ok: true, value: { digest, mediaType: normalizeMediaType(res.headers.get('content-type')), body: res.body, verified: !digest.startsWith('sha256:') || computed === digest } };
}

/** `HEAD` for the digest (free on Docker Hub); falls back to GET when the registry sends no usable `Docker-Content-Digest`. */
export async function headManifest(ctx: DriverContext, repository: string, ref: string): Promise<Parsed<ManifestRef> & { httpError?: RegistryHttpError }> {
  const out = await ctx.registryRequest({ method: 'HEAD', repository, path: `/v2/${repository}/manifests/${ref}`, headers: { accept: MANIFEST_ACCEPT } });
  if (!out.ok) return { ok: false, error: errorText(out.error), httpError: out.error };
  const res = out.response;
  if (res.status !== 200) {
    const e = manifestError(res, 'HEAD', ref);
    return { ok: false, error: errorText(e), httpError: e };
  }
  const digest = digestHeader(res);
  if (digest === null) return getManifest(ctx, repository, ref);
  return { ok: true, value: { digest, mediaType: normalizeMediaType(res.headers.get('content-type')) } };
}

/** `GET /v2/<name>/blobs/<digest>` (redirects to storage are followed without credentials), checked against the digest. */
export async function getBlob(ctx: DriverContext, repository: string, digest: string, maxBytes: number): Promise<Parsed<Buffer>> {
  const out = await ctx.registryRequest({ method: 'GET', repository, path: `/v2/${repository}/blobs/${digest}`, maxBytes });
  if (!out.ok) return { ok: false, error: errorText(out.error) };
  const res = out.response;
  if (res.status !== 200) return { ok: false, error: errorText(responseError(res, 'GET')) };
  if (digest.startsWith('sha256:')) {
    const computed = sha256Digest(res.body);
    if (computed !== digest) return { ok: false, error: `GET ${safeUrl(res.url)}: the blob's sha256 is ${computed}, not ${digest}; it was not used` };
  }
  return { ok: true, value: res.body };
}
