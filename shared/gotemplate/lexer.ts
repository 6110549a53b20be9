/**
 * Tokenizer for Go text/template syntax. Mirrors the rules of Go's text/template/parse lexer
 * (trim markers, comments, what terminates a word) so that the same inputs are accepted and
 * rejected. It runs eagerly and stops at the first error, emitting an `error` token in its place
 * so the parser reports problems in source order.
 */

export type TokKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'assign'
  | 'declare'
  | 'pipe'
  | 'char'
  | 'string'
  | 'rawString'
  | 'charConstant'
  | 'number'
  | 'bool'
  | 'identifier'
  | 'field'
  | 'variable'
  | 'dot'
  | 'leftParen'
  | 'rightParen'
  | 'eof'
  | 'error'
  | 'block'
  | 'break'
  | 'continue'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

export interface Token {
  kind: TokKind;
  val: string;
  /** Offset of the token in the source text. */
  pos: number;
}

const KEYWORDS: Record<string, TokKind> = {
  block: 'block',
  break: 'break',
  continue: 'continue',
  define: 'define',
  else: 'else',
  end: 'end',
  if: 'if',
  nil: 'nil',
  range: 'range',
  template: 'template',
  with: 'with',
};

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

const ALNUM_RE = /^[\p{L}\p{Nd}_]$/u;

/** Length (1 or 2 UTF-16 units) of the alphanumeric character at i, or 0. */
function alnumLen(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (Number.isNaN(c)) return 0;
  if (c < 0x80) {
    return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? 1 : 0;
  }
  const cp = s.codePointAt(i) ?? 0;
  const ch = String.fromCodePoint(cp);
  return ALNUM_RE.test(ch) ? ch.length : 0;
}

function hasLeftTrimMarker(s: string, i: number): boolean {
  return s[i] === '-' && isSpace(s[i + 1]);
}

function hasRightTrimMarker(s: string, i: number): boolean {
  return isSpace(s[i]) && s[i + 1] === '-';
}

/** Go's %#U rendering of a character, used in lexer messages. */
function describeChar(s: string, i: number): string {
  const cp = s.codePointAt(i);
  if (cp === undefined) return 'EOF';
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex} '${String.fromCodePoint(cp)}'`;
}

export function lex(input: string): Token[] {
  const toks: Token[] = [];
  const n = input.length;
  let pos = 0;

  const fail = (message: string, at: number): void => {
    toks.push({ kind: 'error', val: message, pos: at });
  };

  const atRightDelim = (p: number): [boolean, boolean] => {
    if (hasRightTrimMarker(input, p) && input.startsWith('}}', p + 2)) return [true, true];
    if (input.startsWith('}}', p)) return [true, false];
    return [false, false];
  };

  const skipSpaces = (p: number): number => {
    while (p < n && isSpace(input[p])) p++;
    return p;
  };

  const atTerminator = (p: number): boolean => {
    if (p >= n) return true;
    const c = input[p];
    if (isSpace(c)) return true;
    if (c === '.' || c === ',' || c === '|' || c === ':' || c === ')' || c === '(') return true;
    return input.startsWith('}}', p);
  };

  /** Returns the position after the action, or -1 after emitting an error token. */
  const lexAction = (start: number): number => {
    let p = start + 2;
    const trimmed = hasLeftTrimMarker(input, p);
    const afterMarker = trimmed ? 2 : 0;
    if (input.startsWith('/*', p + afterMarker)) {
      const close = input.indexOf('*/', p + afterMarker + 2);
      if (close < 0) {
        fail('unclosed comment', start);
        return -1;
      }
      p = close + 2;
      const [delim, trimRight] = atRightDelim(p);
      if (!delim) {
        fail('comment ends before closing delimiter', start);
        return -1;
      }
      p += (trimRight ? 2 : 0) + 2;
      return trimRight ? skipSpaces(p) : p;
    }
    toks.push({ kind: 'leftDelim', val: '{{', pos: start });
    p += afterMarker;
    let parenDepth = 0;
    for (;;) {
      const [delim, trimRight] = atRightDelim(p);
      if (delim) {
        if (parenDepth > 0) {
          fail('unclosed left paren', p);
          return -1;
        }
        if (trimRight) p += 2;
        toks.push({ kind: 'rightDelim', val: '}}', pos: p });
        p += 2;
        return trimRight ? skipSpaces(p) : p;
      }
      if (p >= n) {
        fail('unclosed action', start);
        return -1;
      }
      const c = input[p];
      if (isSpace(c)) {
        let q = skipSpaces(p);
        // A space directly before "-}}" belongs to the trim marker, not to the space token.
        if (hasRightTrimMarker(input, q - 1) && input.startsWith('}}', q + 1)) {
          q -= 1;
          if (q === p) continue;
        }
        toks.push({ kind: 'space', val: input.slice(p, q), pos: p });
        p = q;
        continue;
      }
      switch (c) {
        case '=':
          toks.push({ kind: 'assign', val: '=', pos: p });
          p++;
          continue;
        case ':':
          if (input[p + 1] !== '=') {
            fail('expected :=', p);
            return -1;
          }
          toks.push({ kind: 'declare', val: ':=', pos: p });
          p += 2;
          continue;
        case '|':
          toks.push({ kind: 'pipe', val: '|', pos: p });
          p++;
          continue;
        case '"':
        case "'": {
          const quote = c;
          let q = p + 1;
          let ok = false;
          while (q < n) {
            const d = input[q];
            if (d === '\\') {
              if (q + 1 >= n || input[q + 1] === '\n') break;
              q += 2;
              continue;
            }
            if (d === '\n') break;
            if (d === quote) {
              ok = true;
              break;
            }
            q++;
          }
          if (!ok) {
            fail(quote === '"' ? 'unterminated quoted string' : 'unterminated character constant', p);
            return -1;
          }
          toks.push({ kind: quote === '"' ? 'string' : 'charConstant', val: input.slice(p, q + 1), pos: p });
          p = q + 1;
          continue;
        }
        case '`': {
          const close = input.indexOf('`', p + 1);
          if (close < 0) {
            fail('unterminated raw quoted string', p);
            return -1;
          }
          toks.push({ kind: 'rawString', val: input.slice(p, close + 1), pos: p });
          p = close + 1;
          continue;
        }
        case '$':
        case '.': {
          const next = input.charCodeAt(p + 1);
          if (c === '.' && next >= 48 && next <= 57) break; // ".5" is a number
          if (atTerminator(p + 1)) {
            toks.push({ kind: c === '.' ? 'dot' : 'variable', val: c, pos: p });
            p++;
            continue;
          }
          let q = p + 1;
          for (let l = alnumLen(input, q); l > 0; l = alnumLen(input, q)) q += l;
          if (!atTerminator(q)) {
            fail(`bad character ${describeChar(input, q)}`, q);
            return -1;
          }
          toks.push({ kind: c === '.' ? 'field' : 'variable', val: input.slice(p, q), pos: p });
          p = q;
          continue;
        }
        case '(':
          toks.push({ kind: 'leftParen', val: '(', pos: p });
          parenDepth++;
          p++;
          continue;
        case ')':
          toks.push({ kind: 'rightParen', val: ')', pos: p });
          parenDepth--;
          p++;
          if (parenDepth < 0) {
            fail('unexpected right paren', p - 1);
            return -1;
          }
          continue;
        default:
          break;
      }
      if (c === '+' || c === '-' || c === '.' || (c >= '0' && c <= '9')) {
        const q = scanNumber(input, p);
        if (q < 0) {
          const bad = -q;
          fail(`bad number syntax: "${input.slice(p, bad)}"`, p);
          return -1;
        }
        if (input[q] === '+' || input[q] === '-') {
          fail(`complex numbers are not supported: "${input.slice(p, q + 1)}..."`, p);
          return -1;
        }
        toks.push({ kind: 'number', val: input.slice(p, q), pos: p });
        p = q;
        continue;
      }
      const al = alnumLen(input, p);
      if (al > 0) {
        let q = p;
        for (let l = al; l > 0; l = alnumLen(input, q)) q += l;
        if (!atTerminator(q)) {
          fail(`bad character ${describeChar(input, q)}`, q);
          return -1;
        }
        const word = input.slice(p, q);
        const kw = KEYWORDS[word];
        const kind: TokKind =
          kw !== undefined && Object.prototype.hasOwnProperty.call(KEYWORDS, word)
            ? kw
            : word === 'true' || word === 'false'
              ? 'bool'
              : 'identifier';
        toks.push({ kind, val: word, pos: p });
        p = q;
        continue;
      }
      const code = input.charCodeAt(p);
      if (code > 0x20 && code < 0x7f) {
        toks.push({ kind: 'char', val: c, pos: p });
        p++;
        continue;
      }
      fail(`unrecognized character in action: ${describeChar(input, p)}`, p);
      return -1;
    }
  };

  while (pos <= n) {
    const x = input.indexOf('{{', pos);
    if (x < 0) {
      if (pos < n) toks.push({ kind: 'text', val: input.slice(pos), pos });
      break;
    }
    let end = x;
    if (hasLeftTrimMarker(input, x + 2)) {
      while (end > pos && isSpace(input[end - 1])) end--;
    }
    if (end > pos) toks.push({ kind: 'text', val: input.slice(pos, end), pos });
    const next = lexAction(x);
    if (next < 0) return toks;
    pos = next;
  }
  toks.push({ kind: 'eof', val: '', pos: n });
  return toks;
}

/**
 * Scans a Go number literal starting at p. Returns the end offset, or the negated end offset of
 * the bad text when the literal is malformed.
 */
function scanNumber(s: string, p: number): number {
  let i = p;
  const accept = (set: string): boolean => {
    if (i < s.length && set.includes(s[i])) {
      i++;
      return true;
    }
    return false;
  };
  const acceptRun = (set: string): void => {
    while (i < s.length && set.includes(s[i])) i++;
  };
  accept('+-');
  let digits = '0123456789_';
  if (accept('0')) {
    if (accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (accept('oO')) digits = '01234567_';
    else if (accept('bB')) digits = '01_';
  }
  acceptRun(digits);
  if (accept('.')) acceptRun(digits);
  if (digits.length === 11 && accept('eE')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  if (digits.length === 23 && accept('pP')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  accept('i');
  if (alnumLen(s, i) > 0) return -(i + 1);
  return i;
}
