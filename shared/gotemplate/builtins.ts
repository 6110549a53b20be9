/** The functions Go's text/template predefines (and, or, eq, index, printf, ...). */
import { FuncError } from './errors';
import { formatValue, sprint, sprintf, sprintln } from './format';
import { fn, fnv, type FuncDef } from './funcs';
import {
  deepEqual,
  GoFloat,
  isIfaceMap,
  isInt,
  isMap,
  isNil,
  mapGet,
  mapLookup,
  numberOf,
  toPlainJS,
  truth,
  typeName,
  utf8Bytes,
  utf8Length,
  byteSlice,
} from './values';

type BasicKind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'other';

function basicKind(v: unknown): BasicKind {
  if (isNil(v)) return 'invalid';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'string':
      return 'string';
    default:
      return v instanceof GoFloat ? 'float' : 'other';
  }
}

function nonComparable(v: unknown): boolean {
  return Array.isArray(v) || isMap(v) || typeof v === 'function';
}

export function goEq(arg1: unknown, rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (!isNil(arg1) && !isNil(arg)) throw new FuncError('incompatible types for comparison');
    } else {
      switch (k1) {
        case 'invalid':
          t = true;
          break;
        case 'float':
          t = numberOf(arg1 as number | GoFloat) === numberOf(arg as number | GoFloat);
          break;
        case 'other':
          if (nonComparable(arg1)) throw new FuncError(`non-comparable type ${formatValue(arg1)}: ${typeName(arg1)}`);
          if (nonComparable(arg)) throw new FuncError(`non-comparable type ${formatValue(arg)}: ${typeName(arg)}`);
          t = deepEqual(arg1, arg);
          break;
        default:
          t = arg1 === arg;
      }
    }
    if (t) return true;
  }
  return false;
}

function goLt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k1 === 'other' || k2 === 'invalid' || k2 === 'other') {
    throw new FuncError('invalid type for comparison');
  }
  if (k1 !== k2) throw new FuncError('incompatible types for comparison');
  switch (k1) {
    case 'bool':
      throw new FuncError('invalid type for comparison');
    case 'float':
      return numberOf(a as number | GoFloat) < numberOf(b as number | GoFloat);
    case 'int':
      return (a as number) < (b as number);
    default:
      return (a as string) < (b as string);
  }
}

function goLe(a: unknown, b: unknown): boolean {
  return goLt(a, b) || goEq(a, [b]);
}

function indexArg(index: unknown, cap: number): number {
  if (isNil(index)) throw new FuncError('cannot index slice/array with nil');
  if (!isInt(index)) throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  if (index < 0 || index > cap) throw new FuncError(`index out of range: ${index}`);
  return index;
}

function goIndex(item: unknown, indexes: unknown[]): unknown {
  if (isNil(item)) throw new FuncError('index of untyped nil');
  let cur: unknown = item;
  for (const index of indexes) {
    if (cur === null) throw new FuncError('index of nil pointer');
    if (cur === undefined) throw new FuncError('index of untyped nil');
    if (Array.isArray(cur)) {
      const x = indexArg(index, cur.length);
      if (x >= cur.length) throw new FuncError(`index out of range: ${x}`);
      const v: unknown = cur[x];
      cur = v === undefined ? null : v;
    } else if (typeof cur === 'string') {
      const bytes = utf8Bytes(cur);
      const x = indexArg(index, bytes.length);
      if (x >= bytes.length) throw new FuncError(`index out of range: ${x}`);
      cur = bytes[x];
    } else if (isIfaceMap(cur)) {
      // Any key type is assignable to interface{}; only unhashable ones make Go's MapIndex panic.
      if (Array.isArray(index) || isMap(index) || typeof index === 'function') {
        throw new FuncError(`runtime error: hash of unhashable type ${typeName(index)}`);
      }
      cur = mapLookup(cur, index);
    } else if (isMap(cur)) {
      if (isNil(index)) throw new FuncError('value is nil; should be of type string');
      if (typeof index !== 'string') throw new FuncError(`value has type ${typeName(index)}; should be string`);
      cur = mapGet(cur, index);
    } else {
      throw new FuncError(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur;
}

/** sprig's toInt for slice indexes given as strings or floats. */
function looseInt(v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (v instanceof GoFloat) return Math.trunc(v.value);
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? Math.trunc(n) : 0;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

/**
 * werf's function map has sprig's list `slice`, which replaces Go's builtin. Lists follow sprig
 * (loose index conversion, nil for an empty list); strings keep the builtin's byte slicing, which
 * sprig would reject.
 */
function goSlice(item: unknown, indexes: unknown[]): unknown {
  if (isNil(item)) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  if (Array.isArray(item)) {
    if (item.length === 0) return undefined;
    const start = indexes.length > 0 ? looseInt(indexes[0]) : 0;
    const end = indexes.length > 1 ? looseInt(indexes[1]) : item.length;
    if (start < 0 || end < start || end > item.length) {
      throw new FuncError(`slice bounds out of range [${start}:${end}] with capacity ${item.length}`);
    }
    return item.slice(start, end);
  }
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
    const len = utf8Length(item);
    const idx = [0, len];
    indexes.forEach((ix, i) => {
      idx[i] = indexArg(ix, len);
    });
    if (idx[0] > idx[1]) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
    return byteSlice(item, idx[0], idx[1]);
  }
  throw new FuncError(`can't slice item of type ${typeName(item)}`);
}

function goLen(v: unknown): number {
  if (isNil(v)) throw new FuncError('len of nil pointer');
  if (typeof v === 'string') return utf8Length(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new FuncError(`len of type ${typeName(v)}`);
}

/** The argument preparation shared by html, js and urlquery. */
function escaperArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (isNil(a) ? '<no value>' : a)));
}

export function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case "'":
        return '&#39;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&#34;';
      default:
        return '\uFFFD';
    }
  });
}

const JS_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
      default:
        break;
    }
    if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80 || JS_PRINTABLE.test(ch)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function goCall(f: unknown, args: unknown[]): unknown {
  if (isNil(f)) throw new FuncError('call of nil');
  if (typeof f !== 'function') throw new FuncError(`non-function of type ${typeName(f)}`);
  return (f as (...a: unknown[]) => unknown)(...args.map(toPlainJS));
}

export const BUILTINS: ReadonlyMap<string, FuncDef> = new Map<string, FuncDef>([
  ['and', { params: ['value'], variadic: 'value', call: () => undefined, special: 'and' }],
  ['or', { params: ['value'], variadic: 'value', call: () => undefined, special: 'or' }],
  ['not', fn(['value'], (v) => !truth(v))],
  ['eq', fnv(['value'], 'value', (a, ...rest) => goEq(a, rest))],
  ['ne', fn(['value', 'value'], (a, b) => !goEq(a, [b]))],
  ['lt', fn(['value', 'value'], goLt)],
  ['le', fn(['value', 'value'], goLe)],
  ['gt', fn(['value', 'value'], (a, b) => !goLe(a, b))],
  ['ge', fn(['value', 'value'], (a, b) => !goLt(a, b))],
  ['len', fn(['value'], goLen)],
  ['index', fnv(['value'], 'value', (item, ...ix) => goIndex(item, ix))],
  ['slice', fnv(['value'], 'value', (item, ...ix) => goSlice(item, ix))],
  ['print', fnv([], 'any', (...a) => sprint(a))],
  ['printf', fnv(['string'], 'any', (f, ...a) => sprintf(f, a))],
  ['println', fnv([], 'any', (...a) => sprintln(a))],
  ['html', fnv([], 'any', (...a) => htmlEscape(escaperArgs(a)))],
  ['js', fnv([], 'any', (...a) => jsEscape(escaperArgs(a)))],
  ['urlquery', fnv([], 'any', (...a) => queryEscape(escaperArgs(a)))],
  ['call', fnv(['value'], 'value', (f, ...a) => goCall(f, a))],
]);
