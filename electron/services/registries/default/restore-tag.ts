import type { AppError } from '../../../../shared/api/result';
import type { DriverContext } from '../../inventory/types';
import type { MutationOutcome, RestoreEntry } from '../types';
import { MISSING_CONTENT, recordedManifest, registryCode, tagNow, type UnsendableReason } from '../mutations-toolkit';
import { answerError, putManifest, transportError } from './registry-calls';

const fail = (error: AppError): MutationOutcome => ({ ok: false, error });

/**
 * Puts a deleted tag back by re-PUTting the manifest bytes the audit log recorded, under the tag,
 * with their media type. The registry accepts them only while it still holds every blob (and, for
 * an index, every child) they name. A tag that meanwhile points at other content is never replaced.
 */
export async function restoreTag(ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> {
  const { repository, tag, digest } = entry;
  const ref = `${repository}:${tag}`;
  const manifest = recordedManifest(entry);
  if (!manifest.ok) return fail(unsendable(manifest.reason, ref, digest));

  // A HEAD that fails says nothing about the tag: the PUT goes, and its answer is what is reported.
  const now = await tagNow(ctx, repository, tag);
  if (now.ok && now.state === 'present') {
    if (now.digest === digest) return { ok: true, detail: `${ref} already points at ${digest}` };
    return fail({
      code: 'restore-tag-taken',
      message: `${ref} now points at ${now.digest ?? 'other content'}: restoring would replace it, so it was left alone.`,
      hint: `If the old image is wanted under another name, push it by digest: ${repository}@${digest} (while the registry still holds it).`,
    });
  }

  const what = `PUT /v2/${repository}/manifests/${tag}`;
  const put = await putManifest(ctx, repository, tag, manifest.bytes, manifest.mediaType);
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
  if (res.status === 400 && code !== undefined && MISSING_CONTENT.has(code)) {
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

/** This driver's words (and codes) for an audit entry whose manifest cannot be sent. */
function unsendable(reason: UnsendableReason, ref: string, digest: string): AppError {
  const hint = `Push the image again under ${ref}.`;
  switch (reason) {
    case 'no-manifest':
      return { code: 'restore-no-manifest', message: `The audit log has no manifest bytes for ${ref}, so it cannot be put back.`, hint };
    case 'manifest-mismatch':
      return { code: 'restore-damaged', message: `The manifest recorded for ${ref} does not hash to ${digest}: the audit log is damaged.`, hint };
    case 'no-media-type':
      return { code: 'restore-no-media-type', message: `The audit log does not say which kind of manifest ${ref} was.`, hint };
  }
}
