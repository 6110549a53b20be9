import { isoTime, nativeRequest, nextLink, record, str } from '../../inventory/drivers/common';
import { apiToken, apiUrl, bearer } from '../api-auth';
import { catalogRow, catalogRows, followCatalogPages, namespaceNeeded } from '../catalog/common';
import type { CatalogLister } from '../catalog/types';
import { CLASSIC_PAT, githubApiBase } from './api';
import { GITHUB_PAGE_SIZE } from './listing';

/**
 * GHCR has no `_catalog` (registry-apis.md §5). The packages API lists an owner's container
 * packages: `GET /orgs/{o}/packages?package_type=container`, or `/users/{o}/…` when the owner is
 * not an organization (404 under /orgs), `per_page` ≤ 100 following `Link`. Package `a/b` is the
 * repository `owner/a/b`.
 */
export const githubCatalog: CatalogLister = {
  needsNamespace: true,
  async *list(ctx, namespace) {
    const api = githubApiBase(ctx.registry, ctx.settings?.apiBaseUrl);
    const token = apiToken(ctx.credential);
    const owner = (namespace ?? ctx.credential?.summary.username)?.split('/')[0];
    if (api === null) {
      yield { type: 'failed', failure: { message: `${ctx.registry} is not a GitHub Packages host and no API base URL is set`, hint: 'Set the API base URL (GitHub Enterprise: https://<host>/api/v3) in the registry’s settings, or type a repository.' } };
      return;
    }
    if (!owner) {
      yield namespaceNeeded('GitHub Packages', 'owner (organization or user)');
      return;
    }
    if (token === null) {
      yield { type: 'failed', failure: { message: 'GitHub lists packages only for a token', hint: `${CLASSIC_PAT}; save one for this registry, or type a repository.` } };
      return;
    }
    const authorization = bearer(token);
    const headers = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    const fetch = (url: URL) => nativeRequest(ctx, { url, authorization, headers });
    const firstOf = (kind: 'orgs' | 'users') => {
      const u = apiUrl(api, `/${kind}/${encodeURIComponent(owner)}/packages`);
      u.searchParams.set('package_type', 'container');
      u.searchParams.set('per_page', String(GITHUB_PAGE_SIZE));
      return u;
    };
    let kind: 'orgs' | 'users' = 'orgs';
    const probe = await fetch(firstOf('orgs'));
    if (probe.ok && probe.response.status === 404) kind = 'users';
    yield { type: 'source', source: `GET /${kind}/${owner}/packages?package_type=container` };
    let prefetched = kind === 'orgs' ? probe : null;
    yield* followCatalogPages(ctx, {
      what: `GET /${kind}/${owner}/packages`,
      first: firstOf(kind),
      missing: { rule: { kind: 'status', statuses: [404] }, message: () => `GitHub has no organization or user ${owner}` },
      hint: (res) => (res.status === 401 || res.status === 403 ? `GitHub refused the token. ${CLASSIC_PAT}.` : undefined),
      fetch: async (url) => {
        if (prefetched) {
          const p = prefetched;
          prefetched = null;
          return p;
        }
        return fetch(url);
      },
      page: (res) => {
        const body = res.json();
        if (!Array.isArray(body)) return 'the answer is not a list of packages';
        const { repositories, dropped } = catalogRows(body, (item) => {
          const p = record(item);
          return catalogRow(`${owner}/${str(p?.name) ?? ''}`.toLowerCase(), undefined, isoTime(p?.updated_at));
        });
        return { repositories, dropped, next: nextLink(res.headers.all('link'), res.url) };
      },
    });
  },
};
