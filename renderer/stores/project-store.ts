import { create } from 'zustand';
import type { AppError } from '../../shared/api/result';
import type { AppInfo, ProjectView, RecentProject } from '../../shared/api/types';
import { api } from '../api';
import type { ConnectionStatus } from '../api/transport';
import type { WerfVersion } from '../../shared/werf-config/werf-version';

export interface ProjectState {
  info: AppInfo | null;
  connection: ConnectionStatus;
  view: ProjectView | null;
  opening: string | null;
  openError: AppError | null;
  recent: RecentProject[];
  /** Bumped when the config changed on disk, so views can flash "reloaded". */
  reloads: number;
  /** A Reload the user asked for is running. */
  reloading: boolean;
  /** Why the last Reload failed (the folder went away, the host stopped). */
  reloadError: AppError | null;
  /** The browser host answered at least once; until then a closed connection means a wrong address. */
  connectedOnce: boolean;
  init(): Promise<void>;
  reload(): Promise<void>;
  open(path: string): Promise<boolean>;
  cancelOpen(): void;
  close(): Promise<void>;
  setEnv(env: Record<string, string>, werfVersion?: WerfVersion): Promise<void>;
  forget(path: string): Promise<void>;
  dismissError(): void;
}

let openController: AbortController | null = null;

export const useProjectStore = create<ProjectState>((set, get) => ({
  info: null,
  connection: 'connecting',
  view: null,
  opening: null,
  openError: null,
  recent: [],
  reloads: 0,
  reloading: false,
  reloadError: null,
  connectedOnce: false,

  async init() {
    api.onStatus((connection) => set((s) => ({ connection, connectedOnce: s.connectedOnce || connection === 'open' })));
    api.on('project.changed', (view) => {
      if (get().view?.path === view.path) set((s) => ({ view, reloads: s.reloads + 1 }));
    });
    api.on('app.openFolder', ({ path }) => void get().open(path));
    const info = await api.call('app.info', {});
    if (!info.ok) return;
    set({ info: info.value });
    const recent = await api.call('project.recent', {});
    if (recent.ok) set({ recent: recent.value });
    if (info.value.initialProject) await get().open(info.value.initialProject);
  },

  async open(path) {
    openController?.abort();
    const controller = new AbortController();
    openController = controller;
    set({ opening: path, openError: null });
    const result = await api.call('project.open', { path: path.trim() }, { signal: controller.signal });
    if (openController !== controller) return false;
    openController = null;
    if (!result.ok) {
      set({ opening: null, openError: result.error.code === 'cancelled' ? null : result.error });
      return false;
    }
    set({ opening: null, view: result.value, openError: null });
    const recent = await api.call('project.recent', {});
    if (recent.ok) set({ recent: recent.value });
    return true;
  },

  cancelOpen() {
    openController?.abort();
    openController = null;
    set({ opening: null });
  },

  async reload() {
    if (!get().view || get().reloading) return;
    set({ reloading: true, reloadError: null });
    const result = await api.call('project.reload', {});
    if (!result.ok) set({ reloading: false, reloadError: result.error });
    else if (get().view?.path === result.value.path) set((s) => ({ view: result.value, reloads: s.reloads + 1, reloading: false }));
    else set({ reloading: false });
  },

  async close() {
    await api.call('project.close', {});
    set({ view: null, reloadError: null });
  },

  async setEnv(env, werfVersion) {
    const result = await api.call('project.setEnv', { env, ...(werfVersion ? { werfVersion } : {}) });
    if (result.ok) set({ view: result.value });
    else set({ openError: result.error });
  },

  async forget(path) {
    const result = await api.call('project.forget', { path });
    if (result.ok) set({ recent: result.value });
  },

  dismissError() {
    set({ openError: null });
  },
}));
