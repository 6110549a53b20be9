import { gitlabCatalog } from './catalog';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { namedOr } from '../pending';
import type { RegistryDriver } from '../types';
import { gitlabProbe } from './delete-probe';
import { gitlabDriver } from './listing';
import { gitlabDeleteTags, gitlabRestoreTag } from './mutations';

/**
 * GitLab Container Registry: the REST/GraphQL API of the GitLab instance (gitlab.com, the API base setting, or the host the token realm names); the token server is the GitLab instance, on any host.
 */
export const gitlabRegistry: RegistryDriver = {
  implementation: 'gitlab',
  info: CATALOGUE.gitlab,
  apiHost: (registry) => registry,
  tokenRealmHosts: () => 'any',
  tokenUser: namedOr('oauth2'),
  listing: gitlabDriver,
  catalog: gitlabCatalog,
  deleteProbe: gitlabProbe,
  deleteTags: gitlabDeleteTags,
  restoreTag: gitlabRestoreTag,
};
