import { resolve } from 'node:path';
import { readGitInfo, readUncommitted, type GitFields } from '../services/git-info';
import type { GitReadUnderway } from '../services/project/in-process-load';

/** A read of the project's git state that the CLI started before loading the command's code. */
export interface EarlyGitRead extends GitReadUnderway {
  dir: string;
}

let pending: EarlyGitRead | null = null;

/**
 * Starts reading the project folder's git state now (start-up, issue #16): branch, tag and commit
 * and, with `fields: 'all'`, which files are uncommitted. Its git processes then run while the
 * main thread compiles the loader's code, instead of after it. The same safe runner as every git
 * call (electron/services/git/safe-git.ts), and nothing is read from the folder itself here; a
 * folder that is not one makes git fail, which reads as "no git". `fields: 'commit'` is `render`'s:
 * the commit alone (templates read `.Commit`), no status.
 */
export function startGitRead(dirInput: string, fields: GitFields = 'all'): void {
  const dir = resolve(dirInput);
  const controller = new AbortController();
  pending?.stop();
  pending = {
    dir,
    info: readGitInfo(dir, controller.signal, fields).catch(() => null),
    ...(fields === 'all' ? { uncommitted: readUncommitted(dir, controller.signal).catch(() => null) } : {}),
    stop: () => controller.abort(),
  };
}

/** The read started for `dir`, once (the next load of the process reads git itself). */
export function takeGitRead(dirInput: string): EarlyGitRead | undefined {
  const dir = resolve(dirInput);
  if (!pending || pending.dir !== dir) return undefined;
  const read = pending;
  pending = null;
  return read;
}
