import type { AppError } from '../../../shared/api/result';
import { httpError, type RegistryHttpError } from '../registry/errors';
import type { RegistryResponse } from '../registry/http';
import type { DeleteOutcome, MutationOutcome, TagDeleteResult } from './types';

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
    code: error.kind === 'http' ? `http-${error.status ?? 0}` : error.kind,
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
