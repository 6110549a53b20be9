/**
 * Semantic versions and constraints with the rules of Masterminds/semver v3, which sprig's
 * semver/semverCompare use: loose parsing ("v1.2" is 1.2.0), wildcards, ^ ~ ranges, hyphen
 * ranges, || and comma/space conjunctions, and pre-releases excluded unless asked for.
 */
import { FuncError } from './errors';
import { GO_KIND, GO_STRING, GO_TYPE } from './values';

const VERSION_RE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

export class SemverVersion {
  readonly [GO_TYPE] = '*semver.Version';
  readonly [GO_KIND] = 'ptr';

  constructor(
    readonly major: number,
    readonly minor: number,
    readonly patch: number,
    readonly pre: string,
    readonly metadata: string,
    readonly original: string,
  ) {}

  static parse(v: string): SemverVersion {
    const m = VERSION_RE.exec(v);
    if (!m) throw new FuncError('Invalid Semantic Version');
    const num = (s: string | undefined): number => {
      if (s === undefined) return 0;
      const n = Number(s.replace(/^\./, ''));
      if (!Number.isSafeInteger(n)) throw new FuncError('Invalid Semantic Version');
      return n;
    };
    const pre = m[5] ?? '';
    if (pre !== '') {
      for (const part of pre.split('.')) {
        if (/^[0-9]+$/.test(part) && part.length > 1 && part[0] === '0') {
          throw new FuncError('Version segment starts with 0');
        }
      }
    }
    return new SemverVersion(num(m[1]), num(m[2]), num(m[3]), pre, m[8] ?? '', v);
  }

  [GO_STRING](): string {
    let s = `${this.major}.${this.minor}.${this.patch}`;
    if (this.pre !== '') s += `-${this.pre}`;
    if (this.metadata !== '') s += `+${this.metadata}`;
    return s;
  }

  compare(o: SemverVersion): number {
    for (const [a, b] of [
      [this.major, o.major],
      [this.minor, o.minor],
      [this.patch, o.patch],
    ] as const) {
      if (a !== b) return a < b ? -1 : 1;
    }
    return comparePrerelease(this.pre, o.pre);
  }

  // Methods callable from templates, named as in the Go library.
  Major(): number {
    return this.major;
  }
  Minor(): number {
    return this.minor;
  }
  Patch(): number {
    return this.patch;
  }
  Prerelease(): string {
    return this.pre;
  }
  Metadata(): string {
    return this.metadata;
  }
  Original(): string {
    return this.original;
  }
  String(): string {
    return this[GO_STRING]();
  }
  Compare(o: unknown): number {
    return o instanceof SemverVersion ? this.compare(o) : 0;
  }
  LessThan(o: unknown): boolean {
    return this.Compare(o) < 0;
  }
  GreaterThan(o: unknown): boolean {
    return this.Compare(o) > 0;
  }
  Equal(o: unknown): boolean {
    return this.Compare(o) === 0;
  }
  IncMajor(): SemverVersion {
    return new SemverVersion(this.major + 1, 0, 0, '', '', `${this.major + 1}.0.0`);
  }
  IncMinor(): SemverVersion {
    return new SemverVersion(this.major, this.minor + 1, 0, '', '', `${this.major}.${this.minor + 1}.0`);
  }
  IncPatch(): SemverVersion {
    if (this.pre !== '') return new SemverVersion(this.major, this.minor, this.patch, '', '', this.String());
    return new SemverVersion(this.major, this.minor, this.patch + 1, '', '', `${this.major}.${this.minor}.${this.patch + 1}`);
  }
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  const pa = a.split('.');
  const pb = b.split('.');
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^[0-9]+$/.test(x);
    const yn = /^[0-9]+$/.test(y);
    if (xn && yn) return Number(x) < Number(y) ? -1 : 1;
    if (xn) return -1;
    if (yn) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

interface Constraint {
  op: string;
  con: SemverVersion;
  minorDirty: boolean;
  patchDirty: boolean;
  dirty: boolean;
}

const isX = (s: string): boolean => s === 'x' || s === 'X' || s === '*';

const CONSTRAINT_RE =
  /^\s*(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)?\s*(v?([0-9|x|X|*]+)(\.[0-9x*X]+)?(\.[0-9x*X]+)?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)\s*$/;

function parseConstraint(c: string): Constraint {
  const m = CONSTRAINT_RE.exec(c);
  if (!m) throw new FuncError(`improper constraint: ${c}`);
  const op = m[1] ?? '';
  let ver = m[2];
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  const minor = (m[4] ?? '').replace(/^\./, '');
  const patch = (m[5] ?? '').replace(/^\./, '');
  const pre = m[6] ?? '';
  if (isX(m[3])) {
    ver = '0.0.0';
    dirty = true;
    minorDirty = true;
    patchDirty = true;
  } else if (isX(minor) || minor === '') {
    minorDirty = true;
    patchDirty = true;
    dirty = true;
    ver = `${m[3]}.0.0${pre}`;
  } else if (isX(patch) || patch === '') {
    dirty = true;
    patchDirty = true;
    ver = `${m[3]}.${minor}.0${pre}`;
  }
  let con: SemverVersion;
  try {
    con = SemverVersion.parse(ver.replace(/^v/, ''));
  } catch {
    throw new FuncError(`improper constraint: ${c}`);
  }
  return { op, con, minorDirty, patchDirty, dirty };
}

function check(v: SemverVersion, c: Constraint): boolean {
  // A pre-release only satisfies constraints that themselves name a pre-release.
  if (v.pre !== '' && c.con.pre === '') return false;
  const cmp = v.compare(c.con);
  switch (c.op) {
    case '':
    case '=':
      if (c.dirty) return tilde(v, c);
      return cmp === 0;
    case '!=':
      if (c.dirty) {
        if (v.major !== c.con.major) return true;
        if (c.minorDirty) return false;
        if (v.minor !== c.con.minor) return true;
        return false;
      }
      return cmp !== 0;
    case '>':
      if (!c.dirty) return cmp > 0;
      if (v.major > c.con.major) return true;
      if (v.major < c.con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '>=':
    case '=>':
      return cmp >= 0;
    case '<=':
    case '=<':
      if (!c.dirty) return cmp <= 0;
      if (v.major > c.con.major) return false;
      if (v.major < c.con.major) return true;
      if (c.minorDirty) return true;
      if (c.patchDirty) return v.minor <= c.con.minor;
      return cmp <= 0;
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      return caret(v, c);
    default:
      return false;
  }
}

function tilde(v: SemverVersion, c: Constraint): boolean {
  if (v.compare(c.con) < 0) return false;
  if (c.con.major === 0 && c.con.minor === 0 && c.con.patch === 0 && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

function caret(v: SemverVersion, c: Constraint): boolean {
  if (v.compare(c.con) < 0) return false;
  if (c.con.major > 0 || c.minorDirty) return v.major === c.con.major;
  if (c.con.major === 0 && v.major > 0) return false;
  if (c.con.minor > 0 || c.patchDirty) return v.minor === c.con.minor;
  if (c.con.minor === 0 && v.minor > 0) return false;
  return v.patch === c.con.patch;
}

/** Constraint.Check for a constraint string such as ">=1.2, <2 || ^3". */
export function semverSatisfies(constraint: string, version: string): boolean {
  const v = SemverVersion.parse(version);
  const groups = constraint.split('||').map((g) => g.trim());
  const parsed: Constraint[][] = groups.map((g) => {
    if (g === '') throw new FuncError(`improper constraint: ${constraint}`);
    // "1.2 - 1.4.5" is ">= 1.2, <= 1.4.5"
    const hy = /^(\S+)\s+-\s+(\S+)$/.exec(g);
    const parts = hy ? [`>=${hy[1]}`, `<=${hy[2]}`] : g.split(/\s*,\s*|\s+(?=[^\s,])/).filter((p) => p !== '');
    return mergeOps(parts).map(parseConstraint);
  });
  return parsed.some((group) => group.every((c) => check(v, c)));
}

/** Joins an operator separated from its version by spaces ("> 1.2") back together. */
function mergeOps(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    const prev = out[out.length - 1];
    if (prev !== undefined && /^(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)$/.test(prev)) out[out.length - 1] = prev + p;
    else out.push(p);
  }
  return out;
}
