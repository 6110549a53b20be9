import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage, startDistribution, type DistributionHandle } from '../../../../e2e/services/distribution';
import { makeTempDir, removeDir } from '../../../../e2e/services/util';
import type { RunProgress } from '../../../../shared/api/cleanup-run';
import type { PlanChoices } from '../../../../shared/cleanup/plan-input';
import { runCli } from '../../../cli/main';
import { RegistryAccess } from '../../registry-access';
import { gatherCleanupInputs, makePlan } from '../plan-service';
import { CleanupRuns } from './service';

/**
 * The whole path against Debian's real distribution 2.8 with htpasswd auth: inputs gathered, the
 * plan made again by id, the default driver's digest deletes and untags, the audit log (without the
 * password), a rerun that deletes nothing twice, a restore checked by digest, the history — and the
 * CLI's `cleanup --yes` / `restore` on the same registry.
 */

const USER = 'cleaner';
const PASSWORD = 'Pw-only-in-this-test-7f3a9c';
let reg: DistributionHandle;
let settingsDir: string;
let access: RegistryAccess;
let env: Record<string, string>;
const auth = { username: USER, password: PASSWORD };

beforeAll(async () => {
  reg = await startDistribution({ auth: { kind: 'htpasswd', users: [auth] } });
  settingsDir = await makeTempDir('cleanup-run-settings');
  env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }) };
  access = new RegistryAccess({ settingsDir, environment: env, homeDir: settingsDir });
  await access.settings.save({ registry: reg.host, plainHttp: true });
}, 60_000);

afterAll(async () => {
  await reg?.stop();
  if (settingsDir) await removeDir(settingsDir);
});

/** What the registry says a reference is now: its digest, or null for 404. */
async function resolveNow(repo: string, ref: string): Promise<string | null> {
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, {
    method: 'HEAD',
    headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
  });
  if (res.status === 404) return null;
  expect(res.status).toBe(200);
  return res.headers.get('docker-content-digest');
}

async function seed(repo: string, tags: Record<string, string>): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const [tag, content] of Object.entries(tags)) digests[tag] = await seedImage(reg.url, repo, tag, { auth, labels: { content } });
  return digests;
}

const rules = (keep: string[]): PlanChoices => ({ policy: { kind: 'config', policy: { policy: 'rules', keep }, reason: 'test rules' }, now: '2026-12-01T00:00:00Z' });

describe('carrying out a plan on a real distribution registry', () => {
  it('deletes and untags exactly the reviewed plan, logs it without the password, deletes nothing twice, and restores it', async () => {
    const repo = 'svc/app';
    const imagesRepo = `${reg.host}/${repo}`;
    // old + old-alias share a digest that goes; stale shares one with keep-me, which stays.
    const d = await seed(repo, { old: 'one', 'old-alias': 'one', stale: 'two', 'keep-me': 'two', latest: 'three' });
    const runs = new CleanupRuns({ settingsDir, access });
    const inputs = runs.remember(await gatherCleanupInputs({ imagesRepo, implementation: 'auto', mode: 'auto', kube: { source: 'off' } }, { projectDir: null, access, signal: new AbortController().signal }));
    const choices = rules(['^latest$', '^keep-me$']);
    const planned = makePlan(inputs, choices);
    if (!planned.ok) throw new Error(planned.error.message);
    const plan = planned.plan;
    expect(plan.tags.filter((t) => t.action === 'delete').map((t) => t.tag).sort()).toEqual(['old', 'old-alias', 'stale']);

    // A plan id that is not the one made again from the inputs is refused, and nothing goes.
    await expect(runs.execute({ inputsId: inputs.inputsId, imagesRepo, implementation: 'auto', choices, planId: `sha256:${'0'.repeat(64)}` }, new AbortController().signal, () => undefined)).rejects.toMatchObject({ code: 'plan-changed' });
    await expect(runs.execute({ inputsId: inputs.inputsId, imagesRepo, implementation: 'quay', choices, planId: plan.planId }, new AbortController().signal, () => undefined)).rejects.toMatchObject({ code: 'plan-changed' });
    await expect(runs.execute({ inputsId: inputs.inputsId, imagesRepo: `${reg.host}/svc/other`, implementation: 'auto', choices, planId: plan.planId }, new AbortController().signal, () => undefined)).rejects.toMatchObject({ code: 'plan-changed' });
    await expect(runs.execute({ inputsId: 'forgotten', imagesRepo, implementation: 'auto', choices, planId: plan.planId }, new AbortController().signal, () => undefined)).rejects.toMatchObject({ code: 'inputs-expired' });
    expect(await resolveNow(repo, 'old')).toBe(d.old);

    const events: RunProgress[] = [];
    const report = await runs.execute({ inputsId: inputs.inputsId, imagesRepo, implementation: 'auto', choices, planId: plan.planId }, new AbortController().signal, (p) => events.push(p));
    const byTag = Object.fromEntries(report.results.map((r) => [r.tag, r.outcome]));
    expect(byTag).toEqual({ old: 'deleted', 'old-alias': 'deleted', stale: 'untagged' });
    expect(report.summary).toMatchObject({ total: 3, deleted: 2, untagged: 1, skipped: 0, failed: 0, manifestsDeleted: 1, cancelled: false });
    expect(events.filter((e) => e.item).map((e) => e.item!.tag).sort()).toEqual(['old', 'old-alias', 'stale']);
    expect(events.at(-1)).toMatchObject({ runId: report.runId, done: 3, total: 3 });
    // The registry agrees: what stays resolves to its digest, what went is gone, the freed manifest too.
    expect(await resolveNow(repo, 'old')).toBeNull();
    expect(await resolveNow(repo, 'old-alias')).toBeNull();
    expect(await resolveNow(repo, 'stale')).toBeNull();
    expect(await resolveNow(repo, d.old!)).toBeNull();
    expect(await resolveNow(repo, 'keep-me')).toBe(d['keep-me']);
    expect(await resolveNow(repo, 'latest')).toBe(d.latest);
    expect(report.notes.join(' ')).toMatch(/garbage/);

    // The audit log: in the settings folder, every delete with its manifest, never the credential.
    expect(report.auditLog).toBe(join(settingsDir, 'cleanup-runs', `${report.runId}.jsonl`));
    const text = await readFile(report.auditLog, 'utf8');
    expect(text).toContain(d.old);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    for (const name of await readdir(join(settingsDir, 'cleanup-runs'))) expect(await readFile(join(settingsDir, 'cleanup-runs', name), 'utf8')).not.toContain(PASSWORD);

    // The same plan again: nothing is deleted twice.
    const again = await runs.execute({ inputsId: inputs.inputsId, imagesRepo, implementation: 'auto', choices, planId: plan.planId }, new AbortController().signal, () => undefined);
    expect(again.results.map((r) => `${r.tag}:${r.outcome}:${r.skipReason}`).sort()).toEqual(['old-alias:skipped:already-gone', 'old:skipped:already-gone', 'stale:skipped:already-gone']);
    expect(await resolveNow(repo, 'keep-me')).toBe(d['keep-me']);

    // Restore one tag, then the rest; each is checked against its original digest.
    const items: string[] = [];
    const one = await runs.restore(report.runId, [{ repository: repo, tag: 'stale' }], new AbortController().signal, (i) => items.push(`${i.tag}:${i.outcome}`));
    expect(one.results).toEqual([expect.objectContaining({ tag: 'stale', outcome: 'restored', digest: d.stale })]);
    expect(await resolveNow(repo, 'stale')).toBe(d.stale);
    const rest = await runs.restore(report.runId, undefined, new AbortController().signal, (i) => items.push(`${i.tag}:${i.outcome}`));
    expect(rest.results.map((r) => `${r.tag}:${r.outcome}`).sort()).toEqual(['old-alias:restored', 'old:restored']);
    expect(await resolveNow(repo, 'old')).toBe(d.old);
    expect(await resolveNow(repo, 'old-alias')).toBe(d.old);
    expect(items).toEqual(['stale:restored', 'old:restored', 'old-alias:restored']);

    const history = await runs.history();
    expect(history.map((h) => h.runId)).toEqual([again.runId, report.runId]);
    expect(history.find((h) => h.runId === report.runId)).toMatchObject({ restorable: 0, summary: { deleted: 2, untagged: 1 } });
    expect((await runs.report(report.runId)).results).toEqual(report.results);
  }, 60_000);

  it('skips a tag pushed to another digest after the plan, and keeps the manifest it now points at', async () => {
    const repo = 'svc/race';
    const imagesRepo = `${reg.host}/${repo}`;
    const d = await seed(repo, { a: 'one', b: 'two', latest: 'three' });
    const runs = new CleanupRuns({ settingsDir, access });
    const inputs = runs.remember(await gatherCleanupInputs({ imagesRepo, implementation: 'auto', mode: 'auto', kube: { source: 'off' } }, { projectDir: null, access, signal: new AbortController().signal }));
    const choices = rules(['^latest$']);
    const planned = makePlan(inputs, choices);
    if (!planned.ok) throw new Error(planned.error.message);
    // Someone pushes `a` again, onto b's image, after the plan was reviewed.
    await seedImage(reg.url, repo, 'a', { auth, labels: { content: 'two' } });
    const report = await runs.execute({ inputsId: inputs.inputsId, imagesRepo, implementation: 'auto', choices, planId: planned.plan.planId }, new AbortController().signal, () => undefined);
    expect(report.results.map((r) => `${r.tag}:${r.outcome}:${r.skipReason ?? ''}`)).toEqual(['a:skipped:digest-moved', 'b:untagged:']);
    expect(await resolveNow(repo, 'a')).toBe(d.b);
    expect(await resolveNow(repo, d.b!)).toBe(d.b);
    expect(await resolveNow(repo, 'b')).toBeNull();
  }, 60_000);

  it('runs from the CLI: refuses a plan file whose id is stale, carries out a fresh one, and restores a tag', async () => {
    const repo = 'svc/cli';
    const imagesRepo = `${reg.host}/${repo}`;
    const d = await seed(repo, { 'v1': 'one', 'v2': 'two', latest: 'three' });
    const home = await makeTempDir('cleanup-cli-home');
    const saved = { home: process.env.STOWAGE_HOME, auth: process.env.DOCKER_AUTH_CONFIG };
    process.env.STOWAGE_HOME = home;
    process.env.DOCKER_AUTH_CONFIG = env.DOCKER_AUTH_CONFIG!;
    try {
      const policy = join(home, 'rules.yaml');
      await writeFile(policy, "keep: ['^latest$']\n");
      const args = ['cleanup', imagesRepo, '--without-kube', '--policy', policy, '--now', '2026-12-01T00:00:00Z'];
      const dry = await runCli([...args, '--dry-run', '--json']);
      expect(dry.code).toBe(0);
      const planFile = join(home, 'plan.json');
      await writeFile(planFile, dry.stdout);

      const stale = join(home, 'stale.json');
      await writeFile(stale, JSON.stringify({ ...JSON.parse(dry.stdout), planId: `sha256:${'1'.repeat(64)}` }));
      const refused = await runCli([...args, '--yes', '--plan', stale, '--json']);
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'plan-changed' } });
      expect(await resolveNow(repo, 'v1')).toBe(d.v1);

      const out = await runCli([...args, '--yes', '--plan', planFile, '--json']);
      expect(out.code).toBe(0);
      const doc = JSON.parse(out.stdout) as { runId: string; planId: string; results: Record<string, unknown>[]; summary: { deleted: number }; auditLog: string };
      expect(Object.keys(doc).sort()).toEqual(['auditLog', 'planId', 'results', 'runId', 'summary']);
      expect(doc.planId).toBe(JSON.parse(dry.stdout).planId);
      expect(doc.results).toEqual([
        { repository: repo, tag: 'v1', digest: d.v1, outcome: 'deleted', method: expect.stringContaining('DELETE') },
        { repository: repo, tag: 'v2', digest: d.v2, outcome: 'deleted', method: expect.stringContaining('DELETE') },
      ]);
      expect(doc.auditLog.startsWith(join(home, 'cleanup-runs'))).toBe(true);
      expect(await resolveNow(repo, 'v1')).toBeNull();

      const restored = await runCli(['restore', doc.runId, '--tag', 'v2', '--json']);
      expect(restored.code).toBe(0);
      expect(JSON.parse(restored.stdout)).toEqual({ results: [{ repository: repo, tag: 'v2', digest: d.v2, outcome: 'restored', detail: expect.any(String) }] });
      expect(await resolveNow(repo, 'v2')).toBe(d.v2);
      expect(await resolveNow(repo, 'v1')).toBeNull();
      // By the audit file's path, too; a tag the run did not delete fails (exit 1).
      const byPath = await runCli(['restore', doc.auditLog, '--tag', 'latest', '--json']);
      expect(byPath.code).toBe(1);
      expect(JSON.parse(byPath.stdout).results[0]).toMatchObject({ tag: 'latest', outcome: 'failed' });
      expect((await runCli(['restore', 'no-such-run'])).code).toBe(2);
    } finally {
      if (saved.home === undefined) delete process.env.STOWAGE_HOME;
      else process.env.STOWAGE_HOME = saved.home;
      if (saved.auth === undefined) delete process.env.DOCKER_AUTH_CONFIG;
      else process.env.DOCKER_AUTH_CONFIG = saved.auth;
      await removeDir(home);
    }
  }, 90_000);

  it('exits 1 from the CLI when the registry refuses the deletes, with its reason per tag and nothing lost', async () => {
    const locked = await startDistribution({ deleteEnabled: false });
    const home = await makeTempDir('cleanup-cli-locked');
    const saved = process.env.STOWAGE_HOME;
    process.env.STOWAGE_HOME = home;
    try {
      const repo = 'svc/locked';
      const old = await seedImage(locked.url, repo, 'old', { labels: { content: 'one' } });
      await seedImage(locked.url, repo, 'latest', { labels: { content: 'two' } });
      const policy = join(home, 'rules.yaml');
      await writeFile(policy, "keep: ['^latest$']\n");
      const out = await runCli(['cleanup', `${locked.host}/${repo}`, '--without-kube', '--policy', policy, '--yes', '--json']);
      expect(out.code).toBe(1);
      const doc = JSON.parse(out.stdout) as { results: { tag: string; outcome: string; detail?: string }[]; summary: { failed: number } };
      expect(doc.results).toEqual([expect.objectContaining({ tag: 'old', outcome: 'failed', detail: expect.stringMatching(/UNSUPPORTED|disabled|delete/i) })]);
      expect(doc.summary.failed).toBe(1);
      const res = await fetch(`${locked.url}/v2/${repo}/manifests/old`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
      expect(res.headers.get('docker-content-digest')).toBe(old);
      // Text mode says the same, with the fix.
      const text = await runCli(['cleanup', `${locked.host}/${repo}`, '--without-kube', '--policy', policy, '--yes']);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/old\s+failed/);
      expect(text.stdout).toMatch(/fix: .*storage\.delete\.enabled|fix: .*REGISTRY_STORAGE_DELETE_ENABLED/i);
      expect(text.stdout).toMatch(/audit log: .*cleanup-runs/);
    } finally {
      if (saved === undefined) delete process.env.STOWAGE_HOME;
      else process.env.STOWAGE_HOME = saved;
      await locked.stop();
      await removeDir(home);
    }
  }, 60_000);
});
