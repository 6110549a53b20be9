import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { QUAY_OAUTH_USER } from './credential';
import { notImplementedYet } from '../pending';
import type { RegistryDriver } from '../types';
import { quayProbe } from './delete-probe';
import { quayDriver } from './listing';

/** Robots keep their name; any other bare token is an OAuth token, which Quay takes only as `$oauthtoken`. */
function quayTokenUser(username: string | undefined): string {
  return username?.includes('+') ? username : QUAY_OAUTH_USER;
}

/**
 * Quay: OAuth application tokens use /api/v1, robots and passwords only /v2 (`credential.ts` holds that one rule).
 */
export const quayRegistry: RegistryDriver = {
  implementation: 'quay',
  info: CATALOGUE.quay,
  apiHost: (registry) => registry,
  tokenRealmHosts: () => [],
  tokenUser: quayTokenUser,
  listing: quayDriver,
  deleteProbe: quayProbe,
  ...notImplementedYet(CATALOGUE.quay.title),
};
