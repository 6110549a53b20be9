import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './main';

function project(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-werf-version-'));
  writeFileSync(join(dir, 'werf.yaml'), text);
  return dir;
}

describe('--werf-version', () => {
  const dir = project('project: x\nconfigVersion: 1\n---\nimage: app\nfromImage: alpine:3.20\n');
  it('reads the config with the chosen release\'s rules', async () => {
    const current = await runCli(['images', dir, '--json']);
    expect(current.code).toBe(0);
    expect(JSON.parse(current.stdout).problems.map((p: { code: string }) => p.code)).toEqual(['werf-version-dependent']);
    const older = await runCli(['images', dir, '--json', '--werf-version', '2.30']);
    expect(older.code).toBe(1);
    expect(JSON.parse(older.stdout).problems.map((p: { code: string }) => p.code)).toEqual(['no-such-image']);
  });
  it('refuses a release it does not know', async () => {
    const out = await runCli(['render', dir, '--werf-version', '0.9']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('names no werf release');
  });
  it('render prints exactly the rendered bytes, without a newline of its own', async () => {
    const out = await runCli(['render', project('project: x\nconfigVersion: 1\n---\nimage: app\nfrom: {{ "alpine" }}')]);
    expect(out.stdout).toBe('project: x\nconfigVersion: 1\n---\nimage: app\nfrom: alpine');
  });
});

describe('stowage images and werf\'s order', () => {
  it('says how werf config list orders the images: Dockerfile images first', async () => {
    const dir = project('project: x\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\n---\nimage: b\ndockerfile: Dockerfile\n');
    const out = await runCli(['images', dir, '--json']);
    expect(JSON.parse(out.stdout).werfOrder).toEqual(['b', 'a']);
    expect((await runCli(['images', dir])).stdout).toContain('werf config list shows them in this order: b, a');
  });
});
