import { safeUrl } from '../../registry/errors';
import { result, said, transportFailure } from '../../registry/permissions/common';
import { apiToken, apiUrl, apiUsername, basic } from '../api-auth';
import { harborApiBase } from './api';
import type { DeletePermissionProbe, PermissionProbeResult } from '../../registry/permissions/types';

const ROLE_HINT =
  'In Harbor, project admins and maintainers can delete artifacts and tags; developers, guests and limited guests cannot. Robot accounts need the artifact:delete (and tag:delete) permissions.';

interface PermissionEntry {
  resource?: unknown;
  action?: unknown;
}

/**
 * Harbor reports the caller's permissions in a project:
 * `GET /api/v2.0/users/current/permissions?scope=/project/<id>&relative=true`. Deleting an artifact
 * needs `artifact:delete`; a single tag, `tag:delete`; the repository, `repository:delete`.
 */
export const harborProbe: DeletePermissionProbe = {
  method: 'GET /api/v2.0/projects/<project>, then GET /api/v2.0/users/current/permissions?scope=/project/<id> (artifact/repository delete)',
  async probe(ctx): Promise<PermissionProbeResult> {
    const username = apiUsername(ctx.credential);
    const secret = apiToken(ctx.credential);
    if (!username || !secret) return { verdict: 'unknown', detail: 'The Harbor API takes HTTP Basic auth; this credential has no user name and password', hint: ROLE_HINT };
    const api = harborApiBase(ctx.baseUrl, ctx.settings?.apiBaseUrl);
    const authorization = basic(username, secret);
    const signal = ctx.signal ? { signal: ctx.signal } : {};
    const project = ctx.repository.split('/')[0] ?? '';
    const robot = username.startsWith('robot$') || username.startsWith('robot%24');

    const projectUrl = apiUrl(api, `/projects/${encodeURIComponent(project)}`);
    const p = await ctx.http.request({ method: 'GET', url: projectUrl, authorization, headers: { accept: 'application/json', 'x-is-resource-name': 'true' }, maxBytes: 1024 * 1024, ...signal });
    if (!p.ok) return transportFailure(`GET ${safeUrl(projectUrl)}`, p.error);
    if (p.response.status === 404) {
      return result('unknown', `GET ${safeUrl(projectUrl)} → ${said(p.response).text}: project "${project}" does not exist (or is hidden from this user)`, p.response, `Harbor does not create projects on push: create "${project}" in Harbor, or fix the first path component.`);
    }
    if (p.response.status !== 200) return result(p.response.status === 401 ? 'denied' : 'unknown', `GET ${safeUrl(projectUrl)} → ${said(p.response).text}`, p.response, p.response.status === 401 ? `Harbor refused the login for "${username}".` : ROLE_HINT);
    const id = (p.response.json() as { project_id?: unknown } | undefined)?.project_id;
    if (typeof id !== 'number') return result('unknown', `GET ${safeUrl(projectUrl)} → 200 without a project_id`, p.response);

    const permUrl = apiUrl(api, '/users/current/permissions');
    permUrl.searchParams.set('scope', `/project/${id}`);
    permUrl.searchParams.set('relative', 'true');
    const perms = await ctx.http.request({ method: 'GET', url: permUrl, authorization, headers: { accept: 'application/json' }, maxBytes: 1024 * 1024, ...signal });
    if (!perms.ok) return transportFailure(`GET ${safeUrl(permUrl)}`, perms.error);
    const res = perms.response;
    if (res.status !== 200) {
      return result(
        'unknown',
        `GET ${safeUrl(permUrl)} → ${said(res).text}${robot ? ': robot accounts cannot read their own permissions through this API' : ''}`,
        res,
        robot ? `Check the robot account's permissions in Harbor (Robot Accounts → permissions). ${ROLE_HINT}` : ROLE_HINT,
      );
    }
    const body = res.json();
    const list = Array.isArray(body) ? (body as PermissionEntry[]) : [];
    const has = (resource: string, action: string): boolean =>
      list.some((e) => typeof e.resource === 'string' && typeof e.action === 'string' && (e.resource === resource || e.resource.endsWith(`/${resource}`)) && (e.action === action || e.action === '*'));
    const artifact = has('artifact', 'delete');
    const tag = has('tag', 'delete');
    const repository = has('repository', 'delete');
    const summary = `project "${project}" (id ${id}): artifact delete ${artifact ? 'yes' : 'no'}, tag delete ${tag ? 'yes' : 'no'}, repository delete ${repository ? 'yes' : 'no'}`;
    if (artifact || repository) return result('allowed', `GET ${safeUrl(permUrl)} → 200; ${summary}`, res);
    return result('denied', `GET ${safeUrl(permUrl)} → 200; ${summary}`, res, ROLE_HINT);
  },
};
