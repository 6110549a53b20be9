import type { Problem } from '../problems';
import { parseWerfConfig } from './parse';
import type { ParseOptions, WerfConfig } from './types';

/** Shared by the test files; not part of the public API. */

export const META = 'configVersion: 1\nproject: demo\n';

/** Joins lines with `\n` and a final newline, so line numbers in tests are easy to count. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** A config with the standard 2-line meta section, then `---`; the first image line is line 4. */
export function withMeta(...lines: string[]): string {
  return `${META}---\n${yaml(...lines)}`;
}

export function parse(text: string, opts: Partial<ParseOptions> = {}): { config: WerfConfig; problems: Problem[] } {
  return parseWerfConfig(text, { file: 'werf.yaml', ...opts });
}

/** `[code, line, column]` of every problem, the shape most assertions need. */
export function where(text: string, opts: Partial<ParseOptions> = {}): [string, number, number][] {
  return parse(text, opts).problems.map((p) => [p.code, p.location?.line ?? 0, p.location?.column ?? 0]);
}

export function problem(text: string, code: string, opts: Partial<ParseOptions> = {}): Problem {
  const found = parse(text, opts).problems.find((p) => p.code === code);
  if (!found) throw new Error(`no ${code} problem; got ${JSON.stringify(parse(text, opts).problems.map((p) => p.code))}`);
  return found;
}
