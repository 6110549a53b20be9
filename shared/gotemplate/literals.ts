/**
 * Go literal decoding: string and character escapes (strconv.Unquote rules) and number syntax
 * (strconv.ParseInt/ParseFloat with base prefixes and underscores), as the template parser needs.
 */

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
};

function hexValue(s: string): number {
  return /^[0-9a-fA-F]+$/.test(s) ? parseInt(s, 16) : NaN;
}

/**
 * Decodes the escapes of a Go double-quoted or single-quoted literal body. \x and octal escapes
 * produce raw bytes, so the result is assembled as UTF-8 and decoded once at the end.
 */
function decodeEscapes(body: string, quote: string): { bytes: number[]; runes: number } {
  const bytes: number[] = [];
  let runes = 0;
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === quote) throw new Error('invalid syntax');
    if (c !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      for (const b of utf8Encoder.encode(ch)) bytes.push(b);
      i += ch.length;
      runes++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error('invalid syntax');
    i += 2;
    runes++;
    if (e in SIMPLE_ESCAPES && Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, e)) {
      bytes.push(SIMPLE_ESCAPES[e]);
    } else if (e === '"' || e === "'") {
      if (e !== quote) throw new Error('invalid syntax');
      bytes.push(e.charCodeAt(0));
    } else if (e === 'x') {
      const v = hexValue(body.slice(i, i + 2));
      if (Number.isNaN(v) || body.slice(i, i + 2).length !== 2) throw new Error('invalid syntax');
      bytes.push(v);
      i += 2;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(oct)) throw new Error('invalid syntax');
      const v = parseInt(oct, 8);
      if (v > 255) throw new Error('invalid syntax');
      bytes.push(v);
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const hex = body.slice(i, i + len);
      const v = hexValue(hex);
      if (hex.length !== len || Number.isNaN(v) || v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) {
        throw new Error('invalid syntax');
      }
      for (const b of utf8Encoder.encode(String.fromCodePoint(v))) bytes.push(b);
      i += len;
    } else {
      throw new Error('invalid syntax');
    }
  }
  return { bytes, runes };
}

/** strconv.Unquote for "..." and `...` literals. Throws on invalid syntax. */
export function unquoteString(q: string): string {
  if (q.length >= 2 && q[0] === '`' && q[q.length - 1] === '`') {
    // Go drops carriage returns from raw strings so CRLF files behave like LF files.
    return q.slice(1, -1).replace(/\r/g, '');
  }
  if (q.length < 2 || q[0] !== '"' || q[q.length - 1] !== '"') throw new Error('invalid syntax');
  const body = q.slice(1, -1);
  if (!body.includes('\\')) {
    if (body.includes('"') || body.includes('\n')) throw new Error('invalid syntax');
    return body;
  }
  return utf8Decoder.decode(new Uint8Array(decodeEscapes(body, '"').bytes));
}

/** Value of a Go character literal such as 'a' or '\n'. */
export function unquoteChar(q: string): number {
  if (q.length < 3 || q[0] !== "'" || q[q.length - 1] !== "'") throw new Error('invalid syntax');
  const body = q.slice(1, -1);
  if (body[0] === '\\') {
    const { bytes, runes } = decodeEscapes(body, "'");
    if (runes !== 1) throw new Error('invalid syntax');
    if (bytes.length === 1) return bytes[0];
    return utf8Decoder.decode(new Uint8Array(bytes)).codePointAt(0) ?? 0;
  }
  const cp = body.codePointAt(0) ?? 0;
  if (String.fromCodePoint(cp).length !== body.length) throw new Error('invalid syntax');
  return cp;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Removes underscores when they only separate digits (Go's underscoreOK rule), else null. */
function stripUnderscores(digits: string, afterPrefix: boolean): string | null {
  if (!digits.includes('_')) return digits;
  if (digits.endsWith('_') || digits.includes('__')) return null;
  if (digits.startsWith('_') && !afterPrefix) return null;
  return digits.replace(/_/g, '');
}

/** strconv.ParseInt(text, 0, 64). Returns null when the text is not a valid int64. */
export function parseGoInt(text: string): number | null {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let digits = s;
  let prefixed = false;
  if (/^0[xX]/.test(s)) {
    base = 16;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    digits = s.slice(2);
    prefixed = true;
  } else if (s.length > 1 && s[0] === '0') {
    base = 8;
    digits = s.slice(1);
    prefixed = true;
  }
  const clean = stripUnderscores(digits, prefixed);
  if (clean === null || clean === '') return null;
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(clean)) return null;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  let v = BigInt(prefix + clean);
  if (neg) v = -v;
  if (v < INT64_MIN || v > INT64_MAX) return null;
  return Number(v);
}

/** strconv.ParseFloat(text, 64) for the forms the template lexer produces. */
export function parseGoFloat(text: string): number | null {
  let s = text;
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (/^0[xX]/.test(s)) {
    const m = /^0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/.exec(s);
    if (!m) return null;
    const intPart = (m[1] ?? '').replace(/_/g, '');
    const frac = (m[2] ?? '').replace(/_/g, '');
    if (intPart === '' && frac === '') return null;
    const mant = parseInt(intPart + frac || '0', 16);
    const exp = parseInt(m[3].replace(/_/g, ''), 10) - 4 * frac.length;
    return sign * mant * Math.pow(2, exp);
  }
  const clean = stripUnderscores(s, false);
  if (clean === null) return null;
  if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(clean)) return null;
  return sign * Number(clean);
}
