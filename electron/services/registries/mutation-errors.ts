import type { AppError } from '../../../shared/api/result';
import { httpError, type RegistryHttpError } from '../registry/errors';
import type { HttpOutcome, RegistryResponse } from '../registry/http';
import type { TagDeleteResult } from './types';

/** A transport or HTTP failure of a delete or restore call as the `AppError` a run result carries. */
export function appErrorOf(error: RegistryHttpError): AppError {
  const out: AppError = { code: error.kind === 'aborted' ? 'cancelled' : (error.registryCode ?? (error.status !== undefined ? `http-${error.status}` : error.kind)), message: error.message, hint: error.hint };
  if (error.status !== undefined) out.details = { status: error.status };
  return out;
}

/** The registry's answer (its code and words) as an `AppError`, with our hint for the status. */
export function responseAppError(res: RegistryResponse, method: string, what: string, hint?: string): AppError {
  return appErrorOf(httpError({ method, url: res.url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what, ...(hint !== undefined ? { hint } : {}) }));
}

/** The same failure for every tag of a group (a login that failed, a repository name the registry cannot take). */
export function allFailed(tags: readonly string[], method: string, error: AppError): TagDeleteResult[] {
  return tags.map((tag) => ({ tag, outcome: 'failed', method, error }));
}

/** The response of an outcome, or the failure as an `AppError`. */
export function answered(out: HttpOutcome): { ok: true; res: RegistryResponse } | { ok: false; error: AppError } {
  return out.ok ? { ok: true, res: out.response } : { ok: false, error: appErrorOf(out.error) };
}
