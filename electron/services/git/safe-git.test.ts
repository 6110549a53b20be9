import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGitInfo, readUncommitted } from '../git-info';
import { configKeys, overridesFor, readsRefsOnly, runGit } from './safe-git';

// Each vector writes a marker file when git runs the program the repository names. The runner must
// leave every marker uncreated; each test first shows that plain git does run it, so the test fails
// when the neutralisation stops working rather than when git changes.

let base: string;
const savedCeiling = process.env.GIT_CEILING_DIRECTORIES;
const PLAIN_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_DATE: '2024-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2024-01-02T03:04:05Z' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: PLAIN_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Plain git, as a project would be opened before the fix; failures are fine (the marker is the point). */
function plainGit(cwd: string, ...args: string[]): void {
  try {
    execFileSync('git', args, { cwd, env: PLAIN_ENV, stdio: 'ignore', timeout: 5000 });
  } catch {
    // only the side effect matters
  }
}

let counter = 0;
function repo(): { dir: string; marker: string } {
  const dir = join(base, `r${++counter}`);
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'T');
  git(dir, 'config', 'user.email', 't@example.invalid');
  writeFileSync(join(dir, '.gitattributes'), 'data.txt filter=evil diff=evil merge=evil\n');
  writeFileSync(join(dir, 'data.txt'), 'one\n');
  writeFileSync(join(dir, 'werf.yaml'), 'project: x\nconfigVersion: 1\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  return { dir, marker: join(base, `pwned-${counter}`) };
}

/** Same size, new mtime: status has to hash the file, which runs the clean filter. */
function touchModified(dir: string): void {
  writeFileSync(join(dir, 'data.txt'), 'two\n');
  const t = new Date(Date.now() + 5000);
  utimesSync(join(dir, 'data.txt'), t, t);
}

function consume(marker: string): boolean {
  const there = existsSync(marker);
  rmSync(marker, { force: true });
  return there;
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-safe-git-')));
  process.env.GIT_CEILING_DIRECTORIES = realpathSync(tmpdir());
});

afterAll(() => {
  if (savedCeiling === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
  else process.env.GIT_CEILING_DIRECTORIES = savedCeiling;
  rmSync(base, { recursive: true, force: true });
});

describe('runGit neutralises programs a repository names', () => {
  it('core.fsmonitor: status and the project reads run without it', async () => {
    const { dir, marker } = repo();
    git(dir, 'config', 'core.fsmonitor', `touch ${marker}; echo`);
    touchModified(dir);
    plainGit(dir, 'status', '--porcelain');
    expect(consume(marker)).toBe(true);

    const status = await runGit(['status', '--porcelain'], { cwd: dir });
    expect(status).toEqual({ ok: true, stdout: ' M data.txt\n' });
    expect(await readUncommitted(dir)).toEqual(new Map([['data.txt', 'changed']]));
    expect(await readGitInfo(dir)).toMatchObject({ branch: 'main' });
    expect(existsSync(marker)).toBe(false);
  });

  it('filter clean, smudge and process drivers', async () => {
    const { dir, marker } = repo();
    git(dir, 'config', 'filter.evil.clean', `touch ${marker}; cat`);
    git(dir, 'config', 'filter.evil.smudge', `touch ${marker}; cat`);
    touchModified(dir);
    plainGit(dir, 'status', '--porcelain');
    expect(consume(marker)).toBe(true);
    expect((await runGit(['status', '--porcelain'], { cwd: dir })).ok).toBe(true);
    expect(await readUncommitted(dir)).toEqual(new Map([['data.txt', 'changed']]));
    expect((await runGit(['show', 'HEAD:data.txt'], { cwd: dir })).ok).toBe(true);
    expect(existsSync(marker)).toBe(false);

    git(dir, 'config', 'filter.evil.process', `touch ${marker}`);
    touchModified(dir);
    plainGit(dir, 'status', '--porcelain');
    expect(consume(marker)).toBe(true);
    expect(await readUncommitted(dir)).toEqual(new Map([['data.txt', 'changed']]));
    expect(existsSync(marker)).toBe(false);
  });

  it('a filter defined in a file the config includes', async () => {
    const { dir, marker } = repo();
    writeFileSync(join(dir, '.git', 'more.config'), `[filter "evil"]\n\tclean = touch ${marker}; cat\n`);
    git(dir, 'config', 'include.path', 'more.config');
    touchModified(dir);
    plainGit(dir, 'status', '--porcelain');
    expect(consume(marker)).toBe(true);
    expect(await readUncommitted(dir)).toEqual(new Map([['data.txt', 'changed']]));
    expect(existsSync(marker)).toBe(false);
  });

  it('diff.external and textconv drivers for diff, log -p and show', async () => {
    const { dir, marker } = repo();
    git(dir, 'config', 'diff.external', `sh -c 'touch ${marker}'`);
    git(dir, 'config', 'diff.evil.textconv', `touch ${marker}; cat`);
    git(dir, 'config', 'diff.evil.command', `touch ${marker}; true`);
    writeFileSync(join(dir, 'data.txt'), 'changed\n');
    git(dir, 'commit', '-qam', 'second');
    writeFileSync(join(dir, 'data.txt'), 'changed again\n');
    plainGit(dir, 'diff');
    expect(consume(marker)).toBe(true);
    plainGit(dir, 'log', '-p');
    expect(consume(marker)).toBe(true);

    const diff = await runGit(['diff'], { cwd: dir });
    expect(diff.ok && diff.stdout).toContain('+changed again');
    const log = await runGit(['log', '-p', '--format=%s'], { cwd: dir });
    expect(log.ok && log.stdout).toContain('second');
    expect((await runGit(['show', 'HEAD'], { cwd: dir })).ok).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('core.sshCommand, core.gitProxy and remote upload-pack: no transport runs', async () => {
    const { dir, marker } = repo();
    git(dir, 'config', 'core.sshCommand', `touch ${marker}; false`);
    git(dir, 'remote', 'add', 'origin', 'ssh://git@127.0.0.1:1/x.git');
    plainGit(dir, 'ls-remote', 'origin');
    expect(consume(marker)).toBe(true);
    const result = await runGit(['ls-remote', 'origin'], { cwd: dir });
    expect(result.ok).toBe(false);
    expect(existsSync(marker)).toBe(false);

    git(dir, 'config', 'remote.local.url', base);
    git(dir, 'config', 'remote.local.uploadpack', `touch ${marker}; false`);
    plainGit(dir, 'ls-remote', 'local');
    expect(consume(marker)).toBe(true);
    expect((await runGit(['ls-remote', 'local'], { cwd: dir })).ok).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  it('hooks (core.hooksPath and .git/hooks)', async () => {
    const { dir, marker } = repo();
    const hooks = join(dir, 'myhooks');
    mkdirSync(hooks);
    for (const folder of [hooks, join(dir, '.git', 'hooks')]) {
      writeFileSync(join(folder, 'post-checkout'), `#!/bin/sh\ntouch ${marker}\n`);
      chmodSync(join(folder, 'post-checkout'), 0o755);
    }
    git(dir, 'config', 'core.hooksPath', hooks);
    plainGit(dir, 'checkout', '-q', '-b', 'a');
    expect(consume(marker)).toBe(true);
    expect((await runGit(['checkout', '-q', '-b', 'b'], { cwd: dir })).ok).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('gpg.program when a log shows signatures', async () => {
    const { dir, marker } = repo();
    git(dir, 'config', 'gpg.program', `${join(dir, 'gpg.sh')}`);
    writeFileSync(join(dir, 'gpg.sh'), `#!/bin/sh\ntouch ${marker}\nexit 1\n`);
    chmodSync(join(dir, 'gpg.sh'), 0o755);
    // A commit carrying a (fake) signature makes `log --show-signature` call the verifier.
    const tree = git(dir, 'rev-parse', 'HEAD^{tree}');
    const body = `tree ${tree}\nauthor T <t@example.invalid> 1700000000 +0000\ncommitter T <t@example.invalid> 1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----\n\nsigned\n`;
    const signed = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], { cwd: dir, env: PLAIN_ENV, input: body, encoding: 'utf8' }).trim();
    plainGit(dir, 'log', '--show-signature', '-1', signed);
    expect(consume(marker)).toBe(true);
    const log = await runGit(['log', '--show-signature', '-1', '--format=%s', signed], { cwd: dir });
    expect(log.ok && log.stdout).toContain('signed');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('ref reads without the configuration listing', () => {
  it('readGitInfo runs nothing a repository names, with every pattern-keyed program set', async () => {
    const { dir, marker } = repo();
    const run = `touch ${marker}; cat`;
    for (const key of ['filter.evil.clean', 'filter.evil.smudge', 'filter.evil.process', 'diff.evil.textconv', 'diff.evil.command', 'merge.evil.driver', 'pager.show', 'pager.describe', 'pager.symbolic-ref', 'credential.https://h.helper', 'submodule.x.update']) {
      git(dir, 'config', key, run);
    }
    git(dir, 'config', 'filter.evil.required', 'true');
    git(dir, 'config', 'log.showSignature', 'true');
    git(dir, 'config', 'gpg.program', join(dir, 'gpg.sh'));
    writeFileSync(join(dir, 'gpg.sh'), `#!/bin/sh\ntouch ${marker}\nexit 1\n`);
    chmodSync(join(dir, 'gpg.sh'), 0o755);
    git(dir, 'tag', '-a', 'v1', '-m', 'one');
    touchModified(dir);
    // The vectors are live: plain git's own status runs the clean filter.
    plainGit(dir, 'status', '--porcelain');
    expect(consume(marker)).toBe(true);

    const head = git(dir, 'rev-parse', 'HEAD');
    expect(await readGitInfo(dir)).toEqual({ branch: 'main', tag: 'v1', commit: head, commitDate: '2024-01-02T03:04:05+00:00' });
    expect(existsSync(marker)).toBe(false);
  });

  it('reads refs of a repository whose configuration names too many programs for the other commands', async () => {
    const { dir } = repo();
    const lines = Array.from({ length: 2100 }, (_, i) => `[filter "f${i}"]\n\tclean = cat\n`).join('');
    writeFileSync(join(dir, '.git', 'config'), `${readFileSync(join(dir, '.git', 'config'), 'utf8')}${lines}`);
    expect(await runGit(['status', '--porcelain'], { cwd: dir })).toMatchObject({ ok: false, error: { code: 'git-config-refused' } });
    expect(await readGitInfo(dir)).toMatchObject({ branch: 'main', commit: git(dir, 'rev-parse', 'HEAD') });
  });

  it('only reads qualify', () => {
    expect(readsRefsOnly(['rev-parse', '--verify', '-q', 'HEAD'])).toBe(true);
    expect(readsRefsOnly(['symbolic-ref', '-q', 'HEAD'])).toBe(true);
    expect(readsRefsOnly(['symbolic-ref', 'HEAD', 'refs/heads/x'])).toBe(false);
    expect(readsRefsOnly(['symbolic-ref', '-d', 'HEAD'])).toBe(false);
    expect(readsRefsOnly(['describe', '--tags', '--exact-match', 'HEAD'])).toBe(true);
    expect(readsRefsOnly(['describe', '--dirty'])).toBe(false);
    expect(readsRefsOnly(['describe', '--broken=-x'])).toBe(false);
    expect(readsRefsOnly(['show', '-s', '--no-show-signature', '--format=%H', 'HEAD'])).toBe(true);
    expect(readsRefsOnly(['show', 'HEAD'])).toBe(false);
    expect(readsRefsOnly(['show', '-s', 'HEAD'])).toBe(false);
    expect(readsRefsOnly(['status', '--porcelain'])).toBe(false);
    expect(readsRefsOnly(['log', '-1'])).toBe(false);
  });
});

describe('runGit limits and errors as data', () => {
  it('fails on a non-zero exit with the exit code and the first stderr line', async () => {
    const { dir } = repo();
    const result = await runGit(['rev-parse', '--verify', 'no-such-ref'], { cwd: dir });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('git-failed');
      expect(result.error.exitCode).toBe(128);
      expect(result.error.message).toContain('rev-parse');
    }
  });

  it('caps the output', async () => {
    const { dir } = repo();
    for (let i = 0; i < 30; i++) writeFileSync(join(dir, `f${i}.txt`), 'x'.repeat(2000) + i);
    const result = await runGit(['status', '--porcelain', '--untracked-files=all'], { cwd: dir, maxOutputBytes: 100 });
    expect(result).toMatchObject({ ok: false, error: { code: 'git-output-too-large' } });
  });

  it('stops a git that runs past its timeout', async () => {
    const { dir } = repo();
    // No git run (two processes) fits in 1 ms; the point is that the budget ends the call.
    const started = Date.now();
    const result = await runGit(['log'], { cwd: dir, timeoutMs: 1 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ ok: false, error: { code: 'git-timeout' } });
  });

  it('reports cancellation', async () => {
    const { dir } = repo();
    const controller = new AbortController();
    controller.abort();
    expect(await runGit(['status'], { cwd: dir, signal: controller.signal })).toMatchObject({ ok: false, error: { code: 'git-aborted' } });
  });

  it('never writes the index lock nor the index when reading status', async () => {
    const { dir } = repo();
    touchModified(dir);
    const before = readdirSync(join(dir, '.git'));
    await runGit(['status', '--porcelain'], { cwd: dir });
    expect(readdirSync(join(dir, '.git'))).toEqual(before);
  });
});

describe('overridesFor', () => {
  it('finds repository-named drivers in a config listing and keeps the fixed keys', () => {
    const keys = configKeys('core.bare\nfalse\0filter.lfs.clean\ngit-lfs clean\0diff.Evil.textconv\nx\0pager.log\nless\0credential.https://h.helper\nx\0user.name\nT\0');
    const overrides = new Map(overridesFor(keys));
    expect(overrides.get('filter.lfs.clean')).toBe('');
    expect(overrides.get('diff.Evil.textconv')).toBe('');
    expect(overrides.get('pager.log')).toBe('false');
    expect(overrides.get('credential.https://h.helper')).toBe('');
    expect(overrides.get('core.fsmonitor')).toBe('false');
    expect(overrides.has('user.name')).toBe(false);
  });
});
