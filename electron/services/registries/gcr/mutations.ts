import { createHash } from 'node:crypto';
import { repositoryScope } from '../../../../shared/registry/auth-challenge';
import type { DriverContext } from '../../inventory/types';
import type { HttpOutcome } from '../../registry/http';
import { answered, responseAppError } from '../mutation-errors';
import type { DeleteGroup, MutationOutcome, RestoreEntry, TagDeleteResult } from '../types';

const DELETE_HINT = 'Deleting needs roles/artifactregistry.repoAdmin (or higher) on the repository; the writer role can push and tag but not delete.';

function send(ctx: DriverContext, method: 'DELETE' | 'PUT', repository: string, ref: string, actions: string[], extra: { headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<HttpOutcome> {
  return ctx.auth
    .request({
      method,
      path: `/v2/${repository}/manifests/${encodeURIComponent(ref)}`,
      scopes: [repositoryScope(repository, actions)],
      headers: { accept: 'application/json', ...(extra.headers ?? {}) },
      ...(extra.body ? { body: extra.body } : {}),
      signal: ctx.signal,
      maxBytes: 64 * 1024,
      // A mutating call is never sent on to another address (http.ts refuses anyway).
      followRedirects: false,
    })
    .then((r) => r.outcome);
}

/** Google's registry code for a 404 of something that is not there (any MANIFEST_UNKNOWN / NAME_UNKNOWN, or a bare 404). */
function isGone(status: number): boolean {
  return status === 404;
}

/**
 * Google Artifact Registry / GCR: untag each tag (`DELETE /v2/<name>/manifests/<tag>`), then, when
 * the group's digest may go and every tag is off it, `DELETE /v2/<name>/manifests/<digest>`. Google
 * refuses a digest that still has a tag (400 GOOGLE_MANIFEST_DANGLING_TAG): if a tag appeared since
 * the executor looked, the manifest stays and the tags read `untagged` with the registry's words.
 */
export async function gcrDeleteTags(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  const untagMethod = (tag: string) => `DELETE /v2/${group.repository}/manifests/${tag}`;
  const results: TagDeleteResult[] = [];
  for (const tag of group.tags) {
    const method = untagMethod(tag);
    const out = answered(await send(ctx, 'DELETE', group.repository, tag, ['delete']));
    if (!out.ok) {
      results.push({ tag, outcome: 'failed', method, error: out.error });
      continue;
    }
    const res = out.res;
    if (res.status === 202 || res.status === 200 || res.status === 204) results.push({ tag, outcome: 'untagged', method, detail: 'Tag removed; the manifest stays.' });
    else if (isGone(res.status)) results.push({ tag, outcome: 'already-gone', method, detail: `${group.repository}:${tag} no longer exists.` });
    else results.push({ tag, outcome: 'failed', method, error: responseAppError(res, 'DELETE', method, res.status === 401 || res.status === 403 ? DELETE_HINT : undefined) });
  }
  if (!group.digestGoes || results.some((r) => r.outcome === 'failed')) return results;

  const digestMethod = `DELETE /v2/${group.repository}/manifests/${group.digest}`;
  const out = answered(await send(ctx, 'DELETE', group.repository, group.digest, ['delete']));
  const untagged = (detail: string): TagDeleteResult[] => results.map((r) => (r.outcome === 'untagged' ? { ...r, detail } : r));
  if (!out.ok) return untagged(`Tag removed; deleting the manifest failed, so it stays untagged: ${out.error.message}`);
  const res = out.res;
  if (res.status === 202 || res.status === 200 || res.status === 204) {
    return results.map((r) => (r.outcome === 'untagged' ? { ...r, outcome: 'deleted', method: `${r.method}, then ${digestMethod}`, detail: 'Tag removed, then the manifest.' } : r));
  }
  if (isGone(res.status)) return untagged('Tag removed; the manifest was already gone.');
  const err = responseAppError(res, 'DELETE', digestMethod);
  return untagged(
    err.code === 'GOOGLE_MANIFEST_DANGLING_TAG'
      ? `Tag removed; the manifest stays because a tag outside the plan points at it now (${err.message}).`
      : `Tag removed; deleting the manifest failed, so it stays untagged: ${err.message}`,
  );
}

/**
 * Puts a tag back by re-PUTting the recorded manifest: Google keeps the layers while any manifest
 * of the repository uses them, and a deleted manifest's layers until its cleanup runs. The bytes
 * must hash to the recorded digest, so nothing else is ever written under the tag.
 */
export async function gcrRestoreTag(ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> {
  if (entry.manifest === null) {
    return { ok: false, error: { code: 'no-manifest', message: `The audit log has no manifest bytes for ${entry.repository}:${entry.tag}, so it cannot be put back.`, hint: `Push the image again under that tag; its digest was ${entry.digest}.` } };
  }
  const bytes = Buffer.from(entry.manifest, 'base64');
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== entry.digest) {
    return { ok: false, error: { code: 'manifest-mismatch', message: `The recorded manifest of ${entry.repository}:${entry.tag} hashes to ${actual}, not ${entry.digest}; nothing was written.`, hint: 'The audit log entry is damaged; push the image again instead.' } };
  }
  let mediaType = entry.mediaType;
  if (mediaType === null) {
    try {
      const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
      mediaType = typeof parsed.mediaType === 'string' ? parsed.mediaType : null;
    } catch {
      mediaType = null;
    }
  }
  if (mediaType === null) {
    return { ok: false, error: { code: 'no-media-type', message: `The media type of ${entry.repository}:${entry.tag} was not recorded and the manifest does not name one.`, hint: 'Push the image again under that tag.' } };
  }
  const method = `PUT /v2/${entry.repository}/manifests/${entry.tag}`;
  const out = answered(await send(ctx, 'PUT', entry.repository, entry.tag, ['pull', 'push'], { headers: { 'content-type': mediaType }, body: bytes }));
  if (!out.ok) return { ok: false, error: out.error };
  const res = out.res;
  if (res.status === 201 || res.status === 200) return { ok: true, detail: `${method} → HTTP ${res.status}: ${entry.tag} points at ${entry.digest} again.` };
  const hint =
    res.status === 401 || res.status === 403
      ? 'Restoring needs roles/artifactregistry.writer (or higher) on the repository.'
      : res.status === 400
        ? "The registry no longer holds all of the image's layers (they were cleaned up): push the image again instead."
        : undefined;
  return { ok: false, error: responseAppError(res, 'PUT', method, hint) };
}
