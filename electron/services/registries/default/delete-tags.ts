import { MANIFEST_ACCEPT } from '../../../../shared/inventory/classify';
import type { DriverContext } from '../../inventory/types';
import type { DeleteGroup, TagDeleteResult } from '../types';
import { answerError, deleteManifest, transportError } from './registry-calls';
import { runState } from './run-state';
import { untag } from './untag';

export const DIGEST_DELETE_CALL = 'DELETE /v2/<name>/manifests/<digest>';

/**
 * The default driver's delete: the manifest goes (one DELETE by digest, which removes every tag on
 * it) only when the executor found no tag outside the plan on it; otherwise each tag is untagged
 * and the manifest stays for the tags that keep it.
 */
export async function deleteTags(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  if (group.tags.length === 0) return [];
  if (group.digestGoes) return deleteDigest(ctx, group);
  return Promise.all(group.tags.map((tag) => untag(ctx, group.repository, tag, group.digest)));
}

async function deleteDigest(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  const { repository, digest, tags } = group;
  const what = `DELETE /v2/${repository}/manifests/${digest}`;
  const each = (r: Omit<TagDeleteResult, 'tag' | 'method'>): TagDeleteResult[] => tags.map((tag) => ({ tag, method: DIGEST_DELETE_CALL, ...r }));
  const out = await runState(ctx).phases(repository).run('delete', () => deleteManifest(ctx, repository, digest));
  if (!out.ok) {
    // The DELETE may have reached the registry before the connection died: ask whether the
    // manifest is still there, so the report says exactly what happened.
    const still = ctx.signal.aborted ? null : await manifestExists(ctx, repository, digest);
    if (still === false) return each({ outcome: 'deleted', detail: `the connection failed (${out.error.message}), but the manifest is gone` });
    return each({ outcome: 'failed', error: transportError(out.error, what) });
  }
  const res = out.response;
  if (res.status === 202 || res.status === 200) return each({ outcome: 'deleted' });
  if (res.status === 404) return each({ outcome: 'already-gone', detail: `${repository}@${digest} no longer exists` });
  if (res.status >= 500) {
    // distribution 2.x removes the manifest before it looks up the tags on it; when that lookup
    // fails it answers 500 with the manifest already gone. Report what the registry now holds.
    const still = await manifestExists(ctx, repository, digest);
    if (still === false) {
      return each({ outcome: 'deleted', detail: `the registry answered HTTP ${res.status}, but the manifest is gone; a tag that pointed at it may stay listed without content until it is restored or pushed again` });
    }
  }
  return each({ outcome: 'failed', error: answerError(res, what) });
}

/** true / false when the registry said so; null when it could not be asked. */
export async function manifestExists(ctx: DriverContext, repository: string, reference: string): Promise<boolean | null> {
  const out = await ctx.registryRequest({ method: 'HEAD', repository, path: `/v2/${repository}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT } });
  if (!out.ok) return null;
  if (out.response.status === 200) return true;
  if (out.response.status === 404) return false;
  return null;
}
