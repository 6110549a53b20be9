import { listRegistryCatalog } from '../catalog/common';
import type { CatalogLister } from '../catalog/types';

/**
 * ACR: `GET /acr/v1/_catalog?n=&last=` (registry-apis.md §3), the token scope `registry:catalog:*`
 * like `/v2/_catalog`, pages by `Link`. Under ABAC the login needs the "Container Registry
 * Repository Catalog Lister" role; a refusal says so through the catalog's hint.
 */
export const acrCatalog: CatalogLister = {
  needsNamespace: false,
  list: (ctx) => listRegistryCatalog(ctx, '/acr/v1/_catalog', 'GET /acr/v1/_catalog'),
};
