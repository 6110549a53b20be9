import { compileGoRegexp, GoRegexpError, matchString } from '../go/regexp';
import type { ReferenceMatcher } from '../werf-config/types';

export type Matcher = (s: string) => boolean;

/**
 * werf's keepPolicy values: `/RE/` (already unwrapped to `{ regex }`) is an unanchored Go regexp
 * (MatchString); any other value is an exact name (werf anchors it as `^…$` of the quoted text).
 */
export function referenceMatcher(m: ReferenceMatcher): Matcher {
  if (typeof m === 'string') return (s) => s === m;
  return goRegexpMatcher(m.regex);
}

/** Unanchored Go regexp test; throws GoRegexpError for a pattern Go would reject. */
export function goRegexpMatcher(pattern: string): Matcher {
  const g = compileGoRegexp(pattern);
  return (s) => matchString(g, s);
}

/** null when Go accepts the pattern, else the reason. */
export function goRegexpProblem(pattern: string): string | null {
  try {
    compileGoRegexp(pattern);
    return null;
  } catch (e) {
    return e instanceof GoRegexpError ? e.message : String(e);
  }
}
