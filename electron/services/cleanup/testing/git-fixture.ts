import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real git repositories for cleanup tests: a bare `origin` and a clone, commits with fixed dates,
 * branches and tags created, moved and deleted on origin, then fetched with --prune, as a CI
 * checkout would see them. Test-only; git runs here with no user or system configuration.
 */
export class GitFixture {
  readonly root: string;
  readonly origin: string;
  readonly work: string;
  private counter = 0;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'stowage-git-'));
    this.origin = join(this.root, 'origin.git');
    this.work = join(this.root, 'work');
    this.git(this.root, ['init', '-q', '--bare', '-b', 'main', this.origin]);
    this.git(this.root, ['init', '-q', '-b', 'main', this.work]);
    this.git(this.work, ['remote', 'add', 'origin', this.origin]);
  }

  git(cwd: string, args: string[], date?: string): string {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.root,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.invalid',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.invalid',
      LC_ALL: 'C',
    };
    if (date) {
      env.GIT_AUTHOR_DATE = date;
      env.GIT_COMMITTER_DATE = date;
    }
    return execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }

  /** A commit on the current branch with a fixed committer date; returns its hash. */
  commit(date: string, message = `commit ${++this.counter}`): string {
    writeFileSync(join(this.work, 'file.txt'), `${message}\n${this.counter}\n`);
    this.git(this.work, ['add', 'file.txt']);
    this.git(this.work, ['commit', '-q', '-m', message], date);
    return this.head();
  }

  head(): string {
    return this.git(this.work, ['rev-parse', 'HEAD']);
  }

  checkout(branch: string, from?: string): void {
    this.git(this.work, from ? ['checkout', '-q', '-B', branch, from] : ['checkout', '-q', branch]);
  }

  /** Pushes a local branch (or a commit) to origin's branch, moving it (forced) if it exists. */
  pushBranch(branch: string, what: string = branch): void {
    this.git(this.work, ['push', '-q', '-f', 'origin', `${what}:refs/heads/${branch}`]);
  }

  deleteRemoteBranch(branch: string): void {
    this.git(this.work, ['push', '-q', 'origin', `:refs/heads/${branch}`]);
  }

  /** Lightweight tag, or annotated with a tagger date. */
  tag(name: string, commit: string, taggerDate?: string): void {
    if (taggerDate) this.git(this.work, ['tag', '-a', '-m', name, name, commit], taggerDate);
    else this.git(this.work, ['tag', name, commit]);
    this.git(this.work, ['push', '-q', 'origin', `refs/tags/${name}`]);
  }

  deleteTag(name: string): void {
    this.git(this.work, ['tag', '-d', name]);
    this.git(this.work, ['push', '-q', 'origin', `:refs/tags/${name}`]);
  }

  /** What `git fetch --prune` leaves in the clone: origin's branches as refs/remotes/origin/*. */
  fetch(): void {
    this.git(this.work, ['fetch', '-q', '--prune', '--prune-tags', '--tags', 'origin']);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
