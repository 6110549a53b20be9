import { safeUrl } from '../../registry/errors';
import { probeTagName, result, said, transportFailure } from '../../registry/permissions/common';
import { apiToken, apiUrl, apiUsername, bearer } from '../api-auth';
import { quayApiBase } from './api';
import { quayCredentialKind } from './credential';
import { notVisibleMessage, quayRepositoryVisibility } from './visibility';
import { registryDeleteProbe } from '../../registry/permissions/registry-delete';
import type { DeletePermissionProbe, PermissionProbeResult } from '../../registry/permissions/types';

const ROBOT_VS_OAUTH =
  'Quay has two kinds of credentials: robot accounts (<org>+<name>) work only on the registry (/v2) and can delete there with write permission on the repository; OAuth application tokens work on /api/v1 and need the repo:write scope plus write permission.';

/**
 * Quay: an OAuth token asks `/api/v1` to delete a tag that cannot exist (404 = allowed, 403 =
 * denied). Robot accounts and passwords cannot use `/api/v1`, so for them the registry is asked
 * with the all-zero digest, with the `pull,push` scope Quay wants for deletes.
 */
export const quayProbe: DeletePermissionProbe = {
  method: 'OAuth token: DELETE /api/v1/repository/<ns>/<repo>/tag/<random tag> (404 = allowed, 403 = denied); robot or password: DELETE /v2/<repo>/manifests/sha256:<zeros>',
  async probe(ctx): Promise<PermissionProbeResult> {
    const username = apiUsername(ctx.credential);
    const kind = quayCredentialKind(ctx.credential);
    const robot = kind === 'robot';
    const oauth = kind === 'oauth';
    if (!oauth) {
      const r = await registryDeleteProbe(ctx, {
        actions: ['pull', 'push'],
        deniedHint: `The ${robot ? 'robot account' : 'user'} needs write (or admin) permission on ${ctx.repository}. ${ROBOT_VS_OAUTH}`,
      });
      const who = robot ? `robot account "${username}"` : username ? `user "${username}"` : 'anonymous';
      return { ...r, detail: `${who} on the registry API: ${r.detail}` };
    }
    const token = apiToken(ctx.credential);
    if (!token) return { verdict: 'unknown', detail: 'No Quay token', hint: ROBOT_VS_OAUTH };
    const api = quayApiBase(ctx.baseUrl, ctx.settings?.apiBaseUrl);
    const [ns, ...rest] = ctx.repository.split('/');
    const repo = rest.join('/');
    const url = apiUrl(api, `/repository/${encodeURIComponent(ns ?? '')}/${encodeURIComponent(repo)}/tag/${probeTagName()}`);
    const call = `DELETE ${safeUrl(apiUrl(api, `/repository/${ns}/${repo}/tag/`))}<random tag>`;
    const out = await ctx.http.request({ method: 'DELETE', url, authorization: bearer(token), headers: { accept: 'application/json' }, maxBytes: 64 * 1024, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (!out.ok) return transportFailure(call, out.error);
    const res = out.response;
    const s = said(res);
    if (res.status === 404) {
      if (ctx.repositoryExists === false) return result('unknown', `${call} → ${s.text}: the repository does not exist yet, so a 404 proves nothing`, res, 'Run the check again after the first push.');
      return result('allowed', `${call} → ${s.text}: the API accepted the delete and found no such tag, so the OAuth token may delete`, res);
    }
    if (res.status >= 200 && res.status < 300) return result('allowed', `${call} → ${s.text}`, res);
    if (res.status === 401 || res.status === 403) {
      // Quay checks permission before the lookup: a missing repository answers 403 too.
      const seen = await quayRepositoryVisibility(api, ctx.repository, (u) =>
        ctx.http.request({ method: 'GET', url: u, authorization: bearer(token), headers: { accept: 'application/json' }, maxBytes: 1024 * 1024, ...(ctx.signal ? { signal: ctx.signal } : {}) }),
      );
      if (seen === 'not-visible' || ctx.repositoryExists === false) {
        return result('unknown', `${call} → ${s.text}: ${notVisibleMessage(ctx.repository, false)}`, res, `If it exists, the OAuth token's user needs write permission on it (and the token repo:write). It is created by the first push. ${ROBOT_VS_OAUTH}`);
      }
      return result('denied', `${call} → ${s.text}`, res, `The OAuth token needs the repo:write scope and its user write permission on ${ctx.repository}. ${ROBOT_VS_OAUTH}`);
    }
    return result('unknown', `${call} → ${s.text}`, res);
  },
};
