import { hubApiBase, hubApiLogin } from './hub-api';
import { Secret } from '../../credentials/secret';
import { safeUrl } from '../../registry/errors';
import { probeTagName, result, said, transportFailure } from '../../registry/permissions/common';
import { apiToken, apiUrl, apiUsername, bearer } from '../api-auth';
import type { DeletePermissionProbe, PermissionProbeContext, PermissionProbeResult } from '../../registry/permissions/types';

const PAT_HINT =
  'Docker Hub deletes tags with a personal access token whose scope is "Read, Write, Delete" (or the account password) of a user with admin rights on the repository; "Read & Write" tokens and organization access tokens cannot delete.';

async function probeLogin(ctx: PermissionProbeContext, api: string, username: string, secret: Secret): Promise<{ ok: true; jwt: Secret; how: string } | { ok: false; result: PermissionProbeResult }> {
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const login = await hubApiLogin(
    (url, body) => ctx.http.request({ method: 'POST', url, headers: { 'content-type': 'application/json', accept: 'application/json' }, body, retry: false, maxBytes: 256 * 1024, ...signal }),
    api,
    username,
    secret,
  );
  if (login.ok) {
    ctx.redact(login.jwt.reveal());
    return login;
  }
  if ('transport' in login) return { ok: false, result: transportFailure(login.how, login.transport) };
  const res = login.response;
  return {
    ok: false,
    result: result(
      res.status === 401 || res.status === 403 ? 'denied' : 'unknown',
      `Docker Hub API login as "${username}" (${login.how}) → ${said(res).text}`,
      res,
      login.sso
        ? 'The organization enforces SSO, so password logins fail: use a personal access token.'
        : res.status === 401
          ? `Docker Hub refused the login for "${username}": check the user name and the token. ${PAT_HINT}`
          : PAT_HINT,
    ),
  };
}

/**
 * Stowage deletes Docker Hub tags through the Hub web API, so that is what the probe asks: log in
 * there and DELETE a tag that cannot exist. 404 = the API let us through; 401/403 = the token
 * cannot delete. The registry itself is not asked: its manifest delete by digest answers 405
 * (documented by refusal reports), and its OCI delete by tag was seen accepted once (December 2023)
 * but is undocumented, so neither answer would say what the cleanup's own call may do.
 */
export const dockerhubProbe: DeletePermissionProbe = {
  method: 'Hub API POST /v2/auth/token, then DELETE /v2/repositories/<ns>/<repo>/tags/<random tag>/ (404 = allowed, 401/403 = denied)',
  async probe(ctx): Promise<PermissionProbeResult> {
    // Never hand the credential of some other registry to hub.docker.com: only Hub's own hosts default to it.
    const api = hubApiBase(ctx.registry, ctx.settings?.apiBaseUrl);
    if (api === null) {
      return {
        verdict: 'unknown',
        detail: `${ctx.registry} is not a Docker Hub host and no Hub API base URL is set, so the Hub API was not asked (the credential is not sent to hub.docker.com for another registry)`,
        hint: "Set this registry's API base URL to its Hub-compatible API, or pick the implementation that matches the registry.",
      };
    }
    const username = apiUsername(ctx.credential);
    const secret = apiToken(ctx.credential);
    if (!username || !secret) {
      return {
        verdict: 'unknown',
        detail: 'The Docker Hub API needs a user name with a password or access token; this credential has none',
        hint: `Log in with docker login (user name + access token). ${PAT_HINT}`,
      };
    }
    const login = await probeLogin(ctx, api, username, secret);
    if (!login.ok) return login.result;
    const [ns, ...rest] = ctx.repository.split('/');
    const repo = rest.join('/');
    const tag = probeTagName();
    const url = apiUrl(api, `/v2/repositories/${encodeURIComponent(ns ?? '')}/${encodeURIComponent(repo)}/tags/${tag}/`);
    const call = `DELETE ${safeUrl(apiUrl(api, `/v2/repositories/${ns}/${repo}/tags/`))}<random tag>/`;
    const out = await ctx.http.request({ method: 'DELETE', url, authorization: bearer(login.jwt), headers: { accept: 'application/json' }, maxBytes: 64 * 1024, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (!out.ok) return transportFailure(call, out.error);
    const res = out.response;
    const s = said(res);
    if (res.status === 404) {
      if (ctx.repositoryExists === false) {
        return result('unknown', `${call} → ${s.text}: the repository does not exist yet, and Docker Hub answers 404 for a missing repository too, so this proves nothing`, res, 'Run the check again after the first push.');
      }
      return result('allowed', `Logged in to the Hub API as "${username}"; ${call} → ${s.text}: the API accepted the delete and found no such tag, so deleting tags is allowed (the untagged images stay: Hub has no public manifest delete)`, res);
    }
    if (res.status >= 200 && res.status < 300) return result('allowed', `${call} → ${s.text}`, res);
    if (res.status === 401 || res.status === 403) {
      const pat = /personal access token|insufficient scope/i.test(s.message ?? '');
      return result('denied', `Logged in to the Hub API as "${username}"; ${call} → ${s.text}`, res, pat ? `The token's scope does not include Delete. ${PAT_HINT}` : PAT_HINT);
    }
    return result('unknown', `${call} → ${s.text}`, res);
  },
};
