import { execFile } from 'node:child_process';
import type { GitInfo } from '../../shared/api/types';

const GIT_TIMEOUT_MS = 3000;

function git(cwd: string, args: string[], signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      { cwd, timeout: GIT_TIMEOUT_MS, signal, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
      (error, stdout) => resolve(error ? null : stdout.trim()),
    );
  });
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
