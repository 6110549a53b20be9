import { isoTime, nativeRequest, nextLink, record, str } from '../../inventory/drivers/common';
import { apiUrl } from '../api-auth';
import { catalogRow, catalogRows, followCatalogPages, listRegistryCatalog } from '../catalog/common';
import type { CatalogLister } from '../catalog/types';
import { gitlabApiAuth, gitlabApiBase } from './api';

/**
 * GitLab's `_catalog` needs an administrator (registry-apis.md §6). With a project path it lists
 * `GET /projects/:id/registry/repositories?tags_count=true` instead: offset pages of up to 100
 * (`Link`, `X-Next-Page`), each repository with its full path and tag count.
 */
export const gitlabCatalog: CatalogLister = {
  needsNamespace: true,
  async *list(ctx, namespace) {
    const api = gitlabApiBase({ registry: ctx.registry, settings: ctx.settings, scheme: ctx.auth.scheme ?? { kind: 'none' } });
    const auth = gitlabApiAuth(ctx.credential);
    if (!namespace || api === null || auth === null) {
      if (namespace) ctx.warn(`${namespace}: GitLab's REST API needs a token and its address (the API base URL setting) to list a project's repositories; trying /v2/_catalog, which GitLab opens to administrators only.`);
      yield* listRegistryCatalog(ctx);
      return;
    }
    yield { type: 'source', source: `GET /api/v4/projects/${namespace}/registry/repositories` };
    const first = apiUrl(api, `/projects/${encodeURIComponent(namespace)}/registry/repositories`);
    first.searchParams.set('tags_count', 'true');
    first.searchParams.set('per_page', '100');
    first.searchParams.set('page', '1');
    yield* followCatalogPages(ctx, {
      what: `GET /projects/${namespace}/registry/repositories`,
      first,
      missing: { rule: { kind: 'status', statuses: [404] }, message: (f) => `GitLab has no project ${namespace} that this token can see (${f.message})` },
      hint: (res) => (res.status === 401 ? 'GitLab refused the token (wrong, expired or revoked); it needs read_api or api.' : res.status === 403 ? 'Listing a project’s container repositories needs Reporter or higher and a token with read_api.' : undefined),
      fetch: (url) => nativeRequest(ctx, { url, ...(auth.authorization ? { authorization: auth.authorization } : {}), ...(auth.headers ? { headers: auth.headers } : {}) }),
      page: (res, url) => {
        const body = res.json();
        if (!Array.isArray(body)) return 'the answer is not a list of repositories';
        const { repositories, dropped } = catalogRows(body, (item) => {
          const r = record(item);
          return catalogRow(str(r?.path) ?? '', r?.tags_count, isoTime(r?.created_at));
        });
        let next = nextLink(res.headers.all('link'), res.url);
        const nextPage = res.headers.get('x-next-page');
        if (next === null && nextPage && /^\d+$/.test(nextPage)) {
          next = new URL(url.href);
          next.searchParams.set('page', nextPage);
        }
        return { repositories, dropped, next };
      },
    });
  },
};
