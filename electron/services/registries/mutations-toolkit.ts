import { createHash } from 'node:crypto';
import type { AppError } from '../../../shared/api/result';
import { MANIFEST_ACCEPT } from '../../../shared/inventory/classify';
import type { DriverContext } from '../inventory/types';
import { httpError, parseErrorBody, type RegistryHttpError } from '../registry/errors';
import type { HttpOutcome, RegistryResponse } from '../registry/http';
import type { DeleteOutcome, MutationOutcome, RestoreEntry, TagDeleteResult } from './types';

/*
 * The one set of pieces every registry driver's delete and restore paths build on: a registry's
 * answer (or its silence) as an AppError with a hint, one result per tag, a rate-limit refusal in
 * the registry's words, and the re-PUT of a recorded manifest. A driver adds only what its
 * registry does differently (its calls, its refusals, its hints).
 */

/**
 * Which code an error carries. `status`: the HTTP status (`http-403`), for the native REST APIs
 * (GitHub, GitLab, Quay) whose error bodies have no stable codes. `registry`: the registry's own
 * code when it sent one (`DENIED`, `TOOMANYREQUESTS`), else the status.
 */
export type ErrorCodeFrom = 'status' | 'registry';

export interface AppErrorOptions {
  codeFrom?: ErrorCodeFrom;
  /** The call that failed, put before the message (a transport error's own words name no call). */
  call?: string;
}

/** A transport or HTTP failure of a mutation as the AppError a run result carries. */
export function appErrorFrom(error: RegistryHttpError, opts: AppErrorOptions = {}): AppError {
  const details: Record<string, string | number> = {};
  if (error.status !== undefined) details.status = error.status;
  if (error.registryCode !== undefined) details.registryCode = error.registryCode;
  if (error.retryAfterSeconds !== undefined) details.retryAfterSeconds = error.retryAfterSeconds;
  const byStatus = error.kind === 'http' ? `http-${error.status ?? 0}` : error.kind;
  const code = error.kind === 'aborted' ? 'cancelled' : ((opts.codeFrom ?? 'registry') === 'registry' ? error.registryCode : undefined) ?? byStatus;
  return {
    code,
    message: opts.call !== undefined ? `${opts.call}: ${error.message}` : error.message,
    hint: error.hint,
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

/** An answer that is not what the mutation needed, in the registry's own words, with our hint when we have a better one. */
export function responseAppError(res: RegistryResponse, method: string, what: string, hint?: string, codeFrom?: ErrorCodeFrom): AppError {
  const error = httpError({ method, url: res.url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what, ...(hint !== undefined ? { hint } : {}) });
  return appErrorFrom(error, codeFrom !== undefined ? { codeFrom } : {});
}

/** The response of an outcome, or the failure as an AppError. */
export function answered(out: HttpOutcome, opts: AppErrorOptions = {}): { ok: true; res: RegistryResponse } | { ok: false; error: AppError } {
  return out.ok ? { ok: true, res: out.response } : { ok: false, error: appErrorFrom(out.error, opts) };
}

/** The registry's error code in an answer, if it sent one. */
export function registryCode(res: RegistryResponse): string | undefined {
  return parseErrorBody(res.body, res.headers.get('content-type')).code;
}

/** The registry's error text (`code: message`, Quay's `detail`), for matching known refusals. */
export function saidText(res: RegistryResponse): string {
  const parsed = parseErrorBody(res.body, res.headers.get('content-type'));
  return [parsed.code, parsed.message].filter((x) => x !== undefined).join(': ');
}

/** The same outcome for every tag of a group (a version delete, a refusal before any call). */
export function sameForAll(tags: readonly string[], result: Omit<TagDeleteResult, 'tag'>): TagDeleteResult[] {
  return tags.map((tag) => ({ tag, ...result }));
}

/** The same failure for every tag of a group (a login that failed, a repository name the registry cannot take). */
export function failedForAll(tags: readonly string[], method: string, error: AppError): TagDeleteResult[] {
  return sameForAll(tags, { outcome: 'failed', method, error });
}

/** What every call after a cancel reports: nothing was sent for it. */
export const CANCELLED: AppError = { code: 'cancelled', message: 'Cancelled before this tag\'s delete was sent', hint: 'Run the cleanup again to finish: a rerun deletes nothing twice.' };

/**
 * Deletes a group tag by tag, in order. After a cancel or a rate-limit refusal nothing more is
 * sent: every later tag fails with that error (a rerun finishes them). `deleteOne` answers null for
 * a tag it leaves to a later call (GitLab's delete by digest); `stopped` is what stopped the run.
 */
export async function tagByTag(
  ctx: Pick<DriverContext, 'signal'>,
  tags: readonly string[],
  deleteOne: (tag: string) => Promise<TagDeleteResult | null>,
): Promise<{ results: TagDeleteResult[]; stopped: AppError | null }> {
  const results: TagDeleteResult[] = [];
  let stopped: AppError | null = null;
  for (const tag of tags) {
    if (ctx.signal.aborted) stopped = CANCELLED;
    if (stopped) {
      results.push(outcome(tag, 'failed', 'none', { error: stopped }));
      continue;
    }
    const r = await deleteOne(tag);
    if (r === null) continue;
    results.push(r);
    if (r.error?.code === 'rate-limited') stopped = r.error;
  }
  return { results, stopped };
}

export function outcome(tag: string, o: DeleteOutcome, method: string, extra: Partial<Omit<TagDeleteResult, 'tag' | 'outcome' | 'method'>> = {}): TagDeleteResult {
  return { tag, outcome: o, method, ...extra };
}

export function restored(detail: string): MutationOutcome {
  return { ok: true, detail };
}

export function notRestored(error: AppError): MutationOutcome {
  return { ok: false, error };
}

/**
 * `Retry-After` of a refusal, as an ISO time the user can read ("rate limited until …"); null when
 * the answer named no wait.
 */
export function retryAt(res: RegistryResponse, now: number): string | null {
  const ra = res.headers.get('retry-after')?.trim();
  if (ra !== undefined && /^\d+$/.test(ra)) return new Date(now + Number(ra) * 1000).toISOString();
  if (ra !== undefined && !Number.isNaN(Date.parse(ra))) return new Date(Date.parse(ra)).toISOString();
  const reset = res.headers.get('x-ratelimit-reset')?.trim();
  if (reset !== undefined && /^\d+$/.test(reset)) return new Date(Number(reset) * 1000).toISOString();
  return null;
}

/** A refusal for the registry's rate limit; `until` (ISO) when the registry named the end of the wait. */
export function rateLimitError(message: string, until: string | null): AppError {
  return {
    code: 'rate-limited',
    message,
    hint: `Run the cleanup again${until ? ` after ${until}` : ' later'}: what was deleted stays deleted, the rest is still there (a rerun deletes nothing twice).`,
    ...(until ? { details: { until } } : {}),
  };
}

/** A rate-limited answer to `what`, in the registry's words ("GitLab's rate limit", "Quay is throttling"). */
export function rateLimitAnswer(what: string, res: RegistryResponse, registryWords: string, now = Date.now()): AppError {
  const until = retryAt(res, now);
  return rateLimitError(`${what} → HTTP ${res.status}: ${registryWords}${until ? ` until ${until}` : ''}`, until);
}

export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/**
 * A PUT or DELETE on the registry's own host (`/v2/…`, ACR's `/acr/v1/…`) with a token for
 * `actions` on `repository`, through the run's Registry API call (its concurrency slot, rate-limit
 * budget and waits); never follows a redirect.
 */
export function registryMutation(
  ctx: DriverContext,
  r: { method: 'PUT' | 'DELETE'; repository: string; path: string; actions: string[]; headers?: Record<string, string>; body?: Uint8Array; maxBytes?: number },
): Promise<HttpOutcome> {
  return ctx.registryRequest({
    method: r.method,
    repository: r.repository,
    path: r.path,
    actions: r.actions,
    ...(r.headers ? { headers: r.headers } : {}),
    ...(r.body ? { body: r.body } : {}),
    ...(r.maxBytes !== undefined ? { maxBytes: r.maxBytes } : {}),
    followRedirects: false,
  });
}

/** Why a recorded manifest cannot be sent: no bytes, bytes that do not hash to the digest, no media type. */
export type UnsendableReason = 'no-manifest' | 'manifest-mismatch' | 'no-media-type';

export type RecordedManifest = { ok: true; bytes: Buffer; mediaType: string } | { ok: false; reason: UnsendableReason; error: AppError };

/**
 * The manifest an audit entry recorded, checked against its digest: an audit file is a file on
 * disk, and a re-PUT of edited bytes would put other content under the tag than was deleted.
 */
export function recordedManifest(entry: RestoreEntry): RecordedManifest {
  const where = `${entry.repository}:${entry.tag}`;
  const unsendable = (reason: UnsendableReason, message: string, hint: string): RecordedManifest => ({ ok: false, reason, error: { code: reason, message, hint } });
  if (entry.manifest === null) {
    return unsendable('no-manifest', `The audit log has no manifest bytes for ${where}, so it cannot be put back`, 'Push the image again from its source (werf build, docker push).');
  }
  const bytes = Buffer.from(entry.manifest, 'base64');
  const actual = digestOf(bytes, entry.digest.startsWith('sha512:') ? 'sha512' : 'sha256');
  if (actual !== entry.digest) {
    return unsendable('manifest-mismatch', `The recorded manifest of ${where} hashes to ${actual}, not ${entry.digest}; nothing was sent`, 'The audit log was changed or damaged; push the image again from its source.');
  }
  const mediaType = entry.mediaType ?? mediaTypeNamedIn(bytes);
  if (!mediaType) {
    return unsendable('no-media-type', `The media type of ${where} was not recorded and the manifest does not name one`, 'Push the image again from its source.');
  }
  return { ok: true, bytes, mediaType };
}

/**
 * Where the tag points now, by a HEAD of it: `absent` (404) is the only state in which a re-PUT
 * may go, so a tag pushed again since the cleanup is never overwritten.
 */
export async function tagNow(
  ctx: DriverContext,
  repository: string,
  tag: string,
): Promise<{ ok: true; state: 'absent' } | { ok: true; state: 'present'; digest: string | undefined } | { ok: false; out: HttpOutcome }> {
  const out = await ctx.registryRequest({ method: 'HEAD', repository, path: manifestPath(repository, tag), actions: ['pull'], headers: { accept: MANIFEST_ACCEPT }, followRedirects: false });
  if (out.ok && out.response.status === 404) return { ok: true, state: 'absent' };
  if (out.ok && out.response.status === 200) return { ok: true, state: 'present', digest: out.response.headers.get('docker-content-digest') };
  return { ok: false, out };
}

/** `PUT /v2/<name>/manifests/<tag>` of recorded bytes with their media type (pull,push). */
export function putRecorded(ctx: DriverContext, repository: string, tag: string, manifest: { bytes: Uint8Array; mediaType: string }, extra: { headers?: Record<string, string>; maxBytes?: number } = {}): Promise<HttpOutcome> {
  return registryMutation(ctx, {
    method: 'PUT',
    repository,
    path: manifestPath(repository, tag),
    actions: ['pull', 'push'],
    headers: { ...extra.headers, 'content-type': manifest.mediaType },
    body: manifest.bytes,
    ...(extra.maxBytes !== undefined ? { maxBytes: extra.maxBytes } : {}),
  });
}

export function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${encodeURIComponent(reference)}`;
}

/** Registry codes that mean the manifest's blobs (or an index's children) are no longer stored. */
export const MISSING_CONTENT: ReadonlySet<string> = new Set(['MANIFEST_BLOB_UNKNOWN', 'BLOB_UNKNOWN', 'MANIFEST_UNKNOWN']);

function mediaTypeNamedIn(bytes: Buffer): string | null {
  try {
    const mt = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
    return typeof mt === 'string' ? mt : null;
  } catch {
    return null;
  }
}

export interface ReputOptions {
  /** How the registry is named in messages ("ACR", "GitLab"). */
  registryTitle: string;
  codeFrom?: ErrorCodeFrom;
  /** The driver's hint for a refused PUT (its roles, its words for lost layers); ours when it has none. */
  refusalHint?(res: RegistryResponse): string | undefined;
}

/**
 * Undo by re-PUT: the recorded manifest goes back under its tag through the Registry API, where
 * the registry still holds its blobs. Checked before: the bytes hash to the recorded digest, and
 * the tag does not point at another digest now (a newer push is never overwritten). Checked
 * after: the registry names the same digest.
 */
export async function reputManifest(ctx: DriverContext, entry: RestoreEntry, opts: ReputOptions): Promise<MutationOutcome> {
  const manifest = recordedManifest(entry);
  if (!manifest.ok) return notRestored(manifest.error);
  const errorOpts = opts.codeFrom !== undefined ? { codeFrom: opts.codeFrom } : {};
  const where = `${entry.repository}:${entry.tag}`;
  const path = manifestPath(entry.repository, entry.tag);

  const now = await tagNow(ctx, entry.repository, entry.tag);
  if (!now.ok) {
    return notRestored(now.out.ok ? responseAppError(now.out.response, 'HEAD', `HEAD ${path}`, undefined, opts.codeFrom) : appErrorFrom(now.out.error, { ...errorOpts, call: `HEAD ${path}` }));
  }
  if (now.state === 'present') {
    if (now.digest === entry.digest) return restored(`${where} already points at ${entry.digest}`);
    return notRestored({ code: 'tag-moved', message: `${where} now points at ${now.digest ?? 'another manifest'}; it was not overwritten`, hint: 'Someone pushed this tag again after the cleanup. Restore it by hand if the old image is what you want.' });
  }

  const call = `PUT ${path}`;
  const put = await putRecorded(ctx, entry.repository, entry.tag, manifest);
  if (!put.ok) return notRestored(appErrorFrom(put.error, { ...errorOpts, call }));
  const res = put.response;
  if (res.status === 201 || res.status === 200) {
    const got = res.headers.get('docker-content-digest');
    if (got !== undefined && got !== '' && got !== entry.digest) {
      return notRestored({ code: 'digest-mismatch', message: `${call} → ${res.status}, but ${opts.registryTitle} stored it as ${got}, not ${entry.digest}`, hint: 'Check the tag by hand: the registry rewrote the manifest.' });
    }
    return restored(`${call} → ${res.status}: ${entry.tag} points at ${entry.digest} again (re-PUT of the recorded manifest)`);
  }
  const code = registryCode(res);
  const hint =
    opts.refusalHint?.(res) ??
    (code !== undefined && MISSING_CONTENT.has(code)
      ? `${opts.registryTitle} no longer stores the image's content (garbage collection ran, or an index's children were deleted): push the image again instead.`
      : res.status === 401 || res.status === 403
        ? `The login may not push to ${entry.repository}: restoring a tag needs push rights.`
        : undefined);
  return notRestored(responseAppError(res, 'PUT', call, hint, opts.codeFrom));
}

/** The error builders with the `status` code convention bound, for the native REST drivers. */
export const statusCoded = {
  appErrorFrom: (error: RegistryHttpError, call?: string): AppError => appErrorFrom(error, { codeFrom: 'status', ...(call !== undefined ? { call } : {}) }),
  responseAppError: (res: RegistryResponse, method: string, what: string, hint?: string): AppError => responseAppError(res, method, what, hint, 'status'),
};
