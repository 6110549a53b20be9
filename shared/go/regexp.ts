/**
 * Go (RE2) regular expressions, shared by the template preview (sprig's regex functions) and
 * werf.yaml checks (keep-policy `/RE/` references).
 *
 * Matching runs on re2js, a port of Go's regexp engine: time linear in the input whatever the
 * pattern (project files are untrusted, and a backtracking RegExp takes minutes on `^(a+)+$`), and
 * Go's syntax and semantics throughout (`.`, ASCII \s and \b, (?U), flag groups, POSIX classes).
 * FindAll/ReplaceAll/Split/Expand follow Go's rules for empty matches and `$name` templates.
 *
 * The translator below checks a pattern against Go's syntax with Go's messages and turns it into
 * an equivalent `u`-mode JavaScript source; it names the few constructs JavaScript cannot express
 * (`unsupported`). Nothing here runs a backtracking RegExp on a project's pattern: a RegExp from
 * the translation would take minutes on `^(a+)+$`.
 */
import type { Matcher, RE2JS } from 're2js';
import { re2 } from './re2';

/** Anything that keeps a Go pattern from being run here; the message is what the user sees. */
export class GoRegexpError extends Error {
  override readonly name: string = 'GoRegexpError';
}

/** What Go's regexp.Compile itself rejects: `error parsing regexp: CODE: `EXPR``. */
export class GoRegexpSyntaxError extends GoRegexpError {
  override readonly name: string = 'GoRegexpSyntaxError';
  constructor(
    /** Go's error code text, e.g. `missing closing ]`. */
    readonly code: string,
    /** The offending part of the pattern. */
    readonly expr: string,
  ) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
  }
}

export interface GoRegexpTranslation {
  /** The JavaScript source. Unsupported constructs are left out of it, so it still compiles to find other errors. */
  source: string;
  /** JavaScript flags: `u`, plus `i` from a leading Go flag (`m` and `s` are written into the source). */
  flags: string;
  /** Why the pattern, though valid Go, cannot be evaluated here (the first such construct), or null. */
  unsupported: string | null;
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const JS_SYNTAX = '^$\\.*+?()[]{}|/';
/** RE2's \s is ASCII only and has no \v; JavaScript's also matches Unicode spaces. */
const GO_SPACE = '\\t\\n\\f\\r ';
/** Everything but GO_SPACE, as the body of a class (where `[^...]` cannot be nested). */
const GO_NOT_SPACE = '\\x00-\\x08\\x0B\\x0E-\\x1F\\x21-\\u{10FFFF}';
const MAX_REPEAT = 1000;

function escapeLiteral(ch: string, inClass: boolean): string {
  if (JS_SYNTAX.includes(ch) || (inClass && ch === '-')) return '\\' + ch;
  return ch;
}

function unicodeClass(name: string, negate: boolean): string {
  if (name === 'Any') return negate ? '[^\\s\\S]' : '[\\s\\S]';
  const prop = /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
  return (negate ? '\\P{' : '\\p{') + prop + '}';
}

/** The escape at src[i] (a backslash), other than \Q; `next` is the index after it; `set` for a class (\d, \pL, …). */
function parseEscape(src: string, i: number, inClass: boolean): { js: string; next: number; set?: true } {
  const e = src[i + 1];
  if (e === undefined) throw new GoRegexpSyntaxError('trailing backslash at end of expression', '');
  const invalid = (frag: string) => new GoRegexpSyntaxError('invalid escape sequence', frag);
  let j = i + 2;
  switch (e) {
    case 'z':
    case 'A':
    case 'b':
    case 'B':
      if (inClass) throw invalid('\\' + e);
      return { js: e === 'z' ? '(?![\\s\\S])' : e === 'A' ? '(?<![\\s\\S])' : '\\' + e, next: j };
    case 'a':
      return { js: '\\x07', next: j };
    case 's':
      return { js: inClass ? GO_SPACE : `[${GO_SPACE}]`, next: j, set: true };
    case 'S':
      return { js: inClass ? GO_NOT_SPACE : `[^${GO_SPACE}]`, next: j, set: true };
    case 'd':
    case 'D':
    case 'w':
    case 'W':
      return { js: '\\' + e, next: j, set: true };
    case 'f':
    case 't':
    case 'n':
    case 'r':
    case 'v':
      return { js: '\\' + e, next: j };
    case 'x': {
      if (src[j] === '{') {
        const close = src.indexOf('}', j);
        const hex = src.slice(j + 1, close);
        if (close < 0 || !/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw invalid('\\x{');
        return { js: `\\u{${hex}}`, next: close + 1 };
      }
      const hex = src.slice(j, j + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw invalid('\\x' + hex);
      return { js: '\\x' + hex, next: j + 2 };
    }
    case 'p':
    case 'P': {
      let name: string;
      if (src[j] === '{') {
        const close = src.indexOf('}', j);
        if (close < 0) throw new GoRegexpSyntaxError('invalid character class range', '\\' + e + '{');
        name = src.slice(j + 1, close);
        j = close + 1;
      } else {
        name = src[j] ?? '';
        j += 1;
      }
      let negate = e === 'P';
      if (name.startsWith('^')) {
        negate = !negate;
        name = name.slice(1);
      }
      if (!/^[A-Za-z_]+$/.test(name)) throw new GoRegexpSyntaxError('invalid character class range', src.slice(i, j));
      // Inside a class `[\s\S]` cannot be nested; JavaScript's own Any property says the same there.
      const js = inClass && name === 'Any' ? (negate ? '\\P{Any}' : '\\p{Any}') : unicodeClass(name, negate);
      return { js, next: j, set: true };
    }
    default:
      break;
  }
  if (e >= '0' && e <= '7') {
    // A lone non-zero digit is a backreference, which RE2 rejects; otherwise up to three octal digits.
    const m = /^[0-7]{1,3}/.exec(src.slice(i + 1)) ?? [e];
    if (e !== '0' && m[0].length === 1) throw invalid('\\' + e);
    return { js: `\\u{${parseInt(m[0], 8).toString(16)}}`, next: i + 1 + m[0].length };
  }
  // Go lets any ASCII punctuation (or space, or control character) be escaped; letters, digits
  // and non-ASCII may not be.
  if (e.charCodeAt(0) < 0x80 && !/[A-Za-z0-9]/.test(e)) return { js: escapeLiteral(e, inClass), next: j };
  throw invalid('\\' + String.fromCodePoint(src.codePointAt(i + 1) ?? 0));
}

/** The class starting at src[start] (a `[`); `next` is the index after its `]`. */
function translateClass(src: string, start: number): { js: string; next: number; unsupported: string | null } {
  let j = start + 1;
  let js = '[';
  let unsupported: string | null = null;
  if (src[j] === '^') {
    js += '^';
    j++;
  }
  if (src[j] === ']') {
    js += '\\]';
    j++;
  }
  // A set cannot start a range: in Go `[\d-z]` is digits, `-` and `z`; JavaScript's `u` mode
  // would reject it, so the dash is passed on as a literal.
  const literalDashAfterSet = (k: number): number => {
    if (src[k] === '-' && src[k + 1] !== ']') {
      js += '\\-';
      return k + 1;
    }
    return k;
  };
  for (;;) {
    if (j >= src.length) throw new GoRegexpSyntaxError('missing closing ]', src.slice(start));
    const c = src[j];
    if (c === ']') return { js: js + ']', next: j + 1, unsupported };
    if (c === '[' && src[j + 1] === ':') {
      const close = src.indexOf(':]', j + 2);
      if (close > 0) {
        let name = src.slice(j + 2, close);
        const negated = name.startsWith('^');
        if (negated) name = name.slice(1);
        const body = POSIX[name];
        if (body === undefined) throw new GoRegexpSyntaxError('invalid character class range', src.slice(j, close + 2));
        if (negated) unsupported ??= 'negated POSIX classes are not supported by the preview engine';
        else js += body;
        j = literalDashAfterSet(close + 2);
        continue;
      }
    }
    if (c === '\\') {
      const e = parseEscape(src, j, true);
      js += e.js;
      j = e.set ? literalDashAfterSet(e.next) : e.next;
      continue;
    }
    js += c === '[' ? '\\[' : c;
    j++;
  }
}

/**
 * Check a Go pattern and translate it to JavaScript. Throws GoRegexpSyntaxError for what Go
 * rejects; what only the JavaScript engine can tell (quantifiers with nothing to repeat, reversed
 * ranges, unknown Unicode classes) shows when the source is compiled.
 */
export function translateGoRegexp(src: string): GoRegexpTranslation {
  let out = '';
  let ignoreCase = false;
  let multiLine = false;
  let dotAll = false;
  let unsupported: string | null = null;
  let depth = 0;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    switch (c) {
      case '\\': {
        if (src[i + 1] === 'Q') {
          const end = src.indexOf('\\E', i + 2);
          const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
          for (const ch of lit) out += escapeLiteral(ch, false);
          i = end < 0 ? src.length : end + 2;
          continue;
        }
        const e = parseEscape(src, i, false);
        out += e.js;
        i = e.next;
        continue;
      }
      case '[': {
        const r = translateClass(src, i);
        unsupported ??= r.unsupported;
        out += r.js;
        i = r.next;
        continue;
      }
      case '.':
        out += dotAll ? '[\\s\\S]' : '[^\\n]';
        i++;
        continue;
      // Go's (?m) lines end at \n only; JavaScript's `m` flag also ends them at \r, U+2028, U+2029.
      case '^':
        out += multiLine ? '(?<![^\\n])' : '^';
        i++;
        continue;
      case '$':
        out += multiLine ? '(?![^\\n])' : '$';
        i++;
        continue;
      case '(': {
        if (src[i + 1] !== '?') {
          out += '(';
          depth++;
          i++;
          continue;
        }
        const rest = src.slice(i + 2);
        if (/^(?:=|!|<=|<!)/.test(rest)) throw new GoRegexpSyntaxError('invalid or unsupported Perl syntax', '(?' + rest[0]);
        if (/^P?</.test(rest)) {
          const close = src.indexOf('>', i);
          const name = close < 0 ? '' : src.slice(i + (rest[0] === 'P' ? 4 : 3), close);
          if (!/^[A-Za-z0-9_]+$/.test(name)) {
            throw new GoRegexpSyntaxError('invalid named capture', close < 0 ? src.slice(i) : src.slice(i, close + 1));
          }
          out += `(?<${name}>`;
          i = close + 1;
          depth++;
          continue;
        }
        if (rest.startsWith(':')) {
          out += '(?:';
          i += 3;
          depth++;
          continue;
        }
        const fl = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
        if (!fl || (fl[1] === '' && fl[2] === undefined) || fl[2] === '') {
          const bad = /^[imsU]*(?:-[imsU]*)?[^]/.exec(rest);
          throw new GoRegexpSyntaxError('invalid or unsupported Perl syntax', '(?' + (bad ? bad[0] : rest));
        }
        const leading = fl[3] === ')' && out === '' && fl[2] === undefined;
        if (leading && !fl[1].includes('U')) {
          // Flags at the very start apply to the whole expression, which JavaScript can express.
          ignoreCase ||= fl[1].includes('i');
          multiLine ||= fl[1].includes('m');
          dotAll ||= fl[1].includes('s');
        } else {
          unsupported ??= leading
            ? 'regexp flag U (ungreedy) is not supported by the preview engine'
            : `regexp flag groups are not supported by the preview engine: \`${src.slice(i, i + 6)}\``;
          if (fl[3] === ':') {
            out += '(?:';
            depth++;
          }
        }
        i += 2 + fl[0].length;
        continue;
      }
      case ')':
        if (depth === 0) throw new GoRegexpSyntaxError('unexpected )', src);
        depth--;
        out += ')';
        i++;
        continue;
      case '{': {
        const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(src.slice(i));
        if (m) {
          const min = Number(m[1]);
          const max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
          if (min > MAX_REPEAT || (max !== null && (max > MAX_REPEAT || max < min))) {
            throw new GoRegexpSyntaxError('invalid repeat count', m[0]);
          }
          out += m[0];
          i += m[0].length;
        } else {
          // RE2 treats a brace that does not start a repeat as a literal.
          out += '\\{';
          i++;
        }
        continue;
      }
      case '}':
      case ']':
      case '/':
        out += '\\' + c;
        i++;
        continue;
      default:
        out += c;
        i++;
    }
  }
  if (depth > 0) throw new GoRegexpSyntaxError('missing closing )', src);
  return { source: out, flags: 'u' + (ignoreCase ? 'i' : ''), unsupported };
}

/** A compiled Go regexp: matched by re2js, a port of Go's own engine, in time linear in the input. */
export interface GoRegexp {
  re: RE2JS;
  source: string;
  /** Named groups → group number. */
  names: Readonly<Record<string, number>>;
}

/** One match: offsets are UTF-16 indices into the searched string. */
export interface GoMatch {
  index: number;
  end: number;
  /** [0] is the whole match; undefined for a group that took no part in it. */
  texts: (string | undefined)[];
  names: Readonly<Record<string, number>>;
}

const cache = new Map<string, GoRegexp>();

/**
 * regexp.Compile: throws GoRegexpSyntaxError with Go's message when Go rejects the pattern. The
 * translator's checks run first (their messages are the ones users have seen); re2js parses with
 * Go's own grammar and reports the rest (nothing to repeat, reversed ranges, unknown classes,
 * expressions nested too deeply) in Go's words.
 */
export function compileGoRegexp(pattern: string): GoRegexp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  translateGoRegexp(pattern);
  let re: RE2JS;
  try {
    re = re2().RE2JS.compile(pattern);
  } catch (e) {
    if (e instanceof re2().RE2JSSyntaxException) throw new GoRegexpSyntaxError(e.error, e.input ?? pattern);
    if (e instanceof Error) throw new GoRegexpError(`error parsing regexp: ${e.message}`);
    throw e;
  }
  const g: GoRegexp = { re, source: pattern, names: re.namedGroups() };
  if (cache.size > 500) cache.clear();
  cache.set(pattern, g);
  return g;
}

/** Regexp.MatchString: whether the regexp matches anywhere in s (no groups, so re2js can use its DFA). */
export function matchString(g: GoRegexp, s: string): boolean {
  return g.re.test(s);
}

function runeWidth(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  const c = s.charCodeAt(pos);
  return c >= 0xd800 && c < 0xdc00 && pos + 1 < s.length ? 2 : 1;
}

/** The leftmost match starting at or after pos, with its groups; earlier text still counts for \b and ^. */
function matchAt(g: GoRegexp, m: Matcher, pos: number): GoMatch | null {
  if (!m.find(pos)) return null;
  const n = m.groupCount();
  const texts: (string | undefined)[] = new Array(n + 1);
  for (let k = 0; k <= n; k++) texts[k] = m.group(k) ?? undefined;
  return { index: m.start(0), end: m.end(0), texts, names: g.names };
}

/** Regexp.FindAllStringSubmatch semantics (n < 0 means all). */
export function findAll(g: GoRegexp, s: string, n: number): GoMatch[] {
  const out: GoMatch[] = [];
  if (n === 0) return out;
  const matcher = g.re.matcher(s);
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    const m = matchAt(g, matcher, pos);
    if (!m) break;
    let accept = true;
    if (m.end === pos) {
      if (m.index === prevEnd) accept = false;
      const w = runeWidth(s, pos);
      pos = w > 0 ? pos + w : s.length + 1;
    } else {
      pos = m.end;
    }
    prevEnd = m.end;
    if (accept) out.push(m);
  }
  return out;
}

/** Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
export function expand(template: string, m: GoMatch): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, d);
    i = d + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name = '';
    if (template[i] === '{') {
      const close = template.indexOf('}', i);
      const inner = close < 0 ? '' : template.slice(i + 1, close);
      if (close < 0 || !/^[A-Za-z0-9_]+$/.test(inner)) {
        out += '$';
        continue;
      }
      name = inner;
      i = close + 1;
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(template.slice(i));
      if (!mm) {
        out += '$';
        continue;
      }
      name = mm[0];
      i += name.length;
    }
    if (/^[0-9]+$/.test(name)) {
      const k = Number(name);
      if (k < m.texts.length) out += m.texts[k] ?? '';
    } else {
      const k = m.names[name];
      if (k !== undefined) out += m.texts[k] ?? '';
    }
  }
  return out;
}

/** Regexp.ReplaceAllString / ReplaceAllLiteralString. */
export function replaceAll(g: GoRegexp, src: string, repl: string, literal: boolean): string {
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  const matcher = g.re.matcher(src);
  while (searchPos <= src.length) {
    const m = matchAt(g, matcher, searchPos);
    if (!m) break;
    const start = m.index;
    const end = m.end;
    out += src.slice(lastEnd, start);
    if (end > lastEnd || start === 0) out += literal ? repl : expand(repl, m);
    lastEnd = end;
    const w = runeWidth(src, searchPos);
    if (searchPos + w > end) searchPos += w;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastEnd);
}

/** Regexp.Split. */
export function split(g: GoRegexp, s: string, n: number): string[] {
  if (n === 0) return [];
  if (g.source.length > 0 && s.length === 0) return [''];
  const matches = findAll(g, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m.index;
    if (m.end !== 0) out.push(s.slice(beg, end));
    beg = m.end;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
