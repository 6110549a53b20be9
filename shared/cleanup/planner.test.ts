import { describe, expect, it } from 'vitest';
import { planCleanup } from './planner';
import type { CleanupPlan, CleanupTag, PlanInput, PlannedTag } from './types';

const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const OLD = '2024-01-01T00:00:00Z';
const NOW = '2025-06-01T12:00:00Z';

function tag(t: string, digest: number | null, extra: Partial<CleanupTag> = {}): CleanupTag {
  return { repository: 'app', tag: t, digest: digest === null ? null : D(digest), kind: 'image', size: 100, created: OLD, ...extra };
}

function input(tags: CleanupTag[], extra: Partial<PlanInput> = {}): PlanInput {
  return {
    now: NOW,
    repository: '127.0.0.1:5000/app',
    implementation: 'default',
    registryHost: '127.0.0.1:5000',
    capability: { tagDelete: false, digestDelete: true },
    tags,
    policy: { policy: 'rules', delete: ['^pr-'] },
    ...extra,
  };
}

function plan(i: PlanInput): CleanupPlan {
  const out = planCleanup(i);
  if (!out.ok) throw new Error(out.error.message);
  return out.plan;
}

function row(p: CleanupPlan, t: string): PlannedTag {
  const r = p.tags.find((x) => x.tag === t);
  if (!r) throw new Error(`no row ${t}`);
  return r;
}

describe('planCleanup safety', () => {
  it('keeps a stale tag whose digest a kept tag shares when only digest deletes exist', () => {
    const p = plan(input([tag('pr-1', 1), tag('latest', 1), tag('pr-2', 2)]));
    expect(row(p, 'pr-1')).toMatchObject({ action: 'keep', protected: true });
    expect(row(p, 'pr-1').reasons[0]!.rule).toBe('shared-digest-kept');
    expect(row(p, 'pr-1').reasons[0]!.text).toContain('latest');
    expect(row(p, 'pr-2')).toMatchObject({ action: 'delete', method: 'digest' });
    expect(p.summary).toMatchObject({ tags: 3, delete: 1, keep: 2, manifestsFreed: 1 });
  });

  it('removes only the tag where the registry can untag', () => {
    const p = plan(input([tag('pr-1', 1), tag('latest', 1)], { capability: { tagDelete: true, digestDelete: true } }));
    expect(row(p, 'pr-1')).toMatchObject({ action: 'delete', method: 'tag' });
    expect(row(p, 'pr-1').reasons.map((r) => r.rule)).toContain('shared-digest-tag-delete');
    expect(p.summary.manifestsFreed).toBe(0);
  });

  it('deletes every tag of a digest by digest when none of them stays', () => {
    const p = plan(input([tag('pr-1', 1), tag('pr-1b', 1)]));
    expect(p.tags.map((t) => [t.tag, t.action, t.method])).toEqual([
      ['pr-1', 'delete', 'digest'],
      ['pr-1b', 'delete', 'digest'],
    ]);
    expect(p.summary.manifestsFreed).toBe(1);
    expect(p.summary.bytesFreed).toBe(100);
    expect(p.summary.bytesFreedExact).toBe(false);
  });

  it('keeps a child of a kept index and lets a signature follow its subject', () => {
    const tags = [
      tag('stable', 10, { kind: 'index', platforms: [{ digest: D(11) }, { digest: D(12) }] }),
      tag('pr-amd64', 11),
      tag('pr-gone', 20),
      tag(`sha256-${D(20).slice(7)}.sig`, 21, { kind: 'signature', signatureOf: D(20) }),
      tag(`sha256-${D(10).slice(7)}.sig`, 22, { kind: 'signature', signatureOf: D(10) }),
      tag(`sha256-${D(99).slice(7)}.att`, 23, { kind: 'signature', signatureOf: D(99) }),
    ];
    const p = plan(input(tags));
    expect(row(p, 'pr-amd64').reasons[0]!.rule).toBe('child-of-kept-index');
    expect(row(p, 'pr-gone')).toMatchObject({ action: 'delete', method: 'digest' });
    expect(row(p, `sha256-${D(20).slice(7)}.sig`)).toMatchObject({ action: 'delete', method: 'digest' });
    expect(row(p, `sha256-${D(10).slice(7)}.sig`).reasons[0]!.rule).toBe('signature-of-kept');
    expect(row(p, `sha256-${D(99).slice(7)}.att`).reasons[0]!.rule).toBe('signature-orphan');
  });

  it('keeps service tags, unreadable and pending rows, recent images, overrides and cluster images', () => {
    const tags = [
      tag('meta-abc', 1, { kind: 'werf-service', service: 'meta' }),
      tag('pr-broken', null, { error: 'manifest unknown' }),
      tag('pr-pending', 2, { pending: true }),
      tag('pr-fresh', 3, { created: '2025-06-01T11:00:00Z' }),
      tag('pr-mine', 4),
      tag('pr-running', 5),
      tag('pr-bydigest', 6),
      tag('pr-stale', 7),
    ];
    const p = plan(
      input(tags, {
        overrides: [{ repository: 'app', tag: 'pr-mine' }],
        kube: {
          contexts: ['kind'],
          unreachable: [],
          uses: [
            { image: '127.0.0.1:5000/app:pr-running', registry: '127.0.0.1:5000', repository: 'app', tag: 'pr-running', where: 'kind/default/Deployment/web' },
            { image: `127.0.0.1:5000/app@${D(6)}`, registry: '127.0.0.1:5000', repository: 'app', digest: D(6), where: 'kind/default/Pod/x' },
          ],
        },
      }),
    );
    expect(Object.fromEntries(p.tags.map((t) => [t.tag, t.reasons[0]!.rule]))).toEqual({
      'meta-abc': 'service-tag',
      'pr-broken': 'unreadable',
      'pr-pending': 'pending',
      'pr-fresh': 'built-recently',
      'pr-mine': 'override',
      'pr-running': 'kube-used',
      'pr-bydigest': 'kube-used',
      'pr-stale': 'rules-delete',
    });
    expect(p.tags.filter((t) => t.action === 'delete').map((t) => t.tag)).toEqual(['pr-stale']);
  });

  it('keeps would-be deletes while a cluster is unreachable, and marks them when told to proceed', () => {
    const kube = { contexts: ['a'], uses: [], unreachable: [{ context: 'b', reason: 'connect ECONNREFUSED' }] };
    const held = plan(input([tag('pr-1', 1)], { kube }));
    expect(row(held, 'pr-1')).toMatchObject({ action: 'keep' });
    expect(row(held, 'pr-1').reasons[0]!.rule).toBe('kube-unreachable');
    const go = plan(input([tag('pr-1', 1)], { kube: { ...kube, proceedWithoutUnreachable: true } }));
    expect(row(go, 'pr-1')).toMatchObject({ action: 'delete' });
    expect(row(go, 'pr-1').reasons.map((r) => r.rule)).toContain('kube-unreachable');
  });

  it('counts freed blobs once, and not those a kept manifest still uses', () => {
    const manifests = [
      { repository: 'app', digest: D(1), blobs: [{ digest: 'sha256:l1', size: 1000 }, { digest: 'sha256:shared', size: 500 }] },
      { repository: 'app', digest: D(2), blobs: [{ digest: 'sha256:l1', size: 1000 }, { digest: 'sha256:l2', size: 30 }] },
      { repository: 'app', digest: D(3), blobs: [{ digest: 'sha256:shared', size: 500 }] },
    ];
    const p = plan(input([tag('pr-1', 1), tag('pr-2', 2), tag('keep', 3)], { manifests }));
    expect(p.summary).toMatchObject({ delete: 2, manifestsFreed: 2, bytesFreed: 1030, bytesFreedExact: true });
  });
});

describe('planCleanup determinism', () => {
  it('does not depend on listing order and changes its id with any input', () => {
    const tags = [tag('pr-1', 1), tag('latest', 1), tag('pr-2', 2)];
    const a = plan(input(tags));
    const b = plan(input([...tags].reverse()));
    expect(b).toEqual(a);
    expect(plan(input(tags, { now: '2025-06-01T12:00:01Z' })).planId).not.toBe(a.planId);
    expect(plan(input([...tags, tag('x', 3)])).planId).not.toBe(a.planId);
    expect(plan(input(tags, { capability: { tagDelete: true, digestDelete: true } })).planId).not.toBe(a.planId);
    expect(plan(input(tags, { overrides: [{ repository: 'app', tag: 'pr-2' }] })).planId).not.toBe(a.planId);
  });

  it('deletes nothing when no policy fits, and says why', () => {
    const p = plan(input([tag('pr-1', 1)], { policy: 'auto' }));
    expect(p.policy).toBe('none');
    expect(p.policyReason).toMatch(/nothing is deleted/);
    expect(row(p, 'pr-1')).toMatchObject({ action: 'keep' });
  });

  it('rejects a bad regex and a bad time', () => {
    const bad = planCleanup(input([], { policy: { policy: 'rules', keep: ['(unclosed'] } }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/missing closing \)/);
    expect(planCleanup(input([], { now: 'yesterday' })).ok).toBe(false);
  });
});

describe('hash128', () => {
  it('is stable and sensitive to every character and to length', async () => {
    const { hash128 } = await import('./plan-id');
    expect(hash128('abc')).toBe(hash128('abc'));
    expect(hash128('abc')).toMatch(/^[0-9a-f]{32}$/);
    const seen = new Set<string>();
    for (const s of ['', 'a', 'b', 'ab', 'ba', 'abc', 'abd', 'abc\0', '\0abc', 'a'.repeat(1000), `${'a'.repeat(999)}b`]) seen.add(hash128(s));
    expect(seen.size).toBe(11);
  });
});
