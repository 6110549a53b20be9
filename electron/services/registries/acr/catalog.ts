import type { RegistryResponse } from '../../registry/http';
import { listRegistryCatalog } from '../catalog/common';
import type { CatalogLister } from '../catalog/types';

/**
 * Who may list an ACR catalog (registry-apis.md §3): under ABAC repository permissions only the
 * "Container Registry Repository Catalog Lister" role, the legacy roles not at all; under RBAC the
 * roles that read.
 */
const ACR_CATALOG_HINT =
  'Listing the catalog needs its own permission: on a registry with ABAC repository permissions (“RBAC Registry + ABAC Repository Permissions”), the “Container Registry Repository Catalog Lister” role (AcrPull, AcrPush and AcrDelete are not honoured there); otherwise Reader, AcrPull, AcrPush, Contributor or Owner. Or type a repository to open.';

/** The catalog endpoint's own 401/403 (the token endpoint took the login already, with its own words). */
function closedHint(res: RegistryResponse): string | undefined {
  return res.status === 401 || res.status === 403 ? ACR_CATALOG_HINT : undefined;
}

/**
 * ACR: `GET /acr/v1/_catalog?n=&last=` (registry-apis.md §3), the token scope `registry:catalog:*`
 * like `/v2/_catalog`, pages by `Link`. A refusal of the catalog itself is said with the role that
 * opens it and reported as `catalog-refused`.
 */
export const acrCatalog: CatalogLister = {
  needsNamespace: false,
  async *list(ctx) {
    for await (const e of listRegistryCatalog(ctx, '/acr/v1/_catalog', 'GET /acr/v1/_catalog', closedHint)) {
      yield e.type === 'failed' && e.failure.hint === ACR_CATALOG_HINT ? { ...e, refused: true } : e;
    }
  },
};
