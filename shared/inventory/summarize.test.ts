import { describe, expect, it } from 'vitest';
import { ageBuckets, sharedDigestFacts, totals, uninspectedIn } from './summarize';
import type { InventoryTag } from './types';

const REPO = 'registry.example.com/app';
const NOW = new Date('2026-12-07T12:00:00Z');
const dg = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

function tag(t: string, extra: Partial<InventoryTag> = {}): InventoryTag {
  return { repository: REPO, tag: t, digest: null, mediaType: null, kind: 'image', size: null, ...extra };
}

describe('ageBuckets: one definition of count and size with totals', () => {
  // Three tags on one 10 MiB manifest (a release re-tagged), two single-tag manifests, one undated.
  const MiB = 1024 * 1024;
  const rows = [
    tag('v1', { digest: dg(1), size: 10 * MiB, created: daysAgo(200) }),
    tag('latest', { digest: dg(1), size: 10 * MiB, created: daysAgo(200) }),
    tag('stable', { digest: dg(1), size: 10 * MiB, created: daysAgo(200) }),
    tag('v2', { digest: dg(2), size: 2 * MiB, created: daysAgo(3) }),
    tag('v3', { digest: dg(3), size: 1 * MiB, created: daysAgo(0.5) }),
    tag('nodate', { digest: dg(4), size: 5 * MiB }),
    tag('later', { pending: true }),
  ];

  it('bars plus the undated part add up to the totals: each manifest once, its size once', () => {
    const sum = totals(rows);
    const chart = ageBuckets(rows, NOW);
    const barManifests = chart.buckets.reduce((n, b) => n + b.manifests, 0) + chart.undated.manifests;
    const barBytes = chart.buckets.reduce((n, b) => n + b.bytes, 0) + chart.undated.bytes;
    expect(barManifests).toBe(sum.manifests);
    expect(barBytes).toBe(sum.bytes);
    expect(sum.bytes).toBe(18 * MiB);
    const year = chart.buckets.find((b) => b.label === '< 1 year')!;
    expect(year).toMatchObject({ manifests: 1, tags: 3, bytes: 10 * MiB });
    expect(chart.undated).toEqual({ manifests: 1, tags: 1, bytes: 5 * MiB });
    // The pending row has no manifest yet: it is in no bar and said apart.
    expect(chart.pending).toBe(1);
    expect(chart.withoutDigest).toBe(0);
  });

  it('ages a manifest by its first push when no created time is known', () => {
    const chart = ageBuckets([tag('a', { digest: dg(9), size: 1, pushed: daysAgo(40) }), tag('b', { digest: dg(9), size: 1, pushed: daysAgo(2) })], NOW);
    expect(chart.buckets.find((b) => b.label === '< 3 months')).toMatchObject({ manifests: 1, tags: 2, bytes: 1 });
    expect(chart.buckets.find((b) => b.label === '< 1 week')).toMatchObject({ manifests: 0, tags: 0 });
  });
});

describe('sharedDigestFacts: no deletion statement from incomplete facts', () => {
  const done = { listingComplete: true, uninspected: 0 };
  const a = tag('a', { digest: dg(1) });
  const b = tag('b', { digest: dg(1) });
  const c = tag('c', { digest: dg(1) });
  const alone = tag('alone', { digest: dg(2) });

  it('a tag not inspected yet is pending, whatever its group says', () => {
    const pending = tag('p', { pending: true });
    expect(sharedDigestFacts(undefined, pending, done)).toEqual({ state: 'pending' });
    expect(sharedDigestFacts(undefined, pending, { listingComplete: false, uninspected: 3 })).toEqual({ state: 'pending' });
  });

  it('an inspected tag without a digest says the sharing is unknown, not "none"', () => {
    expect(sharedDigestFacts(undefined, tag('broken', { error: 'manifest unknown' }), done)).toEqual({ state: 'unknown' });
  });

  it('while other tags of the repository are uninspected, or the listing is unfinished, the count is only "so far"', () => {
    expect(sharedDigestFacts([alone], alone, { listingComplete: true, uninspected: 2 })).toEqual({ state: 'incomplete', names: [], others: 0, uninspected: 2, listingComplete: true });
    expect(sharedDigestFacts([a, b], a, { listingComplete: false, uninspected: 0 })).toMatchObject({ state: 'incomplete', others: 1, listingComplete: false });
  });

  it('only complete facts say how many tags a digest delete removes', () => {
    expect(sharedDigestFacts([a, b, c], b, done)).toEqual({ state: 'complete', names: ['a', 'c'], others: 2 });
    expect(sharedDigestFacts([alone], alone, done)).toEqual({ state: 'complete', names: [], others: 0 });
  });

  it('counts the uninspected tags of the same repository only', () => {
    const rows = [tag('x', { pending: true }), tag('y', { pending: true, repository: 'other/repo' }), a];
    expect(uninspectedIn(rows, REPO)).toBe(1);
  });
});
