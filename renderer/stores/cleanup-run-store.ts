import { create } from 'zustand';
import type { CleanupRunReport, ExecuteRequest, RestoreItem, RunHistoryEntry, RunItem, RunProgress } from '../../shared/api/cleanup-run';
import type { AppError } from '../../shared/api/result';
import { api, type ApiClient } from '../api';

/**
 * Carrying out a reviewed plan and undoing it, as the views see it: the running `cleanup.execute`
 * (its per-tag progress, the rate-limit waits, the cancel), its report, the restores of any run,
 * and the History of past runs. The main process does the work; this only shows it truthfully.
 */

export type RunStage = 'idle' | 'running' | 'cancelling' | 'done';

export interface RestoreState {
  running: boolean;
  done: number;
  total: number;
  /** Per `repository:tag`, the latest restore result. */
  items: Record<string, RestoreItem>;
  error: AppError | null;
}

export interface OpenedRun {
  runId: string;
  loading: boolean;
  report: CleanupRunReport | null;
  error: AppError | null;
}

export interface CleanupRunState {
  stage: RunStage;
  request: ExecuteRequest | null;
  progress: RunProgress | null;
  /** Tags finished so far, in the order the run reported them. */
  items: RunItem[];
  report: CleanupRunReport | null;
  error: AppError | null;
  /** Restores per run id, so a run opened from History and from the Cleanup view agree. */
  restores: Record<string, RestoreState>;
  history: { loading: boolean; entries: RunHistoryEntry[] | null; error: AppError | null };
  opened: OpenedRun | null;

  execute(request: ExecuteRequest): Promise<void>;
  cancel(): void;
  /** Forgets the finished run (the view goes back to planning). */
  reset(): void;
  restore(runId: string, tags?: { repository: string; tag: string }[]): Promise<void>;
  cancelRestore(): void;
  loadHistory(): Promise<void>;
  openRun(runId: string): Promise<void>;
  closeRun(): void;
}

const restoreKey = (i: { repository: string; tag: string }) => `${i.repository}:${i.tag}`;
const EMPTY_RESTORE: RestoreState = { running: false, done: 0, total: 0, items: {}, error: null };

export function createCleanupRunStore(client: ApiClient) {
  let runCall: string | null = null;
  let runController: AbortController | null = null;
  let restoreCall: string | null = null;
  let restoreController: AbortController | null = null;
  let restoringRun: string | null = null;
  let subscribed = false;

  return create<CleanupRunState>((set, get) => {
    const subscribe = () => {
      if (subscribed) return;
      subscribed = true;
      client.on('cleanup.runProgress', ({ progress }, { call }) => {
        if (call !== runCall) return;
        set((s) => ({ progress, items: progress.item ? [...s.items, progress.item] : s.items }));
      });
      client.on('cleanup.restoreProgress', ({ item, done, total }, { call }) => {
        if (call !== restoreCall) return;
        if (!restoringRun) return;
        patchRestore(restoringRun, (r) => ({ done, total, items: { ...r.items, [restoreKey(item)]: item } }));
      });
    };

    const patchRestore = (runId: string, patch: (r: RestoreState) => Partial<RestoreState>) =>
      set((s) => {
        const current = s.restores[runId] ?? EMPTY_RESTORE;
        return { restores: { ...s.restores, [runId]: { ...current, ...patch(current) } } };
      });

    /** A cancelled call answers `cancelled`, not its report: the run's audit log says what was done. */
    const reportAfterCancel = async (request: ExecuteRequest, startedAt: number): Promise<CleanupRunReport | null> => {
      const runId = get().progress?.runId;
      if (runId) {
        const read = await client.call('cleanup.run', { runId });
        if (read.ok) return read.value;
      }
      const history = await client.call('cleanup.history', {});
      if (!history.ok) return null;
      const mine = history.value.find((e) => e.planId === request.planId && Date.parse(e.startedAt) >= startedAt - 60_000);
      if (!mine) return null;
      const read = await client.call('cleanup.run', { runId: mine.runId });
      return read.ok ? read.value : null;
    };

    return {
      stage: 'idle',
      request: null,
      progress: null,
      items: [],
      report: null,
      error: null,
      restores: {},
      history: { loading: false, entries: null, error: null },
      opened: null,

      async execute(request) {
        if (get().stage === 'running' || get().stage === 'cancelling') return;
        subscribe();
        const controller = new AbortController();
        runController = controller;
        const startedAt = Date.now();
        set({ stage: 'running', request, progress: null, items: [], report: null, error: null });
        const pending = client.call('cleanup.execute', request, { signal: controller.signal });
        runCall = pending.id;
        const result = await pending;
        runCall = null;
        runController = null;
        if (result.ok) {
          set({ stage: 'done', report: result.value });
          return;
        }
        if (result.error.code !== 'cancelled') {
          set({ stage: 'done', error: result.error });
          return;
        }
        const report = await reportAfterCancel(request, startedAt);
        const done = report?.results.filter((r) => r.skipReason !== 'cancelled').length ?? get().items.length;
        set({
          stage: 'done',
          report,
          error: {
            code: 'cancelled',
            message: report ? `Cancelled: ${done} of ${report.summary.total} tags were handled before the stop; the rest were not touched.` : 'Cancelled.',
            hint: report ? 'The table shows each tag as the run left it. Restore brings back what was deleted.' : 'The run was stopped before it reported anything. Open History to see what the audit log recorded.',
          },
        });
      },

      cancel() {
        if (get().stage !== 'running') return;
        set({ stage: 'cancelling' });
        runController?.abort();
      },

      reset() {
        if (get().stage === 'running' || get().stage === 'cancelling') return;
        set({ stage: 'idle', request: null, progress: null, items: [], report: null, error: null });
      },

      async restore(runId, tags) {
        if (Object.values(get().restores).some((r) => r.running)) return;
        subscribe();
        const controller = new AbortController();
        restoreController = controller;
        patchRestore(runId, () => ({ running: true, done: 0, total: tags?.length ?? 0, error: null }));
        const pending = client.call('cleanup.restore', tags ? { runId, tags } : { runId }, { signal: controller.signal });
        restoreCall = pending.id;
        restoringRun = runId;
        const result = await pending;
        restoreCall = null;
        restoringRun = null;
        restoreController = null;
        if (result.ok) {
          patchRestore(runId, (r) => {
            const items = { ...r.items };
            for (const i of result.value.results) items[restoreKey(i)] = i;
            return { running: false, done: result.value.results.length, total: result.value.results.length, items };
          });
        } else {
          patchRestore(runId, () => ({
            running: false,
            error: result.error.code === 'cancelled' ? { code: 'cancelled', message: 'Restore cancelled: the rows marked restored came back; the others were not touched.' } : result.error,
          }));
        }
      },

      cancelRestore() {
        restoreController?.abort();
      },

      async loadHistory() {
        set((s) => ({ history: { ...s.history, loading: true, error: null } }));
        const result = await client.call('cleanup.history', {});
        set({ history: result.ok ? { loading: false, entries: result.value, error: null } : { loading: false, entries: get().history.entries, error: result.error } });
      },

      async openRun(runId) {
        set({ opened: { runId, loading: true, report: null, error: null } });
        const result = await client.call('cleanup.run', { runId });
        if (get().opened?.runId !== runId) return;
        set({ opened: result.ok ? { runId, loading: false, report: result.value, error: null } : { runId, loading: false, report: null, error: result.error } });
      },

      closeRun: () => set({ opened: null }),
    };
  });
}

export const useCleanupRunStore = createCleanupRunStore(api);
