import { quayCatalog } from './catalog';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { QUAY_OAUTH_USER } from './credential';
import type { RegistryDriver } from '../types';
import { quayProbe } from './delete-probe';
import { quayDriver } from './listing';
import { quayDeleteTags, quayRestoreTag } from './mutations';

/** Robots keep their name; any other bare token is an OAuth token, which Quay takes only as `$oauthtoken`. */
function quayTokenUser(username: string | undefined): string {
  return username?.includes('+') ? username : QUAY_OAUTH_USER;
}

/**
 * Quay: OAuth application tokens use /api/v1, robots and passwords only /v2 (`credential.ts` holds that one rule); tags are
 * deleted one by one and come back from Quay's tag history.
 */
export const quayRegistry: RegistryDriver = {
  implementation: 'quay',
  info: CATALOGUE.quay,
  apiHost: (registry) => registry,
  tokenRealmHosts: () => [],
  tokenUser: quayTokenUser,
  listing: quayDriver,
  catalog: quayCatalog,
  deleteProbe: quayProbe,
  deleteTags: quayDeleteTags,
  restoreTag: quayRestoreTag,
};
