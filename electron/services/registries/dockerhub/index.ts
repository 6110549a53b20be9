import { dockerhubCatalog } from './catalog';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { DOCKER_HUB_REGISTRY } from '../../../../shared/registry/detect';
import { dockerhubApiHost } from './hub-api';
import { namedOr } from '../pending';
import { dockerhubDeleteTags, dockerhubRestoreTag } from './delete';
import type { RegistryDriver } from '../types';
import { dockerhubProbe } from './delete-probe';
import { dockerhubDriver } from './listing';

/**
 * Docker Hub: the Registry API on registry-1.docker.io, the Hub web API (`hub-api.ts`) for listing with dates and for deleting one tag — `DELETE /v2/repositories/<ns>/<repo>/tags/<tag>/` with a JWT from `POST /v2/auth/token` (`delete.ts`; `delete-probe.ts` makes the same call with a tag that cannot exist). A deleted tag cannot be restored.
 */
export const dockerhubRegistry: RegistryDriver = {
  implementation: 'dockerhub',
  info: CATALOGUE.dockerhub,
  apiHost: dockerhubApiHost,
  werfCredentialFlags: { flags: 'docker-hub', defaultHost: DOCKER_HUB_REGISTRY },
  tokenRealmHosts: () => ['auth.docker.io'],
  tokenUser: namedOr('stowage'),
  listing: dockerhubDriver,
  catalog: dockerhubCatalog,
  deleteProbe: dockerhubProbe,
  deleteTags: dockerhubDeleteTags,
  restoreTag: dockerhubRestoreTag,
};
