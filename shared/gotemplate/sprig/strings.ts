/** sprig string, encoding and conversion functions. */
import { FuncError } from '../errors';
import { formatValue, quoteString } from '../format';
import { fn, fnc, fnv, type FuncDef } from '../funcs';
import { adler32, sha1Hex, sha256Hex } from '../hash';
import { GoFloat, isAscii, isNil, makeFloat, mapSet, newMap, utf8Bytes, utf8Decode, utf8Length, byteSlice } from '../values';
import { strslice, strval, toFloat64, toInt64 } from './convert';

const SPACE_RE = /^\s$/u;

function isUnicodeSpace(ch: string): boolean {
  // Go's unicode.IsSpace: the White_Space property; JS \s is the same set.
  return SPACE_RE.test(ch);
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Per-character case mapping that never changes length, like Go's simple case folding. */
function mapRunes(s: string, f: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    out += Array.from(m).length === 1 ? m : ch;
  }
  return out;
}

export function goUpper(s: string): string {
  return isAscii(s) ? s.toUpperCase() : mapRunes(s, (c) => c.toUpperCase());
}

export function goLower(s: string): string {
  // unicode.ToLower('İ') is 'i'; JavaScript's full mapping gives 'i' plus a combining dot.
  return isAscii(s) ? s.toLowerCase() : mapRunes(s, (c) => (c === '\u0130' ? 'i' : c.toLowerCase()));
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;

function isTitleSeparator(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c <= 0x7f) return !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95);
  if (LETTER_OR_DIGIT.test(ch)) return false;
  return isUnicodeSpace(ch);
}

/** strings.Title: upper-cases the first letter of every word. */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isTitleSeparator(prev) ? goUpper(ch) : ch;
    prev = ch;
  }
  return out;
}

function untitle(s: string): string {
  let out = '';
  let atStart = true;
  for (const ch of s) {
    if (isUnicodeSpace(ch)) {
      atStart = true;
      out += ch;
    } else {
      out += atStart ? goLower(ch) : ch;
      atStart = false;
    }
  }
  return out;
}

/**
 * goutils.SwapCase (sprig's swapcase): upper and title-case letters go lower; a lower-case letter
 * goes title-case at the start of a word and upper-case elsewhere.
 */
function swapcase(s: string): string {
  let out = '';
  let whitespace = true;
  for (const ch of s) {
    if (/^[\p{Lu}\p{Lt}]$/u.test(ch)) {
      out += goLower(ch);
      whitespace = false;
    } else if (/^\p{Ll}$/u.test(ch)) {
      out += whitespace ? goTitleCase(ch) : goUpper(ch);
      whitespace = false;
    } else {
      out += ch;
      whitespace = isGoSpace(ch);
    }
  }
  return out;
}

/** unicode.ToTitle for one rune: differs from upper-case only for the digraphs (ǆ → ǅ). */
function goTitleCase(ch: string): string {
  const TITLE: Record<string, string> = { '\u01c6': '\u01c5', '\u01c4': '\u01c5', '\u01c9': '\u01c8', '\u01c7': '\u01c8', '\u01cc': '\u01cb', '\u01ca': '\u01cb', '\u01f3': '\u01f2', '\u01f1': '\u01f2' };
  return TITLE[ch] ?? goUpper(ch);
}

function initials(s: string): string {
  let out = '';
  let atStart = true;
  for (const ch of s) {
    if (isUnicodeSpace(ch)) atStart = true;
    else {
      if (atStart) out += ch;
      atStart = false;
    }
  }
  return out;
}

function nospace(s: string): string {
  let out = '';
  for (const ch of s) if (!isUnicodeSpace(ch)) out += ch;
  return out;
}

/** strings.TrimSpace. */
export function trimSpace(s: string): string {
  return s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
}

/** strings.Trim(s, cutset). */
export function trimCutset(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const set = new Set(Array.from(cutset));
  const chars = Array.from(s);
  let start = 0;
  let end = chars.length;
  while (start < end && set.has(chars[start])) start++;
  while (end > start && set.has(chars[end - 1])) end--;
  return chars.slice(start, end).join('');
}

/** Apache-commons style abbreviation used by goutils (byte offsets, "..." marker). */
function abbreviateFull(str: string, offset: number, maxWidth: number): string {
  if (str === '') return '';
  const len = utf8Length(str);
  if (len <= maxWidth) return str;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return byteSlice(str, 0, maxWidth - 3) + '...';
  if (maxWidth < 7) return str;
  if (offset + maxWidth - 3 < len) return '...' + abbreviateFull(byteSlice(str, offset), 0, maxWidth - 3);
  return '...' + byteSlice(str, len - (maxWidth - 3));
}

function sliceBoundsError(a: number, b: number, len: number): FuncError {
  return new FuncError(`runtime error: slice bounds out of range [${a}:${b}] with length ${len}`);
}

function substr(start: number, end: number, s: string): string {
  const len = utf8Length(s);
  if (start < 0) {
    if (end < 0 || end > len) throw sliceBoundsError(0, end, len);
    return byteSlice(s, 0, end);
  }
  if (end < 0 || end > len) {
    if (start > len) throw sliceBoundsError(start, len, len);
    return byteSlice(s, start);
  }
  if (start > end) throw sliceBoundsError(start, end, len);
  return byteSlice(s, start, end);
}

function trunc(c: number, s: string): string {
  const len = utf8Length(s);
  if (c < 0 && len + c > 0) return byteSlice(s, len + c);
  if (c >= 0 && len > c) return byteSlice(s, 0, c);
  return s;
}

/** goutils WrapCustom: greedy word wrap on spaces; long words are never split. */
function wrapCustom(str: string, wrapLength: number, newLine: string): string {
  if (str === '') return '';
  if (newLine === '') newLine = '\n';
  if (wrapLength < 1) wrapLength = 1;
  let offset = 0;
  let out = '';
  const len = str.length;
  while (len - offset > wrapLength) {
    if (str[offset] === ' ') {
      offset++;
      continue;
    }
    const window = str.slice(offset, wrapLength + offset + 1);
    const sp = window.lastIndexOf(' ');
    if (sp >= 0) {
      out += str.slice(offset, offset + sp) + newLine;
      offset += sp + 1;
    } else {
      const end = wrapLength + offset;
      const idx = str.indexOf(' ', end);
      if (idx < 0) {
        out += str.slice(offset);
        offset = len;
      } else {
        out += str.slice(offset, idx) + newLine;
        offset = idx + 1;
      }
    }
  }
  return out + str.slice(offset);
}

function replaceAll(src: string, old: string, repl: string): string {
  if (old === '') {
    const chars = Array.from(src);
    return repl + chars.map((c) => c + repl).join('');
  }
  return src.split(old).join(repl);
}

function goSplit(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = Array.from(s);
    if (n > 0 && chars.length > n) return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
    return chars;
  }
  const parts = s.split(sep);
  if (n > 0 && parts.length > n) return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
  return parts;
}

function partsToMap(parts: string[]): Record<string, unknown> {
  const m = newMap();
  parts.forEach((p, i) => mapSet(m, `_${i}`, p));
  return m;
}

function randomString(count: number, alphabet: string): string {
  if (count < 0) throw new FuncError('negative count');
  const bytes = new Uint32Array(count);
  crypto.getRandomValues(bytes);
  let out = '';
  for (let i = 0; i < count; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const ASCII = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('') + ' ';

function shuffle(s: string): string {
  const chars = Array.from(s);
  const rnd = new Uint32Array(chars.length);
  crypto.getRandomValues(rnd);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = rnd[i] % (i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

// --- case conversion (huandu/xstrings) ------------------------------------------------------------

// --- snakecase / kebabcase: xstrings' word splitter (1.3.3 and 1.4.0 agree here) --------------

type WordType = 'number' | 'upper' | 'alphabet' | 'connector' | 'punct' | 'other';

const isUpperRune = (r: string): boolean => /^\p{Lu}$/u.test(r);
const isLetterRune = (r: string): boolean => /^\p{L}$/u.test(r);
const isNumberRune = (r: string): boolean => /^\p{N}$/u.test(r);
/** unicode.IsPunct: the P categories. */
const isPunctRune = (r: string): boolean => /^\p{P}$/u.test(r);
const isXConnector = (r: string): boolean => r === '-' || r === '_' || isGoSpace(r);

/** xstrings' isAlphabet: letters, except the CJK ideograph blocks. */
function isAlphabetRune(r: string): boolean {
  if (!isLetterRune(r)) return false;
  const c = r.codePointAt(0)!;
  if (c < 0x3400) return true;
  if (c >= 0x4e00 && c <= 0x9fcc) return false;
  if (c >= 0x3400 && c <= 0x4d85) return false;
  if (c >= 0x20000 && c <= 0x2b81d) return false;
  return true;
}

/** The next word of `runes` from `at`: its type and end index. */
function nextWord(runes: string[], at: number): { type: WordType; end: number } {
  const r = runes[at]!;
  let i = at + 1;
  const run = (keep: (x: string) => boolean): number => {
    while (i < runes.length && keep(runes[i]!)) i++;
    return i;
  };
  if (isXConnector(r)) return { type: 'connector', end: run(isXConnector) };
  if (isPunctRune(r)) return { type: 'punct', end: run(isPunctRune) };
  if (isUpperRune(r)) {
    if (i >= runes.length) return { type: 'upper', end: i };
    const n = runes[i]!;
    if (isUpperRune(n)) {
      run(isUpperRune);
      // "HTTPStatus": the S starts the next word.
      if (i < runes.length && isAlphabetRune(runes[i]!)) i--;
    } else if (isAlphabetRune(n)) {
      run((x) => isAlphabetRune(x) && !isUpperRune(x));
    }
    return { type: 'upper', end: i };
  }
  if (isAlphabetRune(r)) return { type: 'alphabet', end: run((x) => isAlphabetRune(x) && !isUpperRune(x)) };
  if (isNumberRune(r)) return { type: 'number', end: run(isNumberRune) };
  return { type: 'other', end: run((x) => !(isXConnector(x) || isAlphabetRune(x) || isNumberRune(x) || isPunctRune(x))) };
}

/**
 * snake/kebab case: xstrings' camelCaseToLowerCase. Upper-case words are lowered, connectors become
 * the delimiter, and digits join the word before them unless lower-case letters follow
 * ("Bld4Floor" → "bld4_floor", "HTTP2xx" → "http_2xx").
 */
export function toDelimited(s: string, delim: string): string {
  const runes = Array.from(s);
  if (runes.length === 0) return '';
  let out = '';
  const lower = (type: WordType, from: number, to: number): void => {
    const word = runes.slice(from, to);
    if (type !== 'upper' && type !== 'connector') {
      out += word.join('');
      return;
    }
    for (const r of word) out += isXConnector(r) ? delim : isUpperRune(r) ? goLower(r) : r;
  };
  let pos = 0;
  const take = (): { type: WordType | null; from: number; to: number } => {
    if (pos >= runes.length) return { type: null, from: pos, to: pos };
    const w = nextWord(runes, pos);
    const res = { type: w.type, from: pos, to: w.end };
    pos = w.end;
    return res;
  };
  let w = take();
  while (pos < runes.length) {
    if (w.type !== 'connector') lower(w.type!, w.from, w.to);
    const prev = w;
    w = take();
    switch (prev.type) {
      case 'number':
        while (w.type === 'alphabet' || w.type === 'number') {
          lower(w.type, w.from, w.to);
          w = take();
        }
        if (w.type !== null && w.type !== 'punct' && w.type !== 'connector') out += delim;
        break;
      case 'connector':
        lower('connector', prev.from, prev.to);
        break;
      case 'punct':
        break;
      default: {
        if (w.type !== 'number') {
          if (w.type !== 'connector' && w.type !== 'punct') out += delim;
          break;
        }
        if (pos >= runes.length) break;
        const num = w;
        w = take();
        if (w.type !== 'alphabet') {
          lower('number', num.from, num.to);
          if (w.type !== 'connector' && w.type !== 'punct') out += delim;
          break;
        }
        out += delim;
        lower('number', num.from, num.to);
        while (w.type === 'alphabet' || w.type === 'number') {
          lower(w.type, w.from, w.to);
          w = take();
        }
        if (w.type !== null && w.type !== 'connector' && w.type !== 'punct') out += delim;
      }
    }
  }
  if (w.type !== null) lower(w.type, w.from, w.to);
  return out;
}

/**
 * camelcase as werf has it: sprig over xstrings 1.4.0, whose ToCamelCase treats `-`, `_` and
 * white space as connectors, upper-cases the first rune and each rune after a connector, keeps
 * every other rune as it is, and drops a single connector between words while a run of them keeps
 * all but the last. Leading connectors stay; a string of connectors only gains one more at the end,
 * a quirk of its loop that werf users get too.
 */
export function toCamel(s: string): string {
  const runes = Array.from(s);
  if (runes.length === 0) return '';
  const connector = (r: string): boolean => r === '-' || r === '_' || isGoSpace(r);
  let out = '';
  let i = 0;
  let r0 = '';
  for (; i < runes.length; i++) {
    r0 = runes[i]!;
    if (!connector(r0)) {
      r0 = goUpper(r0);
      i++;
      break;
    }
    out += r0;
  }
  if (i >= runes.length) return out + r0;
  for (; i < runes.length; i++) {
    const r1 = r0;
    r0 = runes[i]!;
    if (connector(r0) && connector(r1)) {
      out += r1;
      continue;
    }
    if (connector(r1)) r0 = goUpper(r0);
    else out += r1;
  }
  return out + r0;
}

/** unicode.IsSpace. */
function isGoSpace(r: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(r);
}

// --- base64 / base32 ----------------------------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base64Encode(bytes: Uint8Array): string {
  // Written into bytes and decoded once: appending two characters at a time made a rope of
  // millions of nodes (a 7 MB input held 600 MB and took seconds).
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out[o++] = B64_CODES[(n >> 18) & 63];
    out[o++] = B64_CODES[(n >> 12) & 63];
    out[o++] = i + 1 < bytes.length ? B64_CODES[(n >> 6) & 63] : 61;
    out[o++] = i + 2 < bytes.length ? B64_CODES[n & 63] : 61;
  }
  return utf8Decode(out);
}

/**
 * Standard base64 with padding, following Go's decoder quantum by quantum (encoding/base64
 * decodeQuantum): CR and LF are skipped anywhere, and the error offsets of
 * "illegal base64 data at input byte N" are byte offsets into the UTF-8 input, as Go reports them.
 */
export function base64Decode(s: string): Uint8Array {
  const src = new TextEncoder().encode(s);
  const out: number[] = [];
  const fail = (at: number): never => {
    throw new FuncError(`illegal base64 data at input byte ${at}`);
  };
  const skipNewlines = (at: number): number => {
    while (at < src.length && (src[at] === 10 || src[at] === 13)) at++;
    return at;
  };
  let si = 0;
  while (si < src.length) {
    const quantum: number[] = [];
    let done = false;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return new Uint8Array(out);
        fail(si - j);
      }
      const ch = src[si++]!;
      const v = ch < 128 ? B64.indexOf(String.fromCharCode(ch)) : -1;
      if (v >= 0) {
        quantum.push(v);
        continue;
      }
      if (ch === 10 || ch === 13) {
        j--;
        continue;
      }
      if (ch !== 61) fail(si - 1);
      // Padding: only after 2 or 3 symbols, "==" after 2.
      if (j < 2) fail(si - 1);
      if (j === 2) {
        si = skipNewlines(si);
        if (si === src.length) fail(src.length);
        if (src[si] !== 61) fail(si - 1);
        si++;
      }
      si = skipNewlines(si);
      if (si < src.length) fail(si);
      done = true;
      break;
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out.push((n >> 16) & 255);
    if (quantum.length >= 3) out.push((n >> 8) & 255);
    if (quantum.length === 4) out.push(n & 255);
    if (done) break;
  }
  return new Uint8Array(out);
}

function base32Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 5) {
    const chunk = bytes.subarray(i, i + 5);
    let bits = 0n;
    for (let k = 0; k < 5; k++) bits = (bits << 8n) | BigInt(chunk[k] ?? 0);
    const symbols = [0, 2, 4, 5, 7, 8][chunk.length];
    for (let k = 0; k < 8; k++) {
      out += k < symbols ? B32[Number((bits >> BigInt(35 - k * 5)) & 31n)] : '=';
    }
  }
  return out;
}

function base32Decode(s: string): Uint8Array {
  const clean = s.replace(/[\r\n]/g, '');
  if (clean.length % 8 !== 0) throw new FuncError(`illegal base32 data at input byte ${clean.length - (clean.length % 8)}`);
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 8) {
    const block = clean.slice(i, i + 8);
    const data = block.replace(/=+$/, '');
    const nbytes = { 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 }[data.length];
    if (nbytes === undefined || (data.length < 8 && i + 8 !== clean.length)) {
      throw new FuncError(`illegal base32 data at input byte ${i + data.length}`);
    }
    let bits = 0n;
    for (let k = 0; k < 8; k++) {
      const v = k < data.length ? B32.indexOf(data[k]) : 0;
      if (v < 0) throw new FuncError(`illegal base32 data at input byte ${i + k}`);
      bits = (bits << 5n) | BigInt(v);
    }
    for (let k = 0; k < nbytes; k++) out.push(Number((bits >> BigInt(32 - k * 8)) & 255n));
  }
  return new Uint8Array(out);
}

/** Decoded bytes as a Go string (invalid UTF-8 shown as U+FFFD). */
function bytesToString(b: Uint8Array): string {
  return utf8Decode(b);
}

// --- registry -------------------------------------------------------------------------------------

export const STRING_FUNCS: [string, FuncDef][] = [
  ['hello', fn([], () => 'Hello!')],
  ['abbrev', fn(['int', 'string'], (w, s) => (w < 4 ? s : abbreviateFull(s, 0, w)))],
  [
    'abbrevboth',
    fn(['int', 'int', 'string'], (left, right, s) => (right < 4 || (left > 0 && right < 7) ? s : abbreviateFull(s, left, right))),
  ],
  ['trunc', fn(['int', 'string'], trunc)],
  ['trim', fn(['string'], trimSpace)],
  ['upper', fn(['string'], goUpper)],
  ['lower', fn(['string'], goLower)],
  ['title', fn(['string'], goTitle)],
  ['untitle', fn(['string'], untitle)],
  ['substr', fn(['int', 'int', 'string'], substr)],
  [
    'repeat',
    fnc(['int', 'string'], (ctx, count, s) => {
      if (count < 0) throw new FuncError('strings: negative Repeat count');
      ctx.checkSize(count * utf8Length(s));
      return s.repeat(count);
    }),
  ],
  ['trimall', fn(['string', 'string'], (cut, s) => trimCutset(s, cut))],
  ['trimAll', fn(['string', 'string'], (cut, s) => trimCutset(s, cut))],
  ['trimSuffix', fn(['string', 'string'], (suf, s) => (suf !== '' && s.endsWith(suf) ? s.slice(0, s.length - suf.length) : s))],
  ['trimPrefix', fn(['string', 'string'], (pre, s) => (s.startsWith(pre) ? s.slice(pre.length) : s))],
  ['nospace', fn(['string'], nospace)],
  ['initials', fn(['string'], initials)],
  ['randAlphaNum', fn(['int'], (n) => randomString(n, ALPHA + DIGITS))],
  ['randAlpha', fn(['int'], (n) => randomString(n, ALPHA))],
  ['randAscii', fn(['int'], (n) => randomString(n, ASCII))],
  ['randNumeric', fn(['int'], (n) => randomString(n, DIGITS))],
  ['swapcase', fn(['string'], swapcase)],
  ['shuffle', fn(['string'], shuffle)],
  ['snakecase', fn(['string'], (s) => toDelimited(s, '_'))],
  ['camelcase', fn(['string'], toCamel)],
  ['kebabcase', fn(['string'], (s) => toDelimited(s, '-'))],
  ['wrap', fn(['int', 'string'], (l, s) => wrapCustom(s, l, '\n'))],
  ['wrapWith', fn(['int', 'string', 'string'], (l, sep, s) => wrapCustom(s, l, sep))],
  ['contains', fn(['string', 'string'], (sub, s) => s.includes(sub))],
  ['hasPrefix', fn(['string', 'string'], (pre, s) => s.startsWith(pre))],
  ['hasSuffix', fn(['string', 'string'], (suf, s) => s.endsWith(suf))],
  ['quote', fnv([], 'any', (...a) => a.filter((x) => !isNil(x)).map((x) => quoteString(strval(x))).join(' '))],
  ['squote', fnv([], 'any', (...a) => a.filter((x) => !isNil(x)).map((x) => `'${formatValue(x)}'`).join(' '))],
  ['cat', fnv([], 'any', (...a) => a.filter((x) => !isNil(x)).map(formatValue).join(' '))],
  [
    'indent',
    fnc(['int', 'string'], (ctx, n, s) => {
      if (n < 0) throw new FuncError('strings: negative Repeat count');
      const pad = ' '.repeat(n);
      ctx.checkSize(s.length + n * (1 + countNewlines(s)));
      return pad + s.replace(/\n/g, '\n' + pad);
    }),
  ],
  [
    'nindent',
    fnc(['int', 'string'], (ctx, n, s) => {
      if (n < 0) throw new FuncError('strings: negative Repeat count');
      const pad = ' '.repeat(n);
      ctx.checkSize(s.length + n * (1 + countNewlines(s)));
      return '\n' + pad + s.replace(/\n/g, '\n' + pad);
    }),
  ],
  ['replace', fn(['string', 'string', 'string'], (o, n, src) => replaceAll(src, o, n))],
  ['plural', fn(['string', 'string', 'int'], (one, many, count) => (count === 1 ? one : many))],
  ['sha1sum', fn(['string'], (s) => sha1Hex(utf8Bytes(s)))],
  ['sha256sum', fn(['string'], (s) => sha256Hex(utf8Bytes(s)))],
  ['adler32sum', fn(['string'], (s) => String(adler32(utf8Bytes(s))))],
  ['toString', fn(['any'], strval)],
  ['atoi', fn(['string'], (s) => (/^[+-]?\d+$/.test(s) ? (Math.abs(Number(s)) < 2 ** 63 ? Number(s) : 0) : 0))],
  ['int64', fn(['any'], toInt64)],
  ['int', fn(['any'], toInt64)],
  ['float64', fn(['any'], (v) => makeFloat(toFloat64(v)))],
  [
    'toDecimal',
    fn(['any'], (v) => {
      const s = strval(v);
      return /^[+-]?[0-7]+$/.test(s) ? parseInt(s, 8) : 0;
    }),
  ],
  ['split', fn(['string', 'string'], (sep, s) => partsToMap(goSplit(s, sep)))],
  ['splitList', fn(['string', 'string'], (sep, s) => goSplit(s, sep))],
  ['splitn', fn(['string', 'int', 'string'], (sep, n, s) => partsToMap(goSplit(s, sep, n)))],
  ['toStrings', fn(['any'], strslice)],
  ['join', fn(['string', 'any'], (sep, v) => strslice(v).join(sep))],
  [
    'sortAlpha',
    fn(['any'], (v) => (Array.isArray(v) ? strslice(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : [strval(v)])),
  ],
  ['b64enc', fn(['string'], (s) => base64Encode(utf8Bytes(s)))],
  [
    'b64dec',
    fn(['string'], (s) => {
      try {
        return bytesToString(base64Decode(s));
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    }),
  ],
  ['b32enc', fn(['string'], (s) => base32Encode(utf8Bytes(s)))],
  [
    'b32dec',
    fn(['string'], (s) => {
      try {
        return bytesToString(base32Decode(s));
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    }),
  ],
];

