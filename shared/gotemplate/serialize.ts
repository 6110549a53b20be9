/**
 * JSON and YAML in the shapes Go produces and accepts: encoding/json (sorted keys, HTML-safe
 * escaping, Go float formatting) and gopkg.in/yaml.v2 (YAML 1.1 booleans, timestamps left as
 * strings, unindented sequences under mappings).
 */
import { isScalar, parseAllDocuments, stringify as yamlStringify, type Tags } from 'yaml';
import { FuncError } from './errors';
import { formatFloat } from './format';
import { GoTime } from './gotime';
import { GoFloat, isMap, mapSet, newMap, sortedKeys, stringerOf, type GoMap } from './values';

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
    seen.add(x);
    try {
      if (Array.isArray(x)) {
        if (x.length === 0) return '[]';
        return '[' + nl + x.map((e) => enc(e, depth + 1)).join(',' + nl) + close + ']';
      }
      const keys = isMap(x) ? sortedKeys(x) : Object.keys(x);
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

/** Converts engine values to what the YAML library should serialize. */
function toYamlable(v: unknown, seen: Set<object>): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'function') return null;
  if (typeof v !== 'object') return v;
  if (v instanceof GoFloat) return v.value;
  if (v instanceof GoTime) return v.format('2006-01-02T15:04:05.999999999Z07:00');
  if (v instanceof Date) return GoTime.fromDate(v).format('2006-01-02T15:04:05.999999999Z07:00');
  const str = stringerOf(v);
  if (str !== undefined) return str;
  if (seen.has(v)) throw new FuncError('cannot marshal a cyclic structure');
  seen.add(v);
  try {
    if (Array.isArray(v)) return v.map((e) => toYamlable(e, seen));
    const out: Record<string, unknown> = {};
    const keys = isMap(v) ? sortedKeys(v) : Object.keys(v);
    const rec = v as Record<string, unknown>;
    for (const k of keys) mapSet(out, k, toYamlable(rec[k], seen));
    return out;
  } finally {
    seen.delete(v);
  }
}

/** yaml.Marshal with the trailing newline removed (Helm/werf toYaml). */
export function toGoYaml(v: unknown): string {
  const plain = toYamlable(v, new Set());
  const text = yamlStringify(plain, {
    version: '1.1',
    indentSeq: false,
    lineWidth: 0,
    minContentWidth: 0,
    sortMapEntries: true,
    aliasDuplicateObjects: false,
    defaultStringType: 'PLAIN',
    defaultKeyType: 'PLAIN',
  });
  return text.endsWith('\n') ? text.slice(0, -1) : text;
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

function toGoValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toGoValue);
  if (v instanceof Map) {
    const m = newMap();
    for (const [k, val] of v) mapSet(m, String(k), toGoValue(val));
    return m;
  }
  if (v instanceof Set) return Array.from(v, toGoValue);
  if (isMap(v)) {
    const m = newMap();
    for (const k of Object.keys(v)) mapSet(m, k, toGoValue(v[k]));
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
  const docs = parseAllDocuments(s, {
    version: '1.1',
    merge: true,
    customTags: goYamlTags,
    uniqueKeys: true,
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
  const value = toGoValue(doc.toJS({ maxAliasCount: 10000 }));
  if (value === null || value === undefined) return newMap();
  if (!isMap(value)) {
    throw new FuncError(`yaml: unmarshal errors:\n  line 1: cannot unmarshal ${yamlKind(value)} into map[string]interface {}`);
  }
  return value;
}
