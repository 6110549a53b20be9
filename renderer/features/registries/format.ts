import type { KnownRegistry, LoginState, RegistryOrigin } from '../../../shared/api/registries';

export const ORIGIN_LABEL: Record<RegistryOrigin, string> = {
  'docker-config': 'docker config',
  'saved-credential': 'saved in Stowage',
  environment: 'environment',
  cloud: 'cloud credentials',
  settings: 'settings',
  added: 'added here',
  recent: 'recent images repo',
};

export const LOGIN_LABEL: Record<LoginState, string> = {
  found: 'logged in',
  none: 'no credential',
  expired: 'expired',
  unusable: 'credential unusable',
};

/** "5 min ago", "3 h ago", else the local date: when a test was taken, at a glance. */
export function ago(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return new Date(iso).toLocaleString();
}

/** What the Test button checks: the most recent images repo of the registry, else the registry alone. */
export function defaultTestRepo(r: KnownRegistry): string {
  return r.recentRepos[0] ?? r.registry;
}

/** Where a catalog starts: the recent images repo's path for lists that need a namespace. */
export function defaultNamespace(r: KnownRegistry): string {
  const repo = r.recentRepos[0];
  if (!repo) return '';
  const slash = repo.indexOf('/');
  return slash > 0 ? repo.slice(slash + 1) : '';
}

/** Rows matching a filter: every space-separated word must appear in the name (case-insensitive). */
export function matchesFilter(name: string, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const n = name.toLowerCase();
  return words.every((w) => n.includes(w));
}

/**
 * A catalog row's counts as the registry gave them: tags (counted, or the list's own), and the
 * registry's artifact count (Harbor), which is said as artifacts because it counts no tags.
 * Null when neither is known yet.
 */
export function catalogCountLabel(row: { tagCount?: number; artifactCount?: number }): string | null {
  const parts: string[] = [];
  if (row.tagCount !== undefined) parts.push(`${row.tagCount} tag${row.tagCount === 1 ? '' : 's'}`);
  if (row.artifactCount !== undefined) parts.push(`${row.artifactCount} artifact${row.artifactCount === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** Why a row shows artifacts rather than tags (the cell's tooltip). */
export const ARTIFACT_COUNT_TITLE = 'The registry’s own count of artifacts in this repository (images and indexes, tagged or not), not of tags.';
