import { acrCatalog } from './catalog';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { acrLogin } from './login';
import { namedOr } from '../pending';
import { acrMutations } from './mutations';
import type { RegistryDriver } from '../types';
import { acrProbe } from './delete-probe';
import { acrDriver } from './listing';

/**
 * Azure Container Registry: Azure identities go through the AAD exchange on the registry's own origin (`login.ts`), tags are listed with `/acr/v1/<repo>/_manifests`.
 */
export const acrRegistry: RegistryDriver = {
  implementation: 'acr',
  info: CATALOGUE.acr,
  apiHost: (registry) => registry,
  cloudIdentity: 'azure',
  tokenRealmHosts: () => [],
  tokenUser: namedOr('stowage'),
  cloudLogin: (ctx, secret) => (secret.kind === 'azure' ? acrLogin(ctx, secret.credential) : null),
  listing: acrDriver,
  catalog: acrCatalog,
  deleteProbe: acrProbe,
  ...acrMutations,
};
