/**
 * How gopkg.in/yaml.v2 (2.4.0, werf's pin) writes a string scalar: which style its emitter picks
 * (plain, single-quoted, double-quoted or literal block) from the same analysis libyaml makes,
 * its escapes, and its line folding at 80 columns (plain and quoted scalars break at a space once
 * the line is past the width). Read from yaml.v2's encode.go / emitterc.go; the code is our own.
 */

const BEST_WIDTH = 80;

const isBreak = (c: string): boolean => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isSpace = (c: string | undefined): boolean => c === ' ';
const isBlankOrEnd = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || isBreak(c);

/** libyaml's is_printable, per code point. */
function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function analyze(chars: string[]): Analysis {
  if (chars.length === 0) return { multiline: false, blockPlainAllowed: false, singleQuotedAllowed: true, blockAllowed: false };
  const text = chars.join('');
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let specialCharacters = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  const last = chars.length - 1;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const followedByWhitespace = isBlankOrEnd(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      if ((c === '?' || c === ':') && followedByWhitespace) blockIndicators = true;
      if (c === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ':' && followedByWhitespace) blockIndicators = true;
      if (c === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (isBreak(c)) lineBreaks = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrEnd(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

type Style = 'plain' | 'single' | 'double' | 'literal';

function chooseStyle(chars: string[], requested: Style, key: boolean): Style {
  const a = analyze(chars);
  let style = requested;
  if (style === 'plain') {
    if (!a.blockPlainAllowed || (chars.length === 0 && key) || (key && a.multiline)) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || key)) style = 'double';
  return style;
}

const ESCAPES: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\b': 'b', '\t': 't', '\n': 'n', '\x0b': 'v', '\f': 'f', '\r': 'r', '\x1b': 'e', '"': '"', '\\': '\\',
  '\u0085': 'N', '\u00a0': '_', '\u2028': 'L', '\u2029': 'P',
};

function escapeChar(c: string): string {
  const named = ESCAPES[c];
  if (named) return `\\${named}`;
  const cp = c.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/** Writes with libyaml's column bookkeeping (one column per character). */
class Writer {
  out = '';
  constructor(
    public column: number,
    private readonly indent: number,
  ) {}
  put(s: string): void {
    this.out += s;
    this.column += Array.from(s).length;
  }
  newlineIndent(): void {
    this.out += '\n' + ' '.repeat(this.indent);
    this.column = this.indent;
  }
}

/**
 * The scalar text yaml.v2 writes for `value`, starting at `column` on its line; continuation lines
 * are indented by `indent` (the enclosing block's indent + 2). `key` for a mapping key, which
 * never folds and cannot be a block. A literal block comes without its final line break.
 */
export function yamlV2String(value: string, column: number, indent: number, key: boolean, nonString: boolean): string {
  const chars = Array.from(value);
  const requested: Style = nonString ? 'double' : !key && value.includes('\n') ? 'literal' : 'plain';
  const style = chooseStyle(chars, requested, key);
  const allowBreaks = !key;
  const w = new Writer(column, indent);
  const last = chars.length - 1;
  if (style === 'plain') {
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && w.column > BEST_WIDTH && !isSpace(chars[i + 1])) w.newlineIndent();
        else w.put(c);
        spaces = true;
      } else {
        w.put(c);
        spaces = false;
      }
    }
    return w.out;
  }
  if (style === 'single') {
    w.put("'");
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== last && !isSpace(chars[i + 1])) w.newlineIndent();
        else w.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') w.out += '\n';
        w.out += '\n';
        w.column = 0;
        breaks = true;
      } else {
        if (breaks) w.newlineIndent();
        w.put(c === "'" ? "''" : c);
        spaces = false;
        breaks = false;
      }
    }
    w.put("'");
    return w.out;
  }
  if (style === 'double') {
    w.put('"');
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (!isPrintable(c) || c === '\ufeff' || isBreak(c) || c === '"' || c === '\\') {
        w.put(escapeChar(c));
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== last) {
          w.newlineIndent();
          if (isSpace(chars[i + 1])) w.put('\\');
        } else w.put(c);
        spaces = true;
      } else {
        w.put(c);
        spaces = false;
      }
    }
    w.put('"');
    return w.out;
  }
  // Literal block: an indentation indicator when the text starts with a space or a break, and the
  // chomping that keeps exactly the trailing breaks the value has.
  let header = '|';
  if (isSpace(chars[0]) || isBreak(chars[0]!)) header += '2';
  if (!isBreak(chars[last]!)) header += '-';
  else if (chars.length === 1 || isBreak(chars[last - 1]!)) header += '+';
  let out = `${header}\n`;
  let breaks = true;
  for (const c of chars) {
    if (isBreak(c)) {
      out += '\n';
      breaks = true;
    } else {
      if (breaks) out += ' '.repeat(indent);
      out += c;
      breaks = false;
    }
  }
  // The line break after the last line is the one the surrounding document writes anyway.
  return out.endsWith('\n') ? out.slice(0, -1) : out;
}
