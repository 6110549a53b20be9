/**
 * Error type for everything that can go wrong while parsing or executing a template. Positions are
 * 1-based and always point into the original file the failing text came from (a partial, not the
 * main file, when the failure is inside a partial), so the UI can jump straight to it.
 */

/**
 * Stable machine-readable codes, without a prefix: callers that mix them with other problem codes
 * namespace them (the project loader reports `template-<code>`).
 */
export const ErrorCodes = {
  syntax: 'syntax',
  unknownFunction: 'unknown-function',
  undefinedVariable: 'undefined-variable',
  args: 'args',
  type: 'type',
  exec: 'exec',
  fail: 'fail',
  required: 'required',
  notFound: 'not-found',
  limitDepth: 'limit-depth',
  limitOutput: 'limit-output',
  limitIterations: 'limit-iterations',
  limitSteps: 'limit-steps',
  limitTime: 'limit-time',
  limitRead: 'limit-read',
  file: 'file-refused',
  env: 'env',
  unsupported: 'unsupported-function',
} as const;

export type TemplateErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface TemplateLocation {
  file: string;
  line: number;
  column: number;
}

export interface TemplateErrorInit extends TemplateLocation {
  message: string;
  code: string;
  /** Go-style rendering of the failing command, e.g. `upper 3`. */
  action?: string;
  /** Where the failing node itself starts, when it differs from the action's `{{`. */
  node?: { line: number; column: number };
  /** include/template call sites that led here, outermost first. */
  trace?: TemplateLocation[];
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly action?: string;
  readonly node?: { line: number; column: number };
  readonly trace: TemplateLocation[];

  constructor(init: TemplateErrorInit) {
    super(init.message);
    this.file = init.file;
    this.line = init.line;
    this.column = init.column;
    this.code = init.code;
    if (init.action !== undefined) this.action = init.action;
    if (init.node !== undefined) this.node = init.node;
    this.trace = init.trace ?? [];
  }

  /** One-line form in the style of Go's template errors, for logs and the CLI. */
  describe(): string {
    const at = this.action !== undefined ? ` at <${this.action}>` : '';
    return `${this.file}:${this.line}:${this.column}:${at} ${this.message}`;
  }
}

/**
 * Thrown by function implementations that have no position of their own. The executor catches it
 * and re-throws a TemplateError located at the calling action.
 */
export class FuncError extends Error {
  override readonly name = 'FuncError';
  constructor(
    message: string,
    readonly code: string = ErrorCodes.exec,
    /** When true the message is shown as-is instead of "error calling NAME: ...". */
    readonly bare = false,
  ) {
    super(message);
  }
}

export function isTemplateError(e: unknown): e is TemplateError {
  return e instanceof TemplateError;
}
