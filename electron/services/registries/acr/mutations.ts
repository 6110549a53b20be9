import type { AppError } from '../../../../shared/api/result';
import type { DriverContext } from '../../inventory/types';
import type { RegistryResponse } from '../../registry/http';
import { appErrorFrom, registryCode, registryMutation, reputManifest, responseAppError } from '../mutations-toolkit';
import type { DeleteGroup, DeleteOutcome, MutationOutcome, RegistryDriver, RestoreEntry, TagDeleteResult } from '../types';

const DELETE_ROLES =
  'Deleting needs AcrDelete, Contributor or Owner on the registry (ABAC-mode registries: "Container Registry Repository Contributor"); repository-scoped tokens need content/delete.';

/**
 * A locked image (container-registry-image-lock: `deleteEnabled` or `writeEnabled` false) is
 * refused with 405 and ACR's "operation is disallowed" message. (unverified: the exact status and
 * code; registry-apis.md §11.2.)
 */
function isLockRefusal(res: RegistryResponse, code: string | undefined): boolean {
  return res.status === 405 || (code === 'DENIED' && /disallowed/i.test(res.text()));
}

function lockHint(registry: string, repository: string, ref: string): string {
  const name = registry.split('.')[0] ?? registry;
  return `It is locked in ACR (deleteEnabled or writeEnabled is false). Unlock it if it may go: az acr repository update --name ${name} --image ${repository}${ref.startsWith('sha256:') ? '@' : ':'}${ref} --delete-enabled true --write-enabled true; otherwise leave it out of the plan.`;
}

/** One DELETE and what it means for the tags it covers. */
async function send(ctx: DriverContext, path: string, repository: string, ref: string, gone: DeleteOutcome): Promise<{ outcome: DeleteOutcome; detail?: string; error?: AppError }> {
  const call = `DELETE ${path}`;
  const out = await registryMutation(ctx, { method: 'DELETE', repository, path, actions: ['delete'] });
  if (!out.ok) return { outcome: 'failed', error: appErrorFrom(out.error, { call }) };
  const res = out.response;
  if (res.status === 202 || res.status === 200 || res.status === 204) return { outcome: gone, detail: `${call} → ${res.status}` };
  const code = registryCode(res);
  // The tag or manifest is not there any more: a rerun of the same plan deletes nothing twice.
  if (res.status === 404 && code !== 'NAME_UNKNOWN') return { outcome: 'already-gone', detail: `${call} → 404 ${code ?? ''}`.trim() };
  if (res.status === 404) return { outcome: 'already-gone', detail: `${call} → 404: the repository no longer exists` };
  const hint = isLockRefusal(res, code)
    ? lockHint(ctx.registry, repository, ref)
    : res.status === 401 || res.status === 403
      ? DELETE_ROLES
      : res.status === 429
        ? 'ACR kept throttling after retries (limits depend on the SKU): run the cleanup again later; what is gone is reported as such.'
        : undefined;
  return { outcome: 'failed', error: responseAppError(res, 'DELETE', call, hint) };
}

/**
 * ACR's two delete calls (registry-apis.md §3): when the digest goes, `DELETE /v2/<name>/manifests/<digest>`
 * removes the manifest with every tag on it in one call; otherwise each tag is untagged through
 * `DELETE /acr/v1/<name>/_tags/<tag>` and the manifest stays. Locked images are refused by ACR
 * and reported as failed with the unlock command.
 */
async function deleteTags(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  if (group.digestGoes) {
    const path = `/v2/${group.repository}/manifests/${group.digest}`;
    const out = await send(ctx, path, group.repository, group.digest, 'deleted');
    return group.tags.map((tag) => ({ tag, method: `DELETE ${path}`, ...out }));
  }
  const results: TagDeleteResult[] = [];
  for (const tag of group.tags) {
    const path = `/acr/v1/${group.repository}/_tags/${encodeURIComponent(tag)}`;
    results.push({ tag, method: `DELETE ${path}`, ...(await send(ctx, path, group.repository, tag, 'untagged')) });
  }
  return results;
}

/** Re-PUT through `/v2`; a tag locked against writes (it was re-pushed and locked since) says how to unlock it. */
async function restoreTag(ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> {
  const out = await reputManifest(ctx, entry, { registryTitle: 'ACR' });
  if (out.ok || out.error.details?.status !== 405) return out;
  return { ok: false, error: { ...out.error, hint: lockHint(ctx.registry, entry.repository, entry.tag) } };
}

function unexpected(error: unknown): AppError {
  return { code: 'internal', message: `ACR mutation failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`, hint: 'Check the tags in the Azure portal; a rerun reports what is already gone.' };
}

/** Deletes and restores (re-PUT of the recorded manifest through `/v2`, undo 'reput'). */
export const acrMutations: Pick<RegistryDriver, 'deleteTags' | 'restoreTag'> = {
  deleteTags: (ctx, group) => deleteTags(ctx, group).catch((error: unknown) => group.tags.map((tag) => ({ tag, outcome: 'failed' as const, method: 'ACR delete', error: unexpected(error) }))),
  restoreTag: (ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> => restoreTag(ctx, entry).catch((error: unknown) => ({ ok: false as const, error: unexpected(error) })),
};
