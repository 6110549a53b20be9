import type { Problem, Severity, SourceLocation } from '../problems';
import type { WerfConfigProblemCode } from './codes';
import type { LEntry, LMap, LNode, LPos, LSeq } from './lnode';
import { werfRules, type WerfRules } from './werf-version';

/**
 * Typed access to a located YAML tree with werf's (go-yaml v2's) decoding rules. Every reader
 * reports a `wrong-type` problem at the offending value and returns undefined, so callers simply
 * skip what they could not read and keep checking the rest of the document.
 */
export class Ctx {
  /** Set while reading an image document, so each problem says which image it is about. */
  image: string | null | undefined = undefined;

  constructor(
    readonly file: string,
    readonly problems: Problem[],
    readonly rules: WerfRules = werfRules(),
  ) {}

  loc(p: LPos): SourceLocation {
    return { file: this.file, line: p.line, column: p.col };
  }

  report(severity: Severity, code: WerfConfigProblemCode, message: string, hint: string, at: LPos): void {
    const problem: Problem = { severity, code, message, hint, location: this.loc(at) };
    if (this.image !== undefined) problem.image = this.image;
    this.problems.push(problem);
  }

  error(code: WerfConfigProblemCode, message: string, hint: string, at: LPos): void {
    this.report('error', code, message, hint, at);
  }

  warn(code: WerfConfigProblemCode, message: string, hint: string, at: LPos): void {
    this.report('warning', code, message, hint, at);
  }
}

export function describe(n: LNode): string {
  if (n.t === 'm') return 'a map';
  if (n.t === 'q') return 'a list';
  if (n.v === null) return 'null';
  if (typeof n.v === 'boolean') return `the boolean \`${n.text}\``;
  if (typeof n.v === 'number') return `the number \`${n.text}\``;
  return `the string "${clip(n.text)}"`;
}

export function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Go's `%v` rendering of a decoded value, used where werf quotes the value back. */
export function goValue(n: LNode): string {
  if (n.t === 's') return n.v === null ? '<nil>' : n.text;
  if (n.t === 'q') return `[${n.items.map(goValue).join(' ')}]`;
  return `map[${n.entries.map((e) => `${e.key}:${goValue(e.value)}`).join(' ')}]`;
}

function wrongType(ctx: Ctx, path: string, expected: string, n: LNode, hint?: string): void {
  ctx.error('wrong-type', `\`${path}\`: ${expected} expected, got ${describe(n)}`, hint ?? `Write ${expected} here.`, n);
}

function isNull(n: LNode): boolean {
  return n.t === 's' && n.v === null;
}

/** A go-yaml `string` field: any scalar is accepted as its text; null means unset. */
export function readString(ctx: Ctx, e: LEntry | undefined, path: string): string | undefined {
  if (!e || isNull(e.value)) return undefined;
  if (e.value.t !== 's') {
    wrongType(ctx, path, 'a string', e.value);
    return undefined;
  }
  return e.value.text;
}

/**
 * An `interface{}` field that werf then requires to be a string: numbers and booleans are refused
 * because go-yaml decodes them as such before werf looks at them.
 */
export function readStrictString(ctx: Ctx, n: LNode | undefined, path: string): string | undefined {
  if (!n || isNull(n)) return undefined;
  if (n.t === 's' && typeof n.v === 'string') return n.v;
  wrongType(ctx, path, 'a string', n, n.t === 's' ? `Quote the value: "${n.text}".` : undefined);
  return undefined;
}

export function readBool(ctx: Ctx, e: LEntry | undefined, path: string): boolean | undefined {
  if (!e || isNull(e.value)) return undefined;
  if (e.value.t === 's' && typeof e.value.v === 'boolean') return e.value.v;
  wrongType(ctx, path, 'a boolean', e.value, 'Write true or false (without quotes).');
  return undefined;
}

export function readInt(ctx: Ctx, e: LEntry | undefined, path: string): number | undefined {
  if (!e || isNull(e.value)) return undefined;
  if (e.value.t === 's' && typeof e.value.v === 'number' && Number.isInteger(e.value.v)) return e.value.v;
  wrongType(ctx, path, 'an integer', e.value, 'Write a whole number without quotes.');
  return undefined;
}

export function readMap(ctx: Ctx, e: LEntry | undefined, path: string): LMap | undefined {
  if (!e || isNull(e.value)) return undefined;
  if (e.value.t !== 'm') {
    wrongType(ctx, path, 'a map', e.value, 'Write `key: value` pairs on indented lines below this key.');
    return undefined;
  }
  return e.value;
}

export function readSeq(ctx: Ctx, e: LEntry | undefined, path: string): LSeq | undefined {
  if (!e || isNull(e.value)) return undefined;
  if (e.value.t !== 'q') {
    wrongType(ctx, path, 'a list', e.value, 'Write the items as `- item` lines below this key.');
    return undefined;
  }
  return e.value;
}

/** A go-yaml `[]string` field: a list whose items may be any scalar. */
export function readStringList(ctx: Ctx, e: LEntry | undefined, path: string): string[] | undefined {
  const seq = readSeq(ctx, e, path);
  if (!seq) return undefined;
  const out: string[] = [];
  seq.items.forEach((it, i) => {
    if (it.t !== 's') wrongType(ctx, `${path}[${i}]`, 'a string', it);
    else out.push(it.text);
  });
  return out;
}

/** werf's "single string or array of strings" (InterfaceToStringArray). */
export function readStringOrList(ctx: Ctx, e: LEntry | undefined, path: string): string[] | undefined {
  if (!e || isNull(e.value)) return undefined;
  const n = e.value;
  if (n.t === 's' && typeof n.v === 'string') return [n.v];
  if (n.t === 'q') {
    const out: string[] = [];
    n.items.forEach((it, i) => {
      const s = readStrictString(ctx, it, `${path}[${i}]`);
      if (s !== undefined) out.push(s);
    });
    return out;
  }
  wrongType(ctx, path, 'a string or a list of strings', n);
  return undefined;
}

/** A `map[string]string` (or werf's `args`): scalar values become their text. */
export function readStringMap(ctx: Ctx, e: LEntry | undefined, path: string): Record<string, string> | undefined {
  const m = readMap(ctx, e, path);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const it of m.entries) {
    if (it.value.t !== 's') {
      wrongType(ctx, `${path}.${it.key}`, 'a string', it.value);
      continue;
    }
    if (it.key === '__proto__') continue;
    out[it.key] = it.value.v === null ? '' : it.value.text;
  }
  return out;
}

export interface KeyRules {
  allowed: ReadonlySet<string>;
  /** Extra advice for a specific unknown key (it belongs to another section kind or werf version). */
  explain?: (key: string) => string | undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

export function suggestKey(key: string, allowed: Iterable<string>): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestScore = 3;
  for (const a of allowed) {
    if (a.toLowerCase() === lower) return a;
    const d = editDistance(lower, a.toLowerCase());
    if (d < bestScore) {
      best = a;
      bestScore = d;
    }
  }
  return best;
}

/** werf's checkOverflow: one problem naming every unknown key, placed at the first of them. */
export function checkKeys(ctx: Ctx, m: LMap, rules: KeyRules, where: string): void {
  const unknown = m.entries.filter((e) => !rules.allowed.has(e.key));
  if (unknown.length === 0) return;
  const first = unknown[0];
  const names = unknown.map((e) => `\`${e.key}\``).join(', ');
  let hint = rules.explain?.(first.key);
  if (!hint) {
    const guess = suggestKey(first.key, rules.allowed);
    hint = guess
      ? `Did you mean \`${guess}\`?`
      : `Remove ${unknown.length > 1 ? 'them' : 'it'}; ${where} accepts: ${[...rules.allowed].join(', ')}.`;
  }
  ctx.error('unknown-fields', `unknown fields: ${names}!`, hint, first);
}
