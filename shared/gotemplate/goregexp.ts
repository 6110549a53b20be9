/**
 * Go (RE2) regular expressions on top of JS RegExp: the pattern is translated (named groups,
 * flags, \z, \Q..\E, POSIX classes, Go's \s and `.`), RE2-unsupported syntax is rejected with
 * Go's messages, and FindAll/ReplaceAll/Split/Expand follow Go's rules for empty matches and
 * `$name` templates.
 */
import { FuncError } from './errors';

export interface GoRegexp {
  re: RegExp;
  source: string;
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
const GO_SPACE = '\\t\\n\\f\\r ';

function parseError(msg: string, frag: string): FuncError {
  return new FuncError(`error parsing regexp: ${msg}: \`${frag}\``);
}

function escapeLiteral(ch: string, inClass: boolean): string {
  if (JS_SYNTAX.includes(ch) || (inClass && ch === '-')) return '\\' + ch;
  return ch;
}

function unicodeClass(name: string, negate: boolean): string {
  const n = name.replace(/^\^/, '');
  const neg = negate !== name.startsWith('^');
  const prop = /^(?:[A-Z][a-z]?|Any)$/.test(n) ? (n === 'Any' ? 'Any' : n) : `Script=${n}`;
  if (prop === 'Any') return neg ? '[^\\s\\S]' : '[\\s\\S]';
  return (neg ? '\\P{' : '\\p{') + prop + '}';
}

function translate(pattern: string): { source: string; flags: string } {
  let flags = 'gu';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  let dotAll = false;
  if (lead) {
    if (lead[1].includes('U')) throw new FuncError('regexp flag U (ungreedy) is not supported by the preview engine');
    if (lead[1].includes('i')) flags += 'i';
    if (lead[1].includes('m')) flags += 'm';
    if (lead[1].includes('s')) dotAll = true;
    i = lead[0].length;
  }
  let out = '';
  let inClass = false;
  let classStart = false;
  let depth = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === undefined) throw parseError('trailing backslash at end of expression', '');
      if (e === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const lit = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end);
        for (const ch of lit) out += escapeLiteral(ch, inClass);
        i = end < 0 ? pattern.length : end + 2;
        classStart = false;
        continue;
      }
      i += 2;
      classStart = false;
      switch (e) {
        case 'z':
          out += '(?![\\s\\S])';
          continue;
        case 'A':
          out += '(?<![\\s\\S])';
          continue;
        case 'a':
          out += '\\x07';
          continue;
        case 's':
          out += inClass ? GO_SPACE : `[${GO_SPACE}]`;
          continue;
        case 'S':
          out += inClass ? '\\S' : `[^${GO_SPACE}]`;
          continue;
        case 'd':
        case 'D':
        case 'w':
        case 'W':
        case 'f':
        case 't':
        case 'n':
        case 'r':
        case 'v':
          out += '\\' + e;
          continue;
        case 'b':
        case 'B':
          if (inClass) throw parseError('invalid escape sequence', '\\' + e);
          out += '\\' + e;
          continue;
        case 'x': {
          if (pattern[i] === '{') {
            const close = pattern.indexOf('}', i);
            const hex = pattern.slice(i + 1, close);
            if (close < 0 || !/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw parseError('invalid escape sequence', '\\x{');
            out += `\\u{${hex}}`;
            i = close + 1;
          } else {
            const hex = pattern.slice(i, i + 2);
            if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw parseError('invalid escape sequence', '\\x' + hex);
            out += '\\x' + hex;
            i += 2;
          }
          continue;
        }
        case 'p':
        case 'P': {
          let name: string;
          if (pattern[i] === '{') {
            const close = pattern.indexOf('}', i);
            if (close < 0) throw parseError('invalid character class range', '\\' + e + '{');
            name = pattern.slice(i + 1, close);
            i = close + 1;
          } else {
            name = pattern[i] ?? '';
            i += 1;
          }
          out += unicodeClass(name, e === 'P');
          continue;
        }
        default:
          break;
      }
      if (e >= '0' && e <= '7') {
        // A lone digit is a backreference, which RE2 rejects; longer runs are octal.
        const m = /^[0-7]{1,3}/.exec(pattern.slice(i - 1)) ?? [e];
        if (e !== '0' && m[0].length === 1) throw parseError('invalid escape sequence', '\\' + e);
        out += `\\u{${parseInt(m[0], 8).toString(16)}}`;
        i += m[0].length - 1;
        continue;
      }
      if (e === '8' || e === '9') throw parseError('invalid escape sequence', '\\' + e);
      if (/[!-/:-@[-`{-~]/.test(e)) {
        out += escapeLiteral(e, inClass);
        continue;
      }
      throw parseError('invalid escape sequence', '\\' + e);
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const close = pattern.indexOf(':]', i + 2);
        if (close > 0) {
          let name = pattern.slice(i + 2, close);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const set = POSIX[name];
          if (set === undefined) throw parseError('invalid character class range', pattern.slice(i, close + 2));
          if (neg) throw new FuncError('negated POSIX classes are not supported by the preview engine');
          out += set;
          i = close + 2;
          classStart = false;
          continue;
        }
      }
      if (c === ']' && !classStart) {
        inClass = false;
        out += ']';
        i++;
        continue;
      }
      if (c === '^' && classStart && out.endsWith('[')) {
        out += '^';
        i++;
        continue;
      }
      classStart = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        classStart = true;
        out += '[';
        i++;
        if (pattern[i] === '^') {
          out += '^';
          i++;
        }
        if (pattern[i] === ']') {
          out += '\\]';
          i++;
          classStart = false;
        }
        continue;
      case '.':
        out += dotAll ? '[\\s\\S]' : '[^\\n]';
        i++;
        continue;
      case '(': {
        if (pattern[i + 1] === '?') {
          const rest = pattern.slice(i + 2);
          const named = /^P?<([A-Za-z0-9_]+)>/.exec(rest);
          if (named) {
            out += `(?<${named[1]}>`;
            i += 2 + named[0].length;
            depth++;
            continue;
          }
          if (rest.startsWith(':')) {
            out += '(?:';
            i += 3;
            depth++;
            continue;
          }
          if (/^(?:=|!|<=|<!)/.test(rest)) throw parseError('invalid or unsupported Perl syntax', '(?' + rest[0]);
          throw new FuncError(`regexp flag groups are not supported by the preview engine: \`${pattern.slice(i, i + 6)}\``);
        }
        depth++;
        out += '(';
        i++;
        continue;
      }
      case ')':
        if (depth === 0) throw parseError('unexpected )', pattern);
        depth--;
        out += ')';
        i++;
        continue;
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (m) {
          if (Number(m[1]) > 1000 || (m[3] !== undefined && m[3] !== '' && Number(m[3]) > 1000)) {
            throw parseError('invalid repeat count', m[0]);
          }
          if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) throw parseError('invalid repeat count', m[0]);
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
        out += '\\}';
        i++;
        continue;
      case '/':
        out += '\\/';
        i++;
        continue;
      default:
        out += c;
        i++;
    }
  }
  if (inClass) throw parseError('missing closing ]', pattern);
  if (depth > 0) throw parseError('missing closing )', pattern);
  return { source: out, flags };
}

const cache = new Map<string, GoRegexp>();

export function compileGoRegexp(pattern: string): GoRegexp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const { source, flags } = translate(pattern);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (e) {
    throw new FuncError(`error parsing regexp: ${e instanceof Error ? e.message : String(e)}`);
  }
  const g = { re, source: pattern };
  if (cache.size > 500) cache.clear();
  cache.set(pattern, g);
  return g;
}

function runeWidth(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  const c = s.charCodeAt(pos);
  return c >= 0xd800 && c < 0xdc00 && pos + 1 < s.length ? 2 : 1;
}

function execAt(g: GoRegexp, s: string, pos: number): RegExpExecArray | null {
  g.re.lastIndex = pos;
  return g.re.exec(s);
}

/** Regexp.FindAllStringSubmatch semantics (n < 0 means all). */
export function findAll(g: GoRegexp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  if (n === 0) return out;
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    const m = execAt(g, s, pos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      if (start === prevEnd) accept = false;
      const w = runeWidth(s, pos);
      pos = w > 0 ? pos + w : s.length + 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

/** Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
export function expand(template: string, m: RegExpExecArray): string {
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
      if (k < m.length) out += m[k] ?? '';
    } else {
      out += m.groups?.[name] ?? '';
    }
  }
  return out;
}

/** Regexp.ReplaceAllString / ReplaceAllLiteralString. */
export function replaceAll(g: GoRegexp, src: string, repl: string, literal: boolean): string {
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = execAt(g, src, searchPos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
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
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
