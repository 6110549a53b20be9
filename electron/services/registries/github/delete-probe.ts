import { safeUrl } from '../../registry/errors';
import { result, said, transportFailure } from '../../registry/permissions/common';
import { apiToken, apiUrl, bearer } from '../api-auth';
import { CLASSIC_PAT, githubApiBase } from './api';
import type { DeletePermissionProbe, PermissionProbeResult } from '../../registry/permissions/types';

const CLASSIC_PAT_HINT = `${CLASSIC_PAT}; deleting also needs delete:packages, and a user who is admin of the package (and, for organization packages, of the organization).`;

/**
 * GitHub deletes package versions through REST, which only says what a classic token may do:
 * `GET /user` returns its scopes in `X-OAuth-Scopes`. Fine-grained tokens and the Actions
 * GITHUB_TOKEN have no such header, so for them the answer is "cannot tell", said plainly.
 */
export const githubProbe: DeletePermissionProbe = {
  method: 'GET /user and read X-OAuth-Scopes (needs delete:packages and read:packages)',
  async probe(ctx): Promise<PermissionProbeResult> {
    const token = apiToken(ctx.credential);
    if (!token) return { verdict: 'unknown', detail: 'No GitHub token to ask the API with', hint: CLASSIC_PAT_HINT };
    const api = githubApiBase(ctx.registry, ctx.settings?.apiBaseUrl);
    if (api === null) {
      return {
        verdict: 'unknown',
        detail: `${ctx.registry} is not a GitHub registry host and no API base URL is set, so GitHub's API was not asked`,
        hint: "For GitHub Enterprise, set this registry's API base URL (https://<host>/api/v3).",
      };
    }
    const url = apiUrl(api, '/user');
    const call = `GET ${safeUrl(url)}`;
    const out = await ctx.http.request({
      method: 'GET',
      url,
      authorization: bearer(token),
      headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
      maxBytes: 256 * 1024,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (!out.ok) return transportFailure(call, out.error);
    const res = out.response;
    const s = said(res);
    const actions = ctx.credential?.summary.source === 'github-env';
    if (res.status === 401) return result('denied', `${call} → ${s.text}: GitHub refused the token`, res, `The token is wrong, expired or revoked. ${CLASSIC_PAT_HINT}`);
    if (res.status === 403 && /not accessible by integration/i.test(s.message ?? '')) {
      return result(
        'unknown',
        `${call} → ${s.text}: this is a GitHub App or Actions token, whose package rights GitHub does not report`,
        res,
        'The Actions GITHUB_TOKEN can delete versions only when the workflow\'s repository has the admin role on the package (package settings → Manage Actions access). Otherwise use a classic PAT with read:packages and delete:packages.',
      );
    }
    if (res.status !== 200) return result('unknown', `${call} → ${s.text}`, res);
    const login = (res.json() as { login?: unknown } | undefined)?.login;
    const who = typeof login === 'string' ? ` (user ${login})` : '';
    const header = res.headers.get('x-oauth-scopes');
    if (header === undefined) {
      return result(
        'unknown',
        `${call} → 200${who} without X-OAuth-Scopes: a fine-grained token${actions ? ' or the Actions GITHUB_TOKEN' : ''}, whose package permissions GitHub does not list. Known: the token is valid. Unknown: whether it may delete package versions`,
        res,
        `The packages REST API accepts classic tokens only. ${CLASSIC_PAT_HINT}`,
      );
    }
    const scopes = header
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    const hasDelete = scopes.includes('delete:packages');
    const hasRead = scopes.includes('read:packages') || scopes.includes('write:packages');
    const list = scopes.length > 0 ? scopes.join(', ') : '(none)';
    if (hasDelete && hasRead) {
      return result('allowed', `${call} → 200${who}; token scopes: ${list}: delete:packages and read:packages are there (the user must also be admin of the package)`, res);
    }
    const missing = [hasRead ? null : 'read:packages', hasDelete ? null : 'delete:packages'].filter((x): x is string => x !== null);
    return result('denied', `${call} → 200${who}; token scopes: ${list}; missing ${missing.join(' and ')}`, res, CLASSIC_PAT_HINT);
  },
};
