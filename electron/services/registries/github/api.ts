/** What GitHub's packages REST API accepts, for every hint that says why it refused a token. */
export const CLASSIC_PAT = 'The packages API takes a classic personal access token with read:packages (fine-grained tokens are not accepted)';

/**
 * REST base for a registry host: ghcr.io → api.github.com; GHES `containers.<host>` →
 * `https://<host>/api/v3`; anything else only from the setting, so a token meant for another
 * registry is never sent to api.github.com.
 */
export function githubApiBase(registry: string, configured: string | undefined): string | null {
  if (configured) return configured;
  const host = registry.replace(/:\d+$/, '');
  if (host.startsWith('containers.')) return `https://${host.slice('containers.'.length)}/api/v3`;
  if (host === 'ghcr.io' || host === 'docker.pkg.github.com') return 'https://api.github.com';
  return null;
}
