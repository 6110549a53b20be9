import { isoTime, nativeRequest, record, str } from '../../inventory/drivers/common';
import { apiUrl, bearer } from '../api-auth';
import { catalogRow, catalogRows, followCatalogPages, namespaceNeeded } from '../catalog/common';
import type { CatalogLister } from '../catalog/types';
import { hubApiBase } from './hub-api';
import { listingLogin } from './listing';

/**
 * Docker Hub has no `_catalog`; its API lists a namespace's repositories
 * (`GET /v2/namespaces/{ns}/repositories?page=&page_size=`, following the absolute `next`;
 * registry-apis.md §4). Private ones only with a login; the namespace defaults to the user name.
 */
export const dockerhubCatalog: CatalogLister = {
  needsNamespace: true,
  async *list(ctx, namespace) {
    const api = hubApiBase(ctx.registry, ctx.settings?.apiBaseUrl);
    const ns = (namespace ?? ctx.credential?.summary.username)?.split('/')[0];
    if (api === null) {
      yield { type: 'failed', failure: { message: `${ctx.registry} is not a Docker Hub host and no Hub API base URL is set`, hint: 'Set the API base URL in the registry’s settings, or type a repository.' } };
      return;
    }
    if (!ns) {
      yield namespaceNeeded('Docker Hub', 'namespace (user or organization)');
      return;
    }
    const login = await listingLogin(ctx, api);
    if (!login.ok) {
      yield { type: 'failed', failure: login.failure };
      return;
    }
    const authorization = login.jwt ? bearer(login.jwt) : undefined;
    yield { type: 'source', source: `GET /v2/namespaces/${ns}/repositories` };
    const first = apiUrl(api, `/v2/namespaces/${encodeURIComponent(ns)}/repositories`);
    first.searchParams.set('page_size', '100');
    first.searchParams.set('page', '1');
    yield* followCatalogPages(ctx, {
      what: `GET /v2/namespaces/${ns}/repositories`,
      first,
      missing: { rule: { kind: 'status', statuses: [404] }, message: () => `Docker Hub has no namespace ${ns}` },
      hint: (res) => (res.status === 401 || res.status === 403 ? 'Docker Hub refused the listing: use a personal access token with at least Read access.' : undefined),
      fetch: (url) => nativeRequest(ctx, { url, ...(authorization ? { authorization } : {}) }),
      page: (res) => {
        const body = record(res.json());
        if (!body || !Array.isArray(body.results)) return 'the answer has no "results" list';
        const { repositories, dropped } = catalogRows(body.results, (item) => {
          const r = record(item);
          return catalogRow(`${str(r?.namespace) ?? ns}/${str(r?.name) ?? ''}`, undefined, isoTime(r?.last_updated));
        });
        let next: URL | null = null;
        const raw = str(body.next);
        if (raw) {
          try {
            next = new URL(raw, res.url);
          } catch {
            return 'its "next" URL is not a URL';
          }
        }
        return { repositories, dropped, next };
      },
    });
  },
};
