import { safeUrl } from '../../registry/errors';
import { probeTagName, result, said, transportFailure } from '../../registry/permissions/common';
import { apiToken, apiUrl } from '../api-auth';
import { registryDeleteProbe } from '../../registry/permissions/registry-delete';
import { gitlabApiBase, isJobToken } from './api';
import type { DeletePermissionProbe, PermissionProbeContext, PermissionProbeResult } from '../../registry/permissions/types';

const ROLE_NAMES: Record<number, string> = { 5: 'Minimal Access', 10: 'Guest', 15: 'Planner', 20: 'Reporter', 30: 'Developer', 40: 'Maintainer', 50: 'Owner' };
const DEVELOPER = 30;

/** The project is a prefix of the image path (images may add up to two components below it). */
function projectCandidates(repository: string): string[] {
  const parts = repository.split('/');
  const out: string[] = [];
  for (let n = parts.length; n >= 2 && n >= parts.length - 2; n--) out.push(parts.slice(0, n).join('/'));
  return out;
}

function roleName(level: number): string {
  return `${ROLE_NAMES[level] ?? 'access level'} (${level})`;
}

async function viaRegistry(ctx: PermissionProbeContext, why: string): Promise<PermissionProbeResult> {
  const r = await registryDeleteProbe(ctx, {
    actions: ['delete'],
    deniedHint: 'Deleting tags needs the Developer role or higher in the project (bulk deletes: Maintainer); protected tags refuse deletion.',
  });
  return { ...r, detail: `${why}; so the registry was asked instead: ${r.detail}` };
}

/**
 * GitLab: the token's scopes (`/personal_access_tokens/self`, deletes through the API need `api`)
 * and the user's role in the project (Developer or higher deletes tags). A CI job token is tried
 * where it deletes, its project's container registry API; deploy tokens and passwords cannot
 * describe themselves, so the registry's own all-zero-digest delete answers for them.
 */
export const gitlabProbe: DeletePermissionProbe = {
  method: 'GET /api/v4/personal_access_tokens/self (needs api) + GET /api/v4/projects/<path> (Developer or higher); CI job token: DELETE /api/v4/projects/<path>/registry/repositories/<id>/tags/<random tag> with JOB-TOKEN (404 = allowed, 403 = denied)',
  async probe(ctx): Promise<PermissionProbeResult> {
    const token = apiToken(ctx.credential);
    const jobToken = isJobToken(ctx.credential);
    if (!token) return viaRegistry(ctx, 'No GitLab token for the API');
    const api = gitlabApiBase(ctx);
    if (jobToken) {
      if (!api) return viaRegistry(ctx, 'The GitLab API address is unknown (set the API base URL for this registry), so the CI job token was not tried on it');
      return jobTokenProbe(ctx, api, token.reveal());
    }
    if (!api) return viaRegistry(ctx, 'The GitLab API address is unknown (set the API base URL for this registry)');
    const headers = { 'private-token': token.reveal(), accept: 'application/json' };
    const signal = ctx.signal ? { signal: ctx.signal } : {};

    const selfUrl = apiUrl(api, '/personal_access_tokens/self');
    const self = await ctx.http.request({ method: 'GET', url: selfUrl, headers, maxBytes: 256 * 1024, ...signal });
    if (!self.ok) return transportFailure(`GET ${safeUrl(selfUrl)}`, self.error);
    const tokenInfo = self.response.json() as { scopes?: unknown; name?: unknown; expires_at?: unknown } | undefined;
    let scopeNote: string;
    if (self.response.status === 200 && Array.isArray(tokenInfo?.scopes)) {
      const scopes = tokenInfo.scopes.filter((x): x is string => typeof x === 'string');
      scopeNote = `token scopes: ${scopes.join(', ') || '(none)'}${typeof tokenInfo.expires_at === 'string' ? `, expires ${tokenInfo.expires_at}` : ''}`;
      if (!scopes.includes('api')) {
        return result('denied', `GET ${safeUrl(selfUrl)} → 200; ${scopeNote}: deleting tags through the API needs the api scope`, self.response, 'Create a personal (or project/group) access token with the api scope.');
      }
    } else if (self.response.status === 401 || self.response.status === 403) {
      return viaRegistry(ctx, `GET ${safeUrl(selfUrl)} → ${said(self.response).text}: not a personal, project or group access token (a deploy token, job token or password)`);
    } else {
      scopeNote = `token scopes unknown (GET ${safeUrl(selfUrl)} → ${said(self.response).text})`;
    }

    for (const path of projectCandidates(ctx.repository)) {
      const url = apiUrl(api, `/projects/${encodeURIComponent(path)}`);
      const out = await ctx.http.request({ method: 'GET', url, headers, maxBytes: 1024 * 1024, ...signal });
      if (!out.ok) return transportFailure(`GET ${safeUrl(url)}`, out.error);
      if (out.response.status === 404) continue;
      if (out.response.status !== 200) return result('unknown', `${scopeNote}; GET ${safeUrl(url)} → ${said(out.response).text}`, out.response);
      const p = out.response.json() as { permissions?: { project_access?: { access_level?: unknown } | null; group_access?: { access_level?: unknown } | null } } | undefined;
      const levels = [p?.permissions?.project_access?.access_level, p?.permissions?.group_access?.access_level].filter((x): x is number => typeof x === 'number');
      const level = levels.length > 0 ? Math.max(...levels) : 0;
      if (level >= DEVELOPER) {
        return result('allowed', `${scopeNote}; project ${path}: role ${roleName(level)}, which may delete tags (Developer or higher)`, out.response);
      }
      return result(
        'denied',
        `${scopeNote}; project ${path}: ${level > 0 ? `role ${roleName(level)}` : 'no membership role (public project or admin token)'}; deleting tags needs Developer (30) or higher`,
        out.response,
        `Ask a Maintainer of ${path} for the Developer role (or higher).`,
      );
    }
    return { verdict: 'unknown', detail: `${scopeNote}; no GitLab project matches ${ctx.repository} (tried ${projectCandidates(ctx.repository).join(', ')})`, hint: 'Check the images repo path: it starts with the project path (group/project).' };
  },
};

/**
 * A CI job token cannot describe itself, but it reaches its own project's container registry API
 * (`JOB-TOKEN` header, docs.gitlab.com/api/container_registry), which is where Stowage deletes with
 * it: find the repository's id, then delete a tag that cannot exist (404 = allowed, 403 = denied).
 */
async function jobTokenProbe(ctx: PermissionProbeContext, api: string, jobToken: string): Promise<PermissionProbeResult> {
  const headers = { 'job-token': jobToken, accept: 'application/json' };
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  for (const path of projectCandidates(ctx.repository)) {
    const listUrl = apiUrl(api, `/projects/${encodeURIComponent(path)}/registry/repositories`);
    listUrl.searchParams.set('per_page', '100');
    const list = await ctx.http.request({ method: 'GET', url: listUrl, headers, maxBytes: 4 * 1024 * 1024, ...signal });
    if (!list.ok) return transportFailure(`GET ${safeUrl(listUrl)}`, list.error);
    if (list.response.status === 404) continue;
    if (list.response.status === 401) return viaRegistry(ctx, `GET ${safeUrl(listUrl)} with JOB-TOKEN → ${said(list.response).text}: this GitLab does not take job tokens on its API`);
    if (list.response.status !== 200) return result('unknown', `GET ${safeUrl(listUrl)} with JOB-TOKEN → ${said(list.response).text}`, list.response);
    const repos = list.response.json();
    const found = Array.isArray(repos) ? repos.find((r: unknown) => typeof r === 'object' && r !== null && (r as { path?: unknown }).path === ctx.repository) : undefined;
    const id = (found as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'number') {
      return { verdict: 'unknown', detail: `project ${path} has no container repository ${ctx.repository} yet (CI job token, JOB-TOKEN)`, hint: 'Run the check again after the first push.' };
    }
    const url = apiUrl(api, `/projects/${encodeURIComponent(path)}/registry/repositories/${id}/tags/${probeTagName()}`);
    const call = `DELETE ${safeUrl(apiUrl(api, `/projects/${encodeURIComponent(path)}/registry/repositories/${id}/tags/`))}<random tag> with JOB-TOKEN`;
    const out = await ctx.http.request({ method: 'DELETE', url, headers, maxBytes: 64 * 1024, ...signal });
    if (!out.ok) return transportFailure(call, out.error);
    const s = said(out.response);
    if (out.response.status === 404) return result('allowed', `${call} → ${s.text}: the API checked the right to delete and found no such tag, so this job may delete tags`, out.response);
    if (out.response.status === 401 || out.response.status === 403) {
      return result('denied', `${call} → ${s.text}`, out.response, `A job token has the rights of the user who runs the pipeline: deleting tags needs the Developer role or higher in ${path}.`);
    }
    return result('unknown', `${call} → ${s.text}`, out.response);
  }
  return { verdict: 'unknown', detail: `the CI job token reaches none of the projects ${projectCandidates(ctx.repository).join(', ')} (a job token only reaches the project that runs the pipeline)`, hint: 'Run the cleanup from a pipeline of the project that owns these images, or use an access token with the api scope.' };
}
