import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReadableProject } from './commands/load';
import { startGitRead, takeGitRead } from './early-git';

function gitProject(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-early-git-')));
  writeFileSync(join(dir, 'werf.yaml'), 'project: p\nconfigVersion: 1\n---\nimage: app\nfrom: alpine:{{ .Commit.Hash | trunc 7 }}\n');
  const env = { ...process.env, GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z', GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'add', '.');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'first');
  return dir;
}

describe('the git read the CLI starts before its loader code', () => {
  it('is taken once, by a load of the same folder only', async () => {
    const dir = gitProject();
    startGitRead(dir);
    expect(takeGitRead(join(dir, 'elsewhere'))).toBeUndefined();
    const read = takeGitRead(`${dir}/.`);
    expect(read?.dir).toBe(dir);
    expect(takeGitRead(dir)).toBeUndefined();
    expect(await read!.info).toMatchObject({ branch: 'main', commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  it('gives the load the same git state (and render) as a load that reads git itself', async () => {
    const dir = gitProject();
    const own = await loadReadableProject(dir);
    startGitRead(dir);
    const early = await loadReadableProject(dir);
    expect(takeGitRead(dir)).toBeUndefined();
    expect(early.git).toEqual(own.git);
    expect(early.rendered?.text).toBe(own.rendered?.text);
    expect(early.images[0]?.from).toBe(`alpine:${own.git!.commit!.slice(0, 7)}`);
  });
});
