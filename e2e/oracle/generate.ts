/**
 * A grammar-based generator of werf.yaml templates for the differential tests: text, actions with
 * whitespace trimming, pipelines of sprig and werf functions with random (mostly well-typed)
 * arguments, variables, if/else, range with break/continue, with, define/template/include in the
 * config and in `.werf` partials, and tpl of generated template text. Deterministic per seed, so
 * a failing template can be replayed from the seed and index the test prints.
 */
import type { OracleCase } from './oracle';

/** mulberry32: small, fast and good enough to spread choices. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  'pod-reloader', 'a b_c-d', 'HTTP_server', 'http_server', '_complex__case_', 'a: b', '#x', '@x', 'yes', 'no', 'on', '80', '', ' x ',
  'Ünïcödé', 'x\ny', '1.5', '0x1f', 'null', '~', 'alpine:3.20', 'registry.example.com/app', 'Hello World', 'GOLANG_IS_GREAT', 'a,b,c',
  'v1.2.3', '1.2.3', '>=1.0.0', '<2.0', 'true', 'FirstName', 'x-y_z w', '  ', 'tab\there', "it's", 'q"uote', 'back\\slash', '- item',
  '{{ not a template }}', 'emoji 🚀', 'ß', 'ǅungla', 'İstanbul',
];
const INTS = [0, 1, 2, 3, 5, 7, 10, 42, -1, -7, 100, 255, 65536];
const FLOATS = ['1.5', '0.1', '2.0', '1e3', '-0.5', '3.14159'];
const WORDS = ['image', 'from', 'name', 'shell', 'args', 'x', 'value', 'key', 'app', 'base', 'é', '#', ':', '-', '"', "'"];

type Kind = 'str' | 'int' | 'bool' | 'list' | 'dict' | 'any';

interface Fn {
  name: string;
  args: Kind[];
  /** Extra arguments of the last kind may follow. */
  variadic?: boolean;
  out: Kind;
}

const FNS: Fn[] = [
  ...['upper', 'lower', 'title', 'untitle', 'trim', 'camelcase', 'snakecase', 'kebabcase', 'swapcase', 'quote', 'squote', 'b64enc',
    'sha256sum', 'sha1sum', 'adler32sum', 'toString', 'nospace', 'initials', 'trimAll', 'b32enc', 'html', 'js', 'urlquery', 'base', 'dir', 'clean', 'ext'].map(
    (name): Fn => (name === 'trimAll' ? { name, args: ['str', 'str'], out: 'str' } : { name, args: ['str'], out: 'str' }),
  ),
  { name: 'len', args: ['any'], out: 'int' },
  { name: 'trimSuffix', args: ['str', 'str'], out: 'str' },
  { name: 'trimPrefix', args: ['str', 'str'], out: 'str' },
  { name: 'contains', args: ['str', 'str'], out: 'bool' },
  { name: 'hasPrefix', args: ['str', 'str'], out: 'bool' },
  { name: 'hasSuffix', args: ['str', 'str'], out: 'bool' },
  { name: 'repeat', args: ['int', 'str'], out: 'str' },
  { name: 'indent', args: ['int', 'str'], out: 'str' },
  { name: 'nindent', args: ['int', 'str'], out: 'str' },
  { name: 'trunc', args: ['int', 'str'], out: 'str' },
  { name: 'abbrev', args: ['int', 'str'], out: 'str' },
  { name: 'replace', args: ['str', 'str', 'str'], out: 'str' },
  { name: 'substr', args: ['int', 'int', 'str'], out: 'str' },
  { name: 'splitList', args: ['str', 'str'], out: 'list' },
  { name: 'split', args: ['str', 'str'], out: 'dict' },
  { name: 'join', args: ['str', 'list'], out: 'str' },
  { name: 'printf', args: ['str', 'any'], variadic: true, out: 'str' },
  { name: 'print', args: ['any'], variadic: true, out: 'str' },
  { name: 'cat', args: ['any'], variadic: true, out: 'str' },
  { name: 'default', args: ['any', 'any'], out: 'any' },
  { name: 'ternary', args: ['any', 'any', 'bool'], out: 'any' },
  { name: 'coalesce', args: ['any'], variadic: true, out: 'any' },
  { name: 'empty', args: ['any'], out: 'bool' },
  { name: 'list', args: ['any'], variadic: true, out: 'list' },
  { name: 'dict', args: ['str', 'any'], out: 'dict' },
  { name: 'first', args: ['list'], out: 'any' },
  { name: 'last', args: ['list'], out: 'any' },
  { name: 'rest', args: ['list'], out: 'list' },
  { name: 'initial', args: ['list'], out: 'list' },
  { name: 'uniq', args: ['list'], out: 'list' },
  { name: 'sortAlpha', args: ['list'], out: 'list' },
  { name: 'reverse', args: ['list'], out: 'list' },
  { name: 'compact', args: ['list'], out: 'list' },
  { name: 'has', args: ['any', 'list'], out: 'bool' },
  { name: 'append', args: ['list', 'any'], out: 'list' },
  { name: 'keys', args: ['dict'], out: 'list' },
  { name: 'values', args: ['dict'], out: 'list' },
  { name: 'hasKey', args: ['dict', 'str'], out: 'bool' },
  { name: 'get', args: ['dict', 'str'], out: 'any' },
  { name: 'pluck', args: ['str', 'dict'], variadic: true, out: 'list' },
  { name: 'toYaml', args: ['any'], out: 'str' },
  { name: 'toJson', args: ['any'], out: 'str' },
  { name: 'toPrettyJson', args: ['any'], out: 'str' },
  { name: 'fromYaml', args: ['str'], out: 'dict' },
  { name: 'add', args: ['int', 'int'], variadic: true, out: 'int' },
  { name: 'sub', args: ['int', 'int'], out: 'int' },
  { name: 'mul', args: ['int', 'int'], out: 'int' },
  { name: 'div', args: ['int', 'int'], out: 'int' },
  { name: 'mod', args: ['int', 'int'], out: 'int' },
  { name: 'max', args: ['int', 'int'], variadic: true, out: 'int' },
  { name: 'min', args: ['int', 'int'], variadic: true, out: 'int' },
  { name: 'add1', args: ['int'], out: 'int' },
  { name: 'int', args: ['any'], out: 'int' },
  { name: 'int64', args: ['any'], out: 'int' },
  { name: 'float64', args: ['any'], out: 'any' },
  { name: 'atoi', args: ['str'], out: 'int' },
  { name: 'toStrings', args: ['list'], out: 'list' },
  { name: 'eq', args: ['any', 'any'], out: 'bool' },
  { name: 'ne', args: ['any', 'any'], out: 'bool' },
  { name: 'lt', args: ['int', 'int'], out: 'bool' },
  { name: 'le', args: ['int', 'int'], out: 'bool' },
  { name: 'gt', args: ['int', 'int'], out: 'bool' },
  { name: 'ge', args: ['int', 'int'], out: 'bool' },
  { name: 'and', args: ['any', 'any'], out: 'any' },
  { name: 'or', args: ['any', 'any'], out: 'any' },
  { name: 'not', args: ['any'], out: 'bool' },
  { name: 'semverCompare', args: ['str', 'str'], out: 'bool' },
  { name: 'semver', args: ['str'], out: 'any' },
  { name: 'kindOf', args: ['any'], out: 'str' },
  { name: 'typeOf', args: ['any'], out: 'str' },
  { name: 'kindIs', args: ['str', 'any'], out: 'bool' },
  { name: 'deepEqual', args: ['any', 'any'], out: 'bool' },
  { name: 'index', args: ['list', 'int'], out: 'any' },
  { name: 'slice', args: ['list', 'int'], out: 'list' },
  { name: 'wrap', args: ['int', 'str'], out: 'str' },
  { name: 'plural', args: ['str', 'str', 'int'], out: 'str' },
  { name: 'env', args: ['str', 'str'], out: 'str' },
  { name: 'required', args: ['str', 'any'], out: 'any' },
  { name: 'mustToJson', args: ['any'], out: 'str' },
  { name: 'b64dec', args: ['str'], out: 'str' },
  { name: 'seq', args: ['int'], out: 'str' },
  { name: 'until', args: ['int'], out: 'list' },
  { name: 'untilStep', args: ['int', 'int', 'int'], out: 'list' },
  { name: 'sortAlpha', args: ['list'], out: 'list' },
  { name: 'mergeOverwrite', args: ['dict', 'dict'], out: 'dict' },
  { name: 'omit', args: ['dict', 'str'], out: 'dict' },
  { name: 'pick', args: ['dict', 'str'], out: 'dict' },
];

const PRINTF_FORMATS = ['%s', '%v', '%d', '%q', '%5s|%-4v', '%x', '%t', '%03d', '%.2f', '%v-%v', '%T', '%%', '%s %s'];

class Gen {
  private vars: string[] = [];
  private defines: string[] = [];
  constructor(private readonly r: () => number) {}

  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }

  goString(s: string): string {
    if (this.chance(0.15) && !s.includes('`')) return '`' + s + '`';
    return JSON.stringify(s);
  }

  literal(kind: Kind): string {
    switch (kind) {
      case 'str':
        return this.goString(this.pick(STRINGS));
      case 'int':
        return String(this.pick(INTS));
      case 'bool':
        return this.pick(['true', 'false']);
      case 'list':
        return `(list ${Array.from({ length: this.int(4) }, () => this.literal(this.pick(['str', 'int', 'str']))).join(' ')})`;
      case 'dict':
        return `(dict ${Array.from({ length: this.int(3) }, () => `${this.goString(this.pick(WORDS))} ${this.literal(this.pick(['str', 'int', 'bool']))}`).join(' ')})`;
      default:
        return this.literal(this.pick(['str', 'int', 'bool', 'list', 'dict', 'str'] as Kind[]));
    }
  }

  operand(kind: Kind, depth: number): string {
    const roll = this.r();
    if (this.vars.length > 0 && roll < 0.15) return this.pick(this.vars);
    // Not the root itself: it holds .Files, whose Go fields are werf internals (a documented exception).
    if (roll < 0.2) return this.pick(['.Env', '$.Env', '.Commit.Hash', '.Commit.Date.Unix', '.Commit.Date.Human']);
    if (depth > 0 && roll < 0.45) return `(${this.call(kind, depth - 1)})`;
    if (roll < 0.47) return 'nil';
    return this.literal(kind);
  }

  call(kind: Kind, depth: number): string {
    const wanted = kind === 'any' ? FNS : FNS.filter((f) => f.out === kind || f.out === 'any');
    const f = this.pick(wanted.length ? wanted : FNS);
    const args: string[] = [];
    const wrongTypes = this.chance(0.07);
    for (const k of f.args) args.push(this.operand(wrongTypes ? 'any' : k, depth));
    if (f.name === 'printf') args[0] = JSON.stringify(this.pick(PRINTF_FORMATS));
    if (f.variadic) for (let i = this.int(3); i > 0; i--) args.push(this.operand(f.args[f.args.length - 1]!, depth));
    if (this.chance(0.03)) args.pop();
    return [f.name, ...args].join(' ');
  }

  pipeline(depth: number): string {
    let p = this.chance(0.6) ? this.call('any', depth) : this.operand('any', depth);
    for (let i = this.int(3); i > 0; i--) {
      const f = this.pick(FNS.filter((x) => x.args.length <= 2 && !x.variadic));
      const args = f.args.slice(0, -1).map((k) => this.operand(k, 0));
      p += ` | ${[f.name, ...args].join(' ')}`;
    }
    return p;
  }

  open(): string {
    return this.chance(0.3) ? '{{- ' : '{{ ';
  }
  close(): string {
    return this.chance(0.3) ? ' -}}' : ' }}';
  }

  text(): string {
    let s = '';
    for (let i = 1 + this.int(3); i > 0; i--) {
      s += this.pick([...WORDS, '\n', '  ', ': ', '\n- ', ' ', '\n  ']);
    }
    return s;
  }

  action(depth: number): string {
    const roll = this.r();
    if (roll < 0.12) {
      const name = `$v${this.vars.length}`;
      const decl = `${this.open()}${name} := ${this.pipeline(depth)}${this.close()}`;
      this.vars.push(name);
      return decl;
    }
    if (roll < 0.16 && this.vars.length) return `${this.open()}${this.pick(this.vars)} = ${this.pipeline(depth)}${this.close()}`;
    if (roll < 0.18) return `{{/* ${this.pick(WORDS)} */}}`;
    if (roll < 0.2) return `${this.open()}${this.pick(['print', 'printf "%v"'])} ${this.operand('any', depth)}${this.close()}`;
    return `${this.open()}${this.pipeline(depth)}${this.close()}`;
  }

  items(depth: number, inRange = false): string {
    let out = '';
    for (let i = 1 + this.int(4); i > 0; i--) {
      const roll = this.r();
      if (depth > 0 && roll < 0.12) out += this.ifBlock(depth - 1, inRange);
      else if (depth > 0 && roll < 0.22) out += this.rangeBlock(depth - 1);
      else if (depth > 0 && roll < 0.27) out += this.withBlock(depth - 1, inRange);
      else if (roll < 0.32 && this.defines.length) out += this.useDefine();
      else if (depth > 0 && roll < 0.35) out += `${this.open()}tpl ${JSON.stringify(this.nested(depth - 1))} ${this.pick(['.', '$', '(dict "x" 1)'])}${this.close()}`;
      else if (inRange && roll < 0.37) out += `${this.open()}${this.pick(['break', 'continue'])}${this.close()}`;
      else if (roll < 0.65) out += this.text();
      else out += this.action(depth);
    }
    return out;
  }

  /** A template for tpl: its own variables, so the outer ones are not referenced. */
  nested(depth: number): string {
    const saved = this.vars;
    this.vars = [];
    const t = this.items(depth);
    this.vars = saved;
    return t;
  }

  scoped(fn: () => string): string {
    const n = this.vars.length;
    const s = fn();
    this.vars.length = n;
    return s;
  }

  ifBlock(depth: number, inRange: boolean): string {
    let s = `${this.open()}if ${this.pipeline(depth)}${this.close()}${this.scoped(() => this.items(depth, inRange))}`;
    if (this.chance(0.3)) s += `${this.open()}else if ${this.pipeline(depth)}${this.close()}${this.scoped(() => this.items(depth, inRange))}`;
    if (this.chance(0.5)) s += `${this.open()}else${this.close()}${this.scoped(() => this.items(depth, inRange))}`;
    return `${s}${this.open()}end${this.close()}`;
  }

  rangeBlock(depth: number): string {
    const over = this.chance(0.8) ? this.operand(this.pick(['list', 'dict', 'int'] as Kind[]), depth) : this.pipeline(depth);
    return this.scoped(() => {
      let head: string;
      const roll = this.r();
      if (roll < 0.4) {
        const i = `$i${this.vars.length}`;
        const e = `$e${this.vars.length}`;
        head = `range ${i}, ${e} := ${over}`;
        this.vars.push(i, e);
      } else if (roll < 0.7) {
        const e = `$e${this.vars.length}`;
        head = `range ${e} := ${over}`;
        this.vars.push(e);
      } else head = `range ${over}`;
      let s = `${this.open()}${head}${this.close()}${this.items(depth, true)}`;
      if (this.chance(0.25)) s += `${this.open()}else${this.close()}${this.items(depth)}`;
      return `${s}${this.open()}end${this.close()}`;
    });
  }

  withBlock(depth: number, inRange: boolean): string {
    let s = `${this.open()}with ${this.pipeline(depth)}${this.close()}${this.scoped(() => this.items(depth, inRange))}`;
    if (this.chance(0.3)) s += `${this.open()}else${this.close()}${this.scoped(() => this.items(depth, inRange))}`;
    return `${s}${this.open()}end${this.close()}`;
  }

  useDefine(): string {
    const name = this.pick(this.defines);
    const arg = this.pick(['.', '$', '(dict "x" 1)', '(list 1 2)', '"s"', 'nil']);
    if (this.chance(0.5)) return `${this.open()}template ${JSON.stringify(name)} ${arg}${this.close()}`;
    return `${this.open()}include ${JSON.stringify(name)} ${arg}${this.chance(0.5) ? ` | ${this.pick(['indent 2', 'nindent 4', 'trim', 'upper'])}` : ''}${this.close()}`;
  }

  define(name: string, depth: number): string {
    const body = this.nested(depth);
    return `{{- define ${JSON.stringify(name)} }}${body}{{ end }}`;
  }

  testCase(): OracleCase {
    const partials: { name: string; text: string }[] = [];
    let head = '';
    const defineCount = this.int(3);
    for (let i = 0; i < defineCount; i++) {
      const name = this.chance(0.5) ? `d${i}` : `partials/p${i}.tmpl`;
      if (name.endsWith('.tmpl')) {
        partials.push({ name, text: this.nested(2) });
      } else {
        head += this.define(name, 2);
      }
      this.defines.push(name);
    }
    const body = this.items(3);
    return {
      config: head + body,
      partials,
      files: { 'a.txt': 'alpha\n', 'conf/x.yaml': 'x: 1\n', 'conf/sub/y.yaml': 'y: [1, 2]\n', 'Dockerfile.app': 'FROM scratch\n' },
      env: { SET: 'value', EMPTY: '' },
      werfEnv: 'staging',
      commit: COMMIT,
      loose: true,
    };
  }
}

export const COMMIT = { hash: '0123456789abcdef0123456789abcdef01234567', human: '2025-01-15 12:00:00 +0000 +0000', unix: '1736942400' };

/** `count` templates from `seed`. */
export function generateCases(seed: number, count: number): OracleCase[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => new Gen(r).testCase());
}
