/**
 * How Go values are represented in JS during rendering.
 *
 * - string, boolean: as is.
 * - int: a JS number that is an integer. float64: a non-integer number, or a GoFloat box for
 *   integer-valued floats, because Go prints float64(1e6) as "1e+06" and refuses to compare an int
 *   with a float; the box keeps that distinction where Go would see a float64.
 * - []interface{}: a JS array. map[string]interface{}: a plain object (prototype Object or null),
 *   always read through own-property checks.
 * - map[interface{}]interface{}: an object whose prototype is IFACE_MAP_PROTO (see newIfaceMap).
 *   yaml.v2 decodes every map below the top level of werf's fromYaml into this type, and sprig's
 *   map functions (hasKey, pluck, keys, merge...) refuse it, so the engine has to tell them apart.
 * - nil: `undefined` is Go's "invalid value" (a missing map key, a function returning nil);
 *   `null` is a nil value that is present, e.g. a key whose value is null. Go treats them alike
 *   except in field chains, where `.a.b` on a present-but-nil `a` is an error.
 * - Other objects are structs: their properties are fields and their functions are methods.
 *   They can name their Go type and provide a String() via the symbols below.
 */
import { ErrorCodes, FuncError } from './errors';

export class GoFloat {
  constructor(readonly value: number) {}
}

/** Method returning the value's String() (Go's fmt.Stringer). */
export const GO_STRING: unique symbol = Symbol('go.String');
/** Property holding the Go type name shown in messages and by typeOf. */
export const GO_TYPE: unique symbol = Symbol('go.Type');
/** Property holding the reflect kind name returned by kindOf. */
export const GO_KIND: unique symbol = Symbol('go.Kind');

export type GoMap = Record<string, unknown>;

export interface GoStringer {
  [GO_STRING](): string;
}

const objectProto = Object.prototype;
const hasOwnProperty = objectProto.hasOwnProperty;

/**
 * Prototype that marks a map[interface{}]interface{}. A marker prototype (rather than a property)
 * keeps Object.keys, for..in and JSON free of bookkeeping, and every isMap caller (field access,
 * range, len, printing) keeps treating the value as a map. It has no properties and is frozen, so
 * own-property reads and writes behave exactly as on a null-prototype object.
 */
const IFACE_MAP_PROTO: object = Object.freeze(Object.create(null) as object);

/**
 * Keys of interface-keyed maps are stored under their %v text; the Go value of every key that is
 * not a string (yaml.v2 keeps `80:` an int and `true:` a bool) is remembered here, so that range,
 * printing, `index` and toYaml see the typed key. A string and a typed key with the same text
 * (`"80"` and `80` in one map) cannot both be held; that never happens in a real werf.yaml.
 */
const typedKeys = new WeakMap<object, Map<string, unknown>>();

export function isMap(v: unknown): v is GoMap {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p: unknown = Object.getPrototypeOf(v);
  return p === objectProto || p === null || p === IFACE_MAP_PROTO;
}

/** map[interface{}]interface{} (what yaml.v2 builds below the top level). */
export function isIfaceMap(v: unknown): v is GoMap {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === IFACE_MAP_PROTO;
}

/** map[string]interface{}: what sprig's map parameters accept. */
export function isStringMap(v: unknown): v is GoMap {
  return isMap(v) && !isIfaceMap(v);
}

export function newIfaceMap(): GoMap {
  return Object.create(IFACE_MAP_PROTO) as GoMap;
}

/** An empty map of the same Go type as `m`. */
export function newMapLike(m: GoMap): GoMap {
  return isIfaceMap(m) ? newIfaceMap() : newMap();
}

/** The %v text a Go map key is stored under. */
export function keyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key === null || key === undefined) return '<nil>';
  if (key instanceof GoFloat) return String(key.value);
  return String(key);
}

/** The Go value of the key stored under `k`: the string itself unless the key was typed. */
export function mapKeyOf(m: GoMap, k: string): unknown {
  const typed = typedKeys.get(m);
  if (typed === undefined || !typed.has(k)) return k;
  return typed.get(k);
}

/** Stores `v` under the Go key `key` of an interface-keyed map, keeping the key's type. */
export function ifaceMapSet(m: GoMap, key: unknown, v: unknown): void {
  const k = keyText(key);
  mapSet(m, k, v);
  let typed = typedKeys.get(m);
  if (typeof key === 'string') {
    typed?.delete(k);
    return;
  }
  if (typed === undefined) {
    typed = new Map();
    typedKeys.set(m, typed);
  }
  typed.set(k, key === undefined ? null : key);
}

/** Copies the entry `k` of `src` into `dst`, keeping a typed key when both are interface-keyed. */
export function mapSetFrom(dst: GoMap, src: GoMap, k: string, v: unknown): void {
  if (isIfaceMap(dst)) ifaceMapSet(dst, mapKeyOf(src, k), v);
  else mapSet(dst, k, v);
}

/**
 * Go's MapIndex: the value under the Go key `key`, undefined when missing. A string finds only a
 * string key, a number only a number key of the same Go type, as in Go's interface comparison.
 */
export function mapLookup(m: GoMap, key: unknown): unknown {
  const k = keyText(key);
  if (!hasOwnProperty.call(m, k)) return undefined;
  const stored = mapKeyOf(m, k);
  if (stored !== key && !deepEqual(stored, key)) return undefined;
  const v = m[k];
  return v === undefined ? null : v;
}

/** A key usable in Go's field syntax (`.name`): present and of type string. */
export function hasStringKey(m: GoMap, k: string): boolean {
  return hasOwnProperty.call(m, k) && (!isIfaceMap(m) || typeof mapKeyOf(m, k) === 'string');
}

export function isStruct(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isMap(v) && !(v instanceof GoFloat);
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

export function isFloat(v: unknown): boolean {
  return v instanceof GoFloat || (typeof v === 'number' && !Number.isInteger(v));
}

export function isNumeric(v: unknown): v is number | GoFloat {
  return typeof v === 'number' || v instanceof GoFloat;
}

export function numberOf(v: number | GoFloat): number {
  return typeof v === 'number' ? v : v.value;
}

/** A float64 result: boxed when integer-valued so it keeps printing and comparing as a float. */
export function makeFloat(n: number): number | GoFloat {
  return Number.isInteger(n) ? new GoFloat(n) : n;
}

export function hasOwn(m: object, k: string): boolean {
  return hasOwnProperty.call(m, k);
}

/** Map lookup: undefined when missing, null when present but nil. */
export function mapGet(m: GoMap, k: string): unknown {
  if (!hasOwnProperty.call(m, k)) return undefined;
  const v = m[k];
  return v === undefined ? null : v;
}

export function mapSet(m: GoMap, k: string, v: unknown): void {
  if (k === '__proto__') {
    Object.defineProperty(m, k, { value: v, writable: true, enumerable: true, configurable: true });
  } else {
    m[k] = v;
  }
}

export function mapDelete(m: GoMap, k: string): void {
  if (hasOwnProperty.call(m, k)) delete m[k];
  typedKeys.get(m)?.delete(k);
}

/**
 * Keys in Go's sorted order (fmtsort: used by range, printing and JSON). Typed keys of an
 * interface-keyed map sort by value within their type; Go orders different key types by the
 * address of their type descriptor, which varies between builds, so any fixed order is as right.
 */
export function sortedKeys(m: GoMap): string[] {
  const keys = Object.keys(m);
  const typed = typedKeys.get(m);
  if (typed === undefined || typed.size === 0) return keys.sort(compareStrings);
  return keys.sort((a, b) => compareKeys(mapKeyOf(m, a), mapKeyOf(m, b)));
}

function keyRank(k: unknown): number {
  if (k === null || k === undefined) return 0;
  if (typeof k === 'boolean') return 1;
  if (isInt(k)) return 2;
  if (isNumeric(k)) return 3;
  if (typeof k === 'string') return 4;
  return 5;
}

function compareKeys(a: unknown, b: unknown): number {
  const ra = keyRank(a);
  const rb = keyRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (isNumeric(a) && isNumeric(b)) return numberOf(a) - numberOf(b);
  return 0;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function mapSize(m: GoMap): number {
  return Object.keys(m).length;
}

export function newMap(): GoMap {
  return {};
}

/** Go's notion of truth used by if/with/and/or/not. */
export function truth(v: unknown): boolean {
  switch (typeof v) {
    case 'undefined':
      return false;
    case 'string':
      return v.length > 0;
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'function':
      return true;
    case 'object':
      if (v === null) return false;
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof GoFloat) return v.value !== 0;
      if (isMap(v)) {
        for (const k in v) if (hasOwnProperty.call(v, k)) return true;
        return false;
      }
      return true;
    default:
      return true;
  }
}

/** sprig's empty(): like truth, but structs are never empty. */
export function goEmpty(v: unknown): boolean {
  return !truth(v);
}

export function stringerOf(v: unknown): string | undefined {
  if (typeof v === 'object' && v !== null && GO_STRING in v) {
    const f = (v as Partial<GoStringer>)[GO_STRING];
    if (typeof f === 'function') return f.call(v);
  }
  return undefined;
}

export function typeName(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return '<nil>';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float64';
    case 'bigint':
      return 'int64';
    case 'function':
      return 'func(...interface {}) interface {}';
    case 'object': {
      if (v === null) return '<nil>';
      if (Array.isArray(v)) return '[]interface {}';
      if (v instanceof GoFloat) return 'float64';
      if (isIfaceMap(v)) return 'map[interface {}]interface {}';
      if (isMap(v)) return 'map[string]interface {}';
      if (v instanceof Date) return 'time.Time';
      const t = (v as { [GO_TYPE]?: unknown })[GO_TYPE];
      return typeof t === 'string' ? t : 'struct {}';
    }
    default:
      return 'interface {}';
  }
}

/** reflect.Kind name, as sprig's kindOf reports it. */
export function kindName(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float64';
    case 'bigint':
      return 'int64';
    case 'function':
      return 'func';
    case 'object': {
      if (v === null) return 'invalid';
      if (Array.isArray(v)) return 'slice';
      if (v instanceof GoFloat) return 'float64';
      if (isMap(v)) return 'map';
      const k = (v as { [GO_KIND]?: unknown })[GO_KIND];
      return typeof k === 'string' ? k : 'struct';
    }
    default:
      return 'invalid';
  }
}

/** reflect.DeepEqual over the value model (an int never equals a float). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeName(a) !== typeName(b)) return false;
  if (a instanceof GoFloat && b instanceof GoFloat) return a.value === b.value;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
      const keyA = mapKeyOf(a, k);
      const keyB = mapKeyOf(b, k);
      if (keyA !== keyB && !deepEqual(keyA, keyB)) return false;
    }
    return true;
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const sa = stringerOf(a);
    if (sa !== undefined) return sa === stringerOf(b);
  }
  return Object.is(a, b) || a === b;
}

/** Converts engine values to plain JS for user-supplied functions (GoFloat boxes removed). */
export function toPlainJS(v: unknown): unknown {
  if (v instanceof GoFloat) return v.value;
  if (Array.isArray(v)) {
    if (!v.some(needsConversion)) return v;
    return v.map(toPlainJS);
  }
  if (isMap(v)) {
    let changed = false;
    for (const k in v) if (hasOwn(v, k) && needsConversion(v[k])) changed = true;
    if (!changed) return v;
    const out = newMapLike(v);
    for (const k of Object.keys(v)) mapSetFrom(out, v, k, toPlainJS(v[k]));
    return out;
  }
  return v;
}

function needsConversion(v: unknown): boolean {
  if (v instanceof GoFloat) return true;
  if (Array.isArray(v)) return v.some(needsConversion);
  if (isMap(v)) {
    for (const k in v) if (hasOwn(v, k) && needsConversion(v[k])) return true;
  }
  return false;
}

const utf8 = new TextEncoder();

/** Byte length of the UTF-8 encoding (Go's len on strings). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

const utf8Dec = new TextDecoder('utf-8');

export function utf8Decode(b: Uint8Array): string {
  return utf8Dec.decode(b);
}

/** True when every character is ASCII, in which case byte and UTF-16 offsets agree. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** s[start:end] with Go's byte indexing. */
export function byteSlice(s: string, start: number, end?: number): string {
  if (isAscii(s)) return s.slice(start, end);
  const b = utf8Bytes(s);
  return utf8Decode(b.subarray(start, end ?? b.length));
}

/**
 * Elements and entries a value holds once every shared list and map in it is counted each time it
 * appears, as printing or serializing it would: ten levels of `list $a $a …` are a few hundred
 * calls to build and billions of elements to print.
 */
export const MAX_EXPANDED_ELEMENTS = 1_000_000;

/** expandedSize's count, stopping as soon as it passes `limit` (so cycles end too). */
export function expandedSize(v: unknown, limit: number): number {
  let n = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      n += x.length;
      if (n > limit) return n;
      for (let i = 0; i < x.length; i++) {
        const e: unknown = x[i];
        if (typeof e === 'object' && e !== null) stack.push(e);
      }
    } else if (isMap(x)) {
      for (const k in x) {
        if (!hasOwn(x, k)) continue;
        if (++n > limit) return n;
        const e = x[k];
        if (typeof e === 'object' && e !== null) stack.push(e);
      }
    }
  }
  return n;
}

/** Throws the limit error for a value too large to print, serialize or copy. */
export function checkExpandable(v: unknown, what?: string): void {
  if (typeof v !== 'object' || v === null) return;
  if (expandedSize(v, MAX_EXPANDED_ELEMENTS) > MAX_EXPANDED_ELEMENTS) {
    throw new FuncError(
      `${what ? `${what}: ` : ''}the value holds more than ${MAX_EXPANDED_ELEMENTS} elements once its shared lists and maps are counted each time they appear`,
      ErrorCodes.limitProduced,
    );
  }
}
