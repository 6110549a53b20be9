import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGitInfo } from './git-info';

let base: string;
const savedCeiling = process.env.GIT_CEILING_DIRECTORIES;

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_DATE: '2024-01-02T03:04:05+02:00',
  GIT_COMMITTER_DATE: '2024-01-02T03:04:05+02:00',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

function newRepo(name: string, branch = 'main'): string {
  const dir = join(base, name);
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', branch);
  git(dir, 'config', 'user.name', 'Stowage Test');
  git(dir, 'config', 'user.email', 'test@example.invalid');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'config', 'tag.gpgsign', 'false');
  return dir;
}

function commit(dir: string, message: string, date?: string): string {
  writeFileSync(join(dir, 'file.txt'), `${message}\n`);
  git(dir, 'add', 'file.txt');
  if (date) execFileSync('git', ['commit', '-q', '-m', message], { cwd: dir, env: { ...GIT_ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } });
  else git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-git-info-')));
  // Never let git find a repository above the temporary folder.
  process.env.GIT_CEILING_DIRECTORIES = realpathSync(tmpdir());
});

afterAll(() => {
  if (savedCeiling === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
  else process.env.GIT_CEILING_DIRECTORIES = savedCeiling;
  rmSync(base, { recursive: true, force: true });
});

describe('readGitInfo', () => {
  it('reads branch, full commit hash and committer date; no tag when none points at HEAD', async () => {
    const dir = newRepo('plain');
    const first = commit(dir, 'first', '2023-05-06T07:08:09+00:00');
    git(dir, 'tag', 'v0.1.0', first);
    const head = commit(dir, 'second', '2024-02-03T04:05:06+03:00');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(await readGitInfo(dir)).toEqual({ branch: 'main', tag: null, commit: head, commitDate: '2024-02-03T04:05:06+03:00' });
  });

  it('reads a branch name with a slash', async () => {
    const dir = newRepo('slash');
    const head = commit(dir, 'first');
    git(dir, 'checkout', '-q', '-b', 'feature/ABC_1');
    const info = await readGitInfo(dir);
    expect(info).toEqual({ branch: 'feature/ABC_1', tag: null, commit: head, commitDate: '2024-01-02T03:04:05+02:00' });
  });

  it('reads a lightweight tag pointing at HEAD', async () => {
    const dir = newRepo('light');
    const head = commit(dir, 'first');
    git(dir, 'tag', 'v1.2.3');
    expect(await readGitInfo(dir)).toMatchObject({ branch: 'main', tag: 'v1.2.3', commit: head });
  });

  it('reads an annotated tag pointing at HEAD as the tag name, not the tag object', async () => {
    const dir = newRepo('annotated');
    const head = commit(dir, 'first');
    git(dir, 'tag', '-a', 'release/2024.1', '-m', 'release');
    const info = await readGitInfo(dir);
    expect(info?.tag).toBe('release/2024.1');
    expect(info?.commit).toBe(head);
  });

  it('reports a detached HEAD with no branch but with the commit and its tag', async () => {
    const dir = newRepo('detached');
    const first = commit(dir, 'first', '2022-01-01T00:00:00+00:00');
    git(dir, 'tag', 'v1');
    commit(dir, 'second');
    git(dir, 'checkout', '-q', '--detach', first);
    expect(await readGitInfo(dir)).toEqual({ branch: null, tag: 'v1', commit: first, commitDate: '2022-01-01T00:00:00+00:00' });
  });

  it('works from a subfolder of the work tree', async () => {
    const dir = newRepo('nested');
    const head = commit(dir, 'first');
    const sub = join(dir, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    expect(await readGitInfo(sub)).toMatchObject({ branch: 'main', commit: head });
  });

  it('reads the branch of a repository with no commits, and nothing else', async () => {
    const dir = newRepo('empty', 'develop');
    expect(await readGitInfo(dir)).toEqual({ branch: 'develop', tag: null, commit: null, commitDate: null });
  });

  it('returns null for a folder that is not in a git repository', async () => {
    const dir = join(base, 'not-a-repo');
    mkdirSync(dir);
    writeFileSync(join(dir, 'werf.yaml'), 'project: x\n');
    await expect(readGitInfo(dir)).resolves.toBeNull();
  });

  it('returns null for a folder that does not exist', async () => {
    await expect(readGitInfo(join(base, 'missing', 'deeper'))).resolves.toBeNull();
  });

  it('returns null when already aborted', async () => {
    const dir = newRepo('aborted');
    commit(dir, 'first');
    const controller = new AbortController();
    controller.abort();
    await expect(readGitInfo(dir, controller.signal)).resolves.toBeNull();
  });

  it('reports the branch name even when a tag has the same name', async () => {
    const dir = newRepo('ambiguous');
    const head = commit(dir, 'first');
    git(dir, 'checkout', '-q', '-b', 'release');
    commit(dir, 'second');
    git(dir, 'tag', 'release', head);
    const info = await readGitInfo(dir);
    expect(info).not.toBeNull();
    expect(info?.tag).toBeNull();
    expect(info?.commit).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(info?.branch).toBe('release');
  });
});
