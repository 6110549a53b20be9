import { resolve } from 'node:path';
import { Script, createContext } from 'node:vm';
import { UserError } from '../../../shared/api/result';
import type { GitInfo, ProjectView } from '../../../shared/api/types';
import { DEFAULT_LIMITS } from '../../../shared/gotemplate';
import type { WorkTreeState } from '../git-info';
import { DEFAULT_ISOLATION_LIMITS, limitTimeView, loadProjectIsolated, type IsolatedLoadOptions, type IsolationLimits } from './isolated-load';
import { loadProject, OverInProcessBounds, type LoadPhase } from './load-project';

/**
 * Why the CLI loads a project in its own thread first (issue #16, start-up under 0.1 s beyond node):
 * a worker thread costs ≈ 85 ms just to boot Node inside it, plus ≈ 50 ms to compile a second copy
 * of the loader, before the first template line renders: more than the whole start-up target. The
 * CLI has no window to keep responsive, so the worker's one irreplaceable duty there is to bound
 * what a hostile project can do: time and memory. In-process, both are bounded like this:
 * - time, with the app's own budgets: the engine's cooperative budget (4 s) ends a slow render
 *   naming its line, as in the worker; every synchronous step (render, parse) also runs under
 *   `vm`'s `timeout`, whose watchdog thread terminates JavaScript from outside (a loop inside one
 *   call, a regular expression) when the load's wall clock (6 s) runs out, and an awaited step
 *   (git) is aborted then. Either way the answer is the worker's: the same limit, the same words.
 * - memory, with tighter budgets: nothing can cap the process's heap once it runs, so the fast path
 *   only takes inputs and budgets small enough that it cannot grow large: werf.yaml + partials,
 *   the text to parse, the bytes templates read and the values they build are all capped far below
 *   the worker's 384 MiB heap (a 4 MiB YAML document alone can take 500 MiB to parse).
 * A load that ends within these is the load the app's worker would have produced (every bound is
 * the app's or tighter). One that reaches a bound the app does not have, or fails in any
 * unexpected way, is not answered here: the worker loads it again under the app's own limits, in
 * what is left of the same wall clock. Real configs, the corpus's largest included, stay on the
 * fast path (in-process-load.test.ts checks every corpus project does); hostile ones that build
 * large values pay the worker, as before (e2e/robustness).
 */
export interface FastPathBounds {
  /** The engine's budget of values built, in characters (the app's is 256 Mi). */
  maxProducedBytes: number;
  /** The engine's budget of project files read through `.Files` (the app's is 64 MiB). */
  maxReadBytes: number;
  /** werf config + `.werf` partials together (the app reads any number of 4 MiB partials). */
  maxTemplateBytes: number;
  /** The config text handed to the YAML parser (the app's parser takes 4 MiB). */
  maxParseChars: number;
}

export const FAST_PATH_BOUNDS: FastPathBounds = {
  maxProducedBytes: 16 * 1024 * 1024,
  maxReadBytes: 16 * 1024 * 1024,
  maxTemplateBytes: 8 * 1024 * 1024,
  maxParseChars: 1024 * 1024,
};

/** Problems that mean a fast-path budget ran out where the app's might not have. */
const FAST_PATH_LIMIT_CODES: Record<string, (b: FastPathBounds, app: { produced: number; read: number }) => boolean> = {
  'template-limit-produced': (b, app) => b.maxProducedBytes < app.produced,
  'template-limit-read': (b, app) => b.maxReadBytes < app.read,
};

/** A read of the project's git state already under way (the CLI's, started before this code loaded). */
export interface GitReadUnderway {
  info: Promise<GitInfo | null>;
  /** Absent when the caller prints no giterminism warnings. */
  uncommitted?: Promise<Map<string, WorkTreeState> | null>;
  /** Kills its git processes. */
  stop(): void;
}

export interface BoundedLoadOptions extends Omit<IsolatedLoadOptions, 'keepWarm' | 'spentMs'> {
  git?: GitReadUnderway;
  /** The fast path's bounds (tests tighten or loosen them); FAST_PATH_BOUNDS when absent. */
  fastPath?: Partial<FastPathBounds>;
  /** Told which way the load went (tests, `STOWAGE_DEBUG_LOAD`). */
  onPath?: (path: 'in-process' | 'worker', why?: string) => void;
}

/**
 * Loads a project the way the app does, for a one-shot caller (the CLI): in this thread within the
 * fast-path bounds, else in the project worker with the app's limits. Throws a UserError for a
 * folder that cannot be opened, as loadProject does.
 */
export async function loadProjectBounded(dirInput: string, options: BoundedLoadOptions = {}): Promise<ProjectView> {
  const started = performance.now();
  const limits: IsolationLimits = { ...DEFAULT_ISOLATION_LIMITS, ...options.limits };
  const bounds: FastPathBounds = { ...FAST_PATH_BOUNDS, ...options.fastPath };
  const dir = resolve(dirInput);
  const fixedNow = (options.now ?? (() => new Date()))();
  const now = () => fixedNow;
  const { signal } = options;
  signal?.throwIfAborted();

  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let phase: LoadPhase | 'start' = 'start';
  let timer: NodeJS.Timeout | undefined;
  const wallClock = new Promise<'wall-clock'>((done) => {
    timer = setTimeout(() => done('wall-clock'), limits.wallClockMs);
  });
  const engine = limits.engine ?? {};
  const app = { produced: engine.maxProducedBytes ?? DEFAULT_LIMITS.maxProducedBytes, read: engine.maxReadBytes ?? DEFAULT_LIMITS.maxReadBytes };
  const fast = loadProject(dir, {
    ...(options.envOverrides ? { envOverrides: options.envOverrides } : {}),
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.werfVersion ? { werfVersion: options.werfVersion } : {}),
    ...(options.checkUncommitted === false ? { checkUncommitted: false } : {}),
    ...(options.git ? { gitInfo: options.git.info } : {}),
    ...(options.git?.uncommitted ? { uncommitted: options.git.uncommitted } : {}),
    now,
    signal: stop.signal,
    onPhase: (p) => (phase = p),
    renderLimits: {
      ...engine,
      maxRenderMs: limits.renderBudgetMs,
      maxProducedBytes: Math.min(bounds.maxProducedBytes, app.produced),
      maxReadBytes: Math.min(bounds.maxReadBytes, app.read),
    },
    inProcess: {
      maxTemplateBytes: bounds.maxTemplateBytes,
      maxParseChars: bounds.maxParseChars,
      // What is left of the wall clock; a step it stops ends the load as the worker's terminate would.
      runStep: (stepPhase, step) => underHardTimeout(step, Math.max(1, Math.ceil(limits.wallClockMs - (performance.now() - started))), stepPhase),
    },
  }).then(
    (view) => ({ view }),
    (error: unknown) => ({ error }),
  );

  try {
    const outcome = await Promise.race([fast, wallClock]);
    if (outcome === 'wall-clock' || ('error' in outcome && outcome.error instanceof WallClockSpent)) {
      stop.abort(new Error('wall clock'));
      options.onPath?.('in-process');
      return limitTimeView(dir, fixedNow, options.envOverrides ?? {}, phase, limits.wallClockMs);
    }
    if ('view' in outcome) {
      const overBound = outcome.view.problems.find((p) => FAST_PATH_LIMIT_CODES[p.code]?.(bounds, app));
      if (!overBound) {
        options.onPath?.('in-process');
        return outcome.view;
      }
      options.onPath?.('worker', overBound.message);
    } else {
      const { error } = outcome;
      // The folder cannot be opened (the worker would say the same), or the caller cancelled.
      if (error instanceof UserError) throw error;
      if (signal?.aborted) throw signal.reason;
      options.onPath?.('worker', error instanceof OverInProcessBounds ? error.message : `in-process load failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    // Done by now when the load got past git; else (wall clock, cancel) its processes must not outlive the load.
    options.git?.stop();
  }
  const { git: _early, fastPath: _bounds, onPath: _told, ...isolated } = options;
  return loadProjectIsolated(dir, {
    ...isolated,
    now,
    limits,
    // One wall clock for both attempts: the worker gets what the fast path left of it.
    spentMs: performance.now() - started,
  });
}

// One context serves every step: the step itself is a function of this realm, called from it.
const stepContext = createContext({ step: (): unknown => undefined });
const callStep = new Script('step()', { filename: 'stowage-in-process-step' });

/** The load's wall clock ran out inside a synchronous step, and the watchdog stopped it. */
class WallClockSpent extends Error {
  override readonly name = 'WallClockSpent';
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Runs `step` silenced, and terminates it from the watchdog thread when it runs longer than `ms`.
 * Silenced as the project worker's console is: a library's warning (the YAML parser's quotes keys
 * from the project) must not reach the CLI's output. Steps are synchronous, so nothing else runs
 * while the console is swapped out.
 */
function underHardTimeout<T>(step: () => T, ms: number, phase: 'render' | 'parse'): T {
  const saved = CONSOLE_METHODS.map((name) => console[name]);
  const savedEmitWarning = process.emitWarning;
  for (const name of CONSOLE_METHODS) console[name] = () => undefined;
  process.emitWarning = () => undefined;
  stepContext.step = step;
  try {
    return callStep.runInContext(stepContext, { timeout: ms }) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new WallClockSpent(`the ${phase} step was stopped after ${ms} ms`);
    throw error;
  } finally {
    stepContext.step = () => undefined;
    CONSOLE_METHODS.forEach((name, i) => (console[name] = saved[i]!));
    process.emitWarning = savedEmitWarning;
  }
}
