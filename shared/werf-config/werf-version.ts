/**
 * Which werf release's rules apply. werf.yaml says `configVersion: 1` in every release, so the file
 * cannot tell; the user picks the release per project (the app) or with `--werf-version` (the CLI),
 * and the current release is the default. Four generations differ in ways a preview can see:
 *
 * - `1.1`: Dockerfile paths relative to the project, `.Files.Get` of a missing file warns,
 *   `fromImage` names only images of the config, v1.1-only keys.
 * - `1.2`: giterminism, Dockerfile paths relative to `context`, `.Files.Get` of a missing file fails,
 *   `.Files.Glob` without a match fails.
 * - `2`: as 1.2 plus `final`, `dependencies`, `imageSpec` and the other v2 keys.
 * - `2.47`: v2.47.0 unified `from` and `fromImage`: `fromImage: alpine:3.20` is an ordinary base
 *   image, and `from` beside `fromImage` is no longer a conflict. (v2.55.4 also stopped failing a
 *   `.Files.Glob` without a match; the newest generation follows that too.)
 */
export const WERF_VERSIONS = ['1.1', '1.2', '2', '2.47'] as const;
export type WerfVersion = (typeof WERF_VERSIONS)[number];

/** The release generation werf ships today. */
export const CURRENT_WERF_VERSION: WerfVersion = '2.47';

export const WERF_VERSION_LABELS: Record<WerfVersion, string> = {
  '1.1': 'werf v1.1',
  '1.2': 'werf v1.2',
  '2': 'werf v2 before v2.47',
  '2.47': 'werf v2.47 and newer (current)',
};

export interface WerfRules {
  version: WerfVersion;
  /** v1.2 and newer: Dockerfile relative to context, giterminism, the modern key sets. */
  modern: boolean;
  /** `.Files.Get` of a missing file: v1.1 warns and renders "", later releases fail the render. */
  filesGetMissing: 'warn' | 'error';
  /** `.Files.Glob` without a match. */
  globNoMatch: 'warn' | 'error' | 'empty';
  /** `fromImage` may name an external image (werf ≥ 2.47). */
  fromImageExternal: boolean;
}

export function werfRules(version: WerfVersion = CURRENT_WERF_VERSION): WerfRules {
  const modern = version !== '1.1';
  return {
    version,
    modern,
    filesGetMissing: modern ? 'error' : 'warn',
    globNoMatch: version === '1.1' ? 'warn' : version === '2.47' ? 'empty' : 'error',
    fromImageExternal: version === '2.47',
  };
}

/**
 * Reads what users type: `1.1`, `v1.2.339`, `2`, `2.30.1`, `v2.55`, `3.2`, `latest`, `current`.
 * Null when it names no werf release Stowage knows.
 */
export function parseWerfVersion(text: string): WerfVersion | null {
  const t = text.trim().toLowerCase();
  if (t === 'latest' || t === 'current') return CURRENT_WERF_VERSION;
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(t);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = m[2] === undefined ? null : Number(m[2]);
  if (major === 1) {
    if (minor === 1) return '1.1';
    if (minor === 2) return '1.2';
    return null;
  }
  if (major === 2) return minor !== null && minor >= 47 ? '2.47' : '2';
  // werf 3 kept v2.47's configuration rules.
  if (major === 3) return '2.47';
  return null;
}

export function isWerfVersion(value: unknown): value is WerfVersion {
  return typeof value === 'string' && (WERF_VERSIONS as readonly string[]).includes(value);
}
