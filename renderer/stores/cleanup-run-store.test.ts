// The run store against the real RPC host and client (the Electron IPC bridge in Node): a run's
// progress arrives per tag, a cancel shows what the run really did (read back from its log, since
// a cancelled call answers `cancelled`), and restores report per tag.
import { describe, expect, it } from 'vitest';
import type { CleanupRunReport, ExecuteRequest, RestoreItem, RunItem } from '../../shared/api/cleanup-run';
import { methods } from '../../shared/api/contract';
import { RpcHost } from '../../electron/rpc/host';
import { fakeElectronIpc } from '../../electron/rpc/test-transports';
import { createClient } from '../api/client';
import { createCleanupRunStore } from './cleanup-run-store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dg = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const PLAN = `sha256:${'a'.repeat(64)}`;

/** A small stand-in for the executor: deletes one tag per 15 ms and keeps an "audit log" per run. */
function host(tags: number) {
  const runs = new Map<string, CleanupRunReport>();
  let sequence = 0;
  const report = (runId: string, results: RunItem[], cancelled: boolean): CleanupRunReport => ({
    runId,
    planId: PLAN,
    imagesRepo: 'r.example/shop',
    registry: 'r.example',
    implementation: 'default',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    results,
    summary: { total: tags, deleted: results.filter((r) => r.outcome === 'deleted').length, untagged: 0, skipped: results.filter((r) => r.outcome === 'skipped').length, failed: 0, manifestsDeleted: 0, cancelled },
    auditLog: `/tmp/${runId}.jsonl`,
    notes: [],
  });
  const spec = { 'cleanup.execute': methods['cleanup.execute'], 'cleanup.run': methods['cleanup.run'], 'cleanup.history': methods['cleanup.history'], 'cleanup.restore': methods['cleanup.restore'] };
  return new RpcHost(spec, {
    'cleanup.execute': async (_args, ctx) => {
      const runId = `run-${++sequence}`;
      const results: RunItem[] = [];
      for (let i = 0; i < tags; i++) {
        if (ctx.signal.aborted) {
          results.push({ repository: 'shop', tag: `t${i}`, digest: dg(i), outcome: 'skipped', skipReason: 'cancelled', method: 'none' });
          continue;
        }
        await sleep(15);
        const item: RunItem = { repository: 'shop', tag: `t${i}`, digest: dg(i), outcome: 'deleted', method: 'DELETE' };
        results.push(item);
        ctx.emit('cleanup.runProgress', { progress: { runId, done: i + 1, total: tags, item } });
      }
      const r = report(runId, results, ctx.signal.aborted);
      runs.set(runId, r);
      return r;
    },
    'cleanup.run': async ({ runId }) => runs.get(runId)!,
    'cleanup.history': async () => [...runs.values()].map((r) => ({ runId: r.runId, planId: r.planId, imagesRepo: r.imagesRepo, registry: r.registry, implementation: r.implementation, startedAt: r.startedAt, finishedAt: r.finishedAt, summary: r.summary, restorable: r.summary.deleted, auditLog: r.auditLog })),
    'cleanup.restore': async ({ runId, tags: only }, ctx) => {
      const items = runs.get(runId)!.results.filter((r) => r.outcome === 'deleted' && (!only || only.some((o) => o.tag === r.tag)));
      const results: RestoreItem[] = [];
      for (const [i, r] of items.entries()) {
        const item: RestoreItem = { repository: r.repository, tag: r.tag, digest: r.digest!, outcome: r.tag === 't1' ? 'failed' : 'restored', ...(r.tag === 't1' ? { detail: 'HTTP 404 BLOB_UNKNOWN', hint: 'The layers were garbage-collected.' } : {}) };
        results.push(item);
        ctx.emit('cleanup.restoreProgress', { item, done: i + 1, total: items.length });
        await sleep(5);
      }
      return { runId, results };
    },
  });
}

const request: ExecuteRequest = { inputsId: 'in-1', imagesRepo: 'r.example/shop', implementation: 'default', choices: { policy: { kind: 'auto' } }, planId: PLAN };

describe('cleanup run store', () => {
  it('shows each tag as it finishes, then the report', async () => {
    const store = createCleanupRunStore(createClient(fakeElectronIpc(host(4)).transport));
    const running = store.getState().execute(request);
    expect(store.getState().stage).toBe('running');
    while (store.getState().items.length < 2) await sleep(3);
    expect(store.getState().progress).toMatchObject({ total: 4 });
    await running;
    expect(store.getState().stage).toBe('done');
    expect(store.getState().items.map((i) => i.tag)).toEqual(['t0', 't1', 't2', 't3']);
    expect(store.getState().report?.summary.deleted).toBe(4);
    expect(store.getState().error).toBeNull();
  });

  it('a cancel reads back what the run did: deleted before the stop, cancelled after', async () => {
    const store = createCleanupRunStore(createClient(fakeElectronIpc(host(40)).transport));
    const running = store.getState().execute(request);
    while (store.getState().items.length < 3) await sleep(3);
    store.getState().cancel();
    expect(store.getState().stage).toBe('cancelling');
    await running;
    const s = store.getState();
    expect(s.stage).toBe('done');
    expect(s.error?.code).toBe('cancelled');
    const deleted = s.report!.results.filter((r) => r.outcome === 'deleted').length;
    expect(deleted).toBeGreaterThanOrEqual(3);
    expect(deleted).toBeLessThan(40);
    expect(s.report!.results.filter((r) => r.skipReason === 'cancelled')).toHaveLength(40 - deleted);
    expect(s.report!.summary.cancelled).toBe(true);
    expect(s.error?.message).toContain(`${deleted} of 40`);
  });

  it('restores the chosen rows with per-tag results, failures with the registry’s words', async () => {
    const store = createCleanupRunStore(createClient(fakeElectronIpc(host(3)).transport));
    await store.getState().execute(request);
    const runId = store.getState().report!.runId;
    await store.getState().restore(runId, [{ repository: 'shop', tag: 't1' }, { repository: 'shop', tag: 't2' }]);
    const r = store.getState().restores[runId]!;
    expect(r.running).toBe(false);
    expect(Object.keys(r.items).sort()).toEqual(['shop:t1', 'shop:t2']);
    expect(r.items['shop:t1']).toMatchObject({ outcome: 'failed', detail: 'HTTP 404 BLOB_UNKNOWN' });
    expect(r.items['shop:t2']?.outcome).toBe('restored');

    await store.getState().loadHistory();
    expect(store.getState().history.entries?.map((e) => e.runId)).toEqual([runId]);
    await store.getState().openRun(runId);
    expect(store.getState().opened?.report?.results).toHaveLength(3);
  });
});
