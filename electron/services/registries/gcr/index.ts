import { gcrCatalog } from './catalog';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { GOOGLE_TOKEN_USER } from '../../registry/logins';
import { namedOr } from '../pending';
import { gcrDeleteTags, gcrRestoreTag } from './mutations';
import type { RegistryDriver } from '../types';
import { gcrProbe } from './delete-probe';
import { gcrDriver } from './listing';

/**
 * Google Artifact Registry / gcr.io: a Google access token is the password of `oauth2accesstoken`; tags with digests come from Google's `tags/list` extension.
 */
export const gcrRegistry: RegistryDriver = {
  implementation: 'gcr',
  info: CATALOGUE.gcr,
  apiHost: (registry) => registry,
  cloudIdentity: 'google',
  tokenRealmHosts: () => [],
  tokenUser: namedOr(GOOGLE_TOKEN_USER),
  listing: gcrDriver,
  catalog: gcrCatalog,
  deleteProbe: gcrProbe,
  deleteTags: gcrDeleteTags,
  restoreTag: gcrRestoreTag,
};
