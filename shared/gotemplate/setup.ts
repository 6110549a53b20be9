/** Building blocks shared by renderTemplate and the werf layer: sources, function tables, limits. */
import { BUILTINS } from './builtins';
import { DEFAULT_LIMITS, Engine, type EngineLimits } from './exec';
import type { FuncDef, FuncTable } from './funcs';
import { SPRIG_FUNCS } from './sprig';
import { toPlainJS } from './values';

export interface TemplateSource {
  /** Template name: what `template`/`include` look up, and the file shown in errors unless `file` is set. */
  name: string;
  text: string;
  /** File path shown in errors when it differs from the template name (e.g. ".werf/a.tmpl" for "a.tmpl"). */
  file?: string;
}

export type TemplateFunc = (...args: unknown[]) => unknown;

/** Wraps a plain JS function as a template function taking any number of arguments. */
export function userFunc(f: TemplateFunc): FuncDef {
  return { params: [], variadic: 'any', call: (args) => f(...args.map(toPlainJS)) };
}

/** Go builtins, then sprig and the template helpers, then caller functions (later entries win, as in Go's FuncMap). */
export function buildFuncTable(extra?: Iterable<[string, FuncDef | null]>, user?: Record<string, TemplateFunc>): Map<string, FuncDef> {
  const table = new Map<string, FuncDef>(BUILTINS);
  for (const [k, v] of SPRIG_FUNCS) table.set(k, v);
  if (extra) {
    for (const [k, v] of extra) {
      if (v === null) table.delete(k);
      else table.set(k, v);
    }
  }
  if (user) for (const k of Object.keys(user)) table.set(k, userFunc(user[k]));
  return table;
}

export function resolveLimits(l?: Partial<EngineLimits>): EngineLimits {
  const pick = (v: number | undefined, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : d);
  return {
    maxDepth: pick(l?.maxDepth, DEFAULT_LIMITS.maxDepth),
    maxOutputBytes: pick(l?.maxOutputBytes, DEFAULT_LIMITS.maxOutputBytes),
    maxIterations: pick(l?.maxIterations, DEFAULT_LIMITS.maxIterations),
    maxSteps: pick(l?.maxSteps, DEFAULT_LIMITS.maxSteps),
    maxReadBytes: pick(l?.maxReadBytes, DEFAULT_LIMITS.maxReadBytes),
    // A time budget may be fractional, and Infinity means none.
    maxRenderMs: typeof l?.maxRenderMs === 'number' && l.maxRenderMs >= 0 ? l.maxRenderMs : DEFAULT_LIMITS.maxRenderMs,
  };
}

export interface EngineSetup {
  funcs: FuncTable;
  limits?: Partial<EngineLimits>;
  now?: () => Date;
  env?: (name: string) => string | undefined;
  /** Monotonic milliseconds for limits.maxRenderMs (e.g. performance.now); Date.now when absent. */
  clock?: () => number;
}

/** Creates an engine with the sources parsed: partials first, the main file last (its defines win). */
export function createEngine(setup: EngineSetup, main: TemplateSource, partials: readonly TemplateSource[]): Engine {
  const engine = new Engine({
    funcs: setup.funcs,
    limits: resolveLimits(setup.limits),
    now: setup.now ?? (() => new Date()),
    env: setup.env ?? (() => undefined),
    ...(setup.clock ? { clock: setup.clock } : {}),
  });
  for (const p of partials) engine.addSource(p.name, p.file ?? p.name, p.text);
  engine.addSource(main.name, main.file ?? main.name, main.text);
  return engine;
}

