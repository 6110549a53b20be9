import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImages, startDistribution, type DistributionHandle } from '../../../../e2e/services/distribution';
import { startFaultProxy, type FaultProxy } from '../../../../e2e/services/fault-proxy';
import { makeTempDir, removeDir } from '../../../../e2e/services/util';
import { runCli } from '../../../cli/main';
import { UNKNOWN_AFTER_CRASH } from './run-report';
import { listRuns, readRunReport } from './run-store';

/**
 * A `stowage cleanup --yes` process killed (SIGKILL) after the registry carried out a delete and
 * before the answer reached it: its journal reports that tag as "unknown, check" and the rest as
 * not reached, and running the cleanup again finishes the rest (a fresh plan no longer holds the
 * tag the registry did delete; the same plan run again reports it already gone, see
 * executor.test.ts) — nothing deleted twice, nothing kept lost.
 */

const repoRoot = resolve(__dirname, '../../../..');
let reg: DistributionHandle;
let proxy: FaultProxy;
let home: string;

beforeAll(async () => {
  // The bundled CLI, built from this checkout, is what a user runs.
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--cli', '--quiet'], { cwd: repoRoot });
  reg = await startDistribution();
  proxy = await startFaultProxy(reg.url);
  home = await makeTempDir('cleanup-crash');
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await reg?.stop();
  if (home) await removeDir(home);
});

async function manifestGone(digest: string): Promise<boolean> {
  const res = await fetch(`${reg.url}/v2/svc/killed/manifests/${digest}`, { method: 'HEAD' });
  return res.status === 404;
}

describe('a cleanup process killed mid-run', () => {
  it('is reported from its journal, and a rerun settles it without deleting anything twice', async () => {
    const repo = 'svc/killed';
    const digests = await seedImages(reg.url, repo, ['a', 'b', 'c', 'latest'], { distinct: true });
    const imagesRepo = `${proxy.host}/${repo}`;
    // One request at a time, so the killed run has exactly one delete in flight.
    await writeFile(join(home, 'registry-settings.json'), JSON.stringify([{ registry: proxy.host, plainHttp: true, concurrency: 1 }]));
    const policy = join(home, 'rules.yaml');
    await writeFile(policy, "keep: ['^latest$']\n");
    const args = ['cleanup', imagesRepo, '--without-kube', '--policy', policy, '--now', '2026-12-01T00:00:00Z', '--yes', '--json'];

    // The first DELETE reaches the registry, which deletes; its answer is held back.
    proxy.setRule((r) => (r.method === 'DELETE' && r.nthOfMethod === 1 ? { kind: 'stall-after', ms: 60_000 } : null));
    const child = spawn(process.execPath, [join(repoRoot, 'bin/stowage.mjs'), ...args], { env: { ...process.env, STOWAGE_HOME: home, DOCKER_AUTH_CONFIG: '' }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
    const first = digests.get('a')!;
    for (let i = 0; i < 300 && !(await manifestGone(first)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await manifestGone(first)).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    proxy.setRule(null);

    const [run] = await listRuns(home);
    expect(run).toBeDefined();
    expect(run!.finishedAt).toBeUndefined();
    const crashed = await readRunReport(run!.auditLog);
    expect(crashed.results.map((r) => `${r.tag}:${r.outcome}`)).toEqual(['a:failed', 'b:skipped', 'c:skipped']);
    expect(crashed.results[0]!.detail).toBe(UNKNOWN_AFTER_CRASH);
    expect(crashed.results[1]!.skipReason).toBe('cancelled');

    const saved = process.env.STOWAGE_HOME;
    process.env.STOWAGE_HOME = home;
    try {
      const rerun = await runCli(args);
      expect(rerun.code).toBe(0);
      const doc = JSON.parse(rerun.stdout) as { results: { tag: string; outcome: string; detail?: string }[] };
      // The fresh plan no longer lists `a`: the registry did delete it. The rest is finished.
      expect(doc.results.map((r) => `${r.tag}:${r.outcome}`)).toEqual(['b:deleted', 'c:deleted']);
    } finally {
      if (saved === undefined) delete process.env.STOWAGE_HOME;
      else process.env.STOWAGE_HOME = saved;
    }
    const left = (await (await fetch(`${reg.url}/v2/${repo}/tags/list`)).json()) as { tags: string[] };
    expect(left.tags).toEqual(['latest']);
    expect(proxy.seen().filter((s) => s.method === 'DELETE').length).toBe(3);
  }, 120_000);
});
