import { MANIFEST_ACCEPT, isValidDigest, isValidTag, normalizeMediaType } from '../../../shared/inventory/classify';
import { httpError, safeUrl, type RegistryHttpError } from '../registry/errors';
import type { RegistryResponse } from '../registry/http';
import { looksHtml, sha256Digest, type Parsed } from './manifest';
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
const MAX_PAGES = 10_000;

export function failureOf(error: RegistryHttpError): DriverFailure {
  const f: DriverFailure = { message: error.message, hint: error.hint };
  if (error.status !== undefined) f.status = error.status;
  if (error.registryCode !== undefined) f.code = error.registryCode;
  return f;
}

/** One line for a row's `error`: what happened and what to do. */
export function errorText(error: RegistryHttpError | DriverFailure): string {
  return error.hint ? `${error.message} — ${error.hint}` : error.message;
}

/**
 * A registry says NAME_UNKNOWN (Harbor: NOT_FOUND) in a JSON error body; a bare 404 page means the
 * address is not a registry API at all, which is a failure, not a missing repository.
 */
export function isMissingRepository(res: RegistryResponse, err: RegistryHttpError = responseError(res, 'GET')): boolean {
  return res.status === 404 && err.registryCode !== undefined;
}

function responseError(res: RegistryResponse, method: string, what?: string, hint?: string): RegistryHttpError {
  return httpError({
    method,
    url: res.url,
    status: res.status,
    body: res.body,
    contentType: res.headers.get('content-type'),
    ...(what !== undefined ? { what } : {}),
    ...(hint !== undefined ? { hint } : {}),
  });
}

/**
 * The `rel="next"` target of `Link` headers (RFC 8288): several headers, several links per header,
 * `rel` quoted or not and possibly listing several relation types.
 */
export function parseNextLink(values: readonly string[]): string | null {
  for (const value of values) {
    const re = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(value)) !== null) {
      const params = m[2] ?? '';
      const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
      const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
      if (rels.includes('next')) return m[1]!;
    }
  }
  return null;
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
 * that answered). A Link to another origin, to another path, or back to a page already read ends
 * the listing with an error and is never requested. A 404 with a registry error code on the first
 * page means the repository does not exist.
 */
export async function* listTagsViaRegistryApi(ctx: DriverContext, repository: string, opts: { pageSize?: number } = {}): AsyncGenerator<ListEvent> {
  const listPath = `/v2/${repository}/tags/list`;
  let path = opts.pageSize === 0 ? listPath : `${listPath}?n=${opts.pageSize ?? 1000}`;
  const visited = new Set<string>();
  let pages = 0;
  while (true) {
    visited.add(new URL(path, ctx.baseUrl).href);
    const out = await ctx.registryRequest({ method: 'GET', repository, path, headers: { accept: 'application/json' }, maxBytes: TAG_LIST_MAX_BYTES });
    if (!out.ok) {
      yield { type: 'failed', failure: failureOf(out.error) };
      return;
    }
    const res = out.response;
    if (res.status !== 200) {
      const err = responseError(res, 'GET');
      if (pages === 0 && isMissingRepository(res, err)) {
        yield { type: 'missing', message: `${repository} does not exist (${err.message})` };
        return;
      }
      // Registries that validate `n` differently: ask once more without it.
      if (pages === 0 && res.status === 400 && err.registryCode === 'PAGINATION_NUMBER_INVALID' && path !== listPath) {
        path = listPath;
        visited.clear();
        continue;
      }
      yield { type: 'failed', failure: failureOf(err) };
      return;
    }
    const parsed = parseTagList(res.body);
    if (!parsed.ok) {
      yield {
        type: 'failed',
        failure: { message: `GET ${safeUrl(res.url)} → 200, but ${parsed.error}`, hint: NOT_A_TAG_LIST_HINT, status: 200 },
      };
      return;
    }
    pages++;
    if (parsed.value.dropped > 0) ctx.warn(`${repository}: the registry listed ${parsed.value.dropped} entries that are not tag names; they were skipped.`);
    if (parsed.value.tags.length > 0) yield { type: 'tags', tags: parsed.value.tags };

    const next = parseNextLink(res.headers.all('link'));
    if (next === null) return;
    let url: URL;
    try {
      url = new URL(next, res.url);
    } catch {
      yield { type: 'failed', failure: { message: `${repository}: the registry sent an unusable Link header for the next page`, hint: 'The listing stopped; the tags read so far are shown.' } };
      return;
    }
    if (url.origin !== ctx.baseUrl.origin) {
      yield {
        type: 'failed',
        failure: {
          message: `${repository}: the next page of tags is on another host (${url.origin}); it was not requested`,
          hint: 'A registry paginates on its own host; a Link elsewhere is a misconfiguration or an attempt to send the request somewhere else. The tags read so far are shown.',
        },
      };
      return;
    }
    if (url.pathname !== listPath) {
      yield { type: 'failed', failure: { message: `${repository}: the next-page Link points to ${url.pathname}, not to this repository's tag list; it was not followed`, hint: 'The tags read so far are shown.' } };
      return;
    }
    if (visited.has(url.href)) {
      yield { type: 'failed', failure: { message: `${repository}: the registry's next-page Link leads back to a page already read (a pagination loop); listing stopped`, hint: 'The tags read so far are shown; the registry has a pagination bug.' } };
      return;
    }
    if (pages >= MAX_PAGES) {
      yield { type: 'failed', failure: { message: `${repository}: more than ${MAX_PAGES} pages of tags; listing stopped`, hint: 'The tags read so far are shown.' } };
      return;
    }
    path = `${url.pathname}${url.search}`;
  }
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
