import type { DriverContext } from '../../inventory/types';
import type { HttpOutcome, RegistryResponse } from '../../registry/http';
import { answered, registryMutation, reputManifest, responseAppError } from '../mutations-toolkit';
import type { DeleteGroup, MutationOutcome, RestoreEntry, TagDeleteResult } from '../types';

const DELETE_HINT = 'Deleting needs roles/artifactregistry.repoAdmin (or higher) on the repository; the writer role can push and tag but not delete.';

/** A manifest DELETE through the run's Registry API call (its slot, rate-limit budget and waits). */
function deleteManifest(ctx: DriverContext, repository: string, ref: string): Promise<HttpOutcome> {
  return registryMutation(ctx, { method: 'DELETE', repository, path: `/v2/${repository}/manifests/${encodeURIComponent(ref)}`, actions: ['delete'], headers: { accept: 'application/json' }, maxBytes: 64 * 1024 });
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
    const out = answered(await deleteManifest(ctx, group.repository, tag));
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
  const out = answered(await deleteManifest(ctx, group.repository, group.digest));
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
export function gcrRestoreTag(ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> {
  return reputManifest(ctx, entry, { registryTitle: 'Artifact Registry', refusalHint: restoreRefusalHint });
}

function restoreRefusalHint(res: RegistryResponse): string | undefined {
  if (res.status === 401 || res.status === 403) return 'Restoring needs roles/artifactregistry.writer (or higher) on the repository.';
  // Google answers a manifest whose layers are gone with a bare 400.
  if (res.status === 400) return "The registry no longer holds all of the image's layers (they were cleaned up): push the image again instead.";
  return undefined;
}
