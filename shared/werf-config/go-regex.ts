import { compileTranslation, GoRegexpSyntaxError, translateGoRegexp, type GoRegexpTranslation } from '../go/regexp';
import type { ReferenceMatcher } from './types';

/**
 * Keep-policy values written as `/RE/` are Go (RE2) regular expressions. We need two things from
 * them: reject what Go's regexp.Compile rejects (werf fails on it), and match branch/tag names the
 * way werf will. The pattern is checked and translated by the shared Go regexp module; a few
 * constructs that Go accepts have no JavaScript equivalent there, and then only validity is reported.
 */

export type GoRegexCheck =
  | { valid: true; js: { source: string; flags: string } | null }
  | { valid: false; error: string };

export function checkGoRegex(src: string): GoRegexCheck {
  let t: GoRegexpTranslation;
  try {
    t = translateGoRegexp(src);
    // Compiling also catches what the translation leaves to the regex engine: quantifiers with
    // nothing to repeat, reversed ranges, unknown Unicode classes.
    compileTranslation(src, t);
  } catch (e) {
    if (e instanceof GoRegexpSyntaxError) return { valid: false, error: e.code };
    throw e;
  }
  return { valid: true, js: t.unsupported === null ? { source: t.source, flags: t.flags } : null };
}

/**
 * Whether a branch or tag name matches a keep-policy reference the way werf matches it. Literals
 * must equal the name. Regexes are wrapped as `^RE$` without a group, exactly like werf, so
 * `/a|b/` means "starts with a, or ends with b". Returns null when the regex cannot be evaluated here.
 */
export function matchesReference(matcher: ReferenceMatcher, name: string): boolean | null {
  if (typeof matcher === 'string') return matcher === name;
  const check = checkGoRegex(matcher.regex);
  if (!check.valid || check.js === null) return null;
  try {
    return new RegExp(`^${check.js.source}$`, check.js.flags).test(name);
  } catch {
    return null;
  }
}
