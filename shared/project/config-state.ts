import type { ConfigBreakage } from '../api/types';
import type { Problem } from '../problems';

// YAML that does not read, and documents that are not maps, leave no images to show: the config is
// broken rather than merely wrong. Checks on a config that did parse (names, fields) are not.
const YAML_BREAKAGE = new Set(['yaml-syntax', 'yaml-alias-limit', 'yaml-alias-cycle', 'yaml-too-deep', 'yaml-too-complex', 'doc-not-map', 'binary-file', 'invalid-text']);

/**
 * Whether the errors in a load mean the config could not be read into images at all (a half-typed
 * template or YAML line), and which kind: the view then keeps the last good version instead of
 * showing "no images".
 */
export function configBreakage(problems: readonly Problem[]): ConfigBreakage | null {
  let yaml = false;
  for (const p of problems) {
    if (p.severity !== 'error') continue;
    // A render stopped by its time or memory budget is a template that did not finish.
    if (p.code.startsWith('template-') || p.code.startsWith('project-limit-')) return 'template';
    if (YAML_BREAKAGE.has(p.code)) yaml = true;
  }
  return yaml ? 'yaml' : null;
}

/** Errors before warnings, each group in its original order. */
export function errorsFirst<P extends { severity: Problem['severity'] }>(problems: readonly P[]): P[] {
  const rank = (p: P) => (p.severity === 'error' ? 0 : 1);
  return problems.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(({ p }) => p);
}
