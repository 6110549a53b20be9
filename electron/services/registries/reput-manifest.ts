import { createHash } from 'node:crypto';
import type { AppError } from '../../../shared/api/result';
import { failureFrom } from '../inventory/drivers/common';
import type { DriverContext } from '../inventory/types';
import { httpError, parseErrorBody, type RegistryHttpError } from '../registry/errors';
import type { HttpOutcome, RegistryResponse } from '../registry/http';
import type { MutationOutcome, RestoreEntry } from './types';

/** Registry codes that mean the manifest's blobs (or an index's children) are no longer stored. */
const MISSING_CONTENT = new Set(['MANIFEST_BLOB_UNKNOWN', 'BLOB_UNKNOWN', 'MANIFEST_UNKNOWN']);

/**
 * A PUT or DELETE on the registry's own host (`/v2/…`, ACR's `/acr/v1/…`) with a token for
 * `actions` on `repository`; never follows a redirect. The one place these drivers' Registry API
 * mutations are sent from: when `ctx.registryRequest` takes PUT/DELETE (the cleanup session's
 * concurrency slot and rate-limit budget), this is where to switch to it.
 */
export async function registryMutation(
  ctx: DriverContext,
  r: { method: 'PUT' | 'DELETE'; repository: string; path: string; actions: string[]; headers?: Record<string, string>; body?: Uint8Array },
): Promise<HttpOutcome> {
  // Through the run's Registry API call: its concurrency slot, rate-limit budget and waits.
  return ctx.registryRequest({
    method: r.method,
    repository: r.repository,
    path: r.path,
    actions: r.actions,
    ...(r.headers ? { headers: r.headers } : {}),
    ...(r.body ? { body: r.body } : {}),
    followRedirects: false,
  });
}

/** A registry's HTTP answer to a mutation as a user-facing error: its code, its words, and a fix. */
export function responseAppError(res: RegistryResponse, method: string, what: string, hint?: string): AppError {
  const f = failureFrom(httpError({ method, url: res.url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what, ...(hint ? { hint } : {}) }));
  return { code: f.code ?? `http-${res.status}`, message: f.message, ...(f.hint ? { hint: f.hint } : {}), details: { status: res.status } };
}

/** A request that got no answer (network, TLS, timeout, cancel) as a user-facing error. */
export function transportAppError(error: RegistryHttpError, what: string): AppError {
  const f = failureFrom(error);
  return { code: f.code ?? error.kind, message: `${what}: ${f.message}`, ...(f.hint ? { hint: f.hint } : {}) };
}

/** The registry's error code in an answer, if it sent one. */
export function registryCode(res: RegistryResponse): string | undefined {
  return parseErrorBody(res.body, res.headers.get('content-type')).code;
}

/**
 * The manifest an audit entry recorded, checked against its digest: an audit file is a file on
 * disk, and a re-PUT of edited bytes would put different content under the tag than was deleted.
 */
export function recordedManifest(entry: RestoreEntry): { ok: true; bytes: Buffer; mediaType: string } | { ok: false; error: AppError } {
  if (entry.manifest === null) {
    return { ok: false, error: { code: 'no-manifest', message: `The audit log has no manifest bytes for ${entry.repository}:${entry.tag}, so it cannot be put back`, hint: 'Push the image again from its source (werf build, docker push).' } };
  }
  const bytes = Buffer.from(entry.manifest, 'base64');
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== entry.digest) {
    return { ok: false, error: { code: 'manifest-mismatch', message: `The recorded manifest of ${entry.repository}:${entry.tag} hashes to ${actual}, not ${entry.digest}`, hint: 'The audit log was changed or damaged; nothing was sent to the registry.' } };
  }
  let mediaType = entry.mediaType;
  if (!mediaType) {
    try {
      const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
      if (typeof parsed.mediaType === 'string') mediaType = parsed.mediaType;
    } catch {
      // Not JSON: no media type to learn from it.
    }
  }
  if (!mediaType) return { ok: false, error: { code: 'no-media-type', message: `The media type of ${entry.repository}:${entry.tag} was not recorded and the manifest does not name one`, hint: 'Push the image again from its source.' } };
  return { ok: true, bytes, mediaType };
}

/**
 * Puts a deleted tag back through the Registry API: `PUT /v2/<name>/manifests/<tag>` with the
 * recorded bytes and media type (token scope pull,push). Works while the registry still stores the
 * blobs (and, for an index, its children); a garbage-collected image answers MANIFEST_BLOB_UNKNOWN.
 */
export async function reputManifest(ctx: DriverContext, entry: RestoreEntry, registryTitle: string): Promise<MutationOutcome> {
  const manifest = recordedManifest(entry);
  if (!manifest.ok) return manifest;
  const path = `/v2/${entry.repository}/manifests/${encodeURIComponent(entry.tag)}`;
  const call = `PUT ${path}`;
  const out = await registryMutation(ctx, { method: 'PUT', repository: entry.repository, path, actions: ['pull', 'push'], headers: { 'content-type': manifest.mediaType }, body: manifest.bytes });
  if (!out.ok) return { ok: false, error: transportAppError(out.error, call) };
  const res = out.response;
  if (res.status === 201 || res.status === 200) {
    const got = res.headers.get('docker-content-digest');
    if (got && got !== entry.digest) {
      return { ok: false, error: { code: 'digest-mismatch', message: `${call} → ${res.status}, but ${registryTitle} stored it as ${got}, not ${entry.digest}`, hint: 'Check the tag by hand: the registry rewrote the manifest.' } };
    }
    return { ok: true, detail: `${call} → ${res.status}: ${entry.tag} points at ${entry.digest} again` };
  }
  const code = registryCode(res);
  const hint =
    code && MISSING_CONTENT.has(code)
      ? `${registryTitle} no longer stores the image's content (garbage collection ran, or an index's children were deleted): push the image again instead.`
      : res.status === 401 || res.status === 403
        ? `The login may not push to ${entry.repository}: restoring a tag needs push rights.`
        : undefined;
  return { ok: false, error: responseAppError(res, 'PUT', call, hint) };
}
