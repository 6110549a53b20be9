/**
 * JSON and YAML in the shapes Go produces and accepts: encoding/json (sorted keys, HTML-safe
 * escaping, Go float formatting) and gopkg.in/yaml.v2 (YAML 1.1 booleans, timestamps left as
 * strings, unindented sequences under mappings).
 */
import { Document, isMap as isYamlMap, isScalar, Pair, parseAllDocuments, YAMLMap, YAMLSeq, type Node as YamlNode, type Tags } from 'yaml';
import { fastFromGoYaml } from './fast-from-yaml';
import { FuncError } from './errors';
import { yamlV2String } from './yaml-v2-scalar';
import { formatFloat, goSyntax } from './format';
import { GoTime } from './gotime';
import {
  compareStrings,
  GoFloat,
  ifaceMapSet,
  isIfaceMap,
  isInt,
  isMap,
  isNumeric,
  keyText,
  mapKeyOf,
  mapSet,
  newIfaceMap,
  newMap,
  numberOf,
  sortedKeys,
  stringerOf,
  type GoMap,
} from './values';

// --- JSON ---------------------------------------------------------------------------------------

function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c < 0x7f && !(escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26))) {
      out += s[i];
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      default:
        break;
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) {
      out += '\\u00' + c.toString(16).padStart(2, '0');
    } else if (c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16);
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) < 0xe000) {
      out += s[i] + s[i + 1];
      i++;
    } else if (c >= 0xd800 && c < 0xe000) {
      out += '\\ufffd';
    } else {
      out += s[i];
    }
  }
  return out + '"';
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new FuncError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  let fmt = 'f';
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = 'e';
  let s = formatFloat(f, fmt, -1);
  if (fmt === 'e') s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
  return s;
}

export interface JsonOptions {
  escapeHTML: boolean;
  indent?: string;
}

/**
 * Lists that stand for a nil Go slice (sprig's rest/initial of an empty list): they print as `[]`
 * and write `[]` in YAML like any empty list, but encoding/json writes `null`.
 */
export const NIL_SLICES = new WeakSet<unknown[]>();

/** A Go struct shows only its exported (capitalized) fields to encoding/json and yaml.v2. */
function structFields(x: object): string[] {
  return Object.keys(x)
    .filter((k) => /^\p{Lu}/u.test(k))
    .sort(compareStrings);
}

/** encoding/json Marshal (or MarshalIndent with prefix "" and the given indent). */
export function toGoJSON(v: unknown, opts: JsonOptions): string {
  const seen = new Set<object>();
  const enc = (x: unknown, depth: number): string => {
    const nl = opts.indent !== undefined ? '\n' + opts.indent.repeat(depth + 1) : '';
    const close = opts.indent !== undefined ? '\n' + opts.indent.repeat(depth) : '';
    const colon = opts.indent !== undefined ? ': ' : ':';
    if (x === undefined || x === null) return 'null';
    switch (typeof x) {
      case 'string':
        return jsonString(x, opts.escapeHTML);
      case 'boolean':
        return x ? 'true' : 'false';
      case 'number':
        return Number.isInteger(x) ? (Math.abs(x) < 1e21 ? String(x) : BigInt(x).toString()) : jsonFloat(x);
      case 'bigint':
        return x.toString();
      case 'function':
        throw new FuncError('json: unsupported type: func()');
      default:
        break;
    }
    if (x instanceof GoFloat) return jsonFloat(x.value);
    if (x instanceof GoTime) return jsonString(x.format('2006-01-02T15:04:05.999999999Z07:00'), opts.escapeHTML);
    if (x instanceof Date) return jsonString(GoTime.fromDate(x).format('2006-01-02T15:04:05.999999999Z07:00'), opts.escapeHTML);
    if (typeof x !== 'object') return 'null';
    if (seen.has(x)) throw new FuncError('json: unsupported value: encountered a cycle');
    const str = stringerOf(x);
    if (str !== undefined) return jsonString(str, opts.escapeHTML);
    // encoding/json only encodes maps with string or integer keys (sprig's toJson then prints "").
    if (isIfaceMap(x)) throw new FuncError('json: unsupported type: map[interface {}]interface {}');
    seen.add(x);
    try {
      if (Array.isArray(x)) {
        if (x.length === 0) return NIL_SLICES.has(x) ? 'null' : '[]';
        return '[' + nl + x.map((e) => enc(e, depth + 1)).join(',' + nl) + close + ']';
      }
      const keys = isMap(x) ? sortedKeys(x) : structFields(x);
      if (keys.length === 0) return '{}';
      const rec = x as Record<string, unknown>;
      return '{' + nl + keys.map((k) => jsonString(k, opts.escapeHTML) + colon + enc(rec[k], depth + 1)).join(',' + nl) + close + '}';
    } finally {
      seen.delete(x);
    }
  };
  return enc(v, 0);
}

/** encoding/json Unmarshal into interface{}: every number is a float64. */
export function fromGoJSON(s: string): unknown {
  try {
    return JSON.parse(s, (_k, value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? new GoFloat(value) : value));
  } catch (e) {
    throw new FuncError(e instanceof Error ? e.message : String(e));
  }
}

// --- YAML ---------------------------------------------------------------------------------------

// yaml.v2's reflect.Kind numbers, which its key sort compares.
const KIND_BOOL = 1;
const KIND_INT = 2;
const KIND_FLOAT64 = 14;
const KIND_INTERFACE = 20;
const KIND_STRING = 24;

function keyKind(k: unknown): number {
  if (typeof k === 'boolean') return KIND_BOOL;
  if (isInt(k)) return KIND_INT;
  if (isNumeric(k)) return KIND_FLOAT64;
  if (typeof k === 'string') return KIND_STRING;
  return KIND_INTERFACE; // a nil key stays an interface value
}

function keyFloat(k: unknown): number | undefined {
  if (typeof k === 'boolean') return k ? 1 : 0;
  if (isNumeric(k)) return numberOf(k);
  return undefined;
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

/** Go's int64 arithmetic (wrapping) for the digit runs yaml.v2 compares. */
function digitRun(r: string[], from: number, start: bigint): { n: bigint; end: number } {
  let n = start;
  let i = from;
  for (; i < r.length && DIGIT.test(r[i]); i++) n = BigInt.asIntN(64, n * 10n + BigInt((r[i].codePointAt(0) ?? 48) - 48));
  return { n, end: i };
}

/**
 * yaml.v2's keyList.Less: numbers and bools by value, other kinds by reflect.Kind, and strings in
 * "natural" order (letters before other characters, digit runs compared as numbers).
 */
function yamlKeyLess(a: unknown, b: unknown): boolean {
  const ak = keyKind(a);
  const bk = keyKind(b);
  const af = keyFloat(a);
  const bf = keyFloat(b);
  if (af !== undefined && bf !== undefined) {
    if (af !== bf) return af < bf;
    if (ak !== bk) return ak < bk;
    return typeof a === 'boolean' ? !a && b === true : false;
  }
  if (ak !== KIND_STRING || bk !== KIND_STRING) return ak < bk;
  const ar = Array.from(a as string);
  const br = Array.from(b as string);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = LETTER.test(ar[i]);
    const bl = LETTER.test(br[i]);
    if (al && bl) return (ar[i].codePointAt(0) ?? 0) < (br[i].codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let start = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j]); j--) {
        if (ar[j] !== '0') {
          start = 1n;
          break;
        }
      }
    }
    const ra = digitRun(ar, i, start);
    const rb = digitRun(br, i, start);
    if (ra.n !== rb.n) return ra.n < rb.n;
    if (ra.end !== rb.end) return ra.end < rb.end;
    return (ar[i].codePointAt(0) ?? 0) < (br[i].codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

/** The keys of a Go map in yaml.v2's Marshal order. */
function yamlOrderedKeys(m: GoMap): string[] {
  return Object.keys(m).sort((x, y) => {
    const a = mapKeyOf(m, x);
    const b = mapKeyOf(m, y);
    return yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0;
  });
}

/** A scalar as the YAML library should write it. */
function yamlScalar(v: unknown): unknown {
  if (v === undefined || v === null || typeof v === 'function') return null;
  if (v instanceof GoFloat) return v.value;
  if (v instanceof GoTime) return v.format('2006-01-02T15:04:05.999999999Z07:00');
  if (v instanceof Date) return GoTime.fromDate(v).format('2006-01-02T15:04:05.999999999Z07:00');
  return v;
}

/**
 * Builds the YAML node tree for an engine value. Maps are written in yaml.v2's key order and with
 * their Go keys, so the int key of a map[interface{}]interface{} is written `80:` while the string
 * key "80" of a map[string]interface{} is quoted, as yaml.v2 does.
 */
function toYamlNode(doc: Document, v: unknown, seen: Set<object>, ph: Placeholders): YamlNode {
  if (typeof v === 'string') return stringNode(doc, v, ph);
  if (typeof v !== 'object' || v === null || v instanceof GoFloat || v instanceof GoTime || v instanceof Date) {
    return doc.createNode(yamlScalar(v));
  }
  const str = stringerOf(v);
  if (str !== undefined) return stringNode(doc, str, ph);
  if (seen.has(v)) throw new FuncError('cannot marshal a cyclic structure');
  seen.add(v);
  try {
    if (Array.isArray(v)) {
      const seq = new YAMLSeq(doc.schema);
      for (const e of v) seq.items.push(toYamlNode(doc, e, seen, ph));
      return seq;
    }
    const map = new YAMLMap(doc.schema);
    const rec = v as Record<string, unknown>;
    if (isMap(v)) {
      for (const k of yamlOrderedKeys(v)) {
        const key = mapKeyOf(v, k);
        map.items.push(new Pair(typeof key === 'string' ? stringNode(doc, key, ph) : doc.createNode(yamlScalar(key)), toYamlNode(doc, rec[k], seen, ph)));
      }
    } else {
      for (const k of structFields(v)) map.items.push(new Pair(stringNode(doc, k, ph), toYamlNode(doc, rec[k], seen, ph)));
    }
    return map;
  } finally {
    seen.delete(v);
  }
}

/**
 * Strings go into the document as placeholders and are written afterwards by yamlV2String, which
 * knows yaml.v2's styles, escapes and folding; the placeholder is a plain word the YAML library
 * writes as it is, so its column on the line tells where the string starts.
 */
interface Placeholders {
  strings: string[];
  token: string;
}

function stringNode(doc: Document, s: string, ph: Placeholders): YamlNode {
  ph.strings.push(s);
  return doc.createNode(`${ph.token}${ph.strings.length - 1}x`);
}

/** The indent of the block a value at this point of a line belongs to, plus two (libyaml's scalar indent). */
function continuationIndent(prefix: string): number {
  // A scalar as the whole document: libyaml's first indent step in flow context is 2.
  if (prefix === '') return 2;
  const lead = /^ */.exec(prefix)![0].length;
  let at = lead;
  while (prefix.startsWith('- ', at)) at += 2;
  // "key: VALUE": the mapping starts where the key does; "- VALUE": the sequence where its dash is.
  if (prefix.endsWith(': ')) return at + 2;
  return prefix.length;
}

function fillPlaceholders(text: string, ph: Placeholders): string {
  const re = new RegExp(`${ph.token}(\\d+)x`, 'g');
  return text
    .split('\n')
    .map((line) => {
      // Built left to right: a key written before a value moves the value's column.
      let out = '';
      let from = 0;
      for (const m of line.matchAll(re)) {
        const at = m.index!;
        out += line.slice(from, at);
        from = at + m[0].length;
        const value = ph.strings[Number(m[1])]!;
        const key = line.startsWith(':', from) && (from + 1 === line.length || line[from + 1] === ' ');
        out += yamlV2String(value, Array.from(out).length, continuationIndent(out), key, resolvesAsNonString(value));
      }
      return out + line.slice(from);
    })
    .join('\n');
}

const YAML11_WORDS = new Set([
  '', '~', 'null', 'Null', 'NULL',
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE',
  'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE',
  '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN',
]);
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
const GO_FLOAT = /^[-+]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][-+]?[0-9]+|inf|infinity|nan)$/i;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]| +)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?)?)?$/;

/** yaml.v2's resolve of a plain scalar gives anything but a string (its encoder then double-quotes). */
function resolvesAsNonString(s: string): boolean {
  if (YAML11_WORDS.has(s)) return true;
  const c = s[0]!;
  if (!/[-+.0-9]/.test(c)) return false;
  const plain = s.replace(/_/g, '');
  if (GO_INT.test(plain) || GO_FLOAT.test(plain) || BASE60_FLOAT.test(s)) return true;
  if (/^-0[bB][01]+$/.test(plain)) return true;
  return /[0-9]/.test(c) && TIMESTAMP.test(s);
}

/** yaml.Marshal with the trailing newline removed (Helm/werf toYaml). */
export function toGoYaml(v: unknown): string {
  const doc = new Document(null, { version: '1.1', aliasDuplicateObjects: false });
  const ph: Placeholders = { strings: [], token: 'stowageYamlString' };
  doc.contents = toYamlNode(doc, v, new Set(), ph);
  const text = doc.toString({
    indentSeq: false,
    lineWidth: 0,
    minContentWidth: 0,
    defaultStringType: 'PLAIN',
    defaultKeyType: 'PLAIN',
  });
  const filled = ph.strings.length > 0 ? fillPlaceholders(text, ph) : text;
  return filled.endsWith('\n') ? filled.slice(0, -1) : filled;
}

const FLOAT_TAG = 'tag:yaml.org,2002:float';

function goYamlTags(tags: Tags): Tags {
  const out: Tags = [];
  for (const t of tags) {
    if (typeof t !== 'object' || t === null) {
      out.push(t);
      continue;
    }
    const tag = t as { tag?: string; format?: string; resolve?: (...a: never[]) => unknown };
    // yaml.v2 leaves timestamps (and has no base-60 numbers) when decoding into interface{}.
    if (tag.tag === 'tag:yaml.org,2002:timestamp' || tag.format === 'TIME') continue;
    const resolve = tag.resolve;
    if (tag.tag === FLOAT_TAG && typeof resolve === 'function') {
      out.push({
        ...t,
        resolve: (...args: never[]) => {
          const r = (resolve as (...a: unknown[]) => unknown)(...args);
          const n = isScalar(r) ? r.value : r;
          return typeof n === 'number' && Number.isInteger(n) ? new GoFloat(n) : n;
        },
      } as (typeof tags)[number]);
      continue;
    }
    out.push(t);
  }
  return out;
}

/**
 * The Go value yaml.v2 builds. Only the map fromYaml unmarshals into is a map[string]interface{};
 * yaml.v2 decodes every map below it (`nested` true) into map[interface{}]interface{}, keeping
 * each key's own type (`80:` an int, `true:` a bool).
 */
function toGoValue(v: unknown, nested: boolean): unknown {
  if (Array.isArray(v)) return v.map((e) => toGoValue(e, true));
  if (v instanceof Map) {
    if (!nested) {
      const m = newMap();
      // Decoding into a string key: yaml.v2 takes the scalar's text; a null key becomes "".
      for (const [k, val] of v) mapSet(m, k === null ? '' : keyText(k), toGoValue(val, true));
      return m;
    }
    const m = newIfaceMap();
    for (const [k, val] of v) {
      if (typeof k === 'object' && k !== null && !(k instanceof GoFloat)) {
        throw new FuncError(`yaml: invalid map key: ${goSyntax(toGoValue(k, true))}`);
      }
      ifaceMapSet(m, k, toGoValue(val, true));
    }
    return m;
  }
  if (v instanceof Set) return Array.from(v, (e) => toGoValue(e, true));
  if (isMap(v)) {
    const m = nested ? newIfaceMap() : newMap();
    for (const k of Object.keys(v)) {
      if (nested) ifaceMapSet(m, k, toGoValue(v[k], true));
      else mapSet(m, k, toGoValue(v[k], true));
    }
    return m;
  }
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return v;
}

function yamlKind(v: unknown): string {
  if (Array.isArray(v)) return '!!seq';
  if (typeof v === 'string') return `!!str \`${v.length > 10 ? v.slice(0, 7) + '...' : v}\``;
  if (typeof v === 'number' || v instanceof GoFloat) return Number.isInteger(typeof v === 'number' ? v : v.value) && typeof v === 'number' ? '!!int' : '!!float';
  if (typeof v === 'boolean') return '!!bool';
  return '!!map';
}

/** werf's fromYaml: yaml.v2 Unmarshal of the first document into map[string]interface{}. */
export function fromGoYaml(s: string): GoMap {
  const fast = fastFromGoYaml(s);
  if (fast) return fast;
  return fromGoYamlFull(s);
}

/** fromYaml through the `yaml` library: the authority, for every document the fast path declines. */
export function fromGoYamlFull(s: string): GoMap {
  const docs = parseAllDocuments(s, {
    version: '1.1',
    merge: true,
    customTags: goYamlTags,
    // werf calls yaml.Unmarshal, not UnmarshalStrict: a repeated key silently takes the last value
    // (and `y:` / `yes:` are different keys of the top-level string map anyway).
    uniqueKeys: false,
    prettyErrors: false,
  });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length === 0) return newMap();
  const doc = list[0];
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new FuncError(`yaml: ${line !== undefined ? `line ${line}: ` : ''}${e.message.split('\n')[0]}`);
  }
  // Unmarshalling into map[string]interface{}, yaml.v2 keys the top level by each key's text
  // (`yes:` stays "yes", `~:` becomes ""), while the nested maps keep typed keys.
  if (isYamlMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = pair.key;
      // A map or list as a key cannot become the string key of the top-level map.
      if (key !== null && typeof key === 'object' && !isScalar(key)) {
        const line = doc.contents.range ? 1 + (s.slice(0, key.range?.[0] ?? 0).match(/\n/g)?.length ?? 0) : 1;
        throw new FuncError(`yaml: unmarshal errors:\n  line ${line}: cannot unmarshal ${isYamlMap(key) ? '!!map' : '!!seq'} into string`);
      }
      if (!isScalar(key) || typeof key.value === 'string' || typeof key.value === 'symbol') continue;
      key.value = key.value === null ? '' : (key.source ?? keyText(key.value));
    }
  }
  // mapAsMap keeps the keys' own types, which the nested interface-keyed maps need.
  const value = toGoValue(doc.toJS({ maxAliasCount: 10000, mapAsMap: true }), false);
  if (value === null || value === undefined) return newMap();
  if (!isMap(value)) {
    throw new FuncError(`yaml: unmarshal errors:\n  line 1: cannot unmarshal ${yamlKind(value)} into map[string]interface {}`);
  }
  return value;
}
