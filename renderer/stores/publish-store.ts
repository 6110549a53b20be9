import { create } from 'zustand';
import type { AppError } from '../../shared/api/result';
import type { EngineInfo, PublishPhase, PublishProgress, PublishReport, PublishRequest, PushedName } from '../../shared/publish/types';
import { api, type ApiClient } from '../api';

/** A running image's state in the view: what it does now, its step, its log and its layers. */
export interface ImageRun {
  phase: PublishPhase;
  message?: string;
  step?: { step: number; total: number; instruction: string };
  log: string[];
  layers: Record<string, { status: string; current?: number; total?: number }>;
  /** Names already in the registry, as they are pushed (kept when the run is cancelled). */
  pushed: PushedName[];
}

/** Build logs can be long; the view keeps the end of each. */
export const LOG_LINES_KEPT = 500;

interface PublishState {
  engine: EngineInfo | null;
  engineError: AppError | null;
  checkingEngine: boolean;
  running: boolean;
  runs: Record<string, ImageRun>;
  report: PublishReport | null;
  error: AppError | null;
  checkEngine(): Promise<void>;
  start(request: PublishRequest): Promise<void>;
  cancel(): void;
}

export const runKey = (name: string | null) => (name === null ? '~' : name);

export function applyProgress(runs: Record<string, ImageRun>, p: PublishProgress): Record<string, ImageRun> {
  if (p.kind === 'plan') {
    const next: Record<string, ImageRun> = {};
    for (const i of p.images) next[runKey(i.name)] = { phase: i.skipped ? 'skipped' : 'queued', ...(i.skipped ? { message: i.skipped } : {}), log: [], layers: {}, pushed: [] };
    return next;
  }
  const key = runKey(p.image);
  const run: ImageRun = runs[key] ?? { phase: 'queued', log: [], layers: {}, pushed: [] };
  let updated: ImageRun;
  switch (p.kind) {
    case 'phase':
      updated = { ...run, phase: p.phase, ...(p.message ? { message: p.message } : {}) };
      break;
    case 'step':
      updated = { ...run, step: { step: p.step, total: p.total, instruction: p.instruction } };
      break;
    case 'log': {
      const log = [...run.log, ...p.lines];
      updated = { ...run, log: log.length > LOG_LINES_KEPT ? log.slice(-LOG_LINES_KEPT) : log };
      break;
    }
    case 'layer':
      updated = { ...run, layers: { ...run.layers, [p.layer]: { status: p.status, ...(p.current !== undefined ? { current: p.current } : {}), ...(p.total !== undefined ? { total: p.total } : {}) } } };
      break;
    case 'pushed':
      updated = { ...run, layers: {}, pushed: [...run.pushed, p.name] };
      break;
  }
  return { ...runs, [key]: updated };
}

/** Only the events of the run it shows change it; a replaced run's late events are ignored. */
export function createPublishStore(client: ApiClient) {
  let controller: AbortController | null = null;
  let subscribed = false;
  let showing: string | null = null;

  return create<PublishState>((set, get) => ({
    engine: null,
    engineError: null,
    checkingEngine: false,
    running: false,
    runs: {},
    report: null,
    error: null,

    async checkEngine() {
      set({ checkingEngine: true });
      const result = await client.call('publish.engine', {});
      set(result.ok ? { engine: result.value, engineError: null, checkingEngine: false } : { engine: null, engineError: result.error, checkingEngine: false });
    },

    async start(request) {
      if (!subscribed) {
        subscribed = true;
        client.on('publish.progress', ({ progress }, { call }) => {
          if (call === showing) set({ runs: applyProgress(get().runs, progress) });
        });
      }
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      set({ running: true, runs: {}, report: null, error: null });
      const pending = client.call('publish.run', request, { signal: mine.signal });
      showing = pending.id;
      const result = await pending;
      if (controller !== mine) return;
      controller = null;
      if (result.ok) set({ running: false, report: result.value, ...(result.value.engine ? { engine: result.value.engine, engineError: null } : {}) });
      else {
        // A cancelled call ends without its report: what was already pushed stays listed per image.
        const error = result.error.code === 'cancelled' ? { code: 'cancelled', message: 'Publish cancelled. The engine stopped the build or push in progress; names pushed before stay in the registry.' } : result.error;
        const runs = Object.fromEntries(Object.entries(get().runs).map(([k, r]) => [k, r.phase === 'done' || r.phase === 'skipped' || r.phase === 'failed' ? r : { ...r, phase: 'cancelled' as const }]));
        set({ running: false, error, ...(result.error.code === 'cancelled' ? { runs } : {}) });
      }
    },

    cancel() {
      controller?.abort();
    },
  }));
}

export const usePublishStore = createPublishStore(api);
