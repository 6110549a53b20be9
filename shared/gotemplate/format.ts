/**
 * The parts of Go's fmt and strconv that templates expose: %v printing of every value kind,
 * Printf verbs with flags/width/precision, Sprint/Sprintln spacing rules, strconv.Quote and
 * float formatting. Rounding of %e/%f/%g is done exactly (round-half-even on the binary value,
 * like strconv) so that e.g. printf "%.0f" 2.5 gives "2" as in Go.
 */
import {
  checkExpandable,
  GoFloat,
  isIfaceMap,
  isMap,
  mapKeyOf,
  numberOf,
  sortedKeys,
  stringerOf,
  typeName,
  utf8Bytes,
  mapGet,
} from './values';

// --- float formatting ---------------------------------------------------------------------------

interface Decimal {
  /** Significant digits without leading or trailing zeros; "" for zero. */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

function trimZeros(d: string): string {
  let end = d.length;
  while (end > 0 && d.charCodeAt(end - 1) === 48) end--;
  return d.slice(0, end);
}

/** Shortest digits that round-trip, as strconv does for precision -1. */
function shortest(a: number): Decimal {
  if (a === 0) return { d: '', dp: 0 };
  const s = a.toExponential();
  const e = s.indexOf('e');
  const mant = s.slice(0, e).replace('.', '');
  return { d: trimZeros(mant), dp: parseInt(s.slice(e + 1), 10) + 1 };
}

const BIG10 = 10n;

function pow10(n: number): bigint {
  return BIG10 ** BigInt(n);
}

/** a = m × 2^e exactly. */
function exactParts(a: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  const mhi = BigInt(hi & 0xfffff);
  let m = (mhi << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = exp - 1075;
  }
  return { m, e };
}

/** round(a × 10^k) with ties to even, computed exactly. */
function roundScaled(a: number, k: number): bigint {
  const { m, e } = exactParts(a);
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (k >= 0) num *= pow10(k);
  else den *= pow10(-k);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n;
  return q;
}

/** a rounded to n significant digits. */
function roundSig(a: number, n: number): Decimal {
  if (a === 0) return { d: '', dp: 0 };
  let exp10 = Math.floor(Math.log10(a));
  for (let tries = 0; tries < 3; tries++) {
    const q = roundScaled(a, n - 1 - exp10);
    const s = q.toString();
    if (s.length > n) {
      if (s.length === n + 1 && /^10*$/.test(s)) return { d: '1', dp: exp10 + 2 };
      exp10++;
      continue;
    }
    if (s.length < n) {
      exp10--;
      continue;
    }
    return { d: trimZeros(s), dp: exp10 + 1 };
  }
  return shortest(a);
}

function fmtE(x: Decimal, prec: number, ch: string): string {
  let s = x.d.length > 0 ? x.d[0] : '0';
  if (prec > 0) {
    s += '.';
    const frac = x.d.slice(1, 1 + prec);
    s += frac + '0'.repeat(prec - frac.length);
  }
  const exp = x.d.length === 0 ? 0 : x.dp - 1;
  const abs = Math.abs(exp);
  return s + ch + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' : '') + String(abs);
}

function fmtF(x: Decimal, prec: number): string {
  let s: string;
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    s = x.d.slice(0, m) + '0'.repeat(x.dp - m);
  } else s = '0';
  if (prec > 0) {
    let frac = '';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      frac += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
    s += '.' + frac;
  }
  return s;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e, E, f, F, g, G. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const sign = neg ? '-' : '';
  switch (fmt) {
    case 'e':
    case 'E': {
      const dec = prec < 0 ? shortest(a) : roundSig(a, prec + 1);
      return sign + fmtE(dec, prec < 0 ? Math.max(dec.d.length - 1, 0) : prec, fmt);
    }
    case 'f':
    case 'F': {
      if (prec < 0) {
        const dec = shortest(a);
        return sign + fmtF(dec, Math.max(dec.d.length - dec.dp, 0));
      }
      const q = roundScaled(a, prec).toString();
      const padded = q.padStart(prec + 1, '0');
      const int = padded.slice(0, padded.length - prec);
      return sign + (prec > 0 ? `${int}.${padded.slice(padded.length - prec)}` : int);
    }
    default: {
      const isShortest = prec < 0;
      let p = prec;
      let dec: Decimal;
      if (isShortest) {
        dec = shortest(a);
        p = dec.d.length;
      } else {
        if (p === 0) p = 1;
        dec = roundSig(a, p);
      }
      let eprec = p;
      if (eprec > dec.d.length && dec.d.length >= dec.dp) eprec = dec.d.length;
      if (isShortest) eprec = 6;
      const exp = dec.dp - 1;
      const ech = fmt === 'G' ? 'E' : 'e';
      if (exp < -4 || exp >= eprec) {
        if (p > dec.d.length) p = dec.d.length;
        return sign + fmtE(dec, Math.max(p - 1, 0), ech);
      }
      if (p > dec.dp) p = dec.d.length;
      return sign + fmtF(dec, Math.max(p - dec.dp, 0));
    }
  }
}

/** Go's %v for a float64. */
export function formatFloatV(x: number): string {
  return formatFloat(x, 'g', -1);
}

export function formatInt(n: number): string {
  if (Math.abs(n) < 1e21) return String(n);
  return BigInt(n).toString();
}

// --- quoting ------------------------------------------------------------------------------------

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(cp: number, quote: number, asciiOnly: boolean): string {
  if (cp === quote || cp === 92) return '\\' + String.fromCharCode(cp);
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
    default:
      if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
      if (cp >= 0xd800 && cp < 0xe000) return '\\ufffd';
      if (cp < 0x10000) return '\\u' + hex(cp, 4);
      return '\\U' + hex(cp, 8);
  }
}

/** strconv.Quote (or QuoteToASCII). */
export function quoteString(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0) ?? 0, 34, asciiOnly);
  return out + '"';
}

/** strconv.QuoteRune. */
export function quoteRune(cp: number, asciiOnly = false): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000) || cp < 0) cp = 0xfffd;
  return "'" + escapeRune(cp, 39, asciiOnly) + "'";
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x60 || cp === 0xfeff) return false;
    if (cp < 0x20 && cp !== 9) return false;
    if (cp === 0x7f) return false;
  }
  return true;
}

// --- %v -------------------------------------------------------------------------------------------

/** fmt.Sprint of one value with %v and no flags (the fast path used for template output). */
/** fmt's %v of any value; a value too large to print once expanded is refused before printing starts. */
export function formatValue(v: unknown): string {
  if (typeof v === 'object' && v !== null) checkExpandable(v, 'printing a value');
  return formatAny(v);
}

function formatAny(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isInteger(v) ? formatInt(v) : formatFloatV(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return '<nil>';
    case 'bigint':
      return v.toString();
    case 'function':
      return '<func>';
    default:
      break;
  }
  if (v === null) return '<nil>';
  if (v instanceof GoFloat) return formatFloatV(v.value);
  const str = stringerOf(v);
  if (str !== undefined) return str;
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ' ';
      s += formatAny(v[i]);
    }
    return s + ']';
  }
  if (isMap(v)) {
    let s = 'map[';
    let first = true;
    for (const k of sortedKeys(v)) {
      if (!first) s += ' ';
      first = false;
      s += formatAny(mapKeyOf(v, k)) + ':' + formatAny(mapGet(v, k));
    }
    return s + ']';
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const parts: string[] = [];
    for (const k of Object.keys(v)) parts.push(formatAny((v as Record<string, unknown>)[k]));
    return '{' + parts.join(' ') + '}';
  }
  return String(v);
}

function isStringArg(v: unknown): boolean {
  return typeof v === 'string';
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let s = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && !isStringArg(args[i]) && !isStringArg(args[i - 1])) s += ' ';
    s += formatValue(args[i]);
  }
  return s;
}

/** fmt.Sprintln: always spaces, newline at the end. */
export function sprintln(args: readonly unknown[]): string {
  return args.map(formatValue).join(' ') + '\n';
}

// --- Printf ---------------------------------------------------------------------------------------

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
  plusV: boolean;
  sharpV: boolean;
}

function newFlags(): Flags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    wid: 0,
    widPresent: false,
    prec: 0,
    precPresent: false,
    plusV: false,
    sharpV: false,
  };
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c >= 0xe000) n++;
  }
  return n;
}

function pad(s: string, f: Flags, zeroOk = false): string {
  if (!f.widPresent || f.wid === 0) return s;
  const width = f.wid - runeCount(s);
  if (width <= 0) return s;
  if (f.minus) return s + ' '.repeat(width);
  return (f.zero && zeroOk ? '0' : ' ').repeat(width) + s;
}

const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';

function fmtInteger(n: number, base: number, verb: string, f: Flags): string {
  const neg = n < 0;
  let digits = (neg ? BigInt(-n) : BigInt(n)).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  let prec = -1;
  if (f.precPresent) {
    prec = f.prec;
    if (prec === 0 && n === 0) {
      // "%.0d" of zero prints nothing but still pads.
      const old = f.zero;
      f.zero = false;
      const r = pad('', f);
      f.zero = old;
      return r;
    }
  } else if (f.zero && f.widPresent && !f.minus) {
    prec = f.wid;
    if (neg || f.plus || f.space) prec--;
  }
  if (prec > digits.length) digits = '0'.repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (base === 8 && digits[0] !== '0') digits = '0' + digits;
    else if (base === 16) digits = (verb === 'X' ? '0X' : '0x') + digits;
    else if (base === 2) digits = '0b' + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  if (neg) digits = '-' + digits;
  else if (f.plus) digits = '+' + digits;
  else if (f.space) digits = ' ' + digits;
  const old = f.zero;
  f.zero = false;
  const r = pad(digits, f);
  f.zero = old;
  return r;
}

function fmtFloatVerb(x: number, verb: string, prec: number, f: Flags): string {
  const p = f.precPresent ? f.prec : prec;
  let num = formatFloat(x, verb === 'v' ? 'g' : verb === 'F' ? 'f' : verb, p);
  if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
  if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
  if (num[1] === 'I' || num[1] === 'N') {
    if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
    return pad(num, f);
  }
  if (f.sharp && verb !== 'b') {
    // %#g keeps trailing zeros and always shows the decimal point; approximate the common cases.
    if (!num.includes('.') && !/[eE]/.test(num) && !num.includes('Inf')) num += '.';
  }
  if (f.plus || num[0] !== '+') {
    if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
      return num[0] + '0'.repeat(f.wid - num.length) + num.slice(1);
    }
    return pad(num, f);
  }
  return pad(num.slice(1), f);
}

function truncateRunes(s: string, f: Flags): string {
  if (!f.precPresent) return s;
  const chars = Array.from(s);
  return chars.length > f.prec ? chars.slice(0, f.prec).join('') : s;
}

function fmtSbx(s: string, digits: string, f: Flags): string {
  const bytes = utf8Bytes(s);
  let length = bytes.length;
  if (f.precPresent && f.prec < length) length = f.prec;
  let out = '';
  for (let i = 0; i < length; i++) {
    if (f.space && i > 0) out += ' ';
    if (f.sharp && (f.space || i === 0)) out += '0' + digits[16];
    const b = bytes[i];
    out += digits[b >> 4] + digits[b & 15];
  }
  return pad(out, f);
}

function fmtString(s: string, verb: string, f: Flags): string | null {
  switch (verb) {
    case 'v':
      if (f.sharpV) return pad(quoteString(s), f);
      return pad(truncateRunes(s, f), f);
    case 's':
      return pad(truncateRunes(s, f), f);
    case 'x':
      return fmtSbx(s, LDIGITS, f);
    case 'X':
      return fmtSbx(s, UDIGITS, f);
    case 'q': {
      const t = truncateRunes(s, f);
      if (f.sharp && canBackquote(t)) return pad('`' + t + '`', f);
      return pad(quoteString(t, f.plus), f);
    }
    default:
      return null;
  }
}

function fmtIntVerb(n: number, verb: string, f: Flags): string | null {
  switch (verb) {
    case 'v':
      return fmtInteger(n, 10, verb, f);
    case 'd':
      return fmtInteger(n, 10, verb, f);
    case 'b':
      return fmtInteger(n, 2, verb, f);
    case 'o':
    case 'O':
      return fmtInteger(n, 8, verb, f);
    case 'x':
    case 'X':
      return fmtInteger(n, 16, verb, f);
    case 'c':
      return pad(String.fromCodePoint(validRune(n)), f);
    case 'q':
      return pad(quoteRune(n, f.plus), f);
    case 'U': {
      let s = 'U+' + n.toString(16).toUpperCase().padStart(f.precPresent ? f.prec : 4, '0');
      if (f.sharp && n >= 0 && n <= 0x10ffff && isPrint(n)) s += " '" + String.fromCodePoint(n) + "'";
      return pad(s, f);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return null;
    default:
      return null;
  }
}

function validRune(n: number): number {
  if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n < 0xe000)) return 0xfffd;
  return n;
}

/** Formats one argument for one verb; returns the Go bad-verb text when they do not fit. */
function printArg(arg: unknown, verb: string, f: Flags): string {
  if (arg === undefined || arg === null) {
    if (verb === 'T' || verb === 'v') return pad('<nil>', f);
    return badVerb(arg, verb);
  }
  if (verb === 'T') return pad(typeName(arg), f);
  if (verb === 'p') return badVerb(arg, verb);
  let r: string | null = null;
  if (typeof arg === 'boolean') {
    r = verb === 't' || verb === 'v' ? pad(arg ? 'true' : 'false', f) : null;
  } else if (typeof arg === 'number' && Number.isInteger(arg)) {
    r = fmtIntVerb(arg, verb, f);
  } else if (typeof arg === 'number' || arg instanceof GoFloat) {
    const x = numberOf(arg);
    switch (verb) {
      case 'v':
        r = fmtFloatVerb(x, 'g', -1, f);
        break;
      case 'b':
      case 'g':
      case 'G':
        r = fmtFloatVerb(x, verb, -1, f);
        break;
      case 'f':
      case 'e':
      case 'E':
      case 'F':
        r = fmtFloatVerb(x, verb, 6, f);
        break;
      default:
        r = null;
    }
  } else if (typeof arg === 'string') {
    r = fmtString(arg, verb, f);
  } else {
    const str = stringerOf(arg);
    if (str !== undefined && 'vsxXq'.includes(verb)) r = fmtString(str, verb === 'v' ? 's' : verb, f);
    else if (Array.isArray(arg)) {
      if (f.sharpV) r = goSyntax(arg);
      else {
        const parts = arg.map((e) => printArg(e, verb, f));
        r = '[' + parts.join(' ') + ']';
      }
    } else if (isMap(arg)) {
      if (f.sharpV) r = goSyntax(arg);
      else {
        const parts = sortedKeys(arg).map((k) => printArg(mapKeyOf(arg, k), verb, f) + ':' + printArg(mapGet(arg, k), verb, f));
        r = 'map[' + parts.join(' ') + ']';
      }
    } else if (verb === 'v' || verb === 's') {
      r = pad(formatValue(arg), f);
    }
  }
  return r ?? badVerb(arg, verb);
}

function badVerb(arg: unknown, verb: string): string {
  if (arg === undefined || arg === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(arg)}=${formatValue(arg)})`;
}

/** Go-syntax representation used by %#v. */
export function goSyntax(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return quoteString(v);
  if (Array.isArray(v)) return '[]interface {}{' + v.map(goSyntax).join(', ') + '}';
  if (isMap(v)) {
    return (
      (isIfaceMap(v) ? 'map[interface {}]interface {}{' : 'map[string]interface {}{') +
      sortedKeys(v)
        .map((k) => goSyntax(mapKeyOf(v, k)) + ':' + goSyntax(mapGet(v, k)))
        .join(', ') +
      '}'
    );
  }
  return formatValue(v);
}

function parseNum(s: string, i: number): [number, boolean, number] {
  let n = 0;
  let ok = false;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
    n = n * 10 + (s.charCodeAt(i) - 48);
    if (n > 1e6) return [0, false, i];
    ok = true;
    i++;
  }
  return [n, ok, i];
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;
  const end = format.length;
  let i = 0;
  const intArg = (): [number, boolean] => {
    if (argNum >= args.length) return [0, false];
    const a = args[argNum++];
    if (typeof a === 'number' && Number.isInteger(a) && Math.abs(a) <= 1e6) return [a, true];
    return [0, false];
  };
  const argIndex = (): void => {
    if (i >= end || format[i] !== '[') return;
    reordered = true;
    const close = format.indexOf(']', i);
    if (close < 0) {
      goodArgNum = false;
      return;
    }
    const idx = parseInt(format.slice(i + 1, close), 10);
    if (!/^[0-9]+$/.test(format.slice(i + 1, close)) || idx < 1 || idx > args.length) {
      goodArgNum = false;
    } else {
      argNum = idx - 1;
    }
    i = close + 1;
  };
  while (i < end) {
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) out += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    const f = newFlags();
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = true;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    goodArgNum = true;
    argIndex();
    if (i < end && format[i] === '*') {
      i++;
      const [w, ok] = intArg();
      f.wid = w;
      f.widPresent = ok;
      if (!ok) out += '%!(BADWIDTH)';
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      argIndex();
    } else {
      const [w, ok, ni] = parseNum(format, i);
      f.wid = w;
      f.widPresent = ok;
      i = ni;
    }
    if (i + 1 <= end && format[i] === '.') {
      i++;
      argIndex();
      if (i < end && format[i] === '*') {
        i++;
        const [p, ok] = intArg();
        f.prec = p;
        f.precPresent = ok;
        if (p < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!ok) out += '%!(BADPREC)';
        argIndex();
      } else {
        const [p, , ni] = parseNum(format, i);
        f.prec = p;
        f.precPresent = true;
        i = ni;
      }
    }
    if (!f.minus && f.zero) {
      // zero padding applies only on the left
    } else if (f.minus) f.zero = false;
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    if (verb === 'w') {
      out += printArg(args[argNum++], 'v', f);
      continue;
    }
    if (verb === 'v') {
      if (f.sharp) {
        f.sharp = false;
        f.sharpV = true;
      }
      if (f.plus) {
        f.plus = false;
        f.plusV = true;
      }
    }
    out += printArg(args[argNum++], verb, f);
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ';
    out += args
      .slice(argNum)
      .map((a) => (a === undefined || a === null ? '<nil>' : `${typeName(a)}=${formatValue(a)}`))
      .join(', ');
    out += ')';
  }
  return out;
}
