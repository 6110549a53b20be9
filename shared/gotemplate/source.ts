import { TemplateError, type TemplateErrorInit, type TemplateLocation } from './errors';

/**
 * One parsed text: a file or a string given to `tpl`. Offsets in the AST index into `text`; this
 * turns them into 1-based line/column (UTF-16 columns, as editors count them).
 */
export class SourceFile {
  private lineStarts: number[] | null = null;

  constructor(
    /** Template name used by `template`/`include` lookups. */
    readonly name: string,
    /** Path shown in errors. */
    readonly file: string,
    readonly text: string,
    /**
     * Set for text that has no file of its own (a `tpl` string): errors are reported at this
     * location, the call site, with the inner position added to the message.
     */
    readonly hostLocation?: TemplateLocation,
  ) {}

  position(offset: number): { line: number; column: number } {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }

  /** Offset of the start of a 1-based line; undefined past the last line. */
  lineStart(line: number): number | undefined {
    return line >= 1 ? this.starts()[line - 1] : undefined;
  }

  private starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    const t = this.text;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
    return starts;
  }
}

/** Builds a TemplateError located at the action starting at `act` (and the node at `node`). */
export function errorAt(
  src: SourceFile,
  act: number,
  node: number | undefined,
  message: string,
  code: string,
  action?: string,
): TemplateError {
  const a = src.position(act);
  if (src.hostLocation) {
    const where = `line ${a.line}, column ${a.column} of the template string`;
    return new TemplateError({
      ...src.hostLocation,
      message: `${message} (at ${where})`,
      code,
      ...(action !== undefined ? { action } : {}),
    });
  }
  const init: TemplateErrorInit = { file: src.file, line: a.line, column: a.column, message, code };
  if (action !== undefined) init.action = action;
  if (node !== undefined && node !== act) init.node = src.position(node);
  return new TemplateError(init);
}
