import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { notImplementedYet, namedOr } from '../pending';
import type { RegistryDriver } from '../types';
import { githubProbe } from './delete-probe';
import { githubDriver } from './listing';

/**
 * GitHub Packages (ghcr.io, docker.pkg.github.com): the REST packages API lists versions (one digest each, with its tags); a classic token's scopes tell whether it may delete.
 */
export const githubRegistry: RegistryDriver = {
  implementation: 'github',
  info: CATALOGUE.github,
  apiHost: (registry) => registry,
  werfCredentialFlags: { flags: 'github-token', defaultHost: 'ghcr.io' },
  tokenRealmHosts: () => [],
  tokenUser: namedOr('stowage'),
  listing: githubDriver,
  deleteProbe: githubProbe,
  ...notImplementedYet(CATALOGUE.github.title),
};
