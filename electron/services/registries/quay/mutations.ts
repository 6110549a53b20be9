import { repositoryScope } from '../../../../shared/registry/auth-challenge';
import type { DriverContext } from '../../inventory/types';
import type { HttpOutcome } from '../../registry/http';
import { apiToken, apiUrl, bearer } from '../api-auth';
import { failedForAll, notRestored, outcome, rateLimitAnswer, restored, reputManifest, statusCoded, tagByTag } from '../mutations-toolkit';
import type { DeleteGroup, MutationOutcome, RestoreEntry, TagDeleteResult } from '../types';
import { quayApiBase } from './api';
import { quayCredentialKind } from './credential';
import { digest, nativeRequest, record, str } from '../../inventory/drivers/common';

const OAUTH_HINT = 'The OAuth application token needs the repo:write scope, and its user write (or admin) permission on the repository.';
const ROBOT_HINT = 'The robot account (or user) needs write (or admin) permission on the repository; Quay deletes through /v2 with the pull,push scope.';

const { appErrorFrom, responseAppError } = statusCoded;

function encodedPath(repository: string): { ns: string; path: string } | null {
  const slash = repository.indexOf('/');
  if (slash <= 0) return null;
  const ns = repository.slice(0, slash);
  const name = repository.slice(slash + 1);
  return { ns, path: `${encodeURIComponent(ns)}/${name.split('/').map(encodeURIComponent).join('/')}` };
}

/**
 * Quay removes tags one by one: with an OAuth application token through the tag API (the tag is
 * ended and stays restorable in the tag history during the namespace's time-machine window), with
 * a robot account or password through `/v2` DELETE by tag (the only `/v2` delete that touches just
 * the plan's tags: by digest, Quay ends every tag on the manifest). The manifest itself stays until
 * Quay garbage-collects it after the window, so every tag is `untagged`, even when none is left.
 * After a 429 the rest of the group is not sent.
 */
export async function quayDeleteTags(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  const kind = quayCredentialKind(ctx.credential);
  const repo = encodedPath(group.repository);
  if (repo === null) return failedForAll(group.tags, 'none', { code: 'bad-repository', message: `${group.repository} is not <namespace>/<repository>`, hint: 'Quay repositories live under a namespace.' });
  if (kind === 'anonymous') return failedForAll(group.tags, 'none', { code: 'no-credential', message: 'Deleting Quay tags needs a credential', hint: `${OAUTH_HINT} A robot account with write permission works too.` });
  const left = group.digestGoes ? '; no tag is left on the manifest, which Quay garbage-collects after the time-machine window' : '';
  const { results } = await tagByTag(ctx, group.tags, async (tag) => {
    const r = kind === 'oauth' ? await viaTagApi(ctx, repo.path, tag) : await viaRegistry(ctx, group.repository, tag);
    return r.outcome === 'untagged' ? { ...r, detail: `${r.detail ?? ''}${left}`, restore: { manifestDigest: group.digest } } : r;
  });
  return results;
}

async function viaTagApi(ctx: DriverContext, path: string, tag: string): Promise<TagDeleteResult> {
  const api = quayApiBase(ctx.baseUrl, ctx.settings?.apiBaseUrl);
  const token = apiToken(ctx.credential);
  const url = apiUrl(api, `/repository/${path}/tag/${encodeURIComponent(tag)}`);
  const method = `Quay API DELETE ${url.pathname}`;
  if (token === null) return outcome(tag, 'failed', method, { error: { code: 'no-token', message: 'No Quay OAuth token', hint: OAUTH_HINT } });
  const out = await ctx.request({ method: 'DELETE', url, authorization: bearer(token), headers: { accept: 'application/json' }, signal: ctx.signal, maxBytes: 64 * 1024 });
  return judge(out, tag, method, `DELETE ${url.pathname}`, [200, 204], 'tag ended (restorable from Quay\'s tag history during the time-machine window)', OAUTH_HINT);
}

async function viaRegistry(ctx: DriverContext, repository: string, tag: string): Promise<TagDeleteResult> {
  const path = `/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
  const method = `DELETE ${path}`;
  // Quay wants push (with pull) for a registry DELETE, not distribution's `delete`.
  const r = await ctx.auth.request({ method: 'DELETE', path, scopes: [repositoryScope(repository, ['pull', 'push'])], signal: ctx.signal });
  return judge(r.outcome, tag, method, method, [202, 200], 'tag removed through the Registry API (Quay keeps it in the tag history)', ROBOT_HINT);
}

function judge(out: HttpOutcome, tag: string, method: string, what: string, okStatuses: number[], detail: string, deniedHint: string): TagDeleteResult {
  if (!out.ok) return outcome(tag, 'failed', method, { error: appErrorFrom(out.error) });
  const res = out.response;
  if (okStatuses.includes(res.status)) return outcome(tag, 'untagged', method, { detail });
  // The executor resolved this tag just before: a 404 now means someone else removed it meanwhile.
  if (res.status === 404) return outcome(tag, 'already-gone', method, { detail: 'Quay no longer has this tag' });
  if (res.status === 429) return outcome(tag, 'failed', method, { error: rateLimitAnswer(what, res, 'Quay is throttling') });
  const hint = res.status === 401 || res.status === 403 ? deniedHint : res.status === 405 || res.status === 400 ? 'This Quay refused the delete; an OAuth application token with repo:write uses the tag API instead.' : undefined;
  return outcome(tag, 'failed', method, { error: responseAppError(res, what.split(' ')[0] ?? 'DELETE', what, hint) });
}

/**
 * Quay's own restore (`POST …/tag/<tag>/restore {manifest_digest}`) with an OAuth token; Quay would
 * move a tag that was pushed again since, so where it points now is checked first and a newer push
 * is never overwritten. Robots cannot use the API: they put the recorded manifest back through
 * `/v2`, which works while Quay still holds it (the same time-machine window).
 */
export async function quayRestoreTag(ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> {
  const kind = quayCredentialKind(ctx.credential);
  if (kind === 'anonymous') return notRestored({ code: 'no-credential', message: 'Restoring a Quay tag needs a credential', hint: OAUTH_HINT });
  if (kind !== 'oauth') return reputManifest(ctx, entry, { registryTitle: 'Quay', codeFrom: 'status' });
  const repo = encodedPath(entry.repository);
  const token = apiToken(ctx.credential);
  if (repo === null || token === null) return notRestored({ code: 'bad-repository', message: `${entry.repository}:${entry.tag} cannot be restored through Quay's API`, hint: OAUTH_HINT });
  const api = quayApiBase(ctx.baseUrl, ctx.settings?.apiBaseUrl);
  const authorization = bearer(token);
  const where = `${entry.repository}:${entry.tag}`;
  const listUrl = apiUrl(api, `/repository/${repo.path}/tag/`);
  listUrl.searchParams.set('onlyActiveTags', 'true');
  listUrl.searchParams.set('specificTag', entry.tag);
  const live = await nativeRequest(ctx, { url: listUrl, authorization });
  if (!live.ok) return notRestored(appErrorFrom(live.error));
  if (live.response.status !== 200) return notRestored(responseAppError(live.response, 'GET', `GET ${listUrl.pathname}`, live.response.status === 401 || live.response.status === 403 ? OAUTH_HINT : undefined));
  const tags = record(live.response.json())?.tags;
  const current = (Array.isArray(tags) ? tags : []).map(record).find((t) => str(t?.name) === entry.tag);
  if (current) {
    const now = digest(current.manifest_digest);
    if (now === entry.digest) return restored(`${where} already points at ${entry.digest}`);
    return notRestored({ code: 'tag-moved', message: `${where} now points at ${now ?? 'another manifest'}; it was not moved back`, hint: 'Someone pushed this tag again after the cleanup. Restore it by hand from the tag history if the old image is what you want.' });
  }
  const url = apiUrl(api, `/repository/${repo.path}/tag/${encodeURIComponent(entry.tag)}/restore`);
  const out = await ctx.request({ method: 'POST', url, authorization, headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify({ manifest_digest: entry.digest }), signal: ctx.signal, maxBytes: 64 * 1024 });
  if (!out.ok) return notRestored(appErrorFrom(out.error));
  const res = out.response;
  if (res.status === 200 || res.status === 201 || res.status === 204) return restored(`${where} restored from Quay's tag history`);
  if (res.status === 429) return notRestored(rateLimitAnswer(`POST ${url.pathname}`, res, 'Quay is throttling'));
  const hint =
    res.status === 404
      ? "Quay restores a tag only during the namespace's time-machine window; after it the manifest is garbage-collected. Push the image again."
      : res.status === 401 || res.status === 403
        ? OAUTH_HINT
        : undefined;
  return notRestored(responseAppError(res, 'POST', `POST ${url.pathname}`, hint));
}
