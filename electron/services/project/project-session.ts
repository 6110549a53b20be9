import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { ProjectView } from '../../../shared/api/types';
import type { WerfVersion } from '../../../shared/werf-config/werf-version';
import { loadProjectIsolated, type IsolatedLoadOptions, type IsolationLimits } from './isolated-load';
import { CONFIG_NAMES, projectNotOpen } from './load-project';

const RELOAD_DEBOUNCE_MS = 120;

export interface ProjectSessionDeps {
  /** Called with the new view after the config changed on disk. */
  onChange(view: ProjectView): void;
  environment?: IsolatedLoadOptions['environment'];
  now?: () => Date;
  /** Budgets of each load (tests shorten them); see DEFAULT_ISOLATION_LIMITS. */
  limits?: Partial<IsolationLimits>;
}

/**
 * The open project: loads it (always in the project worker, off the main event loop), keeps the user's environment overrides, and reloads when werf.yaml or a
 * `.werf/` partial is saved. Watches folders rather than files because editors save by renaming.
 */
export class ProjectSession {
  private current: { path: string; env: Record<string, string>; werfVersion?: WerfVersion; view: ProjectView; watchers: FSWatcher[] } | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  /** The live-refresh load in flight; a newer save or closing the project stops it. */
  private reloading: AbortController | null = null;
  private generation = 0;

  constructor(private readonly deps: ProjectSessionDeps) {}

  get view(): ProjectView | null {
    return this.current?.view ?? null;
  }

  async open(path: string, env: Record<string, string> = {}, signal?: AbortSignal): Promise<ProjectView> {
    const view = await loadProjectIsolated(path, this.loadOptions(env, signal));
    signal?.throwIfAborted();
    this.close();
    this.current = { path: view.path, env, view, watchers: this.watch(view.path) };
    return view;
  }

  /** New environment overrides and, when given, the werf release whose rules apply. */
  async setEnv(env: Record<string, string>, signal?: AbortSignal, werfVersion?: WerfVersion): Promise<ProjectView> {
    if (!this.current) throw projectNotOpen();
    const generation = ++this.generation;
    const version = werfVersion ?? this.current.werfVersion;
    const view = await loadProjectIsolated(this.current.path, this.loadOptions(env, signal, version));
    if (this.current && generation === this.generation) {
      this.current.env = env;
      if (version) this.current.werfVersion = version;
      this.current.view = view;
    }
    return view;
  }

  close(): void {
    this.reloading?.abort();
    this.reloading = null;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = null;
    for (const w of this.current?.watchers ?? []) w.close();
    this.current = null;
  }

  private loadOptions(env: Record<string, string>, signal?: AbortSignal, werfVersion = this.current?.werfVersion): IsolatedLoadOptions {
    return {
      envOverrides: env,
      keepWarm: true,
      ...(werfVersion ? { werfVersion } : {}),
      ...(this.deps.limits ? { limits: this.deps.limits } : {}),
      ...(this.deps.environment ? { environment: this.deps.environment } : {}),
      ...(this.deps.now ? { now: this.deps.now } : {}),
      ...(signal ? { signal } : {}),
    };
  }

  private watch(dir: string): FSWatcher[] {
    const watchers: FSWatcher[] = [];
    const relevant = new Set<string>([...CONFIG_NAMES, '.werf']);
    const add = (target: string, recursive: boolean, filter: (name: string | null) => boolean) => {
      try {
        const w = watch(target, { recursive, persistent: false }, (_event, name) => {
          if (filter(name === null ? null : String(name))) this.scheduleReload();
        });
        w.on('error', () => w.close());
        watchers.push(w);
      } catch {
        // A folder we cannot watch only loses live reload.
      }
    };
    add(dir, false, (name) => name === null || relevant.has(name));
    add(join(dir, '.werf'), true, () => true);
    return watchers;
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.reload();
    }, RELOAD_DEBOUNCE_MS);
  }

  private async reload(): Promise<void> {
    const current = this.current;
    if (!current) return;
    const generation = ++this.generation;
    this.reloading?.abort();
    const controller = new AbortController();
    this.reloading = controller;
    try {
      const view = await loadProjectIsolated(current.path, this.loadOptions(current.env, controller.signal));
      if (this.current !== current || generation !== this.generation) return;
      current.view = view;
      // `.werf` may have been created after opening; watching it again is cheap and idempotent enough.
      this.deps.onChange(view);
    } catch {
      // The folder vanished or became unreadable (the next open shows the error), or a newer
      // save superseded this load.
    } finally {
      if (this.reloading === controller) this.reloading = null;
    }
  }
}
