import type { EngineLimits } from '../../../shared/gotemplate';
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../../shared/api/result';
import type { ProjectView } from '../../../shared/api/types';
import type { Problem } from '../../../shared/problems';
import { findConfig, type LoadOptions, type LoadPhase } from './load-project';
import type { ProjectJob, WorkerMessage } from './worker/protocol';

/**
 * Budgets of one project load. The engine's own budget (renderBudgetMs) ends a slow template with
 * an error naming its line; the worker's heap cap and the wall-clock terminate are the backstops
 * for what the engine cannot interrupt (one long function call, a parse, memory).
 */
export interface IsolationLimits {
  /** The whole load (git, render, parse); the worker is terminated after this. */
  wallClockMs: number;
  /** Cooperative render budget the template engine checks between steps. */
  renderBudgetMs: number;
  /** The worker's V8 old-generation heap. */
  heapMb: number;
  /**
   * Engine limits other than the time budget (the engine's defaults when absent). Tests raise the
   * step budget to reach the backstops behind it: the terminate and the heap cap.
   */
  engine?: Partial<Omit<EngineLimits, 'maxRenderMs'>>;
}

// Well inside the 10 s a hostile project may take end to end, on a loaded machine too; a real werf.yaml
// renders in well under a second.
export const DEFAULT_ISOLATION_LIMITS: IsolationLimits = { wallClockMs: 6_000, renderBudgetMs: 4_000, heapMb: 384 };

export interface IsolatedLoadOptions extends Omit<LoadOptions, 'onPhase' | 'renderLimits' | 'inProcess' | 'gitInfo'> {
  limits?: Partial<IsolationLimits>;
  /**
   * Keep the worker for the next load when this one ends normally, so it need not boot and compile
   * again (the app, which reloads on every save); a one-shot CLI leaves it off.
   */
  keepWarm?: boolean;
  /**
   * Time this load already spent before the worker was asked (the CLI's in-process attempt, see
   * in-process-load.ts): the wall clock counts it, so one load never gets two.
   */
  spentMs?: number;
}

/**
 * Loads a project in a worker thread: the main process's event loop keeps answering while a
 * template renders, and a project that would loop, exhaust memory or hang ends as a problem in the
 * view (a limit error) instead of taking the process with it. Cancelling terminates the worker.
 * Throws a UserError for a folder that cannot be opened, as loadProject does.
 */
export function loadProjectIsolated(dirInput: string, options: IsolatedLoadOptions = {}): Promise<ProjectView> {
  const limits = { ...DEFAULT_ISOLATION_LIMITS, ...options.limits };
  const dir = resolve(dirInput);
  const now = (options.now ?? (() => new Date()))();
  const job: ProjectJob = {
    dir,
    envOverrides: options.envOverrides ?? {},
    environment: plainEnvironment(options.environment ?? process.env),
    nowIso: now.toISOString(),
    renderBudgetMs: limits.renderBudgetMs,
    ...(limits.engine ? { engineLimits: limits.engine } : {}),
    ...(options.werfVersion ? { werfVersion: options.werfVersion } : {}),
    ...(options.checkUncommitted === false ? { checkUncommitted: false } : {}),
  };
  const { signal } = options;
  return new Promise<ProjectView>((resolveView, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const worker = takeWorker(limits.heapMb);
    worker.postMessage({ kind: 'job', job });
    let phase: LoadPhase | 'start' = 'start';
    let settled = false;
    /** `reusable`: the job ended normally, so the worker may wait for the next one. */
    const finish = (outcome: () => void, reusable = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reusable && options.keepWarm) keepIdle(worker, limits.heapMb);
      else void worker.terminate();
      outcome();
    };
    const timer = setTimeout(() => {
      finish(() => resolveView(limitTimeView(dir, now, job.envOverrides, phase, limits.wallClockMs)));
    }, Math.max(0, limits.wallClockMs - (options.spentMs ?? 0)));
    const onAbort = () => finish(() => reject(abortReason(signal!)));
    signal?.addEventListener('abort', onAbort, { once: true });

    const onMessage = (message: WorkerMessage) => {
      switch (message.kind) {
        case 'phase':
          phase = message.phase;
          return;
        case 'done':
          return finish(() => resolveView(message.view), true);
        case 'user-error':
          return finish(() => reject(new UserError(message.error)), true);
        case 'failed':
          return finish(() => reject(new Error(message.message)));
      }
    };
    const onError = (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        return finish(() => resolveView(limitView(dir, now, job.envOverrides, 'project-limit-memory', stoppedMessage(phase, `needed more than ${limits.heapMb} MiB of memory`), 'A template that builds very large values (a loop over a big file, a string grown in a loop); check the templates you changed last.')));
      }
      finish(() => reject(error));
    };
    const onExit = (code: number) => finish(() => reject(new Error(`the project worker stopped unexpectedly (exit ${code})`)));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * One idle worker kept between loads by the app (which reloads on every save): a worker that has
 * run a job has its code loaded and compiled, so the next load costs what an in-process one would.
 * A worker that was stopped (time, memory, cancel) is never kept. Unreferenced while idle, so it
 * never keeps a process alive.
 */
let idle: { worker: Worker; heapMb: number; forget: () => void } | null = null;

function startWorker(heapMb: number): Worker {
  // Not piping the worker's stdio: a piped stream would keep the process alive past an idle
  // worker's unref(). The worker silences its console itself (see project-worker.ts).
  return new Worker(projectWorkerUrl(), { resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 32 } });
}

function takeWorker(heapMb: number): Worker {
  if (idle && idle.heapMb === heapMb) {
    const { worker } = idle;
    idle.forget();
    worker.ref();
    return worker;
  }
  return startWorker(heapMb);
}

function keepIdle(worker: Worker, heapMb: number): void {
  if (idle) {
    // One is enough: loads of one session do not overlap for long.
    void worker.terminate();
    return;
  }
  worker.unref();
  const gone = () => {
    if (idle?.worker === worker) idle = null;
  };
  worker.on('error', gone);
  worker.on('exit', gone);
  idle = {
    worker,
    heapMb,
    forget: () => {
      worker.off('error', gone);
      worker.off('exit', gone);
      idle = null;
    },
  };
}

/** Stops the idle worker (app shutdown, tests). */
export function stopIdleProjectWorker(): void {
  if (!idle) return;
  const { worker } = idle;
  idle.forget();
  void worker.terminate();
}

/** The view of a load stopped by its wall clock (in the worker, or in-process while awaiting git). */
export function limitTimeView(dir: string, now: Date, envOverrides: Record<string, string>, phase: LoadPhase | 'start', wallClockMs: number): ProjectView {
  return limitView(dir, now, envOverrides, 'project-limit-time', stoppedMessage(phase, `did not finish within ${seconds(wallClockMs)}`), 'A template that loops or recurses without end (an include that calls itself twice), or a regular expression on a long text; check the templates you changed last.');
}

function stoppedMessage(phase: LoadPhase | 'start', what: string): string {
  const doing = phase === 'render' ? 'Rendering the werf config templates' : phase === 'parse' ? 'Reading the rendered werf config' : phase === 'git' ? 'Reading the git state of the project' : 'Reading the project';
  return `${doing} ${what}; Stowage stopped it.`;
}

/** The view of a project whose load was stopped: the limit is its one problem. */
function limitView(dir: string, now: Date, envOverrides: Record<string, string>, code: string, message: string, hint: string): ProjectView {
  let configFile: string | null = null;
  try {
    configFile = findConfig(dir).name;
  } catch {
    // The problem below says enough.
  }
  const problem: Problem = { severity: 'error', code, message, hint };
  return {
    path: dir,
    configFile,
    project: null,
    configVersion: null,
    // Templated: it is a config that could not be rendered, not one that could not be read.
    templated: true,
    images: [],
    problems: [problem],
    git: null,
    rendered: null,
    errorSource: null,
    envRead: [],
    envOverrides,
    loadedAt: now.toISOString(),
  };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function plainEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

let cachedWorkerUrl: URL | null = null;

/**
 * The worker bundle: $STOWAGE_PROJECT_WORKER (tests build it fresh), else out/project-worker.mjs
 * found from this bundle's folder (out/ for the CLI and browser host, out/electron/ for Electron).
 */
export function projectWorkerUrl(fromUrl: string = import.meta.url): URL {
  const override = process.env.STOWAGE_PROJECT_WORKER;
  if (override) return pathToFileURL(override);
  if (cachedWorkerUrl) return cachedWorkerUrl;
  let dir = dirname(fileURLToPath(fromUrl));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [join(dir, 'project-worker.mjs'), join(dir, 'out', 'project-worker.mjs')]) {
      if (!existsSync(candidate)) continue;
      // Packaged, the bundle is unpacked next to app.asar (electron-builder.yml, asarUnpack): a
      // worker thread loads its script with Node's own loader, which does not read archives.
      const unpacked = candidate.replace(`${sep}app.asar${sep}`, `${sep}app.asar.unpacked${sep}`);
      return (cachedWorkerUrl = pathToFileURL(unpacked !== candidate && existsSync(unpacked) ? unpacked : candidate));
    }
    dir = dirname(dir);
  }
  throw new Error('The project worker bundle (out/project-worker.mjs) is missing; run `npm run build`.');
}
