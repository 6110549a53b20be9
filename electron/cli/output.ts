import type { Problem } from '../../shared/problems';

export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 3 } as const;

export interface CommandOutput {
  stdout: string;
  stderr?: string;
  code: number;
}

export class UsageError extends Error {}

export function parseEnvPairs(pairs: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of Array.isArray(pairs) ? (pairs as string[]) : []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env wants KEY=VALUE, got "${pair}"`);
    const key = pair.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`"${key}" is not a valid environment variable name`);
    env[key] = pair.slice(eq + 1);
  }
  return env;
}

export function requireOne(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`);
  if (positionals.length > 1) throw new UsageError(`expected one ${what}, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0]!;
}

export function formatProblem(p: { severity: string; message: string; hint?: string; image?: string | null; scope?: 'image' | 'preview'; location?: Problem['location'] }): string {
  const where = p.location ? `${p.location.file}:${p.location.line}:${p.location.column}: ` : '';
  const image = p.image !== undefined && p.scope !== 'preview' ? `[${p.image ?? 'nameless'}] ` : '';
  return `${p.severity}: ${where}${image}${p.message}${p.hint ? `\n  fix: ${p.hint}` : ''}`;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

// C0 controls, DEL and the 8-bit C1 controls (0x9b is CSI to many terminals), plus the Unicode
// bidirectional overrides that make text display in another order than it reads.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_BUT_LAYOUT = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text a terminal shows but never acts on. Registry answers and project files reach human output
 * (tag names, error codes and messages): an ESC, OSC or BEL in them would clear the screen, set
 * the window title or forge lines. Each control character becomes a visible escape (`\x1b`,
 * `\n`). `layout` keeps line feeds and tabs: for whole outputs whose lines we laid out ourselves;
 * a single value from outside is escaped without it, so it cannot start a line of its own.
 */
export function escapeControls(text: string, opts: { layout?: boolean } = {}): string {
  return text.replace(opts.layout ? CONTROLS_BUT_LAYOUT : CONTROLS, escapeOne);
}

// JSON.stringify escapes C0 but writes DEL, C1 and the bidi overrides raw; `\uXXXX` keeps the same value.
const JSON_RAW = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** A JSON document whose strings carry nothing a terminal acts on; it parses to the same value. */
export function jsonSafe(text: string): string {
  return text.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
