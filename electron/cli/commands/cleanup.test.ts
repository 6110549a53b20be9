import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../e2e/services/util';
import { runCli } from '../main';

let home: string;
const saved = process.env.STOWAGE_HOME;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'stowage-cleanup-cli-'));
  process.env.STOWAGE_HOME = home;
});
afterAll(() => {
  if (saved === undefined) delete process.env.STOWAGE_HOME;
  else process.env.STOWAGE_HOME = saved;
  rmSync(home, { recursive: true, force: true });
});

describe('stowage cleanup', () => {
  it('deletes nothing unless told: neither --dry-run nor --yes is bad usage (exit 2), and so are both', async () => {
    const out = await runCli(['cleanup', '127.0.0.1:5000/app', '--without-kube']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--dry-run to see the plan .* or --yes to carry it out/);
    expect(out.stdout).toBe('');
    const both = await runCli(['cleanup', '127.0.0.1:5000/app', '--without-kube', '--dry-run', '--yes']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exclude each other/);
  });

  it('refuses a --plan file that is not an exported plan, or is for another images repo (exit 2)', async () => {
    const notJson = join(home, 'plan.txt');
    writeFileSync(notJson, 'keep: everything\n');
    const a = await runCli(['cleanup', '127.0.0.1:5000/app', '--without-kube', '--yes', '--plan', notJson]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/is not JSON/);
    const other = join(home, 'other.json');
    writeFileSync(other, JSON.stringify({ repository: '127.0.0.1:5000/other', planId: `sha256:${'2'.repeat(64)}`, tags: [] }));
    const b = await runCli(['cleanup', '127.0.0.1:5000/app', '--without-kube', '--yes', '--plan', other]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/is for 127.0.0.1:5000\/other/);
    const missing = await runCli(['cleanup', '127.0.0.1:5000/app', '--without-kube', '--yes', '--plan', join(home, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/could not be read: ENOENT/);
  });

  it('rejects bad usage with exit 2', async () => {
    expect((await runCli(['cleanup', '--dry-run'])).code).toBe(2);
    const both = await runCli(['cleanup', 'r/app', '--dry-run', '--kube-context', 'a', '--without-kube']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exclude each other/);
    expect((await runCli(['cleanup', 'r/app', '--dry-run', '--now', 'yesterday'])).code).toBe(2);
    expect((await runCli(['cleanup', 'r/app', '--dry-run', '--images-repo-mode', 'flat'])).code).toBe(2);
  });

  it('names the file and line of a bad policy file (exit 2)', async () => {
    const file = join(home, 'rules.yaml');
    writeFileSync(file, "keepNewest: 3\nkeep:\n  - '[a-'\n");
    const out = await runCli(['cleanup', '127.0.0.1:5000/app', '--dry-run', '--without-kube', '--policy', file]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`${file}:3: keep: /[a-/ is not a valid Go regular expression`);
    const missing = await runCli(['cleanup', '127.0.0.1:5000/app', '--dry-run', '--without-kube', '--policy', join(home, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/could not be read: ENOENT/);
  });

  it('exits 1 with the error document when the registry cannot be listed', async () => {
    const port = await freePort();
    const out = await runCli(['cleanup', `127.0.0.1:${port}/app`, '--dry-run', '--without-kube', '--json']);
    expect(out.code).toBe(1);
    const body = JSON.parse(out.stdout) as { error: { code: string; message: string } };
    expect(body.error.message).toContain(`127.0.0.1:${port}`);
  });

  it('is listed in the help', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/cleanup\s+Plan a cleanup/);
    expect((await runCli(['--help'])).stdout).toMatch(/restore\s+Bring back the tags a cleanup run deleted/);
    expect((await runCli(['restore', '--help'])).stdout).toContain('stowage restore <run-id|audit-file> [--tag T]... [--json]');
    expect((await runCli(['cleanup', '--help'])).stdout).toContain('--yes [--plan FILE]');
    expect((await runCli(['cleanup', '--help'])).stdout).toContain('--kube-context NAME | --without-kube');
  });
});
