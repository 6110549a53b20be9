import { registryApiCatalog } from '../catalog/common';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { namedOr } from '../pending';
import type { RegistryDriver } from '../types';
import { defaultProbe } from './delete-probe';
import { deleteTags } from './delete-tags';
import { genericDriver } from './listing';
import { restoreTag } from './restore-tag';

/**
 * Any Docker Registry HTTP API V2 / OCI distribution registry: the building block every other driver composes. Lists with `tags/list`, probes deletes with the all-zero digest; its token server may live on any host (a self-hosted registry names its own).
 */
export const defaultRegistry: RegistryDriver = {
  implementation: 'default',
  info: CATALOGUE.default,
  apiHost: (registry) => registry,
  tokenRealmHosts: () => 'any',
  tokenUser: namedOr('stowage'),
  listing: genericDriver,
  catalog: registryApiCatalog,
  deleteProbe: defaultProbe,
  deleteTags,
  restoreTag,
};
