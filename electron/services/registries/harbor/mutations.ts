import type { AppError } from '../../../../shared/api/result';
import type { DriverContext } from '../../inventory/types';
import { safeUrl } from '../../registry/errors';
import { apiToken, apiUrl, apiUsername, basic } from '../api-auth';
import { parseErrorBody } from '../../registry/errors';
import type { RegistryResponse } from '../../registry/http';
import { appErrorFrom, reputManifest, responseAppError } from '../mutations-toolkit';
import type { DeleteGroup, DeleteOutcome, MutationOutcome, RegistryDriver, RestoreEntry, TagDeleteResult } from '../types';
import { harborApiBase } from './api';
import { harborRepositoryPath } from './listing';

const ROLE_HINT = 'In Harbor, project admins and maintainers can delete artifacts and tags; developers and guests cannot. Robot accounts need artifact:delete and tag:delete.';

/**
 * Harbor's 412 PRECONDITION has two causes worth telling apart (registry-apis.md §8; issue #18.7):
 * an immutability rule protects a tag, or an image index still references the artifact.
 */
function preconditionHint(message: string): string {
  if (/referenced by others/i.test(message)) {
    return 'An image index in this repository still references this artifact: delete the index first (Harbor then removes its untagged children), or keep this tag.';
  }
  if (/immutable/i.test(message)) {
    return 'A tag immutability rule of the project protects it: change the rule in Harbor (Project → Policy → Tag Immutability) if it may go, or leave it out of the plan.';
  }
  return 'Harbor refused the delete (a project policy): check the project\'s policies.';
}

function registryMessage(res: RegistryResponse): string {
  return parseErrorBody(res.body, res.headers.get('content-type')).message ?? '';
}

type Sent = { outcome: DeleteOutcome; detail?: string; error?: AppError };

async function harborDelete(ctx: DriverContext, url: URL, what: string, gone: DeleteOutcome, authorization: ReturnType<typeof basic>): Promise<Sent> {
  const call = `DELETE ${safeUrl(url)}`;
  const out = await ctx.request({ method: 'DELETE', url, authorization, headers: { accept: 'application/json', 'x-is-resource-name': 'true' }, signal: ctx.signal, followRedirects: false, maxBytes: 1024 * 1024 });
  if (!out.ok) return { outcome: 'failed', error: appErrorFrom(out.error, { call }) };
  const res = out.response;
  if (res.status === 200 || res.status === 202 || res.status === 204) return { outcome: gone, detail: `${call} → ${res.status}` };
  // The artifact, or the tag on it, is not there any more: a rerun deletes nothing twice. But
  // Harbor also answers 404 for a project the login cannot see, and that deleted nothing.
  if (res.status === 404 && !/project/i.test(registryMessage(res))) return { outcome: 'already-gone', detail: `${call} → 404: ${what} is no longer there` };
  if (res.status === 404) {
    return { outcome: 'failed', error: responseAppError(res, 'DELETE', call, `The project does not exist, or this login cannot see it: nothing was deleted. ${ROLE_HINT}`) };
  }
  const hint =
    res.status === 412
      ? preconditionHint(res.text())
      : res.status === 401
        ? 'Harbor refused the login: check the user name and password (robot accounts: robot$<project>+<name> and its secret).'
        : res.status === 403
          ? ROLE_HINT
          : res.status === 429
            ? 'Harbor kept throttling after retries: run the cleanup again later; what is gone is reported as such.'
            : undefined;
  return { outcome: 'failed', error: responseAppError(res, 'DELETE', call, hint) };
}

/**
 * Harbor's own API with HTTP Basic (registry-apis.md §8): when the digest goes, the artifact is
 * deleted (`DELETE …/artifacts/<digest>`, all its tags with it; an index takes its untagged
 * children); otherwise each tag is removed from the artifact (`DELETE …/artifacts/<digest>/tags/<tag>`).
 * The repository part of the path is URL-encoded twice (`team/sub/app` → `sub%252Fapp`).
 */
async function deleteTags(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  const username = apiUsername(ctx.credential);
  const secret = apiToken(ctx.credential);
  const path = harborRepositoryPath(group.repository);
  const refuse = (error: AppError): TagDeleteResult[] => group.tags.map((tag) => ({ tag, outcome: 'failed', method: 'Harbor API DELETE', error }));
  if (!username || !secret) {
    return refuse({ code: 'needs-harbor-login', message: 'Harbor deletes go through its API, which takes a user name and password (or a robot account and its secret); this login has none.', hint: `Log in with a Harbor user or robot account. ${ROLE_HINT}` });
  }
  if (path === null) return refuse({ code: 'no-project', message: `${group.repository} has no Harbor project part`, hint: 'Harbor repositories are <project>/<name>.' });
  const authorization = basic(username, secret);
  const artifact = `/projects/${encodeURIComponent(path.project)}/repositories/${path.repositorySegment}/artifacts/${group.digest}`;
  const api = harborApiBase(ctx.baseUrl, ctx.settings?.apiBaseUrl);
  if (group.digestGoes) {
    const url = apiUrl(api, artifact);
    const sent = await harborDelete(ctx, url, `artifact ${group.digest}`, 'deleted', authorization);
    return group.tags.map((tag) => ({ tag, method: `DELETE ${safeUrl(url)}`, ...sent }));
  }
  const results: TagDeleteResult[] = [];
  for (const tag of group.tags) {
    const url = apiUrl(api, `${artifact}/tags/${encodeURIComponent(tag)}`);
    results.push({ tag, method: `DELETE ${safeUrl(url)}`, ...(await harborDelete(ctx, url, `tag ${tag} on ${group.digest}`, 'untagged', authorization)) });
  }
  return results;
}

function unexpected(error: unknown): AppError {
  return { code: 'internal', message: `Harbor mutation failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`, hint: 'Check the artifacts in Harbor; a rerun reports what is already gone.' };
}

/** Deletes through the Harbor API; restores by re-PUT of the recorded manifest through `/v2` (undo 'reput'). */
export const harborMutations: Pick<RegistryDriver, 'deleteTags' | 'restoreTag'> = {
  deleteTags: (ctx, group) => deleteTags(ctx, group).catch((error: unknown) => group.tags.map((tag) => ({ tag, outcome: 'failed' as const, method: 'Harbor API DELETE', error: unexpected(error) }))),
  restoreTag: (ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> => reputManifest(ctx, entry, { registryTitle: 'Harbor' }).catch((error: unknown) => ({ ok: false as const, error: unexpected(error) })),
};
