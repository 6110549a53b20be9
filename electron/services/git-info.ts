import type { GitInfo } from '../../shared/api/types';
import { gitText, runGit } from './git/safe-git';

const GIT_TIMEOUT_MS = 3000;
// Stowage runs `git status` on every reload; it must never take .git/index.lock from under the
// user's own `git commit`: the safe runner sets GIT_OPTIONAL_LOCKS=0, which skips the
// opportunistic index refresh. It also keeps the project's .git/config from running anything.

async function gitRaw(cwd: string, args: string[], signal?: AbortSignal): Promise<string | null> {
  const result = await runGit(args, { cwd, timeoutMs: GIT_TIMEOUT_MS, ...(signal ? { signal } : {}) });
  return result.ok ? result.stdout : null;
}

function git(cwd: string, args: string[], signal?: AbortSignal): Promise<string | null> {
  return gitText(args, { cwd, timeoutMs: GIT_TIMEOUT_MS, ...(signal ? { signal } : {}) });
}

export type WorkTreeState = 'changed' | 'untracked' | 'ignored';

/**
 * What in the project folder differs from the HEAD commit, as project-relative paths; directories
 * git reports whole (an ignored `node_modules/`) end with `/`. Null outside a git work tree.
 */
export async function readUncommitted(dir: string, signal?: AbortSignal): Promise<Map<string, WorkTreeState> | null> {
  const prefix = await git(dir, ['rev-parse', '--show-prefix'], signal);
  if (prefix === null) return null;
  const raw = await gitRaw(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignored=matching', '--ignore-submodules=all', '--', '.'], signal);
  if (raw === null) return null;
  const out = new Map<string, WorkTreeState>();
  const entries = raw.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length < 4) continue;
    const xy = entry.slice(0, 2);
    // Porcelain paths are relative to the repository root; a rename is followed by its old path.
    if (xy[0] === 'R' || xy[0] === 'C') i++;
    const path = entry.slice(3);
    if (!path.startsWith(prefix)) continue;
    out.set(path.slice(prefix.length), xy === '??' ? 'untracked' : xy === '!!' ? 'ignored' : 'changed');
  }
  return out;
}

/** The state of one project-relative file in that map, looking at directories reported whole. */
export function workTreeStateOf(states: ReadonlyMap<string, WorkTreeState>, path: string): WorkTreeState | undefined {
  const exact = states.get(path);
  if (exact) return exact;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const dirState = states.get(path.slice(0, i + 1));
    if (dirState) return dirState;
  }
  return undefined;
}

/**
 * Branch, exact tag and commit of the project's work tree, used to prefill the tagging strategies.
 * Null when the folder is not in a git repository or git is missing: prefill is a convenience.
 */
export async function readGitInfo(dir: string, signal?: AbortSignal): Promise<GitInfo | null> {
  const commit = await git(dir, ['rev-parse', '--verify', '-q', 'HEAD'], signal);
  if (commit === null) {
    const inside = await git(dir, ['rev-parse', '--is-inside-work-tree'], signal);
    return inside === 'true' ? { branch: await currentBranch(dir, signal), tag: null, commit: null, commitDate: null } : null;
  }
  const [branch, tag, date] = await Promise.all([
    currentBranch(dir, signal),
    git(dir, ['describe', '--tags', '--exact-match', 'HEAD'], signal),
    git(dir, ['show', '-s', '--format=%cI', 'HEAD'], signal),
  ]);
  return { branch, tag: tag || null, commit: commit || null, commitDate: date || null };
}

async function currentBranch(dir: string, signal?: AbortSignal): Promise<string | null> {
  // symbolic-ref works on an unborn branch too; a detached HEAD has no branch. Not --short: it
  // turns the name into `heads/release` when a tag is also called `release`.
  const ref = await git(dir, ['symbolic-ref', '-q', 'HEAD'], signal);
  if (!ref) return null;
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) || null : ref;
}
