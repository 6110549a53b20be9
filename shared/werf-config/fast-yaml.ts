import type { LEntry, LMap, LNode, LPos, LScalar, LSeq } from './lnode';
import { resolvePlain } from './scalar';
import { firstYamlDocumentEnd } from './split';

/**
 * A line-oriented reader for the plain block YAML that nearly every werf.yaml is made of.
 *
 * The `yaml` library needs about 40 ms for a 300-image file on a modest CPU, which is too slow to
 * re-check a file on every keystroke. This reader covers block maps and lists, plain, quoted and
 * block (`|`, `>`) scalars and one-line flow lists/maps of scalars. The moment it meets anything
 * else (anchors, tags, multi-line plain or quoted scalars, tabs, odd indentation...) it gives up on
 * that document and the caller hands the document to the `yaml` library, which stays the authority
 * for everything it reports. The equivalence tests hold the two readers to identical output.
 */

class Bail {}
const BAIL = new Bail();

const BLANK = 0;
const COMMENT = 1;
const CONTENT = 2;

/** Characters that make the line too unusual to read here (the trailing `\r` of CRLF is removed first). */
// eslint-disable-next-line no-control-regex
const UNUSUAL = /[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]/;

/** A value starting with one of these is an anchor, alias, tag, directive or reserved indicator. */
const VALUE_BAIL = new Set(['&', '*', '!', '%', '@', '`', '?', ':', ',', ']', '}', '#']);
/** The same, for keys; `[`, `{`, quotes and `|`, `>`, `-` also rule out a simple key. */
const KEY_FIRST_NOT_SIMPLE = new Set(['&', '*', '!', '%', '@', '`', '?', ':', ',', ']', '}', '#', '[', '{', '|', '>', '-']);
const MAX_DEPTH = 100;

export function fastParse(lines: readonly string[], begin: number, docEnd: number): LMap | null {
  // Like yaml.v2, read only the first YAML document of the piece: a later `---` or `...` ends it.
  const end = firstYamlDocumentEnd(lines, begin, docEnd);
  const n = end - begin;
  const ls = new Array<string>(n);
  const ind = new Int32Array(n);
  const kind = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    let raw = lines[begin + t];
    if (raw.length > 0 && raw.charCodeAt(raw.length - 1) === 13) raw = raw.slice(0, -1);
    if (UNUSUAL.test(raw)) return null;
    let k = 0;
    while (k < raw.length && raw.charCodeAt(k) === 32) k++;
    ls[t] = raw;
    ind[t] = k;
    if (k === raw.length) kind[t] = BLANK;
    else if (raw.charCodeAt(k) === 35) kind[t] = COMMENT;
    else {
      kind[t] = CONTENT;
      if (k === 0 && (raw.startsWith('---') || raw.startsWith('...') || raw.charCodeAt(0) === 37)) return null;
    }
  }
  try {
    return new FastReader(ls, ind, kind, begin + 1).document();
  } catch (e) {
    if (e === BAIL) return null;
    throw e;
  }
}

function skipSpaces(line: string, p: number): number {
  while (p < line.length && line.charCodeAt(p) === 32) p++;
  return p;
}

function trimRightSpaces(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

function isDashAt(line: string, k: number): boolean {
  return line.charCodeAt(k) === 45 && (k + 1 === line.length || line.charCodeAt(k + 1) === 32);
}

function isAllSpaces(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) !== 32) return false;
  return true;
}

/** After a value only spaces and a comment may follow; YAML needs a space before `#`. */
function checkTail(line: string, p: number): void {
  const j = skipSpaces(line, p);
  if (j === line.length) return;
  if (line.charCodeAt(j) === 35 && j > p) return;
  throw BAIL;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\x0b',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };

function readDouble(line: string, q: number): { value: string; end: number } {
  let out = '';
  let p = q + 1;
  let runStart = p;
  while (p < line.length) {
    const c = line.charCodeAt(p);
    if (c === 34) return { value: out + line.slice(runStart, p), end: p + 1 };
    if (c === 92) {
      out += line.slice(runStart, p);
      const e = line[p + 1];
      if (e === undefined) throw BAIL; // an escaped line break continues on the next line
      const hexLen = HEX_LEN[e];
      if (hexLen !== undefined) {
        const hex = line.slice(p + 2, p + 2 + hexLen);
        if (hex.length !== hexLen || !/^[0-9a-fA-F]+$/.test(hex)) throw BAIL;
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) throw BAIL;
        out += String.fromCodePoint(code);
        p += 2 + hexLen;
      } else {
        const mapped = ESCAPES[e];
        if (mapped === undefined) throw BAIL;
        out += mapped;
        p += 2;
      }
      runStart = p;
      continue;
    }
    p++;
  }
  throw BAIL; // continues on the next line
}

function readSingle(line: string, q: number): { value: string; end: number } {
  let out = '';
  let p = q + 1;
  let runStart = p;
  while (p < line.length) {
    if (line.charCodeAt(p) === 39) {
      if (line.charCodeAt(p + 1) === 39) {
        out += line.slice(runStart, p + 1);
        p += 2;
        runStart = p;
        continue;
      }
      return { value: out + line.slice(runStart, p), end: p + 1 };
    }
    p++;
  }
  throw BAIL;
}

function readQuoted(line: string, q: number): { value: string; end: number } {
  return line.charCodeAt(q) === 34 ? readDouble(line, q) : readSingle(line, q);
}

/**
 * `key:` at column `c`. Returns null when the text there is not a mapping key at all, and gives up
 * (BAIL) on keys that are legal YAML but unusual enough to leave to the library.
 */
function readKey(line: string, c: number): { text: string; after: number } | null {
  const ch = line[c];
  if (ch === '"' || ch === "'") {
    const r = readQuoted(line, c);
    if (line.charCodeAt(r.end) === 58 && (r.end + 1 === line.length || line.charCodeAt(r.end + 1) === 32)) {
      return { text: r.value, after: r.end + 1 };
    }
    return null;
  }
  if (KEY_FIRST_NOT_SIMPLE.has(ch)) return null;
  let j = c;
  for (;;) {
    j = line.indexOf(':', j);
    if (j < 0) return null;
    if (j + 1 === line.length || line.charCodeAt(j + 1) === 32) break;
    j++;
  }
  const hash = line.indexOf(' #', c);
  if (hash >= 0 && hash < j) return null;
  const text = trimRightSpaces(line.slice(c, j));
  if (text.length === 0 || text.length > 1000) throw BAIL;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    // [ ] { } ,
    if (c === 91 || c === 93 || c === 123 || c === 125 || c === 44) throw BAIL;
  }
  if (text === '<<') throw BAIL;
  return { text, after: j + 1 };
}

class FastReader {
  private i = 0;
  private depth = 0;
  private readonly n: number;

  constructor(
    private readonly ls: string[],
    private readonly ind: Int32Array,
    private readonly kind: Uint8Array,
    private readonly line0: number,
  ) {
    this.n = ls.length;
  }

  document(): LMap {
    this.skip();
    if (this.i >= this.n) throw BAIL;
    const k = this.ind[this.i];
    if (isDashAt(this.ls[this.i], k)) throw BAIL;
    const root = this.map(k, false);
    this.skip();
    if (this.i < this.n) throw BAIL;
    return root;
  }

  private pos(lineIdx: number, ch: number): LPos {
    return { line: this.line0 + lineIdx, col: ch + 1 };
  }

  private skip(): void {
    while (this.i < this.n && this.kind[this.i] !== CONTENT) this.i++;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw BAIL;
  }

  private blockNodeAt(k: number): LNode {
    return isDashAt(this.ls[this.i], k) ? this.seq(k, false) : this.map(k, false);
  }

  /** A block map whose keys sit at column `indent`; `firstInline` when the first key follows `- `. */
  private map(indent: number, firstInline: boolean): LMap {
    this.enter();
    const entries: LEntry[] = [];
    const keys = new KeySet();
    let first = true;
    for (;;) {
      if (!(first && firstInline)) {
        this.skip();
        if (this.i >= this.n) break;
        const k = this.ind[this.i];
        if (k < indent) break;
        if (k > indent) throw BAIL;
        if (isDashAt(this.ls[this.i], k)) break;
      }
      first = false;
      const line = this.ls[this.i];
      const key = readKey(line, indent);
      if (!key || !keys.add(key.text)) throw BAIL;
      const keyPos = this.pos(this.i, indent);
      const value = this.value(line, key.after, indent, keyPos, true);
      entries.push({ key: key.text, line: keyPos.line, col: keyPos.col, value });
    }
    this.depth--;
    if (entries.length === 0) throw BAIL;
    return { t: 'm', line: entries[0].line, col: entries[0].col, entries };
  }

  private seq(indent: number, firstInline: boolean): LSeq {
    this.enter();
    const items: LNode[] = [];
    let start: LPos | null = null;
    let first = true;
    for (;;) {
      if (!(first && firstInline)) {
        this.skip();
        if (this.i >= this.n) break;
        const k = this.ind[this.i];
        if (k < indent) break;
        if (k > indent) throw BAIL;
        if (!isDashAt(this.ls[this.i], k)) break;
      }
      first = false;
      const line = this.ls[this.i];
      const dash = this.pos(this.i, indent);
      start ??= dash;
      const q = skipSpaces(line, indent + 1);
      let item: LNode;
      if (q >= line.length || line.charCodeAt(q) === 35) item = this.value(line, q, indent, dash, false);
      else if (isDashAt(line, q)) item = this.seq(q, true);
      else if (readKey(line, q)) item = this.map(q, true);
      else item = this.value(line, q, indent, dash, false);
      items.push(item);
    }
    this.depth--;
    if (!start) throw BAIL;
    return { t: 'q', line: start.line, col: start.col, items };
  }

  /**
   * The value after `key:` or `- ` starting at `p` on the current line. `parentIndent` is the column
   * of the key or dash: lines indented deeper belong to this value.
   */
  private value(line: string, p: number, parentIndent: number, owner: LPos, isMapValue: boolean): LNode {
    const q = skipSpaces(line, p);
    if (q >= line.length || line.charCodeAt(q) === 35) {
      this.i++;
      this.skip();
      if (this.i < this.n) {
        const k = this.ind[this.i];
        if (k > parentIndent) return this.blockNodeAt(k);
        // A list may sit at the same column as the key it belongs to.
        if (isMapValue && k === parentIndent && isDashAt(this.ls[this.i], k)) return this.seq(k, false);
      }
      return { t: 's', v: null, text: '', plain: true, line: owner.line, col: owner.col };
    }
    const ch = line[q];
    if (ch === '|' || ch === '>') return this.blockScalar(line, q, parentIndent);
    let node: LNode;
    let tail: number;
    if (ch === '"' || ch === "'") {
      const r = readQuoted(line, q);
      node = { t: 's', v: r.value, text: r.value, plain: false, ...this.pos(this.i, q) };
      tail = r.end;
    } else if (ch === '[') {
      const r = this.flowSeq(line, q);
      node = r.node;
      tail = r.end;
    } else if (ch === '{') {
      const r = this.flowMap(line, q);
      node = r.node;
      tail = r.end;
    } else {
      if (VALUE_BAIL.has(ch) || isDashAt(line, q)) throw BAIL;
      const hash = line.indexOf(' #', q);
      tail = hash < 0 ? line.length : hash;
      const text = trimRightSpaces(line.slice(q, tail));
      if (text.includes(': ') || text.endsWith(':')) throw BAIL;
      node = this.plain(text, q);
    }
    checkTail(line, tail);
    this.i++;
    this.skip();
    // A deeper line now would continue a multi-line scalar (or be an error): the library decides.
    if (this.i < this.n && this.ind[this.i] > parentIndent) throw BAIL;
    return node;
  }

  private plain(text: string, ch: number): LScalar {
    const v = resolvePlain(text);
    if (v === undefined) throw BAIL;
    return { t: 's', v, text, plain: true, ...this.pos(this.i, ch) };
  }

  private blockScalar(line: string, q: number, parentIndent: number): LScalar {
    const literal = line[q] === '|';
    let p = q + 1;
    let strip = false;
    if (line[p] === '-') {
      strip = true;
      p++;
    }
    // Keep chomping (`+`) and explicit indentation digits are rare; the library handles them.
    const next = line[p];
    if (next === '+' || next === '-' || (next !== undefined && next >= '0' && next <= '9')) throw BAIL;
    checkTail(line, p);
    const at = this.pos(this.i, q);
    this.i++;
    let j = this.i;
    let widestLeadingBlank = 0;
    while (j < this.n && isAllSpaces(this.ls[j])) {
      widestLeadingBlank = Math.max(widestLeadingBlank, this.ls[j].length);
      j++;
    }
    if (j >= this.n || this.ind[j] <= parentIndent) {
      if (widestLeadingBlank > 0) throw BAIL;
      this.i = j;
      return { t: 's', v: '', text: '', plain: false, ...at };
    }
    const m = this.ind[j];
    if (widestLeadingBlank > m) throw BAIL;
    const out: string[] = [];
    for (let t = this.i; t < j; t++) out.push('');
    let t = j;
    while (t < this.n) {
      const raw = this.ls[t];
      if (isAllSpaces(raw)) {
        if (raw.length > m) throw BAIL;
        out.push('');
      } else if (this.ind[t] < m) {
        break;
      } else {
        out.push(raw.slice(m));
      }
      t++;
    }
    this.i = t;
    let last = out.length;
    while (last > 0 && out[last - 1] === '') last--;
    const body = out.slice(0, last);
    let value: string;
    if (literal) value = body.join('\n');
    else {
      if (body.some((l) => l.charCodeAt(0) === 32)) throw BAIL;
      value = fold(body);
    }
    if (!strip && last > 0) value += '\n';
    return { t: 's', v: value, text: value, plain: false, ...at };
  }

  /** A plain or quoted scalar inside a one-line flow collection; `closer` is `]` or `}`. */
  private flowScalar(line: string, p: number): { node: LScalar; end: number } {
    const ch = line[p];
    if (ch === '"' || ch === "'") {
      const r = readQuoted(line, p);
      return { node: { t: 's', v: r.value, text: r.value, plain: false, ...this.pos(this.i, p) }, end: r.end };
    }
    if (ch === undefined || ch === '[' || ch === '{' || ch === '|' || ch === '>' || VALUE_BAIL.has(ch)) throw BAIL;
    if (ch === '-') {
      const c2 = line[p + 1];
      if (c2 === undefined || c2 === ' ' || c2 === ',' || c2 === ']' || c2 === '}') throw BAIL;
    }
    let e = p;
    for (; e < line.length; e++) {
      const c = line.charCodeAt(e);
      // , [ ] { } :
      if (c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === 58) break;
      if (c === 35 && line.charCodeAt(e - 1) === 32) throw BAIL;
    }
    const stop = line.charCodeAt(e);
    if (stop === 58 || stop === 91 || stop === 123) throw BAIL;
    const text = trimRightSpaces(line.slice(p, e));
    if (text.length === 0) throw BAIL;
    return { node: this.plain(text, p), end: e };
  }

  private flowSeq(line: string, q: number): { node: LSeq; end: number } {
    const items: LNode[] = [];
    const at = this.pos(this.i, q);
    let p = skipSpaces(line, q + 1);
    if (line.charCodeAt(p) === 93) return { node: { t: 'q', ...at, items }, end: p + 1 };
    for (;;) {
      const r = this.flowScalar(line, skipSpaces(line, p));
      items.push(r.node);
      p = skipSpaces(line, r.end);
      const c = line.charCodeAt(p);
      if (c === 44) {
        p = skipSpaces(line, p + 1);
        if (line.charCodeAt(p) === 93) throw BAIL; // trailing comma
        continue;
      }
      if (c === 93) return { node: { t: 'q', ...at, items }, end: p + 1 };
      throw BAIL;
    }
  }

  private flowMap(line: string, q: number): { node: LMap; end: number } {
    const entries: LEntry[] = [];
    const seen = new Set<string>();
    const at = this.pos(this.i, q);
    let p = skipSpaces(line, q + 1);
    if (line.charCodeAt(p) === 125) return { node: { t: 'm', ...at, entries }, end: p + 1 };
    for (;;) {
      p = skipSpaces(line, p);
      const keyPos = this.pos(this.i, p);
      let keyText: string;
      const ch = line[p];
      if (ch === '"' || ch === "'") {
        const r = readQuoted(line, p);
        keyText = r.value;
        p = r.end;
      } else {
        if (ch === undefined || KEY_FIRST_NOT_SIMPLE.has(ch)) throw BAIL;
        let e = p;
        while (e < line.length && !',[]{}:#'.includes(line[e])) e++;
        if (line[e] !== ':') throw BAIL;
        keyText = trimRightSpaces(line.slice(p, e));
        p = e;
      }
      if (line.charCodeAt(p) !== 58 || line.charCodeAt(p + 1) !== 32) throw BAIL;
      if (keyText.length === 0 || seen.has(keyText) || keyText === '<<') throw BAIL;
      seen.add(keyText);
      const r = this.flowScalar(line, skipSpaces(line, p + 1));
      entries.push({ key: keyText, line: keyPos.line, col: keyPos.col, value: r.node });
      p = skipSpaces(line, r.end);
      const c = line.charCodeAt(p);
      if (c === 44) {
        p = skipSpaces(line, p + 1);
        if (line.charCodeAt(p) === 125) throw BAIL;
        continue;
      }
      if (c === 125) return { node: { t: 'm', ...at, entries }, end: p + 1 };
      throw BAIL;
    }
  }
}

/**
 * Duplicate-key detection. Maps in werf.yaml are small, so a scan beats building a Set for every one
 * of them; a Set takes over for big maps so a generated file cannot make this quadratic.
 */
class KeySet {
  private readonly list: string[] = [];
  private set: Set<string> | null = null;

  /** False when the key was already there. */
  add(key: string): boolean {
    if (this.set) {
      if (this.set.has(key)) return false;
      this.set.add(key);
      return true;
    }
    for (let k = 0; k < this.list.length; k++) if (this.list[k] === key) return false;
    this.list.push(key);
    if (this.list.length > 16) this.set = new Set(this.list);
    return true;
  }
}

/** Folded (`>`) text whose lines are all at the block's indentation. */
function fold(body: string[]): string {
  let out = '';
  let started = false;
  let empties = 0;
  for (const l of body) {
    if (l === '') {
      empties++;
      continue;
    }
    if (!started) {
      out = '\n'.repeat(empties) + l;
      started = true;
    } else {
      out += (empties > 0 ? '\n'.repeat(empties) : ' ') + l;
    }
    empties = 0;
  }
  return out;
}
