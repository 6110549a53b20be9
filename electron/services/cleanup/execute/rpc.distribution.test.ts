import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ApiClient } from '../../../../renderer/api/client';
import { seedImages, startDistribution, type DistributionHandle } from '../../../../e2e/services/distribution';
import { makeTempDir, removeDir } from '../../../../e2e/services/util';
import type { ServerMessage } from '../../../../shared/api/messages';
import type { RunProgress } from '../../../../shared/api/cleanup-run';
import type { PlanChoices } from '../../../../shared/cleanup/plan-input';
import { createApp, type App } from '../../../app/create-app';
import { fakeElectronIpc } from '../../../rpc/test-transports';
import { makePlan } from '../plan-service';

/**
 * The handlers behind `cleanup.execute / history / run`, through the real RPC host and IPC bridge,
 * on a real distribution registry: the run is found by the inputs id the view planned from, its
 * progress events carry the call's id, and after a cancel no event follows while the run stops
 * truthfully (what was done, what was not) in its report and audit log.
 */

let reg: DistributionHandle;
let work: string;
let app: App;

beforeAll(async () => {
  reg = await startDistribution();
  work = await makeTempDir('cleanup-rpc');
  app = createApp({ host: 'browser', version: '0.0.0-test', settingsDir: join(work, 'settings'), initialProject: null, environment: {} });
}, 60_000);

afterAll(async () => {
  app?.dispose();
  await reg?.stop();
  if (work) await removeDir(work);
});

function client(): { api: ApiClient; raw: ServerMessage[] } {
  const { transport } = fakeElectronIpc(app.rpc);
  const raw: ServerMessage[] = [];
  transport.subscribe((m) => raw.push(m));
  return { api: createClient(transport), raw };
}

const choices: PlanChoices = { policy: { kind: 'config', policy: { policy: 'rules', keep: ['^latest$'] }, reason: 'test' }, now: '2026-12-01T00:00:00Z' };

async function planned(api: ApiClient, imagesRepo: string) {
  const inputs = await api.call('cleanup.inputs', { imagesRepo, implementation: 'auto', mode: 'auto', kube: { source: 'off' } });
  if (!inputs.ok) throw new Error(inputs.error.message);
  const plan = makePlan(inputs.value, choices);
  if (!plan.ok) throw new Error(plan.error.message);
  return { inputsId: inputs.value.inputsId, plan: plan.plan };
}

async function tagsNow(repo: string): Promise<string[]> {
  const res = await fetch(`${reg.url}/v2/${repo}/tags/list`);
  if (res.status === 404) return [];
  return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort();
}

describe('cleanup.execute over the RPC host', () => {
  it('runs the reviewed plan by inputs id, with progress stamped with the call id; history and run read it back', async () => {
    const repo = 'rpc/done';
    const imagesRepo = `${reg.host}/${repo}`;
    await seedImages(reg.url, repo, ['a', 'b', 'c', 'latest'], { distinct: true });
    const { api } = client();
    const { inputsId, plan } = await planned(api, imagesRepo);
    const events: { progress: RunProgress; call: string | null }[] = [];
    api.on('cleanup.runProgress', ({ progress }, source) => events.push({ progress, call: source.call }));

    const refused = await api.call('cleanup.execute', { inputsId, imagesRepo, implementation: 'auto', choices: { ...choices, overrides: [{ repository: repo, tag: 'a' }] }, planId: plan.planId });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: 'plan-changed', hint: expect.any(String) });
    expect(await tagsNow(repo)).toEqual(['a', 'b', 'c', 'latest']);

    const pending = api.call('cleanup.execute', { inputsId, imagesRepo, implementation: 'auto', choices, planId: plan.planId });
    const result = await pending;
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.summary).toMatchObject({ total: 3, deleted: 3, failed: 0 });
    expect(await tagsNow(repo)).toEqual(['latest']);
    const mine = events.filter((e) => e.call === pending.id);
    expect(mine.map((e) => e.progress.item?.tag).sort()).toEqual(['a', 'b', 'c']);
    expect(mine.every((e) => e.progress.runId === result.value.runId)).toBe(true);

    const history = await api.call('cleanup.history', {});
    if (!history.ok) throw new Error(history.error.message);
    expect(history.value[0]).toMatchObject({ runId: result.value.runId, planId: plan.planId, imagesRepo, restorable: 3, finishedAt: expect.any(String) });
    const read = await api.call('cleanup.run', { runId: result.value.runId });
    expect(read.ok && read.value.results).toEqual(result.value.results);
    const missing = await api.call('cleanup.run', { runId: 'no-such-run' });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.code).toBe('run-not-found');

    // Restore through the RPC too, with its progress events.
    const restoreEvents: string[] = [];
    api.on('cleanup.restoreProgress', ({ item, done, total }) => restoreEvents.push(`${item.tag}:${item.outcome}:${done}/${total}`));
    const restored = await api.call('cleanup.restore', { runId: result.value.runId, tags: [{ repository: repo, tag: 'b' }] });
    expect(restored.ok && restored.value.results.map((r) => `${r.tag}:${r.outcome}`)).toEqual(['b:restored']);
    expect(restoreEvents).toEqual(['b:restored:1/1']);
    expect(await tagsNow(repo)).toEqual(['b', 'latest']);
  }, 60_000);

  it('stops on cancel: no event after it, and the run records exactly what it did', async () => {
    const repo = 'rpc/cancel';
    const imagesRepo = `${reg.host}/${repo}`;
    const names = Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    await seedImages(reg.url, repo, [...names, 'latest'], { distinct: true });
    const { api, raw } = client();
    const { inputsId, plan } = await planned(api, imagesRepo);
    const controller = new AbortController();
    let cancelAt = -1;
    api.on('cleanup.runProgress', ({ progress }) => {
      if (progress.item && !controller.signal.aborted) {
        cancelAt = raw.length;
        controller.abort();
      }
    });
    const pending = api.call('cleanup.execute', { inputsId, imagesRepo, implementation: 'auto', choices, planId: plan.planId }, { signal: controller.signal });
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('cancelled');

    // The run finishes what it had in flight and writes its footer; then the history shows it.
    let entry;
    for (let i = 0; i < 100 && !entry?.finishedAt; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const h = await api.call('cleanup.history', {});
      entry = h.ok ? h.value.find((e) => e.planId === plan.planId) : undefined;
    }
    expect(entry?.finishedAt).toBeDefined();
    const afterCancel = raw.slice(cancelAt).filter((m) => m.type === 'event' && m.call === pending.id);
    expect(afterCancel).toEqual([]);
    const report = await api.call('cleanup.run', { runId: entry!.runId });
    if (!report.ok) throw new Error(report.error.message);
    const s = report.value.summary;
    expect(s.cancelled).toBe(true);
    expect(s.deleted).toBeGreaterThanOrEqual(1);
    expect(s.deleted).toBeLessThan(40);
    expect(s.deleted + s.skipped).toBe(40);
    expect(report.value.results.filter((r) => r.outcome === 'skipped').every((r) => r.skipReason === 'cancelled')).toBe(true);
    // The report is the truth: exactly the tags it says were deleted are gone.
    const gone = names.filter((n) => !(report.value.results.find((r) => r.tag === n)?.outcome === 'skipped'));
    expect(await tagsNow(repo)).toEqual([...names.filter((n) => !gone.includes(n)), 'latest'].sort());
  }, 60_000);
});
