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
