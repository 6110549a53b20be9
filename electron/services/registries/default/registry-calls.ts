import type { AppError } from '../../../../shared/api/result';
import { repositoryScope } from '../../../../shared/registry/auth-challenge';
import type { DriverContext } from '../../inventory/types';
import type { RegistryHttpError } from '../../registry/errors';
import type { HttpMethod, HttpOutcome, RegistryResponse } from '../../registry/http';
import { digestOf, registryCode, saidText } from '../mutations-toolkit';

/**
 * The mutating Registry API calls a cleanup makes, each with the token scope distribution asks for
 * it (registry-apis.md §1.3: DELETE → `delete`, PUT/POST → `pull,push`). Native drivers whose
 * registry also serves `/v2/` deletes (ACR, Harbor, Quay, GCR) can compose these.
 */

/** Error bodies are small; a registry that sends more is not worth reading. */
const ANSWER_MAX_BYTES = 64 * 1024;

function call(ctx: DriverContext, method: HttpMethod, repository: string, path: string, actions: string[], extra: { headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<HttpOutcome> {
  const common = {
    path,
    headers: { accept: 'application/json', ...extra.headers },
    ...(extra.body !== undefined ? { body: extra.body } : {}),
    maxBytes: ANSWER_MAX_BYTES,
    // A mutating call is never sent on to a Location (http.ts refuses anyway); say so here too.
    followRedirects: false,
  };
  if (method === 'POST' || method === 'PATCH') {
    // Blob upload starts only: the context's Registry API call does not take these methods.
    return ctx.auth.request({ method, scopes: [repositoryScope(repository, actions)], signal: ctx.signal, ...common }).then((r) => r.outcome);
  }
  // Through the context: its concurrency slot, rate-limit budget and accounting.
  return ctx.registryRequest({ method, repository, actions, ...common });
}

/** `DELETE /v2/<name>/manifests/<reference>` (a digest, or a tag where the registry can untag). */
export function deleteManifest(ctx: DriverContext, repository: string, reference: string): Promise<HttpOutcome> {
  return call(ctx, 'DELETE', repository, `/v2/${repository}/manifests/${reference}`, ['delete']);
}

/** `PUT /v2/<name>/manifests/<reference>` with the exact bytes (their digest is what the registry stores). */
export function putManifest(ctx: DriverContext, repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<HttpOutcome> {
  return call(ctx, 'PUT', repository, `/v2/${repository}/manifests/${reference}`, ['pull', 'push'], { headers: { 'content-type': mediaType }, body: bytes });
}

/** `HEAD /v2/<name>/blobs/<digest>`. */
export function headBlob(ctx: DriverContext, repository: string, digest: string): Promise<HttpOutcome> {
  return call(ctx, 'HEAD', repository, `/v2/${repository}/blobs/${digest}`, ['pull']);
}

/**
 * Uploads a small blob: `POST …/blobs/uploads/` then `PUT <Location>&digest=` (distribution 2.8
 * does not take the spec's single-POST upload). The Location must stay on the registry's origin.
 */
export async function uploadBlob(ctx: DriverContext, repository: string, bytes: Uint8Array): Promise<{ ok: true } | { ok: false; error: AppError }> {
  const digest = digestOf(bytes);
  const started = await call(ctx, 'POST', repository, `/v2/${repository}/blobs/uploads/`, ['pull', 'push']);
  if (!started.ok) return { ok: false, error: transportError(started.error, `Starting a blob upload to ${repository}`) };
  const location = started.response.headers.get('location');
  if (started.response.status !== 202 || location === undefined) return { ok: false, error: answerError(started.response, `POST /v2/${repository}/blobs/uploads/`) };
  let target: URL;
  try {
    target = new URL(location, ctx.baseUrl);
  } catch {
    return { ok: false, error: { code: 'registry-error', message: `${ctx.registry} answered a blob upload with an invalid Location.`, hint: 'Check the registry\'s external URL setting.' } };
  }
  if (target.origin !== ctx.baseUrl.origin) {
    return { ok: false, error: { code: 'registry-error', message: `${ctx.registry} sent the blob upload to another address (${target.host}); Stowage only uploads to the registry itself.`, hint: 'Check the registry\'s external URL setting (http.host in distribution\'s config).' } };
  }
  target.searchParams.set('digest', digest);
  const put = await call(ctx, 'PUT', repository, `${target.pathname}${target.search}`, ['pull', 'push'], { headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  if (!put.ok) return { ok: false, error: transportError(put.error, `Uploading a blob to ${repository}`) };
  if (put.response.status !== 201) return { ok: false, error: answerError(put.response, `PUT /v2/${repository}/blobs/uploads/…`) };
  return { ok: true };
}

export const DELETE_DISABLED_HINT = 'Deletes are disabled on the registry: set storage.delete.enabled: true in its config (REGISTRY_STORAGE_DELETE_ENABLED=true) and restart it.';

/** 405 or UNSUPPORTED: the registry runs with deletes switched off. */
export function isDeleteDisabled(res: RegistryResponse): boolean {
  return res.status === 405 || registryCode(res) === 'UNSUPPORTED';
}

/** An unexpected registry answer as an AppError with the registry's words and a fix. */
export function answerError(res: RegistryResponse, what: string): AppError {
  const code = registryCode(res);
  const said = saidText(res);
  const message = `${what} → HTTP ${res.status}${said ? ` (${said})` : ''}`;
  const details: Record<string, string | number> = { status: res.status };
  if (code !== undefined) details.registryCode = code;
  if (isDeleteDisabled(res)) {
    // 405 to a write that is not a delete: the registry takes no writes at all (distribution's read-only maintenance mode).
    if (!what.startsWith('DELETE')) return { code: 'registry-read-only', message, hint: 'The registry refuses writes (distribution: storage.maintenance.readonly is on); run the cleanup again when it takes writes.', details };
    return { code: 'delete-disabled', message, hint: DELETE_DISABLED_HINT, details };
  }
  if (res.status === 401 || res.status === 403 || code === 'DENIED' || code === 'UNAUTHORIZED') {
    return {
      code: 'denied',
      message,
      hint: 'This credential may not change this repository: deleting needs the "delete" action (token auth) and re-putting a tag needs "push"; grant them in the registry\'s or token server\'s access rules.',
      details,
    };
  }
  if (res.status === 429) return { code: 'rate-limited', message, hint: `${res.url.host} is rate-limiting requests: run the cleanup again later; what was done is kept and nothing is deleted twice.`, details };
  if (res.status >= 500) return { code: 'registry-error', message, hint: `${res.url.host} failed on its side: run the cleanup again (nothing is deleted twice), or check the registry's logs.`, details };
  return { code: 'registry-error', message, hint: `Unexpected answer from ${res.url.host}; check the registry's logs.`, details };
}

/** A call that got no answer (connection reset, timeout, cancel). */
export function transportError(error: RegistryHttpError, what: string): AppError {
  const code = error.kind === 'aborted' ? 'cancelled' : error.kind === 'timeout' ? 'timeout' : 'registry-unreachable';
  const details: Record<string, string | number> = { kind: error.kind };
  if (error.status !== undefined) details.status = error.status;
  return { code, message: `${what}: ${error.message}`, hint: error.hint, details };
}
