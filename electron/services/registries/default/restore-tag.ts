import type { AppError } from '../../../../shared/api/result';
import { MANIFEST_ACCEPT } from '../../../../shared/inventory/classify';
import type { DriverContext } from '../../inventory/types';
import type { MutationOutcome, RestoreEntry } from '../types';
import { answerError, putManifest, registryCode, sha256Digest, transportError } from './registry-calls';

/** Missing content: the registry's garbage collection removed a blob or a child the manifest needs. */
const CONTENT_GONE = new Set(['MANIFEST_BLOB_UNKNOWN', 'BLOB_UNKNOWN', 'MANIFEST_UNKNOWN']);

const fail = (error: AppError): MutationOutcome => ({ ok: false, error });

/**
 * Puts a deleted tag back by re-PUTting the manifest bytes the audit log recorded, under the tag,
 * with their media type. The registry accepts them only while it still holds every blob (and, for
 * an index, every child) they name. A tag that meanwhile points at other content is never replaced.
 */
export async function restoreTag(ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> {
  const { repository, tag, digest } = entry;
  const ref = `${repository}:${tag}`;
  if (entry.manifest === null) {
    return fail({ code: 'restore-no-manifest', message: `The audit log has no manifest bytes for ${ref}, so it cannot be put back.`, hint: `Push the image again under ${ref}.` });
  }
  const bytes = Buffer.from(entry.manifest, 'base64');
  if (sha256Digest(bytes) !== digest) {
    return fail({ code: 'restore-damaged', message: `The manifest recorded for ${ref} does not hash to ${digest}: the audit log is damaged.`, hint: `Push the image again under ${ref}.` });
  }
  const mediaType = entry.mediaType ?? declaredMediaType(bytes);
  if (mediaType === null) {
    return fail({ code: 'restore-no-media-type', message: `The audit log does not say which kind of manifest ${ref} was.`, hint: `Push the image again under ${ref}.` });
  }

  const now = await ctx.registryRequest({ method: 'HEAD', repository, path: `/v2/${repository}/manifests/${tag}`, headers: { accept: MANIFEST_ACCEPT } });
  if (now.ok && now.response.status === 200) {
    const current = now.response.headers.get('docker-content-digest');
    if (current === digest) return { ok: true, detail: `${ref} already points at ${digest}` };
    return fail({
      code: 'restore-tag-taken',
      message: `${ref} now points at ${current ?? 'other content'}: restoring would replace it, so it was left alone.`,
      hint: `If the old image is wanted under another name, push it by digest: ${repository}@${digest} (while the registry still holds it).`,
    });
  }

  const what = `PUT /v2/${repository}/manifests/${tag}`;
  const put = await putManifest(ctx, repository, tag, bytes, mediaType);
  if (!put.ok) return fail(transportError(put.error, what));
  const res = put.response;
  if (res.status === 201 || res.status === 200) {
    const stored = res.headers.get('docker-content-digest');
    if (stored !== undefined && stored !== digest) {
      return fail({ code: 'restore-digest-differs', message: `${ctx.registry} stored ${ref} as ${stored}, not ${digest}.`, hint: 'The registry rewrote the manifest; push the image again.' });
    }
    return { ok: true, detail: `${what} → ${res.status}: ${ref} points at ${digest} again` };
  }
  const code = registryCode(res);
  if (res.status === 400 && code !== undefined && CONTENT_GONE.has(code)) {
    const error = answerError(res, what);
    return fail({
      ...error,
      code: 'restore-content-gone',
      message: `${error.message}: the registry no longer holds the content of ${ref} (garbage-collected).`,
      hint: `The registry's garbage collection removed blobs this manifest needs; push the image again under ${ref}.`,
    });
  }
  return fail(answerError(res, what));
}

/** The `mediaType` a schema 2 / OCI manifest declares in its own JSON, when it does. */
function declaredMediaType(bytes: Uint8Array): string | null {
  try {
    const doc: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (typeof doc === 'object' && doc !== null && 'mediaType' in doc && typeof doc.mediaType === 'string') return doc.mediaType;
  } catch {
    // Not JSON: nothing declared.
  }
  return null;
}
