import type { AppError } from '../../../../shared/api/result';
import { MANIFEST_ACCEPT } from '../../../../shared/inventory/classify';
import { repositoryScope } from '../../../../shared/registry/auth-challenge';
import type { DriverContext } from '../../inventory/types';
import type { HttpOutcome } from '../../registry/http';
import { apiUrl } from '../api-auth';
import { CANCELLED, failedForAll, outcome, rateLimitAnswer, reputManifest, saidText, statusCoded, tagByTag } from '../mutations-toolkit';
import type { DeleteGroup, MutationOutcome, RestoreEntry, TagDeleteResult } from '../types';
import { gitlabApiAuth, gitlabApiBase, type GitlabApiAuth } from './api';
import { repositoryId } from './listing';
import { perRun } from '../../inventory/drivers/common';

/*
 * Why not GitLab's bulk delete (`DELETE …/registry/repositories/:id/tags` with name_regex_delete):
 * it is asynchronous (202, no per-tag result to report or audit), never removes `latest`, skips
 * protected tags silently, selects by regex (it could take tags the plan keeps) and runs at most
 * once an hour per repository. A reviewed plan is carried out exactly, tag by tag, instead.
 */

const ROLE_HINT = 'Deleting tags needs the Developer role or higher in the project, and a token with the api scope (or the CI job token of a pipeline of this project).';
const PROTECTED_HINT = 'The tag is protected (Settings → Packages and registries → Protected container tags): only the role its rule names may delete it.';

const { appErrorFrom, responseAppError } = statusCoded;

/** The Registry API tag delete this run found working (werf's order and fallbacks, werf.md §3.2). */
type V2Method = 'manifests' | 'tags-reference' | 'digest-only';
const v2Method = perRun<{ method?: V2Method }>(() => ({}));

/**
 * GitLab removes tags one by one. With an API token (or a CI job token, `JOB-TOKEN`, for its own
 * project) through the REST tag delete; otherwise through the Registry API: `DELETE
 * /v2/<name>/manifests/<tag>` (16.4+), else the older `DELETE /v2/<name>/tags/reference/<tag>`,
 * else, only when every tag on the digest goes, the manifest by digest. A tag delete leaves the
 * manifest untagged until GitLab's garbage collection, so those tags are `untagged`. After a 429
 * the rest of the group is not sent.
 */
export async function gitlabDeleteTags(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  const api = gitlabApiBase({ registry: ctx.registry, settings: ctx.settings, scheme: ctx.auth.scheme ?? { kind: 'none' } });
  const auth = gitlabApiAuth(ctx.credential);
  if (api !== null && auth !== null) {
    const found = await repositoryId(ctx, api, group.repository, auth);
    if (ctx.signal.aborted) return failedForAll(group.tags, 'none', CANCELLED);
    if (!found.ok && found.fallback === undefined) {
      return failedForAll(group.tags, 'none', { code: 'gitlab-api', message: found.failure.message, hint: found.failure.hint ?? ROLE_HINT });
    }
    if (found.ok && found.value !== null) return viaRest(ctx, api, auth, found.value, group);
    // A password or deploy token (the API refuses it), or a job token outside its project: /v2.
  }
  return viaRegistry(ctx, group);
}

async function viaRest(ctx: DriverContext, api: string, auth: GitlabApiAuth, repo: { id: number; project: string }, group: DeleteGroup): Promise<TagDeleteResult[]> {
  const left = group.digestGoes ? "; no tag is left on the manifest, which GitLab's garbage collection frees" : '';
  const { results } = await tagByTag(ctx, group.tags, async (tag) => {
    const url = apiUrl(api, `/projects/${encodeURIComponent(repo.project)}/registry/repositories/${repo.id}/tags/${encodeURIComponent(tag)}`);
    const out = await ctx.request({ method: 'DELETE', url, ...(auth.authorization ? { authorization: auth.authorization } : {}), headers: { accept: 'application/json', ...(auth.headers ?? {}) }, signal: ctx.signal, maxBytes: 64 * 1024 });
    return judgeRest(out, tag, `GitLab API DELETE ${url.pathname}`, `DELETE ${url.pathname}`, left);
  });
  return results;
}

function judgeRest(out: HttpOutcome, tag: string, method: string, what: string, left: string): TagDeleteResult {
  if (!out.ok) return outcome(tag, 'failed', method, { error: appErrorFrom(out.error) });
  const res = out.response;
  if (res.status === 200 || res.status === 202 || res.status === 204) return outcome(tag, 'untagged', method, { detail: `tag deleted${left}` });
  // The executor resolved the tag just before: a 404 now means it went meanwhile.
  if (res.status === 404) return outcome(tag, 'already-gone', method, { detail: 'GitLab no longer has this tag' });
  if (res.status === 429) return outcome(tag, 'failed', method, { error: rateLimitAnswer(what, res, "GitLab's rate limit") });
  const said = saidText(res);
  const hint =
    res.status === 403 && /protected/i.test(said)
      ? PROTECTED_HINT
      : res.status === 403 && /insufficient_scope/i.test(said)
        ? 'The token needs the api scope to delete (read_api only lists).'
        : res.status === 401 || res.status === 403
          ? `${ROLE_HINT} Protected tags also answer 403.`
          : undefined;
  return outcome(tag, 'failed', method, { error: responseAppError(res, 'DELETE', what, hint) });
}

type Step = { kind: 'done'; result: TagDeleteResult } | { kind: 'unsupported' };

async function viaRegistry(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  const name = group.repository;
  const memo = v2Method(ctx);
  const byDigest: string[] = [];
  const { results, stopped } = await tagByTag(ctx, group.tags, async (tag) => {
    let step: Step = { kind: 'unsupported' };
    if (memo.method === undefined || memo.method === 'manifests') {
      step = await tagDelete(ctx, name, tag, `/v2/${name}/manifests/${encodeURIComponent(tag)}`);
      if (step.kind === 'done' && step.result.outcome === 'untagged') memo.method = 'manifests';
    }
    if (step.kind === 'unsupported' && memo.method !== 'digest-only') {
      step = await tagDelete(ctx, name, tag, `/v2/${name}/tags/reference/${encodeURIComponent(tag)}`);
      if (step.kind === 'done' && step.result.outcome === 'untagged') memo.method = 'tags-reference';
      if (step.kind === 'unsupported') memo.method = 'digest-only';
    }
    if (step.kind === 'done') return step.result;
    byDigest.push(tag);
    return null;
  });
  if (byDigest.length > 0) results.push(...(await digestDelete(ctx, group, byDigest, stopped)));
  // One result per tag, in the group's order.
  return group.tags.map((t) => results.find((r) => r.tag === t) ?? outcome(t, 'failed', 'none', { error: { code: 'internal', message: `no result for ${t}` } }));
}

/** One Registry API tag delete; `unsupported` when this registry does not delete by tag this way. */
async function tagDelete(ctx: DriverContext, name: string, tag: string, path: string): Promise<Step> {
  const method = `DELETE ${path}`;
  const r = await ctx.auth.request({ method: 'DELETE', path, scopes: [repositoryScope(name, ['delete'])], signal: ctx.signal });
  if (!r.outcome.ok) return { kind: 'done', result: outcome(tag, 'failed', method, { error: appErrorFrom(r.outcome.error) }) };
  const res = r.outcome.response;
  if (res.status === 202 || res.status === 200 || res.status === 204) return { kind: 'done', result: outcome(tag, 'untagged', method, { detail: "tag deleted through the Registry API; the manifest stays until GitLab's garbage collection" }) };
  if (res.status === 429) return { kind: 'done', result: outcome(tag, 'failed', method, { error: rateLimitAnswer(method, res, "GitLab's rate limit") }) };
  if (res.status === 401 || res.status === 403) {
    const hint = /protected/i.test(saidText(res)) ? PROTECTED_HINT : `${ROLE_HINT} A CI job token cannot delete through the Registry API; set the GitLab API base URL so its REST API is used.`;
    return { kind: 'done', result: outcome(tag, 'failed', method, { error: responseAppError(res, 'DELETE', method, hint) }) };
  }
  if (res.status === 404 || res.status === 405 || (res.status === 400 && /DIGEST_INVALID|UNSUPPORTED/.test(saidText(res)))) {
    // A 404 is also what a deleted tag answers: ask whether the tag is still there.
    if (res.status === 404 && !(await tagExists(ctx, name, tag))) return { kind: 'done', result: outcome(tag, 'already-gone', method, { detail: 'the registry no longer has this tag' }) };
    return { kind: 'unsupported' };
  }
  return { kind: 'done', result: outcome(tag, 'failed', method, { error: responseAppError(res, 'DELETE', method) }) };
}

async function tagExists(ctx: DriverContext, name: string, tag: string): Promise<boolean> {
  const r = await ctx.auth.request({ method: 'HEAD', path: `/v2/${name}/manifests/${encodeURIComponent(tag)}`, scopes: [repositoryScope(name, ['pull'])], headers: { accept: MANIFEST_ACCEPT }, signal: ctx.signal });
  return !r.outcome.ok || r.outcome.response.status !== 404;
}

/** The last fallback: the manifest by digest, which removes every tag on it, so only when all of them go. */
async function digestDelete(ctx: DriverContext, group: DeleteGroup, tags: string[], stopped: AppError | null): Promise<TagDeleteResult[]> {
  const path = `/v2/${group.repository}/manifests/${group.digest}`;
  const method = `DELETE ${path}`;
  if (stopped) return failedForAll(tags, 'none', stopped);
  if (ctx.signal.aborted) return failedForAll(tags, 'none', CANCELLED);
  if (!group.digestGoes) {
    return tags.map((tag) =>
      outcome(tag, 'skipped', 'none', { detail: 'this GitLab registry deletes only by digest, which would also remove the tags that stay on it (cannot untag); give Stowage a GitLab API token to delete single tags' }),
    );
  }
  const r = await ctx.auth.request({ method: 'DELETE', path, scopes: [repositoryScope(group.repository, ['delete'])], signal: ctx.signal });
  if (!r.outcome.ok) return failedForAll(tags, method, appErrorFrom(r.outcome.error));
  const res = r.outcome.response;
  if (res.status === 202 || res.status === 200 || res.status === 204) return tags.map((tag) => outcome(tag, 'deleted', method, { detail: 'manifest deleted by digest (no tag stays on it)' }));
  if (res.status === 404) return tags.map((tag) => outcome(tag, 'already-gone', method, { detail: 'the manifest is gone' }));
  if (res.status === 429) return failedForAll(tags, method, rateLimitAnswer(method, res, "GitLab's rate limit"));
  const hint = res.status === 401 || res.status === 403 ? (/protected/i.test(saidText(res)) ? PROTECTED_HINT : ROLE_HINT) : undefined;
  return failedForAll(tags, method, responseAppError(res, 'DELETE', method, hint));
}

/** GitLab keeps no tag history: a deleted tag comes back by re-PUT of the recorded manifest while its blobs are there. */
export function gitlabRestoreTag(ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> {
  return reputManifest(ctx, entry, { registryTitle: 'GitLab', codeFrom: 'status' });
}
