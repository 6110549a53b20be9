import { nativeRequest, record, str } from '../../inventory/drivers/common';
import { apiToken, apiUrl, bearer } from '../api-auth';
import { catalogRow, catalogRows, followCatalogPages, listRegistryCatalog, namespaceNeeded } from '../catalog/common';
import type { CatalogLister } from '../catalog/types';
import { quayApiBase } from './api';
import { quayCredentialKind } from './credential';

/**
 * Quay's `GET /api/v1/repository?namespace=<ns>` (one of namespace, starred, public is required),
 * continued with the opaque `next_page` token it returns (registry-apis.md §7). The REST API takes
 * OAuth tokens only; a robot or password login lists through `/v2/_catalog`, which on Quay shows
 * the repositories the login can see.
 */
export const quayCatalog: CatalogLister = {
  needsNamespace: (ctx) => quayCredentialKind(ctx.credential) === 'oauth',
  async *list(ctx, namespace) {
    const token = apiToken(ctx.credential);
    if (quayCredentialKind(ctx.credential) !== 'oauth' || token === null) {
      yield* listRegistryCatalog(ctx);
      return;
    }
    if (!namespace) {
      yield namespaceNeeded('Quay', 'namespace (organization or user)');
      return;
    }
    const ns = namespace.split('/')[0]!;
    yield { type: 'source', source: `GET /api/v1/repository?namespace=${ns}` };
    const first = apiUrl(quayApiBase(ctx.baseUrl, ctx.settings?.apiBaseUrl), '/repository');
    first.searchParams.set('namespace', ns);
    const authorization = bearer(token);
    yield* followCatalogPages(ctx, {
      what: `GET /api/v1/repository?namespace=${ns}`,
      first,
      hint: (res) => (res.status === 401 || res.status === 403 ? `Quay refused the token: listing a namespace's repositories needs an OAuth token with repo:read.` : undefined),
      vendorCode: (res) => str(record(res.json())?.error_type),
      fetch: (url) => nativeRequest(ctx, { url, authorization }),
      page: (res, url) => {
        const body = record(res.json());
        if (!body || !Array.isArray(body.repositories)) return 'the answer has no "repositories" list';
        const { repositories, dropped } = catalogRows(body.repositories, (item) => {
          const r = record(item);
          return catalogRow(`${str(r?.namespace) ?? ns}/${str(r?.name) ?? ''}`);
        });
        const token = str(body.next_page);
        let next: URL | null = null;
        if (token) {
          next = new URL(url.href);
          next.searchParams.set('next_page', token);
        }
        return { repositories, dropped, next };
      },
    });
  },
};
