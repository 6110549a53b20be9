/** sprig list, dict, default, reflection and JSON/YAML functions. */
import { ErrorCodes, FuncError } from '../errors';
import { fn, fnv, type FuncDef } from '../funcs';
import { fromGoJSON, fromGoYaml, NIL_SLICES, toGoJSON, toGoYaml } from '../serialize';
import {
  deepEqual,
  goEmpty,
  hasOwn,
  isMap,
  isNil,
  isStringMap,
  kindName,
  mapDelete,
  mapGet,
  mapSet,
  mapSetFrom,
  newMap,
  newMapLike,
  checkExpandable,
  sortedKeys,
  typeName,
  type GoMap,
} from '../values';
import { kindForMessage, requireList, strval, toInt64 } from './convert';

function nilMapWrite(): FuncError {
  return new FuncError('assignment to entry in nil map');
}

function dict(...v: unknown[]): GoMap {
  const m = newMap();
  for (let i = 0; i < v.length; i += 2) {
    const key = strval(v[i]);
    mapSet(m, key, i + 1 < v.length ? v[i + 1] : '');
  }
  return m;
}

/** mergo.Merge: fills keys missing (or empty) in dst, recursing into nested maps. */
function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const k of Object.keys(src)) {
    const sv = src[k];
    const has = hasOwn(dst, k);
    const dv = has ? dst[k] : undefined;
    // mergo recurses into nested maps of either Go type (it works on reflect values), so the
    // interface-keyed maps of fromYaml merge fine below a map[string]interface{}.
    if (isMap(sv) && isMap(dv)) {
      mergeInto(dv, sv, overwrite);
      continue;
    }
    if (!has || goEmpty(dv) || (overwrite && !isNil(sv))) mapSetFrom(dst, src, k, sv);
  }
}

function merge(overwrite: boolean) {
  return (dst: GoMap | null, ...srcs: (GoMap | null)[]): GoMap => {
    const d = dst ?? newMap();
    for (const s of srcs) if (s) mergeInto(d, s, overwrite);
    return d;
  };
}

/** copystructure keeps every map's Go type, map[interface{}]interface{} included. */
function boundedDeepCopy(v: unknown): unknown {
  checkExpandable(v);
  return deepCopy(v);
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) {
    const m = newMapLike(v);
    for (const k of Object.keys(v)) mapSetFrom(m, v, k, deepCopy(v[k]));
    return m;
  }
  return v;
}

function dig(...ps: unknown[]): unknown {
  if (ps.length < 3) throw new FuncError('dig needs at least three arguments');
  const d = ps[ps.length - 1];
  const def = ps[ps.length - 2];
  const keys = ps.slice(0, -2);
  // sprig type-asserts to map[string]interface{}, so the nested maps of fromYaml panic here.
  if (!isStringMap(d)) throw new FuncError(`interface conversion: interface {} is ${typeName(d)}, not map[string]interface {}`);
  let cur: GoMap = d;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (typeof k !== 'string') throw new FuncError(`interface conversion: interface {} is ${typeName(k)}, not string`);
    if (!hasOwn(cur, k)) return def;
    const step = mapGet(cur, k);
    if (i === keys.length - 1) return step;
    if (!isStringMap(step)) throw new FuncError(`interface conversion: interface {} is ${typeName(step)}, not map[string]interface {}`);
    cur = step;
  }
  return def;
}

function concat(...lists: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const l of lists) {
    if (Array.isArray(l)) out.push(...l);
    else throw new FuncError(`Cannot concat type ${kindForMessage(l)} as list`);
  }
  return out;
}

function chunk(size: number, list: unknown): unknown[] {
  const l = requireList(list, 'chunk');
  if (size <= 0) throw new FuncError('runtime error: integer divide by zero');
  const out: unknown[] = [];
  for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
  return out;
}

function uniq(list: unknown): unknown[] {
  const out: unknown[] = [];
  for (const e of requireList(list, 'find uniq')) if (!out.some((x) => deepEqual(x, e))) out.push(e);
  return out;
}

function typeIsLike(target: string, v: unknown): boolean {
  const t = typeName(v);
  return t === target || '*' + t === target;
}

function fromJson(s: string): unknown {
  try {
    return fromGoJSON(s);
  } catch {
    return undefined;
  }
}

function jsonOr(v: unknown, opts: { escapeHTML: boolean; indent?: string }, strict: boolean): string {
  checkExpandable(v);
  try {
    return toGoJSON(v, opts);
  } catch (e) {
    if (strict) throw e;
    return '';
  }
}

function list1(name: string, pick: (l: unknown[]) => unknown) {
  return fn(['any'], (l) => pick(requireList(l, name)));
}

/** sprig returns a nil []interface{} for an empty list: printed `[]`, JSON `null`. */
function nilSlice(): unknown[] {
  const l: unknown[] = [];
  NIL_SLICES.add(l);
  return l;
}

function rest(l: unknown[]): unknown {
  return l.length === 0 ? nilSlice() : l.slice(1);
}

function initial(l: unknown[]): unknown {
  return l.length === 0 ? nilSlice() : l.slice(0, -1);
}

function required(msg: string, v: unknown): unknown {
  if (isNil(v) || v === '') throw new FuncError(msg, ErrorCodes.required);
  return v;
}

export const COLLECTION_FUNCS: [string, FuncDef][] = [
  ['list', fnv([], 'any', (...v) => v)],
  ['tuple', fnv([], 'any', (...v) => v)],
  ['dict', fnv([], 'any', dict)],
  ['get', fn(['map', 'string'], (d, k) => (d && hasOwn(d, k) ? mapGet(d, k) : ''))],
  [
    'set',
    fn(['map', 'string', 'any'], (d, k, v) => {
      if (!d) throw nilMapWrite();
      mapSet(d, k, v);
      return d;
    }),
  ],
  [
    'unset',
    fn(['map', 'string'], (d, k) => {
      if (d) mapDelete(d, k);
      return d;
    }),
  ],
  ['hasKey', fn(['map', 'string'], (d, k) => d !== null && hasOwn(d, k))],
  ['pluck', fnv(['string'], 'map', (k, ...ds) => ds.filter((d): d is GoMap => d !== null && hasOwn(d, k)).map((d) => mapGet(d, k)))],
  ['keys', fnv([], 'map', (...ds) => ds.flatMap((d) => (d ? sortedKeys(d) : [])))],
  [
    'pick',
    fnv(['map'], 'string', (d, ...ks) => {
      const m = newMap();
      if (d) for (const k of ks) if (hasOwn(d, k)) mapSet(m, k, mapGet(d, k));
      return m;
    }),
  ],
  [
    'omit',
    fnv(['map'], 'string', (d, ...ks) => {
      const m = newMap();
      if (d) for (const k of Object.keys(d)) if (!ks.includes(k)) mapSet(m, k, mapGet(d, k));
      return m;
    }),
  ],
  ['merge', fnv(['map'], 'map', merge(false))],
  ['mergeOverwrite', fnv(['map'], 'map', merge(true))],
  ['mustMerge', fnv(['map'], 'map', merge(false))],
  ['mustMergeOverwrite', fnv(['map'], 'map', merge(true))],
  ['values', fn(['map'], (d) => (d ? sortedKeys(d).map((k) => mapGet(d, k)) : []))],
  ['append', fn(['any', 'any'], (l, v) => [...requireList(l, 'push'), v])],
  ['push', fn(['any', 'any'], (l, v) => [...requireList(l, 'push'), v])],
  ['mustAppend', fn(['any', 'any'], (l, v) => [...requireList(l, 'push'), v])],
  ['mustPush', fn(['any', 'any'], (l, v) => [...requireList(l, 'push'), v])],
  ['prepend', fn(['any', 'any'], (l, v) => [v, ...requireList(l, 'prepend')])],
  ['mustPrepend', fn(['any', 'any'], (l, v) => [v, ...requireList(l, 'prepend')])],
  ['first', list1('find first', (l) => l[0])],
  ['mustFirst', list1('find first', (l) => l[0])],
  ['last', list1('find last', (l) => l[l.length - 1])],
  ['mustLast', list1('find last', (l) => l[l.length - 1])],
  ['rest', list1('find rest', rest)],
  ['mustRest', list1('find rest', rest)],
  ['initial', list1('find initial', initial)],
  ['mustInitial', list1('find initial', initial)],
  ['reverse', list1('find reverse', (l) => [...l].reverse())],
  ['mustReverse', list1('find reverse', (l) => [...l].reverse())],
  ['uniq', fn(['any'], uniq)],
  ['mustUniq', fn(['any'], uniq)],
  ['without', fnv(['any'], 'any', (l, ...omit) => requireList(l, 'find without').filter((e) => !omit.some((o) => deepEqual(o, e))))],
  ['mustWithout', fnv(['any'], 'any', (l, ...omit) => requireList(l, 'find without').filter((e) => !omit.some((o) => deepEqual(o, e))))],
  ['has', fn(['any', 'any'], (needle, hay) => (isNil(hay) ? false : requireList(hay, 'find has').some((e) => deepEqual(needle, e))))],
  ['mustHas', fn(['any', 'any'], (needle, hay) => (isNil(hay) ? false : requireList(hay, 'find has').some((e) => deepEqual(needle, e))))],
  // sprig's slice replaces text/template's builtin (a FuncMap wins over builtins): lists only, so
  // `slice "abc" 1` fails in werf as it does here.
  ['slice', fnv(['any'], 'any', (l, ...ix) => sliceList(l, ix))],
  ['mustSlice', fnv(['any'], 'any', (l, ...ix) => sliceList(l, ix))],
  ['concat', fnv([], 'any', concat)],
  ['dig', fnv([], 'any', dig)],
  ['chunk', fn(['int', 'any'], chunk)],
  ['mustChunk', fn(['int', 'any'], chunk)],
  ['compact', list1('compact', (l) => l.filter((e) => !goEmpty(e)))],
  ['mustCompact', list1('compact', (l) => l.filter((e) => !goEmpty(e)))],
  ['deepCopy', fn(['any'], boundedDeepCopy)],
  ['mustDeepCopy', fn(['any'], boundedDeepCopy)],
  // defaults
  ['default', fnv(['any'], 'any', (d, ...given) => (given.length === 0 || goEmpty(given[0]) ? d : given[0]))],
  ['empty', fn(['any'], goEmpty)],
  ['coalesce', fnv([], 'any', (...v) => v.find((x) => !goEmpty(x)))],
  ['all', fnv([], 'any', (...v) => v.every((x) => !goEmpty(x)))],
  ['any', fnv([], 'any', (...v) => v.some((x) => !goEmpty(x)))],
  ['ternary', fn(['any', 'any', 'bool'], (t, f, c) => (c ? t : f))],
  ['required', fn(['string', 'any'], required)],
  [
    'fail',
    fn(['string'], (msg) => {
      throw new FuncError(msg, ErrorCodes.fail);
    }),
  ],
  // reflection
  ['typeOf', fn(['any'], typeName)],
  ['typeIs', fn(['string', 'any'], (t, v) => typeName(v) === t)],
  ['typeIsLike', fn(['string', 'any'], typeIsLike)],
  ['kindOf', fn(['any'], kindName)],
  ['kindIs', fn(['string', 'any'], (k, v) => kindName(v) === k)],
  ['deepEqual', fn(['any', 'any'], deepEqual)],
  // serialization
  ['fromJson', fn(['string'], fromJson)],
  ['mustFromJson', fn(['string'], fromGoJSON)],
  ['toJson', fn(['any'], (v) => jsonOr(v, { escapeHTML: true }, false))],
  ['mustToJson', fn(['any'], (v) => jsonOr(v, { escapeHTML: true }, true))],
  ['toPrettyJson', fn(['any'], (v) => jsonOr(v, { escapeHTML: true, indent: '  ' }, false))],
  ['mustToPrettyJson', fn(['any'], (v) => jsonOr(v, { escapeHTML: true, indent: '  ' }, true))],
  ['toRawJson', fn(['any'], (v) => jsonOr(v, { escapeHTML: false }, false))],
  ['mustToRawJson', fn(['any'], (v) => jsonOr(v, { escapeHTML: false }, true))],
  [
    'toYaml',
    fn(['any'], (v) => {
      checkExpandable(v);
      try {
        return toGoYaml(v);
      } catch {
        return '';
      }
    }),
  ],
  ['fromYaml', fn(['string'], fromGoYaml)],
];

function sliceList(l: unknown, ix: unknown[]): unknown {
  const list = Array.isArray(l) ? l : null;
  if (!list) throw new FuncError(`list should be type of slice or array but ${kindForMessage(l)}`);
  if (list.length === 0) return undefined;
  const start = ix.length > 0 ? toInt64(ix[0]) : 0;
  const end = ix.length > 1 ? toInt64(ix[1]) : list.length;
  if (start < 0 || end < start || end > list.length) throw new FuncError(`slice bounds out of range [${start}:${end}]`);
  return list.slice(start, end);
}
