import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CleanupRunReport } from '../../../../shared/api/cleanup-run';
import { planCleanup } from '../../../../shared/cleanup/planner';
import type { CleanupPlan, CleanupTag } from '../../../../shared/cleanup/types';
import { MEDIA_TYPES } from '../../../../shared/inventory/classify';
import { seedImage, startDistribution, type DistributionHandle } from '../../../../e2e/services/distribution';
import { startFaultProxy, type FaultProxy } from '../../../../e2e/services/fault-proxy';
import { RegistryFacts } from '../../../../e2e/services/registry-facts';
import { makeTempDir, removeDir } from '../../../../e2e/services/util';
import { executeOnRegistry, type RealRunOptions } from './testing/real-registry';

/**
 * A cleanup run against a real distribution 2.8 behind a proxy that misbehaves mid-run (429 with
 * Retry-After, 500, connection resets before and after the registry acted, stalls, a push during
 * the run): the report says exactly what happened, nothing kept is lost, and running the same plan
 * again finishes the rest without deleting anything twice.
 */

const NOW = '2025-06-01T12:00:00Z';
/** Each on its own digest: deleted by digest. */
const SOLO = ['d-0', 'd-1', 'd-2', 'd-3', 'd-4', 'd-5'];
/** On the digest `keep` holds: untagged (placeholder on 2.8). */
const SIBLINGS = ['sib-0', 'sib-1', 'sib-2'];

interface Scenario {
  repository: string;
  plan: CleanupPlan;
  digests: Map<string, string>;
  kept: string[];
}

let reg: DistributionHandle;
let proxy: FaultProxy;
let facts: RegistryFacts;
let settingsDir: string;
let round = 0;

beforeAll(async () => {
  reg = await startDistribution();
  proxy = await startFaultProxy(reg.url);
  facts = new RegistryFacts(reg.url);
  settingsDir = await makeTempDir('fault-runs');
});
afterAll(async () => {
  await proxy?.stop();
  await reg?.stop();
  await removeDir(settingsDir);
});
afterEach(() => {
  proxy.setRule(null);
  proxy.setOnRequest(null);
  proxy.reset();
});

async function scenario(extra: string[] = []): Promise<Scenario> {
  const repository = `faults/r${round++}`;
  const digests = new Map<string, string>();
  const created = '2024-01-01T00:00:00.000Z';
  for (const tag of [...SOLO, ...extra]) digests.set(tag, await seedImage(reg.url, repository, tag, { labels: { repository, tag }, created }));
  for (const tag of ['keep', ...SIBLINGS]) digests.set(tag, await seedImage(reg.url, repository, tag, { labels: { repository, tag: 'shared' }, created }));
  digests.set('stable', await seedImage(reg.url, repository, 'stable', { labels: { repository, tag: 'stable' }, created }));
  const rows: CleanupTag[] = [...digests].map(([tag, digest]) => ({ repository, tag, digest, mediaType: MEDIA_TYPES.dockerManifest, kind: 'image', size: 100, created }));
  const out = planCleanup({
    now: NOW,
    repository: `${proxy.host}/${repository}`,
    implementation: 'default',
    registryHost: proxy.host,
    capability: { tagDelete: true, digestDelete: true },
    tags: rows,
    kube: null,
    policy: { policy: 'rules', keep: ['^keep$', '^stable$'] },
  });
  if (!out.ok) throw new Error(out.error.message);
  return { repository, plan: out.plan, digests, kept: ['keep', 'stable'] };
}

/** Retry waits are recorded and shortened, so a Retry-After of seconds costs milliseconds. */
function options(o: Partial<RealRunOptions> & { sleeps?: number[] } = {}): RealRunOptions {
  const sleeps = o.sleeps ?? [];
  return {
    registry: proxy.host,
    settingsDir,
    concurrency: o.concurrency ?? 2,
    ...(o.signal ? { signal: o.signal } : {}),
    httpOptions: {
      timeouts: { totalMs: 1_500, headersMs: 1_500, ...o.httpOptions?.timeouts },
      sleep: (ms, signal) => {
        sleeps.push(ms);
        return new Promise((resolve, reject) => {
          if (signal?.aborted) return reject(signal.reason);
          setTimeout(resolve, Math.min(ms, 20));
        });
      },
    },
  };
}

const outcome = (report: CleanupRunReport, tag: string): string => {
  const r = report.results.find((x) => x.tag === tag)!;
  return r.skipReason ? `${r.outcome}:${r.skipReason}` : r.outcome;
};

async function expectKeptIntact(s: Scenario): Promise<void> {
  for (const tag of s.kept) expect(await facts.digestOf(s.repository, tag), tag).toBe(s.digests.get(tag));
}

/** The same plan again: what the first run did is already gone; the rest is done now; no DELETE is repeated. */
async function rerunFinishes(s: Scenario, first: CleanupRunReport): Promise<void> {
  proxy.setRule(null);
  proxy.reset();
  const second = await executeOnRegistry(s.plan, options());
  const doneBefore = first.results.filter((r) => r.outcome === 'deleted' || r.outcome === 'untagged').map((r) => r.tag);
  for (const tag of doneBefore) expect(outcome(second, tag), tag).toBe('skipped:already-gone');
  const rest = first.results.filter((r) => !doneBefore.includes(r.tag) && r.skipReason !== 'digest-moved');
  for (const r of rest) expect(['deleted', 'untagged'], r.tag).toContain(outcome(second, r.tag));
  // One DELETE per manifest the first run left, one per sibling it did not untag, and none for what it did.
  const deletesSent = proxy.seen().filter((q) => q.method === 'DELETE' && !q.path.endsWith(`sha256:${'0'.repeat(64)}`));
  const expected = rest.filter((r) => SOLO.includes(r.tag)).length + rest.filter((r) => SIBLINGS.includes(r.tag)).length + (rest.some((r) => SIBLINGS.includes(r.tag)) ? 1 : 0);
  expect(deletesSent.length).toBe(expected);
  expect(await facts.tags(s.repository)).toEqual([...s.kept, ...first.results.filter((r) => r.skipReason === 'digest-moved').map((r) => r.tag)].sort());
  await expectKeptIntact(s);
}

describe('a cleanup run against a registry that misbehaves mid-run', () => {
  it('429 with Retry-After: the run waits as asked and finishes everything', async () => {
    const s = await scenario();
    const sleeps: number[] = [];
    proxy.setRule(({ method, nthOfMethod }) => ((method === 'DELETE' || method === 'PUT') && nthOfMethod === 2 ? { kind: 'status', status: 429, retryAfterSeconds: 2 } : null));
    const report = await executeOnRegistry(s.plan, options({ sleeps }));
    expect(report.summary).toMatchObject({ failed: 0, skipped: 0, deleted: SOLO.length, untagged: SIBLINGS.length });
    expect(sleeps.filter((ms) => ms === 2000)).toHaveLength(2);
    expect(proxy.seen().filter((q) => q.fault === 'status')).toHaveLength(2);
    await expectKeptIntact(s);
    expect(await facts.tags(s.repository)).toEqual(s.kept);
  });

  it('500 on a digest DELETE: that tag fails with the registry\'s error, the rest is done, a rerun finishes it', async () => {
    const s = await scenario();
    const victim = s.digests.get('d-2')!;
    let hit = 0;
    proxy.setRule(({ method, path }) => (method === 'DELETE' && path.endsWith(victim) && hit++ === 0 ? { kind: 'status', status: 500 } : null));
    const report = await executeOnRegistry(s.plan, options());
    expect(hit).toBeGreaterThanOrEqual(1);
    expect(outcome(report, 'd-2')).toBe('failed');
    expect(report.results.find((r) => r.tag === 'd-2')!.detail).toMatch(/HTTP 500/);
    expect(report.results.filter((r) => r.tag !== 'd-2').map((r) => r.outcome).sort()).toEqual([...SOLO.slice(1).map(() => 'deleted'), ...SIBLINGS.map(() => 'untagged')].sort());
    expect(await facts.digestOf(s.repository, 'd-2')).toBe(victim);
    await expectKeptIntact(s);
    await rerunFinishes(s, report);
  });

  it('connection resets before and after the registry acted: the report says which delete happened', async () => {
    const s = await scenario();
    const before = s.digests.get('d-1')!;
    const after = s.digests.get('d-4')!;
    proxy.setRule(({ method, path }) => (method === 'DELETE' && path.endsWith(before) ? { kind: 'reset' } : method === 'DELETE' && path.endsWith(after) ? { kind: 'reset-after' } : null));
    const report = await executeOnRegistry(s.plan, options());
    // Not sent on to the registry: still there, and reported as failed.
    expect(outcome(report, 'd-1')).toBe('failed');
    expect(await facts.digestOf(s.repository, 'd-1')).toBe(before);
    // Carried out, then the answer was lost: the driver asked, and reports it deleted.
    expect(outcome(report, 'd-4')).toBe('deleted');
    expect(await facts.digestOf(s.repository, after)).toBeNull();
    await expectKeptIntact(s);
    // The reset DELETE is not retried by the HTTP client (only idempotent reads are).
    expect(proxy.seen().filter((q) => q.method === 'DELETE' && q.path.endsWith(before))).toHaveLength(1);
    await rerunFinishes(s, report);
  });

  it('a placeholder DELETE answered 500 and reset is healed: the tag is untagged, no placeholder is left', async () => {
    const s = await scenario();
    let n = 0;
    const placeholderDeletes = (path: string) => /manifests\/sha256:/.test(path) && ![...s.digests.values()].some((d) => path.endsWith(d)) && !path.endsWith('0'.repeat(64));
    proxy.setRule(({ method, path }) => {
      if (method !== 'DELETE' || !placeholderDeletes(path)) return null;
      n++;
      return n === 1 ? { kind: 'status', status: 500 } : n === 2 ? { kind: 'reset-after' } : null;
    });
    const report = await executeOnRegistry(s.plan, options());
    expect(report.summary).toMatchObject({ failed: 0, skipped: 0, untagged: SIBLINGS.length });
    expect(proxy.seen().map((q) => q.fault).filter((f) => f !== null)).toEqual(['status', 'reset-after']);
    expect(await facts.tags(s.repository)).toEqual(s.kept);
    await expectKeptIntact(s);
  });

  it('a stall, then a cancel mid-run: the run ends with what was done, the stalled delete did not happen, and a rerun finishes', async () => {
    const s = await scenario();
    const controller = new AbortController();
    const stalled = s.digests.get('d-3')!;
    proxy.setRule(({ method, path }) => (method === 'DELETE' && path.endsWith(stalled) ? { kind: 'stall', ms: 4_000 } : null));
    proxy.setOnRequest((q) => {
      if (q.fault === 'stall') setTimeout(() => controller.abort(), 100);
    });
    const report = await executeOnRegistry(s.plan, options({ signal: controller.signal, concurrency: 1, httpOptions: { timeouts: { totalMs: 10_000, headersMs: 10_000 } } }));
    expect(report.summary.cancelled).toBe(true);
    expect(outcome(report, 'd-3')).toBe('failed');
    // Every tag has exactly one result, and each result agrees with the registry.
    expect(report.results).toHaveLength(SOLO.length + SIBLINGS.length);
    for (const r of report.results) {
      const now = await facts.digestOf(s.repository, r.tag);
      if (r.outcome === 'deleted' || r.outcome === 'untagged') expect(now, r.tag).toBeNull();
      else expect(now, r.tag).toBe(s.digests.get(r.tag));
    }
    expect(report.results.filter((r) => r.skipReason === 'cancelled').length).toBeGreaterThan(0);
    await expectKeptIntact(s);
    // The stalled request was never sent on after its client gave up.
    await new Promise((r) => setTimeout(r, 4_200));
    expect(await facts.digestOf(s.repository, 'd-3')).toBe(stalled);
    await rerunFinishes(s, report);
  }, 30_000);

  it('a stalled answer past the timeout: the delete happened, and the report says deleted', async () => {
    const s = await scenario();
    const slow = s.digests.get('d-5')!;
    proxy.setRule(({ method, path }) => (method === 'DELETE' && path.endsWith(slow) ? { kind: 'stall-after', ms: 2_500 } : null));
    const report = await executeOnRegistry(s.plan, options());
    expect(proxy.seen().filter((q) => q.fault === 'stall-after')).toHaveLength(1);
    expect(outcome(report, 'd-5')).toBe('deleted');
    expect(report.results.find((r) => r.tag === 'd-5')!.detail).toMatch(/manifest is gone/);
    expect(report.summary).toMatchObject({ failed: 0, skipped: 0 });
    await expectKeptIntact(s);
  });

  it('a tag pushed to a new digest during the run is skipped (digest-moved) and keeps its new image', async () => {
    const s = await scenario(['zz-moved']);
    let pushed: string | null = null;
    proxy.setOnRequest(async (q) => {
      if (q.method === 'DELETE' && pushed === null) {
        pushed = 'pending';
        pushed = await seedImage(reg.url, s.repository, 'zz-moved', { labels: { pushed: 'during the run' } });
      }
    });
    const report = await executeOnRegistry(s.plan, options({ concurrency: 1 }));
    expect(outcome(report, 'zz-moved')).toBe('skipped:digest-moved');
    expect(pushed).toMatch(/^sha256:/);
    expect(await facts.digestOf(s.repository, 'zz-moved')).toBe(pushed);
    expect(report.summary).toMatchObject({ failed: 0, skipped: 1 });
    await expectKeptIntact(s);
    await rerunFinishes({ ...s, kept: s.kept }, report);
  });
});
