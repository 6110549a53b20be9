import { readdirSync, realpathSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { isInside } from './inside-project';

/** What a load depends on: the files it read and, in a git work tree, where git keeps its state. */
export interface WatchPlan {
  projectDir: string;
  /** Project-relative paths (POSIX) of every file the load read or looked for. */
  inputs: readonly string[];
  /** Names in the project folder whose appearance changes the load (werf.yaml, werf.yml, .werf). */
  rootNames: readonly string[];
  /** Project-relative folders whose whole subtree holds inputs (`.werf`), watched a bounded depth down. */
  trees: readonly string[];
  git: { gitDir: string; commonDir: string } | null;
}

export type WatchReason = 'files' | 'git';

export interface ProjectWatcherOptions {
  debounceMs?: number;
  /**
   * At most this many folders are watched (one inotify watch each): a project whose templates read
   * files all over a huge tree still costs a bounded number, and loses live refresh only for the rest.
   */
  maxDirectories?: number;
}

const DEFAULT_DEBOUNCE_MS = 150;
const DEFAULT_MAX_DIRECTORIES = 128;
const MAX_TREE_DEPTH = 4;
// Shares of the folder budget, so neither a repository with hundreds of branch folders nor a deep
// `.werf` can crowd out the folders of the files the render read. A commit still shows through the
// index, whichever ref folder it wrote.
const MAX_REF_FOLDERS = 32;
const MAX_TREE_FOLDERS = 48;
// HEAD moves on checkout and commit, the index on add/commit/reset, packed-refs on gc and fetch.
// Lock files come and go around each of these; the rename that follows is what counts.
const GIT_DIR_NAMES = ['HEAD', 'index', 'packed-refs'];
const GIT_REF_TREES = ['refs/heads', 'refs/tags'];

type Accept = Set<string> | 'any';

/**
 * Watches what the open project's view was computed from, the way GitHub Desktop notices a commit
 * made in a terminal: the folders holding the files the render read (not the project tree: editors
 * save by renaming, and a folder watch sees that), `.werf`, and git's HEAD, index and refs.
 * Calls back once per burst of changes. Symbolic links that leave the project are not followed.
 */
export class ProjectWatcher {
  private readonly watchers = new Map<string, { watcher: FSWatcher; accept: Accept; reason: WatchReason }>();
  private timer: NodeJS.Timeout | null = null;
  private pending = new Set<WatchReason>();
  private closed = false;
  private readonly debounceMs: number;
  private readonly maxDirectories: number;

  constructor(
    private readonly onChange: (reasons: ReadonlySet<WatchReason>) => void,
    options: ProjectWatcherOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.maxDirectories = options.maxDirectories ?? DEFAULT_MAX_DIRECTORIES;
  }

  /** The folders being watched now (absolute), for tests and diagnostics. */
  get directories(): string[] {
    return [...this.watchers.keys()].sort();
  }

  /** Watches what `plan` names and stops watching what it no longer does. */
  update(plan: WatchPlan): void {
    if (this.closed) return;
    const wanted = desiredWatches(plan, this.maxDirectories);
    for (const [dir, entry] of this.watchers) {
      const next = wanted.get(dir);
      if (!next || !sameAccept(next.accept, entry.accept)) {
        entry.watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const [dir, want] of wanted) {
      if (this.watchers.has(dir)) continue;
      const watcher = this.open(dir, want.accept, want.reason);
      if (watcher) this.watchers.set(dir, { watcher, accept: want.accept, reason: want.reason });
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private open(dir: string, accept: Accept, reason: WatchReason): FSWatcher | null {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        const file = name === null ? null : String(name);
        if (file !== null && file.endsWith('.lock')) return;
        if (accept === 'any' || file === null || accept.has(file)) this.schedule(reason);
      });
      // A folder that disappears (a branch folder under refs/heads) only ends its own watch.
      watcher.on('error', () => {
        watcher.close();
        if (this.watchers.get(dir)?.watcher === watcher) this.watchers.delete(dir);
      });
      return watcher;
    } catch {
      // A folder that cannot be watched only loses live refresh; Reload still works.
      return null;
    }
  }

  private schedule(reason: WatchReason): void {
    if (this.closed) return;
    this.pending.add(reason);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const reasons = this.pending;
      this.pending = new Set();
      if (!this.closed) this.onChange(reasons);
    }, this.debounceMs);
  }
}

function sameAccept(a: Accept, b: Accept): boolean {
  if (a === 'any' || b === 'any') return a === b;
  return a.size === b.size && [...a].every((n) => b.has(n));
}

/** Folder → which names in it matter. Pure apart from resolving real paths and listing `.werf`. */
export function desiredWatches(plan: WatchPlan, maxDirectories: number): Map<string, { accept: Accept; reason: WatchReason }> {
  const out = new Map<string, { accept: Accept; reason: WatchReason }>();
  let root: string;
  try {
    root = realpathSync(plan.projectDir);
  } catch {
    return out;
  }
  const add = (dir: string, name: string | 'any', reason: WatchReason) => {
    const entry = out.get(dir);
    if (!entry) {
      if (out.size >= maxDirectories) return;
      out.set(dir, { accept: name === 'any' ? 'any' : new Set([name]), reason });
    } else if (entry.accept !== 'any') {
      if (name === 'any') entry.accept = 'any';
      else entry.accept.add(name);
    }
  };

  // git first: a commit is the change users expect to see at once, whatever the project's size.
  if (plan.git) {
    for (const name of GIT_DIR_NAMES) add(plan.git.gitDir, name, 'git');
    add(plan.git.commonDir, 'packed-refs', 'git');
    for (const tree of GIT_REF_TREES) {
      for (const dir of subfolders(join(plan.git.commonDir, tree), MAX_TREE_DEPTH, Math.min(MAX_REF_FOLDERS, maxDirectories))) add(dir, 'any', 'git');
    }
  }
  for (const name of plan.rootNames) add(root, name, 'files');
  for (const tree of plan.trees) {
    const start = insideReal(root, tree);
    if (start) for (const dir of subfolders(start, MAX_TREE_DEPTH, Math.min(MAX_TREE_FOLDERS, maxDirectories))) add(dir, 'any', 'files');
  }
  for (const input of plan.inputs) {
    const at = nearestExisting(root, input);
    if (at) add(at.dir, at.name, 'files');
  }
  return out;
}

/**
 * The folder to watch for a project-relative file and the name to look for in it: its own folder,
 * or the nearest existing one above it when it does not exist yet. Null when that folder's real
 * path leaves the project (a symbolic link out of it is not followed).
 */
function nearestExisting(root: string, relPath: string): { dir: string; name: string } | null {
  const segments = relPath.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return null;
  for (let depth = segments.length - 1; depth >= 0; depth--) {
    const dir = insideReal(root, segments.slice(0, depth).join('/'));
    if (dir) return { dir, name: segments[depth]! };
    if (dir === null) return null;
  }
  return null;
}

/** The real path of a project-relative folder; undefined when missing, null when it leaves the project. */
function insideReal(root: string, relDir: string): string | null | undefined {
  let real: string;
  try {
    real = realpathSync(relDir ? join(root, relDir) : root);
  } catch {
    return undefined;
  }
  return isInside(root, real) ? real : null;
}

/** `start` and the folders below it, breadth first, without following links, bounded in depth and count. */
function subfolders(start: string, maxDepth: number, maxCount: number): string[] {
  const found: string[] = [];
  let level = [start];
  for (let depth = 0; depth <= maxDepth && level.length > 0 && found.length < maxCount; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      if (found.length >= maxCount) break;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      found.push(dir);
      for (const e of entries) if (e.isDirectory()) next.push(join(dir, e.name));
    }
    level = next;
  }
  return found;
}
