import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { DOCKER_HUB_REGISTRY } from '../../../../shared/registry/detect';
import { dockerhubApiHost } from './hub-api';
import { notImplementedYet, namedOr } from '../pending';
import type { RegistryDriver } from '../types';
import { dockerhubProbe } from './delete-probe';
import { dockerhubDriver } from './listing';

/**
 * Docker Hub: the Registry API on registry-1.docker.io, the Hub web API (`hub-api.ts`) for listing with dates and for deleting one tag — `DELETE /v2/repositories/<ns>/<repo>/tags/<tag>/` with a JWT from `POST /v2/auth/token` (see `delete-probe.ts` for the same call made with a tag that cannot exist).
 */
export const dockerhubRegistry: RegistryDriver = {
  implementation: 'dockerhub',
  info: CATALOGUE.dockerhub,
  apiHost: dockerhubApiHost,
  werfCredentialFlags: { flags: 'docker-hub', defaultHost: DOCKER_HUB_REGISTRY },
  tokenRealmHosts: () => ['auth.docker.io'],
  tokenUser: namedOr('stowage'),
  listing: dockerhubDriver,
  deleteProbe: dockerhubProbe,
  ...notImplementedYet(CATALOGUE.dockerhub.title),
};
