import { githubCatalog } from './catalog';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { namedOr } from '../pending';
import type { RegistryDriver } from '../types';
import { githubProbe } from './delete-probe';
import { githubDriver } from './listing';
import { githubDeleteTags, githubRestoreTag } from './mutations';

/**
 * GitHub Packages (ghcr.io, docker.pkg.github.com): the REST packages API lists versions (one digest each, with its tags); a classic token's scopes tell whether it may delete; deletes remove whole versions (restorable for 30 days).
 */
export const githubRegistry: RegistryDriver = {
  implementation: 'github',
  info: CATALOGUE.github,
  apiHost: (registry) => registry,
  werfCredentialFlags: { flags: 'github-token', defaultHost: 'ghcr.io' },
  tokenRealmHosts: () => [],
  tokenUser: namedOr('stowage'),
  listing: githubDriver,
  catalog: githubCatalog,
  deleteProbe: githubProbe,
  deleteTags: githubDeleteTags,
  restoreTag: githubRestoreTag,
};
