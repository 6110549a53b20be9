import type { AppError } from '../../../../shared/api/result';
import type { Secret } from '../../credentials/secret';
import { nativeRequest, perRun } from '../../inventory/drivers/common';
import type { DriverContext } from '../../inventory/types';
import { safeUrl } from '../../registry/errors';
import { apiToken, apiUrl, apiUsername, bearer } from '../api-auth';
import { answered, appErrorFrom, failedForAll, responseAppError } from '../mutations-toolkit';
import { rateLimitMessage, rateLimitedUntil, withRateLimitWaits } from '../rate-limit-wait';
import type { DeleteGroup, MutationOutcome, RestoreEntry, TagDeleteResult } from '../types';
import { hubApiBase, hubApiLogin } from './hub-api';

const DELETE_HINT =
  'Docker Hub deletes tags with a personal access token whose scope is "Read, Write, Delete" (or the account password) of a user with admin rights on the repository; "Read & Write" tokens and organization access tokens cannot delete.';

/** The Hub API JWT of a run's credential, logged in once per run (the listing logs in on its own). */
const hubLogin = perRun<{ jwt: Promise<{ ok: true; jwt: Secret } | { ok: false; error: AppError }> | null }>(() => ({ jwt: null }));

async function login(ctx: DriverContext, api: string): Promise<{ ok: true; jwt: Secret } | { ok: false; error: AppError }> {
  const username = apiUsername(ctx.credential);
  const secret = apiToken(ctx.credential);
  if (!username || !secret) {
    return { ok: false, error: { code: 'credential-needed', message: 'Deleting on Docker Hub needs a user name with a password or access token; this credential has none.', hint: DELETE_HINT } };
  }
  const out = await hubApiLogin((url, body) => nativeRequest(ctx, { method: 'POST', url, headers: { 'content-type': 'application/json' }, body }), api, username, secret);
  if (out.ok) return { ok: true, jwt: out.jwt };
  if ('transport' in out) return { ok: false, error: appErrorFrom(out.transport) };
  const hint = out.sso ? 'The organization enforces SSO, so password logins fail: use a personal access token.' : `Docker Hub refused the login for "${username}". ${DELETE_HINT}`;
  return { ok: false, error: responseAppError(out.response, 'POST', `Docker Hub API login as "${username}" (${out.how})`, hint) };
}

/** `Docker Hub API DELETE /v2/repositories/<ns>/<repo>/tags/<tag>/`: the audit log's method. */
function methodOf(ns: string, repo: string, tag: string): string {
  return `Docker Hub API DELETE /v2/repositories/${ns}/${repo}/tags/${tag}/`;
}

/**
 * Removes each tag with the Hub API's tag DELETE. Hub has no public manifest delete, so a group
 * whose digest may go is handled the same way: the tags go, the untagged image stays on Hub
 * (`untagged`, never `deleted`). A 404 is `already-gone`: the executor resolved the tag just
 * before, so a rerun or a concurrent delete is the only way it can be missing now.
 */
export async function dockerhubDeleteTags(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  const [ns = '', repo = '', ...rest] = group.repository.split('/');
  const generic = 'Docker Hub API DELETE /v2/repositories/<namespace>/<repo>/tags/<tag>/';
  const api = hubApiBase(ctx.registry, ctx.settings?.apiBaseUrl);
  if (api === null) {
    return failedForAll(group.tags, generic, {
      code: 'no-hub-api',
      message: `${ctx.registry} is not a Docker Hub host and no Hub API base URL is set, so nothing was deleted (the credential is not sent to hub.docker.com for another registry).`,
      hint: "Set this registry's API base URL to its Hub-compatible API, or pick the implementation that matches the registry.",
    });
  }
  if (rest.length > 0 || ns === '' || repo === '') {
    return failedForAll(group.tags, generic, { code: 'bad-repository', message: `${group.repository} is not a Docker Hub repository (namespace/name).`, hint: 'Docker Hub has no nested repositories.' });
  }
  const state = hubLogin(ctx);
  state.jwt ??= login(ctx, api);
  const jwt = await state.jwt;
  if (!jwt.ok) {
    // A refused login is not retried for every group of the run, but a cancelled or dropped one is.
    if (jwt.error.code === 'cancelled' || !jwt.error.details) state.jwt = null;
    return failedForAll(group.tags, generic, jwt.error);
  }
  const results: TagDeleteResult[] = [];
  for (const tag of group.tags) {
    const method = methodOf(ns, repo, tag);
    const url = apiUrl(api, `/v2/repositories/${encodeURIComponent(ns)}/${encodeURIComponent(repo)}/tags/${encodeURIComponent(tag)}/`);
    const out = answered(
      await withRateLimitWaits(ctx, 'Docker Hub', () =>
        ctx.request({ method: 'DELETE', url, authorization: bearer(jwt.jwt), headers: { accept: 'application/json' }, signal: ctx.signal, maxBytes: 64 * 1024 }),
      ),
    );
    if (!out.ok) {
      results.push({ tag, outcome: 'failed', method, error: out.error });
      continue;
    }
    const res = out.res;
    const what = `DELETE ${safeUrl(url)}`;
    if (res.status >= 200 && res.status < 300) {
      results.push({
        tag,
        outcome: 'untagged',
        method,
        detail: group.digestGoes
          ? 'Tag removed; the untagged image stays on Docker Hub (Hub has no public API that deletes a manifest).'
          : 'Tag removed; the image keeps its other tags.',
      });
    } else if (res.status === 404) {
      results.push({ tag, outcome: 'already-gone', method, detail: `Docker Hub no longer has ${group.repository}:${tag}.` });
    } else if (res.status === 401 || res.status === 403) {
      results.push({ tag, outcome: 'failed', method, error: responseAppError(res, 'DELETE', what, DELETE_HINT) });
    } else if (res.status === 429) {
      results.push({ tag, outcome: 'failed', method, error: responseAppError(res, 'DELETE', what, rateLimitMessage('Docker Hub', rateLimitedUntil(res))) });
    } else {
      results.push({ tag, outcome: 'failed', method, error: responseAppError(res, 'DELETE', what) });
    }
  }
  return results;
}

/** Hub keeps no deleted tags and has no API to put one back (catalogue: undo 'none'). */
export function dockerhubRestoreTag(_ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> {
  return Promise.resolve({
    ok: false,
    error: {
      code: 'cannot-restore',
      message: `Docker Hub cannot restore a deleted tag (${entry.repository}:${entry.tag}).`,
      hint: `Push the image again under that tag (docker push ${entry.repository}:${entry.tag}) if you still have it; its digest was ${entry.digest}.`,
    },
  });
}
