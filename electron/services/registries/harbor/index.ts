import { harborCatalog } from './catalog';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { namedOr } from '../pending';
import { harborMutations } from './mutations';
import type { RegistryDriver } from '../types';
import { harborProbe } from './delete-probe';
import { harborDriver } from './listing';

/**
 * Harbor: its v2.0 API on the registry's origin (or the API base setting) lists artifacts with tags, and reports the caller's permissions.
 */
export const harborRegistry: RegistryDriver = {
  implementation: 'harbor',
  info: CATALOGUE.harbor,
  apiHost: (registry) => registry,
  tokenRealmHosts: () => [],
  tokenUser: namedOr('stowage'),
  listing: harborDriver,
  catalog: harborCatalog,
  deleteProbe: harborProbe,
  ...harborMutations,
};
