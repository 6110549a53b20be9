import type { ReferenceMatcher } from './types';

/**
 * Keep-policy values written as `/RE/` are Go (RE2) regular expressions. We need two things from
 * them: reject what Go's regexp.Compile rejects (werf fails on it), and match branch/tag names the
 * way werf will. RE2 and JavaScript differ in escapes, classes, flags and lookaround, so the pattern
 * is translated token by token into an equivalent `u`-mode JavaScript source; a few constructs that
 * Go accepts have no JavaScript equivalent here, and then only validity is reported.
 */

export type GoRegexCheck =
  | { valid: true; js: { source: string; flags: string } | null }
  | { valid: false; error: string };

class GoRegexError extends Error {}

const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const MAX_REPEAT = 1000;

/** Go's POSIX classes as JavaScript class bodies. */
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
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function literal(ch: string): string {
  return JS_SYNTAX.has(ch) ? `\\${ch}` : ch;
}

function classLiteral(ch: string): string {
  return ch === '\\' || ch === ']' || ch === '[' || ch === '^' ? `\\${ch}` : ch;
}

function codePoint(cp: number): string {
  if (cp > 0x10ffff) throw new GoRegexError('invalid escape sequence');
  return `\\u{${cp.toString(16)}}`;
}

interface Escape {
  js: string;
  next: number;
  /** Go accepts it but we cannot say the same thing in JavaScript. */
  untranslatable?: boolean;
}

function isAsciiAlnum(c: string): boolean {
  return /^[A-Za-z0-9]$/.test(c);
}

function unicodeClass(name: string, negate: boolean, inClass: boolean): Escape['js'] | null {
  if (name === 'Any') {
    if (inClass) return null;
    return negate ? '[^\\s\\S]' : '[\\s\\S]';
  }
  const body = /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
  return `\\${negate ? 'P' : 'p'}{${body}}`;
}

function parseEscape(src: string, i: number, inClass: boolean): Escape {
  const c = src[i + 1];
  if (c === undefined) throw new GoRegexError('trailing backslash at end of expression');
  if (c >= '0' && c <= '7') {
    // A single non-zero digit would be a backreference, which RE2 does not support.
    if (c !== '0' && !(src[i + 2] >= '0' && src[i + 2] <= '7')) throw new GoRegexError('invalid escape sequence');
    let j = i + 1;
    while (j < i + 4 && src[j] >= '0' && src[j] <= '7') j++;
    return { js: codePoint(parseInt(src.slice(i + 1, j), 8)), next: j };
  }
  switch (c) {
    case 'x': {
      if (src[i + 2] === '{') {
        const close = src.indexOf('}', i + 3);
        const hex = close < 0 ? '' : src.slice(i + 3, close);
        if (!/^[0-9A-Fa-f]+$/.test(hex)) throw new GoRegexError('invalid escape sequence');
        return { js: codePoint(parseInt(hex, 16)), next: close + 1 };
      }
      const hex = src.slice(i + 2, i + 4);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new GoRegexError('invalid escape sequence');
      return { js: codePoint(parseInt(hex, 16)), next: i + 4 };
    }
    case 'a':
      return { js: '\\x07', next: i + 2 };
    case 'f':
    case 't':
    case 'n':
    case 'r':
    case 'v':
      return { js: `\\${c}`, next: i + 2 };
    case 'd':
      return { js: inClass ? '0-9' : '[0-9]', next: i + 2 };
    case 'D':
      return { js: inClass ? '\\D' : '[^0-9]', next: i + 2 };
    case 'w':
      return { js: inClass ? '0-9A-Za-z_' : '[0-9A-Za-z_]', next: i + 2 };
    case 'W':
      return { js: inClass ? '\\W' : '[^0-9A-Za-z_]', next: i + 2 };
    // RE2's \s is ASCII only and has no \v; JavaScript's also matches Unicode spaces.
    case 's':
      return { js: inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]', next: i + 2 };
    case 'S':
      return inClass ? { js: '', next: i + 2, untranslatable: true } : { js: '[^\\t\\n\\f\\r ]', next: i + 2 };
    case 'b':
    case 'B':
    case 'A':
    case 'z':
      if (inClass) throw new GoRegexError('invalid escape sequence');
      if (c === 'A') return { js: '(?<![\\s\\S])', next: i + 2 };
      if (c === 'z') return { js: '(?![\\s\\S])', next: i + 2 };
      return { js: `\\${c}`, next: i + 2 };
    case 'p':
    case 'P': {
      let name: string;
      let next: number;
      if (src[i + 2] === '{') {
        const close = src.indexOf('}', i + 3);
        if (close < 0) throw new GoRegexError('invalid character class range');
        name = src.slice(i + 3, close);
        next = close + 1;
      } else {
        name = src[i + 2] ?? '';
        next = i + 3;
      }
      let negate = c === 'P';
      if (name.startsWith('^')) {
        negate = !negate;
        name = name.slice(1);
      }
      if (!/^[A-Za-z_]+$/.test(name)) throw new GoRegexError('invalid character class range');
      const js = unicodeClass(name, negate, inClass);
      return js === null ? { js: '', next, untranslatable: true } : { js, next };
    }
    default:
      // Go lets any ASCII punctuation be escaped; letters, digits and non-ASCII may not be.
      if (c.charCodeAt(0) < 0x80 && !isAsciiAlnum(c)) {
        return { js: inClass ? classLiteral(c) : literal(c), next: i + 2 };
      }
      throw new GoRegexError('invalid escape sequence');
  }
}

interface Translation {
  source: string;
  flags: string;
  translatable: boolean;
}

function translate(src: string): Translation {
  let out = '';
  let flags = '';
  let translatable = true;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      if (src[i + 1] === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const text = src.slice(i + 2, end < 0 ? src.length : end);
        for (const ch of text) out += literal(ch);
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      const e = parseEscape(src, i, false);
      if (e.untranslatable) translatable = false;
      out += e.untranslatable ? '(?:)' : e.js;
      i = e.next;
      continue;
    }
    if (c === '[') {
      const r = translateClass(src, i);
      if (!r.translatable) translatable = false;
      out += r.js;
      i = r.next;
      continue;
    }
    if (c === '(') {
      if (src[i + 1] !== '?') {
        out += '(';
        i++;
        continue;
      }
      const rest = src.slice(i + 2);
      if (/^(?:=|!|<=|<!)/.test(rest)) throw new GoRegexError('invalid or unsupported Perl syntax');
      const named = /^(?:P<|<)([^>]*)>/.exec(rest);
      if (named) {
        if (!/^[A-Za-z0-9_]+$/.test(named[1])) throw new GoRegexError('invalid named capture');
        out += `(?<${named[1]}>`;
        i += 2 + named[0].length;
        continue;
      }
      if (rest.startsWith(':')) {
        out += '(?:';
        i += 3;
        continue;
      }
      const fl = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
      if (!fl || (fl[1] === '' && fl[2] === undefined) || fl[2] === '') {
        throw new GoRegexError('invalid or unsupported Perl syntax');
      }
      const consumed = 2 + fl[0].length;
      if (fl[3] === ')' && out === '' && fl[2] === undefined && !fl[1].includes('U')) {
        // Flags at the very start apply to the whole expression, which JavaScript can express.
        for (const f of fl[1]) if (!flags.includes(f)) flags += f;
      } else {
        translatable = false;
        if (fl[3] === ':') out += '(?:';
      }
      i += consumed;
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(src.slice(i));
      if (m) {
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
        if (min > MAX_REPEAT || (max !== null && (max > MAX_REPEAT || max < min))) {
          throw new GoRegexError('invalid repeat count');
        }
        out += m[0];
        i += m[0].length;
      } else {
        out += '\\{';
        i++;
      }
      continue;
    }
    if (c === '}' || c === ']' || c === '/') {
      out += `\\${c}`;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return { source: out, flags, translatable };
}

function translateClass(src: string, start: number): { js: string; next: number; translatable: boolean } {
  let j = start + 1;
  let js = '[';
  let translatable = true;
  if (src[j] === '^') {
    js += '^';
    j++;
  }
  let first = true;
  for (;;) {
    if (j >= src.length) throw new GoRegexError('missing closing ]');
    const ch = src[j];
    if (ch === ']' && !first) {
      js += ']';
      return { js, next: j + 1, translatable };
    }
    first = false;
    if (ch === '[' && src[j + 1] === ':') {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(j));
      if (m) {
        const body = POSIX[m[2]];
        if (body === undefined) throw new GoRegexError('invalid character class range');
        if (m[1]) translatable = false;
        else js += body;
        j += m[0].length;
        continue;
      }
    }
    if (ch === '\\') {
      const e = parseEscape(src, j, true);
      if (e.untranslatable) translatable = false;
      else js += e.js;
      j = e.next;
      continue;
    }
    js += ch === '-' ? '-' : classLiteral(ch);
    j++;
  }
}

export function checkGoRegex(src: string): GoRegexCheck {
  let t: Translation;
  try {
    t = translate(src);
  } catch (e) {
    if (e instanceof GoRegexError) return { valid: false, error: e.message };
    throw e;
  }
  try {
    // Compiling also catches what the translation leaves to the regex engine: unbalanced
    // parentheses, quantifiers with nothing to repeat, reversed ranges, unknown Unicode classes.
    new RegExp(t.source, `u${t.flags}`);
  } catch (e) {
    return { valid: false, error: e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e) };
  }
  return { valid: true, js: t.translatable ? { source: t.source, flags: `u${t.flags}` } : null };
}

/**
 * Whether a branch or tag name matches a keep-policy reference the way werf matches it. Literals
 * must equal the name. Regexes are wrapped as `^RE$` without a group, exactly like werf, so
 * `/a|b/` means "starts with a, or ends with b". Returns null when the regex cannot be evaluated here.
 */
export function matchesReference(matcher: ReferenceMatcher, name: string): boolean | null {
  if (typeof matcher === 'string') return matcher === name;
  const check = checkGoRegex(matcher.regex);
  if (!check.valid || check.js === null) return null;
  try {
    return new RegExp(`^${check.js.source}$`, check.js.flags).test(name);
  } catch {
    return null;
  }
}
