import { safeUrl } from '../../registry/errors';
import { result, said, transportFailure } from '../../registry/permissions/common';
import { apiToken, apiUrl } from '../api-auth';
import { registryDeleteProbe } from '../../registry/permissions/registry-delete';
import { gitlabApiBase } from './api';
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
 * and the user's role in the project (Developer or higher deletes tags). Job and deploy tokens
 * cannot describe themselves; for them the registry's own all-zero-digest delete answers.
 */
export const gitlabProbe: DeletePermissionProbe = {
  method: 'GET /api/v4/personal_access_tokens/self (needs api) + GET /api/v4/projects/<path> (Developer or higher)',
  async probe(ctx): Promise<PermissionProbeResult> {
    const token = apiToken(ctx.credential);
    const jobToken = ctx.credential?.summary.source === 'gitlab-ci-env' && ctx.credential.summary.username === 'gitlab-ci-token';
    if (!token || jobToken) return viaRegistry(ctx, jobToken ? 'A CI job token cannot describe its own rights' : 'No GitLab token for the API');
    const api = gitlabApiBase(ctx);
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
