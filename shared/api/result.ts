/**
 * Errors cross process boundaries as data. Electron's ipcMain.handle keeps only `message` of a thrown
 * error, so every handler returns this envelope instead of throwing.
 */
export interface AppError {
  /** Stable machine-readable code, e.g. `not-found`, `bad-args`, `cancelled`. */
  code: string;
  /** What failed, in a sentence a user can read. */
  message: string;
  /** What to do about it. */
  hint?: string;
  details?: Record<string, string | number | boolean | null>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: AppError): Result<never> => ({ ok: false, error });

/** Thrown inside services to end a call with a user-facing error; the RPC host turns it into data. */
export class UserError extends Error implements AppError {
  readonly code: string;
  readonly hint?: string;
  readonly details?: Record<string, string | number | boolean | null>;
  constructor(error: AppError) {
    super(error.message);
    this.name = 'UserError';
    this.code = error.code;
    if (error.hint !== undefined) this.hint = error.hint;
    if (error.details !== undefined) this.details = error.details;
  }
  toData(): AppError {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint !== undefined ? { hint: this.hint } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
    };
  }
}

/** What an error may carry across the boundary: a registry or a hostile call must not make it megabytes. */
export const ERROR_LIMITS = { code: 100, message: 2000, hint: 1000, detailKeys: 30, detailKey: 100, detailValue: 500 } as const;

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Caps every field of an error to ERROR_LIMITS; an error within them comes back unchanged. */
export function capError(error: AppError): AppError {
  const capped: AppError = { code: cut(error.code, ERROR_LIMITS.code), message: cut(error.message, ERROR_LIMITS.message) };
  if (error.hint !== undefined) capped.hint = cut(error.hint, ERROR_LIMITS.hint);
  if (error.details !== undefined) {
    const details: NonNullable<AppError['details']> = {};
    for (const [key, value] of Object.entries(error.details).slice(0, ERROR_LIMITS.detailKeys)) {
      details[cut(key, ERROR_LIMITS.detailKey)] = typeof value === 'string' ? cut(value, ERROR_LIMITS.detailValue) : value;
    }
    capped.details = details;
  }
  return capped;
}
