/**
 * Image references normalised the way Docker resolves them, so a cluster's `nginx:1.25` and the
 * registry's `index.docker.io/library/nginx:1.25` are recognised as the same image (werf compares
 * exact strings and misses these: werf.md §6.2).
 */

export interface ImageReference {
  /** `index.docker.io` for Docker Hub, lower-cased. */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export function normalizeRegistryHost(host: string): string {
  const h = host.toLowerCase();
  return HUB_ALIASES.has(h) ? 'index.docker.io' : h;
}

/** A first path component is a registry host when it has a dot or a port, or is `localhost`. */
function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** Parses `[host/]path[:tag][@digest]`; null for text that is no image reference. */
export function parseImageReference(raw: string): ImageReference | null {
  const s = raw.trim();
  if (s === '' || /\s/.test(s)) return null;
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) return null;
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === '') return null;
  }
  const parts = rest.split('/');
  let registry = 'index.docker.io';
  if (parts.length > 1 && looksLikeHost(parts[0]!)) registry = normalizeRegistryHost(parts.shift()!);
  if (parts.length === 0 || parts.some((p) => p === '')) return null;
  if (registry === 'index.docker.io' && parts.length === 1) parts.unshift('library');
  const out: ImageReference = { registry, repository: parts.join('/').toLowerCase() };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** The registry's repository path as a cluster would spell it after normalisation (Hub adds `library/`). */
export function normalizeRepository(registry: string, repository: string): string {
  const r = repository.toLowerCase();
  return normalizeRegistryHost(registry) === 'index.docker.io' && !r.includes('/') ? `library/${r}` : r;
}
