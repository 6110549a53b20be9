import type { GitInfo } from '../../shared/api/types';
import { openGitSession } from './git/safe-git';

const GIT_TIMEOUT_MS = 3000;
// Stowage runs `git status` on every reload; it must never take .git/index.lock from under the
// user's own `git commit`: the safe runner sets GIT_OPTIONAL_LOCKS=0, which skips the
// opportunistic index refresh. It also keeps the project's .git/config from running anything.

/** Each read below opens one session: the repository's configuration is listed once per read. */
function session(cwd: string, signal?: AbortSignal): { raw: (args: string[]) => Promise<string | null>; text: (args: string[]) => Promise<string | null> } {
  const git = openGitSession(cwd);
  const options = { timeoutMs: GIT_TIMEOUT_MS, ...(signal ? { signal } : {}) };
  return {
    raw: async (args) => {
      const result = await git.run(args, options);
      return result.ok ? result.stdout : null;
    },
    text: (args) => git.text(args, options),
  };
}

export type WorkTreeState = 'changed' | 'untracked' | 'ignored';

/**
 * What in the project folder differs from the HEAD commit, as project-relative paths; directories
 * git reports whole (an ignored `node_modules/`) end with `/`. Null outside a git work tree.
 */
export async function readUncommitted(dir: string, signal?: AbortSignal): Promise<Map<string, WorkTreeState> | null> {
  const git = session(dir, signal);
  // Side by side: outside a repository both fail, and the status is only filtered by the prefix.
  const [prefix, raw] = await Promise.all([
    git.text(['rev-parse', '--show-prefix']),
    git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignored=matching', '--ignore-submodules=all', '--', '.']),
  ]);
  if (prefix === null || raw === null) return null;
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

/** What a caller needs: everything, or only the commit and its date (what templates read, `.Commit`). */
export type GitFields = 'all' | 'commit';

/**
 * Branch, exact tag and commit of the project's work tree, used to prefill the tagging strategies.
 * Null when the folder is not in a git repository or git is missing: prefill is a convenience.
 * `fields: 'commit'` reads only the commit and its date, and is null without a commit; branch and
 * tag are then null as unread. Ref reads need no configuration listing (see safe-git's
 * readsRefsOnly): one process (two with the tag) in one round, more only without a commit.
 */
export async function readGitInfo(dir: string, signal?: AbortSignal, fields: GitFields = 'all'): Promise<GitInfo | null> {
  const git = session(dir, signal);
  // The decoration says which branch HEAD is on (`HEAD -> refs/heads/x`); the --decorate-refs
  // patterns also override the repository's log.excludeDecoration.
  const show = ['show', '-s', '--no-show-signature', '--decorate=full', '--decorate-refs=HEAD', '--decorate-refs=refs/heads/', '--format=%H%n%cI%n%D', 'HEAD'];
  const [shown, tag] = await Promise.all([
    git.text(show),
    fields === 'all' ? git.text(['describe', '--tags', '--exact-match', 'HEAD']) : Promise.resolve(null),
  ]);
  if (shown) {
    const [commit, date, decoration] = shown.split('\n');
    return { branch: fields === 'all' ? headBranch(decoration ?? '') : null, tag: tag || null, commit: commit || null, commitDate: date || null };
  }
  if (fields === 'commit') return null;
  // No commit: an unborn branch (symbolic-ref still names it), a HEAD that names nothing, or no repository.
  const branch = await currentBranch(git);
  if (branch !== null) return { branch, tag: null, commit: null, commitDate: null };
  const inside = await git.text(['rev-parse', '--is-inside-work-tree']);
  return inside === 'true' ? { branch: null, tag: null, commit: null, commitDate: null } : null;
}

/** The branch in a full decoration (`HEAD -> refs/heads/main, refs/heads/other`); a detached HEAD has none. Ref names hold no spaces. */
function headBranch(decoration: string): string | null {
  const head = decoration.split(', ').find((d) => d.startsWith('HEAD -> '));
  const ref = head?.slice('HEAD -> '.length);
  return ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) || null : null;
}

async function currentBranch(git: { text: (args: string[]) => Promise<string | null> }): Promise<string | null> {
  // symbolic-ref works on an unborn branch too; a detached HEAD has no branch. Not --short: it
  // turns the name into `heads/release` when a tag is also called `release`.
  const ref = await git.text(['symbolic-ref', '-q', 'HEAD']);
  if (!ref) return null;
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) || null : ref;
}

/**
 * Where git keeps this work tree's state, for watching it: `gitDir` holds HEAD and the index (per
 * worktree), `commonDir` the refs and packed-refs (shared by linked worktrees). Null outside git.
 */
export async function readGitDirs(dir: string, signal?: AbortSignal): Promise<{ gitDir: string; commonDir: string } | null> {
  const git = session(dir, signal);
  const out = await git.text(['rev-parse', '--absolute-git-dir', '--path-format=absolute', '--git-common-dir']);
  if (!out) return null;
  const [gitDir, commonDir] = out.split('\n').map((l) => l.trim());
  return gitDir && commonDir ? { gitDir, commonDir } : null;
}
