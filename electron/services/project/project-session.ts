import { homedir } from 'node:os';
import { UserError } from '../../../shared/api/result';
import type { ProjectView } from '../../../shared/api/types';
import { configBreakage, errorsFirst } from '../../../shared/project/config-state';
import { resolveUserPath } from '../../../shared/project/user-path';
import type { WerfVersion } from '../../../shared/werf-config/werf-version';
import { readGitDirs } from '../git-info';
import { findWerfProjects } from './find-werf-projects';
import { loadProjectIsolated, type IsolatedLoadOptions, type IsolationLimits } from './isolated-load';
import { CONFIG_NAMES, projectNotOpen } from './load-project';
import { ProjectWatcher, type WatchReason } from './project-watcher';

export interface ProjectSessionDeps {
  /** Called with the new view after what it was computed from changed on disk (files or git). */
  onChange(view: ProjectView): void;
  environment?: IsolatedLoadOptions['environment'];
  now?: () => Date;
  /** Budgets of each load (tests shorten them); see DEFAULT_ISOLATION_LIMITS. */
  limits?: Partial<IsolationLimits>;
  /** Where `~` and relative paths typed by the user point; the user's home folder by default. */
  homeDir?: string;
  /** Quiet time before a burst of file or git changes reloads (tests shorten it). */
  watchDebounceMs?: number;
  /** Told which kind of change started a live reload (tests and diagnostics). */
  onWatchEvent?: (reasons: ReadonlySet<WatchReason>) => void;
}

interface OpenProject {
  path: string;
  env: Record<string, string>;
  werfVersion?: WerfVersion;
  view: ProjectView;
  /** The newest view whose config rendered and parsed: shown, marked stale, while the file on disk is broken. */
  lastGood: ProjectView | null;
  watcher: ProjectWatcher;
}

/**
 * The open project: loads it (always in the project worker, off the main event loop), keeps the
 * user's environment overrides, and reloads when anything the view was computed from changes:
 * werf.yaml, `.werf/` partials, files templates read, the Dockerfiles, and git's HEAD, index and
 * refs (a commit made in a terminal clears "uncommitted changes" at once). While the config on disk
 * is half-typed, the last version that rendered stays on screen, marked stale, with the error first.
 */
export class ProjectSession {
  private current: OpenProject | null = null;
  /** The live-refresh load in flight; a newer save or closing the project stops it. */
  private reloading: AbortController | null = null;
  private generation = 0;
  /** Where git keeps the open project's HEAD, index and refs; null outside git. */
  private gitDirs: { gitDir: string; commonDir: string } | null = null;

  constructor(private readonly deps: ProjectSessionDeps) {}

  get view(): ProjectView | null {
    return this.current?.view ?? null;
  }

  /** Folders watched for the open project (absolute); empty when none is open. */
  get watchedDirectories(): string[] {
    return this.current?.watcher.directories ?? [];
  }

  /**
   * Opens a folder typed or picked by the user (`~` and relative paths are in the home folder).
   * A folder without werf.yaml is not a project: a UserError `no-werf-config` says so and lists
   * subfolders that have one (`details.subfolders`, one per line).
   */
  async open(pathInput: string, env: Record<string, string> = {}, signal?: AbortSignal, werfVersion?: WerfVersion): Promise<ProjectView> {
    const path = resolveUserPath(pathInput, this.deps.homeDir ?? homedir());
    const loaded = await loadProjectIsolated(path, this.loadOptions(env, signal, werfVersion));
    signal?.throwIfAborted();
    const missing = loaded.problems.find((p) => p.code === 'no-werf-config');
    if (missing) throw await noConfigError(loaded.path, missing.message);
    const view = this.present(loaded, null);
    const dirs = await readGitDirs(view.path, signal);
    signal?.throwIfAborted();
    this.close();
    const watcher = new ProjectWatcher((reasons) => this.onWatched(reasons), this.deps.watchDebounceMs !== undefined ? { debounceMs: this.deps.watchDebounceMs } : {});
    this.current = { path: view.path, env, view, lastGood: isGood(view) ? view : null, watcher, ...(werfVersion ? { werfVersion } : {}) };
    this.gitDirs = dirs;
    this.rewatch();
    return view;
  }

  /** New environment overrides and, when given, the werf release whose rules apply. */
  async setEnv(env: Record<string, string>, signal?: AbortSignal, werfVersion?: WerfVersion): Promise<ProjectView> {
    if (!this.current) throw projectNotOpen();
    const generation = ++this.generation;
    const version = werfVersion ?? this.current.werfVersion;
    const current = this.current;
    const loaded = await loadProjectIsolated(current.path, this.loadOptions(env, signal, version));
    if (this.current !== current || generation !== this.generation) return loaded;
    current.env = env;
    if (version) current.werfVersion = version;
    this.accept(current, loaded);
    return current.view;
  }

  /** Reads the project again now (the Reload button), with the same overrides. */
  async reload(signal?: AbortSignal): Promise<ProjectView> {
    const current = this.current;
    if (!current) throw projectNotOpen();
    const generation = ++this.generation;
    const loaded = await loadProjectIsolated(current.path, this.loadOptions(current.env, signal, current.werfVersion));
    const dirs = await readGitDirs(current.path, signal);
    if (this.current !== current || generation !== this.generation) return this.present(loaded, current.lastGood);
    this.gitDirs = dirs;
    this.accept(current, loaded);
    return current.view;
  }

  close(): void {
    this.reloading?.abort();
    this.reloading = null;
    this.current?.watcher.close();
    this.current = null;
    this.gitDirs = null;
  }

  /** Takes a fresh load as the view: the last good config stays while this one is broken. */
  private accept(current: OpenProject, loaded: ProjectView): void {
    current.view = this.present(loaded, current.lastGood);
    if (isGood(current.view)) current.lastGood = current.view;
    this.rewatch();
  }

  private present(loaded: ProjectView, lastGood: ProjectView | null): ProjectView {
    const problems = errorsFirst(loaded.problems);
    const broken = configBreakage(problems);
    if (!broken || !lastGood) return { ...loaded, problems };
    return {
      ...lastGood,
      // What is true now: the errors, git state and what was read come from this load, and so does
      // the text the Rendered view shows (the broken YAML, or the template an error points into),
      // so its error lines mark the text they were found in.
      problems,
      git: loaded.git,
      rendered: loaded.rendered,
      errorSource: loaded.errorSource,
      envOverrides: loaded.envOverrides,
      ...(loaded.werfVersion ? { werfVersion: loaded.werfVersion } : {}),
      loadedAt: loaded.loadedAt,
      inputs: [...new Set([...(lastGood.inputs ?? []), ...(loaded.inputs ?? [])])].sort(),
      stale: { reason: broken, goodLoadedAt: lastGood.stale?.goodLoadedAt ?? lastGood.loadedAt },
    };
  }

  private rewatch(): void {
    const current = this.current;
    if (!current) return;
    current.watcher.update({
      projectDir: current.path,
      inputs: current.view.inputs ?? [],
      // '.git' appears with `git init`: the next reload starts watching it.
      rootNames: [...CONFIG_NAMES, '.werf', '.gitignore', '.git'],
      trees: ['.werf'],
      git: this.gitDirs,
    });
  }

  // The werf release is always passed: a project opened after another must not inherit its choice.
  private loadOptions(env: Record<string, string>, signal: AbortSignal | undefined, werfVersion: WerfVersion | undefined): IsolatedLoadOptions {
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

  private onWatched(reasons: ReadonlySet<WatchReason>): void {
    this.deps.onWatchEvent?.(reasons);
    void this.liveReload();
  }

  private async liveReload(): Promise<void> {
    const current = this.current;
    if (!current) return;
    const generation = ++this.generation;
    this.reloading?.abort();
    const controller = new AbortController();
    this.reloading = controller;
    try {
      const loaded = await loadProjectIsolated(current.path, this.loadOptions(current.env, controller.signal, current.werfVersion));
      if (this.current !== current || generation !== this.generation) return;
      // A repository created (git init) or removed while the project is open changes what to watch.
      this.gitDirs = await readGitDirs(current.path, controller.signal);
      if (this.current !== current || generation !== this.generation) return;
      const before = current.view;
      this.accept(current, loaded);
      // An editor refreshing git's index, or a save that changes nothing, needs no new view.
      if (!sameView(before, current.view)) this.deps.onChange(current.view);
    } catch {
      // The folder vanished or became unreadable (the next open shows the error), or a newer
      // change superseded this load.
    } finally {
      if (this.reloading === controller) this.reloading = null;
    }
  }
}

function sameView(a: ProjectView, b: ProjectView): boolean {
  return JSON.stringify({ ...a, loadedAt: '' }) === JSON.stringify({ ...b, loadedAt: '' });
}

/** A view whose config rendered and parsed (errors in it or not), so it can stand in while a later edit is broken. */
function isGood(view: ProjectView): boolean {
  return !view.stale && configBreakage(view.problems) === null;
}

async function noConfigError(dir: string, message: string): Promise<UserError> {
  const subfolders = await findWerfProjects(dir).catch(() => []);
  return new UserError({
    code: 'no-werf-config',
    message,
    hint:
      subfolders.length > 0
        ? `werf.yaml is in ${subfolders.length === 1 ? 'a subfolder' : 'subfolders'} of it; open one of those.`
        : 'Open the folder that holds werf.yaml (usually the root of the git repository), or create one there.',
    details: { folder: dir, subfolders: subfolders.join('\n') },
  });
}
