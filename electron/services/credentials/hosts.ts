import { DOCKER_HUB_HOSTS, DOCKER_HUB_REGISTRY, detectImplementation } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';

/** The key docker/cli stores and looks up Docker Hub credentials under, whatever alias the user typed. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * host[:port] of a registry written as a host, an images repo, a URL or a legacy config.json key
 * (`https://host/v1/`). Docker Hub's aliases all become `index.docker.io`, the name the shared
 * types use. Returns '' for input that names no host.
 */
export function normaliseRegistryHost(input: string): string {
  let s = input.trim().replace(SCHEME, '');
  const slash = s.indexOf('/');
  if (slash >= 0) s = s.slice(0, slash);
  s = s.toLowerCase();
  if (s === 'docker.io' || DOCKER_HUB_HOSTS.has(s)) return DOCKER_HUB_REGISTRY;
  return s;
}

export function isDockerHub(host: string): boolean {
  return normaliseRegistryHost(host) === DOCKER_HUB_REGISTRY;
}

/** What docker/cli writes to a credential helper's stdin and looks up first in `auths` for a host. */
export function dockerConfigKeyFor(host: string): string {
  return isDockerHub(host) ? DOCKER_HUB_CONFIG_KEY : normaliseRegistryHost(host);
}

export function implementationOfHost(host: string): Implementation {
  return detectImplementation(host).implementation;
}

/** Paths shown to the user: the home folder as `~`, which is shorter and says the same. */
export function displayPath(path: string, homeDir: string): string {
  const home = homeDir.replace(/\/+$/, '');
  if (home !== '' && (path === home || path.startsWith(`${home}/`))) {
    return `~${path.slice(home.length)}`;
  }
  return path;
}

/** Sorting for output: hosts alphabetically, so the CLI's JSON is stable between runs. */
export function compareHosts(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
