import { createHash } from 'node:crypto';
import type { AppError } from '../../../shared/api/result';
import { MANIFEST_ACCEPT } from '../../../shared/inventory/classify';
import { repositoryScope } from '../../../shared/registry/auth-challenge';
import type { DriverContext } from '../inventory/types';
import { httpError, type RegistryHttpError } from '../registry/errors';
import type { RegistryResponse } from '../registry/http';
import type { DeleteOutcome, MutationOutcome, RestoreEntry, TagDeleteResult } from './types';

/*
 * Small pieces the native delete and restore paths (GitHub, GitLab, Quay) share: a registry's
 * answer as an AppError with a hint, and one result per tag.
 */

/** A transport or HTTP failure as the AppError a `failed` result carries. */
export function appErrorFrom(error: RegistryHttpError): AppError {
  const details: Record<string, string | number> = {};
  if (error.status !== undefined) details.status = error.status;
  if (error.registryCode !== undefined) details.registryCode = error.registryCode;
  if (error.retryAfterSeconds !== undefined) details.retryAfterSeconds = error.retryAfterSeconds;
  return {
    code: error.kind === 'http' ? `http-${error.status ?? 0}` : error.kind === 'aborted' ? 'cancelled' : error.kind,
    message: error.message,
    hint: error.hint,
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

/** An answer that is not what the mutation needed, in the registry's own words, with our hint when we have a better one. */
export function responseError(res: RegistryResponse, method: string, what: string, hint?: string): AppError {
  return appErrorFrom(httpError({ method, url: res.url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what, ...(hint !== undefined ? { hint } : {}) }));
}

/** The registry's error text (`message`, `errors[0].message`, Quay's `detail`), for matching known refusals. */
export function saidText(res: RegistryResponse): string {
  const parsed = httpError({ method: 'GET', url: res.url, status: res.status, body: res.body, contentType: res.headers.get('content-type') });
  return [parsed.registryCode, parsed.registryMessage].filter((x) => x !== undefined).join(': ');
}

/** The same outcome for every tag of a group (a version delete, a refusal before any call). */
export function sameForAll(tags: readonly string[], result: Omit<TagDeleteResult, 'tag'>): TagDeleteResult[] {
  return tags.map((tag) => ({ tag, ...result }));
}

export function failedForAll(tags: readonly string[], method: string, error: AppError): TagDeleteResult[] {
  return sameForAll(tags, { outcome: 'failed', method, error });
}

/** What every call after a cancel reports: nothing was sent for it. */
export const CANCELLED: AppError = { code: 'cancelled', message: 'Cancelled before this tag\'s delete was sent', hint: 'Run the cleanup again to finish: a rerun deletes nothing twice.' };

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

/**
 * Undo by re-PUT: the recorded manifest goes back under its tag through the Registry API, where
 * the registry still holds its blobs. Checked before: the bytes still hash to the recorded digest,
 * and the tag does not point at another digest now (a newer push is never overwritten). Checked
 * after: the registry names the same digest.
 */
export async function reputManifest(ctx: DriverContext, entry: RestoreEntry, pushActions: readonly string[]): Promise<MutationOutcome> {
  const where = `${entry.repository}:${entry.tag}`;
  if (entry.manifest === null) {
    return notRestored({ code: 'no-manifest', message: `The audit log holds no manifest bytes for ${where}, so it cannot be put back`, hint: 'Push the image again under this tag.' });
  }
  const bytes = Buffer.from(entry.manifest, 'base64');
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (entry.digest.startsWith('sha256:') && actual !== entry.digest) {
    return notRestored({ code: 'manifest-mismatch', message: `The recorded manifest of ${where} hashes to ${actual}, not ${entry.digest}; it was not sent`, hint: 'The audit log entry is damaged; push the image again under this tag.' });
  }
  const path = `/v2/${entry.repository}/manifests/${encodeURIComponent(entry.tag)}`;
  const now = await ctx.auth.request({ method: 'HEAD', path, scopes: [repositoryScope(entry.repository, ['pull'])], headers: { accept: MANIFEST_ACCEPT }, signal: ctx.signal });
  if (!now.outcome.ok) return notRestored(appErrorFrom(now.outcome.error));
  const head = now.outcome.response;
  if (head.status === 200) {
    const current = head.headers.get('docker-content-digest');
    if (current === entry.digest) return restored(`${where} already points at ${entry.digest}`);
    return notRestored({ code: 'tag-moved', message: `${where} now points at ${current ?? 'another manifest'}; it was not overwritten`, hint: 'Someone pushed this tag again after the cleanup. Restore it by hand if the old image is what you want.' });
  }
  if (head.status !== 404) return notRestored(responseError(head, 'HEAD', `HEAD ${path}`));
  const mediaType = entry.mediaType ?? mediaTypeOf(bytes);
  const put = await ctx.auth.request({
    method: 'PUT',
    path,
    scopes: [repositoryScope(entry.repository, [...pushActions])],
    headers: mediaType ? { 'content-type': mediaType } : {},
    body: bytes,
    signal: ctx.signal,
  });
  if (!put.outcome.ok) return notRestored(appErrorFrom(put.outcome.error));
  const res = put.outcome.response;
  if (res.status === 201 || res.status === 200) {
    const digest = res.headers.get('docker-content-digest');
    if (digest !== undefined && digest !== entry.digest) {
      return notRestored({ code: 'digest-differs', message: `${where} was put back but the registry names it ${digest}, not ${entry.digest}`, hint: 'The registry rewrote the manifest; check the tag before relying on it.' });
    }
    return restored(`${where} put back on ${entry.digest} (re-PUT of the recorded manifest)`);
  }
  const code = saidText(res);
  const hint = /BLOB_UNKNOWN/.test(code)
    ? "The registry no longer holds this image's layers (garbage collection ran since the delete): push the image again."
    : res.status === 401 || res.status === 403
      ? 'Putting a tag back needs push rights on the repository.'
      : undefined;
  return notRestored(responseError(res, 'PUT', `PUT ${path}`, hint));
}

function mediaTypeOf(bytes: Buffer): string | null {
  try {
    const mt = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
    return typeof mt === 'string' ? mt : null;
  } catch {
    return null;
  }
}
