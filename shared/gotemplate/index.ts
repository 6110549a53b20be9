/**
 * Go text/template for TypeScript, with the sprig functions and the template helpers werf adds.
 * `renderTemplate` is the general entry point; `renderWerfConfig` (werf.ts) adds werf's data and
 * function rules on top.
 */
import { TemplateError } from './errors';
import type { EngineLimits } from './exec';
import { buildFuncTable, createEngine, type TemplateFunc, type TemplateSource } from './setup';

export { TemplateError, ErrorCodes, type TemplateLocation } from './errors';
export type { EngineLimits } from './exec';
export { DEFAULT_LIMITS, TEMPLATE_CALL_STEPS, CLOCK_CHECK_STEPS } from './exec';
export type { TemplateSource, TemplateFunc } from './setup';
export {
  renderWerfConfig,
  isTemplated,
  checkProjectRelativePath,
  ReadBudgetError,
  type WerfTemplateHost,
  type WerfRenderInput,
  type WerfRenderResult,
  type WerfWarning,
} from './werf';

export interface RenderOptions {
  main: TemplateSource;
  partials?: TemplateSource[];
  data: unknown;
  funcs?: Record<string, TemplateFunc>;
  limits?: Partial<EngineLimits>;
  /** Clock for now/date/ago; defaults to the system clock. */
  now?: () => Date;
  /** Environment for sprig's env/expandenv; defaults to an empty environment. */
  env?: (name: string) => string | undefined;
  /** Monotonic milliseconds for limits.maxRenderMs; Date.now when absent. */
  clock?: () => number;
}

/** Renders `main` with Go text/template semantics. Throws TemplateError. */
export function renderTemplate(opts: RenderOptions): string {
  const funcs = buildFuncTable(undefined, opts.funcs);
  const engine = createEngine({ funcs, limits: opts.limits, now: opts.now, env: opts.env, clock: opts.clock }, opts.main, opts.partials ?? []);
  return engine.execute(opts.main.name, opts.data);
}

/** Guard for code that catches unknown errors around rendering. */
export function isTemplateError(e: unknown): e is TemplateError {
  return e instanceof TemplateError;
}
