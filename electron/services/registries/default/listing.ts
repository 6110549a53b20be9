import { listTagsViaRegistryApi } from '../../inventory/registry-api';
import type { InventoryDriver } from '../../inventory/types';

/**
 * Any registry speaking the Docker Registry HTTP API V2 / OCI distribution: list with
 * `tags/list`; the engine finds digests, sizes and configs through the same API.
 */
export const genericDriver: InventoryDriver = {
  id: 'generic',
  listTags: (ctx, repository) => listTagsViaRegistryApi(ctx, repository),
};
