import { compileGoRegexp, GoRegexpSyntaxError, matchString } from '../go/regexp';
import type { ReferenceMatcher } from './types';

/**
 * Keep-policy values written as `/RE/` are Go (RE2) regular expressions. We need two things from
 * them: reject what Go's regexp.Compile rejects (werf fails on it), and match branch/tag names the
 * way werf will. Both go through the shared Go regexp module, whose matching is linear-time: a
 * project's werf.yaml is untrusted, and a backtracking engine would hang on `/(a+)+$/`.
 */

export type GoRegexCheck = { valid: true } | { valid: false; error: string };

export function checkGoRegex(src: string): GoRegexCheck {
  try {
    compileGoRegexp(src);
  } catch (e) {
    if (e instanceof GoRegexpSyntaxError) return { valid: false, error: e.code };
    throw e;
  }
  return { valid: true };
}

/**
 * Whether a branch or tag name matches a keep-policy reference the way werf matches it. Literals
 * must equal the name. Regexes are wrapped as `^RE$` without a group, exactly like werf, so
 * `/a|b/` means "starts with a, or ends with b". Returns null when the regex is not valid Go.
 */
export function matchesReference(matcher: ReferenceMatcher, name: string): boolean | null {
  if (typeof matcher === 'string') return matcher === name;
  let re;
  try {
    re = compileGoRegexp(`^${matcher.regex}$`);
  } catch {
    return null;
  }
  return matchString(re, name);
}
