/**
 * werf does not use YAML's own multi-document reading: a hand-written splitter (splitContent in
 * werf's pkg/config/parser.go) cuts the rendered text at lines of `---` optionally followed by
 * spaces, tabs and a `# comment`, and drops the pieces that hold only comments or whitespace. Line
 * numbers in werf's errors count from the whole file, so we keep each piece's first line.
 *
 * Each piece then goes to yaml.v2's Unmarshal, which reads only the first YAML document. A line that
 * YAML takes for a document marker but werf's splitter does not (`--- # api-gateway`: werf's state
 * machine gives up on any `-` in the comment) therefore silently drops the rest of the piece;
 * firstYamlDocumentEnd finds where that happens.
 */

export interface SourceLines {
  text: string;
  /** Lines without their `\n`; a trailing `\r` is kept. */
  lines: string[];
  /** Offset in `text` where each line starts. */
  offsets: number[];
}

export interface RawDocument {
  /** 0-based index among the kept (non-empty) documents. */
  index: number;
  /** 0-based line index of the piece's first line, and one past its last line. */
  begin: number;
  end: number;
}

export function splitLines(text: string): SourceLines {
  const lines = text.split('\n');
  const offsets = new Array<number>(lines.length);
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    offsets[i] = at;
    at += lines[i].length + 1;
  }
  return { text, lines, offsets };
}

/**
 * werf's separator: `---`, then only spaces, tabs or `\r`, then optionally `#` and a comment that
 * contains no `-` (a `-` anywhere after the dashes sends werf's state machine to "regular line").
 * Only those three whitespace bytes count: werf scans bytes, not Unicode spaces.
 */
const SEPARATOR = /^---[ \t\r]*(?:#[^-]*)?$/;

export function isSeparator(line: string): boolean {
  // Most lines do not start with '-', and this runs once per line of the file.
  if (line.charCodeAt(0) !== 45) return false;
  return SEPARATOR.test(line);
}

/** A YAML document marker (`---` or `...` at column 0 followed by a blank or the line end). */
const YAML_MARKER = /^(?:---|\.\.\.)(?:[ \t\r]|$)/;

export function yamlDocumentMarker(line: string): '---' | '...' | null {
  const c = line.charCodeAt(0);
  if ((c !== 45 && c !== 46) || !YAML_MARKER.test(line)) return null;
  return c === 45 ? '---' : '...';
}

/**
 * The line index (in `[begin, end)`) where the first YAML document of a piece stops, or `end`.
 * yaml.v2 reads only that document and never looks further: a `---` after content (or after a
 * leading `---`) starts a second document, and `...` ends the first one.
 */
export function firstYamlDocumentEnd(lines: readonly string[], begin: number, end: number): number {
  let started = false;
  for (let i = begin; i < end; i++) {
    const line = lines[i];
    const marker = yamlDocumentMarker(line);
    if (marker === '...') return i;
    if (marker === '---') {
      if (started) return i;
      started = true; // an explicit start of the first document
      continue;
    }
    if (!started && !isBlankOrComment(line)) started = true;
  }
  return end;
}

/** True when the lines from a document marker at `at` to `end` hold anything besides comments. */
export function hasContentAfterMarker(lines: readonly string[], at: number, end: number): boolean {
  if (!isBlankOrComment(lines[at].slice(3))) return true;
  for (let i = at + 1; i < end; i++) if (!isBlankOrComment(lines[i])) return true;
  return false;
}

function isBlankOrComment(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c === 35; // '#'
  }
  return true;
}

export function findDocuments(src: SourceLines): RawDocument[] {
  const out: RawDocument[] = [];
  const { lines } = src;
  let begin = 0;
  let hasContent = false;
  const close = (end: number): void => {
    if (hasContent) out.push({ index: out.length, begin, end });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (isSeparator(line)) {
      close(i);
      begin = i + 1;
      hasContent = false;
      continue;
    }
    if (!hasContent && !isBlankOrComment(line)) hasContent = true;
  }
  close(lines.length);
  return out;
}

/** The text of one piece, exactly as it is in the file (with its line breaks). */
export function documentText(src: SourceLines, doc: RawDocument): string {
  const start = src.offsets[doc.begin] ?? src.text.length;
  const end = doc.end < src.lines.length ? src.offsets[doc.end] : src.text.length;
  return src.text.slice(start, end);
}

/** First and last non-blank lines of a piece, 1-based. */
export function contentLineSpan(src: SourceLines, doc: RawDocument): { startLine: number; endLine: number } {
  let first = doc.begin;
  while (first < doc.end - 1 && src.lines[first].trim() === '') first++;
  let last = doc.end - 1;
  while (last > first && src.lines[last].trim() === '') last--;
  return { startLine: first + 1, endLine: last + 1 };
}

/** Documents as werf sees them; `startLine` is the 1-based file line where `text` begins. */
export function splitWerfDocuments(text: string): { text: string; startLine: number }[] {
  const src = splitLines(text);
  return findDocuments(src).map((d) => ({ text: documentText(src, d), startLine: d.begin + 1 }));
}
