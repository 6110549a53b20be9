import { describe, expect, it } from 'vitest';
import type { InventoryTag, TagKind } from '../../../shared/inventory/types';
import type { GroupBy, SortKey } from '../../stores/inventory-store';
import { deriveItems, type InventoryItem } from './derive';
import { describeRateLimit } from '../../../shared/inventory/rate-limit';
import { formatAge, formatBytes, shortDigest } from './format';

const REPO = 'registry.example.com/app';
const hex = (n: number) => n.toString(16).padStart(64, '0');
const dg = (n: number) => `sha256:${hex(n)}`;

function tag(t: string, extra: Partial<InventoryTag> = {}): InventoryTag {
  return { repository: REPO, tag: t, digest: null, mediaType: null, kind: 'image', size: null, ...extra };
}

const asc = (key: SortKey) => ({ key, desc: false });
const desc = (key: SortKey) => ({ key, desc: true });

function tags(items: InventoryItem[]): string[] {
  return items.map((i) => (i.type === 'row' ? i.row.tag : `[${i.label}:${i.count}]`));
}

function sorted(rows: InventoryTag[], key: SortKey, isDesc = false): string[] {
  return deriveItems(rows, '', { key, desc: isDesc }, 'none').visible.map((r) => r.tag);
}


/** The other tags on a row's digest, spelled out (the table and detail show a bounded sample of these). */
function others(item: Extract<InventoryItem, { type: 'row' }>): string[] {
  return (item.digestGroup ?? []).filter((t) => t !== item.row).map((t) => t.tag);
}

describe('deriveItems: sorting', () => {
  it('sorts tags numeric-aware, ascending and descending', () => {
    const rows = ['v1.10.0', 'v1.2.0', 'v1.9.1', 'v1.9.0', 'build-100', 'build-20', 'build-3', 'latest'].map((t) => tag(t));
    expect(sorted(rows, 'tag')).toEqual(['build-3', 'build-20', 'build-100', 'latest', 'v1.2.0', 'v1.9.0', 'v1.9.1', 'v1.10.0']);
    expect(sorted(rows, 'tag', true)).toEqual(['v1.10.0', 'v1.9.1', 'v1.9.0', 'v1.2.0', 'latest', 'build-100', 'build-20', 'build-3']);
  });

  it('sorts commit tags by their hash, not by the numbers inside it', () => {
    const rows = ['1f3c9a0', '10ab4e2', '0a9b8c7', 'main', 'v2', 'v10'].map((t) => tag(t));
    expect(sorted(rows, 'tag')).toEqual(['0a9b8c7', '10ab4e2', '1f3c9a0', 'main', 'v2', 'v10']);
    expect(sorted(rows, 'tag', true)).toEqual(['v10', 'v2', 'main', '1f3c9a0', '10ab4e2', '0a9b8c7']);
  });

  it('does not reorder the input iterable and accepts a Map iterator', () => {
    const rows = [tag('b'), tag('c'), tag('a')];
    const map = new Map(rows.map((r) => [`${r.repository}:${r.tag}`, r]));
    const out = deriveItems(map.values(), '', asc('tag'), 'none');
    expect(out.visible.map((r) => r.tag)).toEqual(['a', 'b', 'c']);
    expect(rows.map((r) => r.tag)).toEqual(['b', 'c', 'a']);
    expect(out.items.every((i) => i.type === 'row')).toBe(true);
    expect(out.items.map((i) => i.key)).toEqual([`${REPO}:a`, `${REPO}:b`, `${REPO}:c`]);
  });

  it('sorts by image with missing images (null and undefined) first ascending, last descending', () => {
    const rows = [tag('t1', { image: 'frontend' }), tag('t2', { image: null }), tag('t3', { image: 'backend' }), tag('t4'), tag('t5', { image: 'backend' })];
    expect(sorted(rows, 'image')).toEqual(['t2', 't4', 't3', 't5', 't1']);
    // Ties (same image, or both missing) are broken by tag ascending in either direction.
    expect(sorted(rows, 'image', true)).toEqual(['t1', 't3', 't5', 't2', 't4']);
  });

  it('sorts by digest with missing digests first ascending, last descending', () => {
    const rows = [tag('a', { digest: dg(0xb) }), tag('b', { digest: null }), tag('c', { digest: dg(0xa) }), tag('d', { digest: dg(0x2) })];
    expect(sorted(rows, 'digest')).toEqual(['b', 'd', 'c', 'a']);
    expect(sorted(rows, 'digest', true)).toEqual(['a', 'c', 'd', 'b']);
  });

  it('sorts by kind alphabetically', () => {
    const kinds: [string, TagKind][] = [['w', 'werf-service'], ['s', 'signature'], ['x', 'index'], ['i', 'image']];
    const rows = kinds.map(([t, kind]) => tag(t, { kind }));
    expect(sorted(rows, 'kind')).toEqual(['i', 'x', 's', 'w']);
    expect(sorted(rows, 'kind', true)).toEqual(['w', 's', 'x', 'i']);
  });

  it('sorts by size numerically with unknown sizes first ascending, last descending', () => {
    const rows = [tag('a', { size: 1000 }), tag('b', { size: 9 }), tag('c', { size: null }), tag('d', { size: 0 }), tag('e', { size: 100_000 }), tag('f', { size: 9 })];
    expect(sorted(rows, 'size')).toEqual(['c', 'd', 'b', 'f', 'a', 'e']);
    expect(sorted(rows, 'size', true)).toEqual(['e', 'a', 'b', 'f', 'd', 'c']);
  });

  it('sorts by created and pushed chronologically with undated rows first ascending, last descending', () => {
    const rows = [
      tag('a', { created: '2024-03-01T00:00:00.000Z', pushed: '2024-03-02T00:00:00.000Z' }),
      tag('b', { created: '2023-12-31T23:59:59.999Z' }),
      tag('c', { pushed: '2022-01-01T00:00:00.000Z' }),
      tag('d', { created: '2024-03-01T00:00:00.001Z', pushed: '2025-01-01T00:00:00.000Z' }),
    ];
    expect(sorted(rows, 'created')).toEqual(['c', 'b', 'a', 'd']);
    expect(sorted(rows, 'created', true)).toEqual(['d', 'a', 'b', 'c']);
    expect(sorted(rows, 'pushed')).toEqual(['b', 'c', 'a', 'd']);
    expect(sorted(rows, 'pushed', true)).toEqual(['d', 'a', 'c', 'b']);
  });

  it('keeps every row exactly once whatever the key and direction', () => {
    const rows = Array.from({ length: 50 }, (_, i) =>
      tag(`t${(i * 37) % 50}`, { size: i % 3 ? i * 10 : null, digest: i % 4 ? dg(i % 7) : null, image: i % 5 ? `img${i % 3}` : undefined, created: i % 2 ? new Date(Date.UTC(2024, 0, 1 + i)).toISOString() : undefined }),
    );
    const keys: SortKey[] = ['tag', 'image', 'digest', 'kind', 'size', 'created', 'pushed'];
    for (const key of keys) {
      for (const d of [false, true]) {
        const out = sorted(rows, key, d);
        expect(out).toHaveLength(50);
        expect(new Set(out).size).toBe(50);
      }
    }
  });
});

describe('deriveItems: filtering', () => {
  const rows = [
    tag('v1.0.0', { image: 'Backend', digest: dg(0xabc) }),
    tag('v2.0.0', { image: 'frontend', digest: dg(0xdef) }),
    tag('Main-Build', { image: null, digest: null }),
    tag('meta-app_0123_1712345678', { kind: 'werf-service', service: 'meta', digest: dg(0x123) }),
    tag('other', { repository: 'registry.example.com/Worker', image: 'worker' }),
  ];
  const filtered = (f: string) => deriveItems(rows, f, asc('tag'), 'none').visible.map((r) => r.tag);

  it('matches the tag text case-insensitively, trimming the filter', () => {
    expect(filtered('main-build')).toEqual(['Main-Build']);
    expect(filtered('  V1.0 ')).toEqual(['v1.0.0']);
  });

  it('matches the image name case-insensitively', () => {
    expect(filtered('backend')).toEqual(['v1.0.0']);
    expect(filtered('FRONT')).toEqual(['v2.0.0']);
  });

  it('matches digest text, with or without the algorithm, in any case', () => {
    expect(filtered(hex(0xabc).slice(-6))).toEqual(['v1.0.0']);
    expect(filtered(`sha256:${hex(0xdef)}`)).toEqual(['v2.0.0']);
    expect(filtered(hex(0xdef).slice(-3).toUpperCase())).toEqual(['v2.0.0']);
  });

  it('matches the repository and the werf service kind', () => {
    expect(filtered('worker')).toEqual(['other']);
    expect(filtered('meta')).toEqual(['meta-app_0123_1712345678']);
  });

  it('returns everything for an empty or blank filter and nothing for a miss', () => {
    expect(filtered('')).toHaveLength(rows.length);
    expect(filtered('   ')).toHaveLength(rows.length);
    expect(filtered('no-such-thing')).toEqual([]);
    expect(deriveItems(rows, 'no-such-thing', asc('tag'), 'image').items).toEqual([]);
  });

  it('reports shared digests across all rows, not only the visible ones', () => {
    const a = tag('alpha', { digest: dg(1) });
    const b = tag('beta', { digest: dg(1) });
    const out = deriveItems([a, b], 'alpha', asc('tag'), 'none');
    expect(out.visible).toEqual([a]);
    expect(out.items).toEqual([{ type: 'row', key: `${REPO}:alpha`, row: a, digestGroup: [a, b] }]);
    expect(out.groups.get(`${REPO}@${dg(1)}`)).toEqual([a, b]);
    // One array per digest, shared by its rows: never a list per row.
    expect(out.groups.size).toBe(1);
  });
});

describe('deriveItems: grouping', () => {
  it('groups by werf image with headers, counts and rows in sort order', () => {
    const rows = [
      tag('v3', { image: 'frontend' }),
      tag('v1', { image: 'backend' }),
      tag('v10', { image: 'backend' }),
      tag('x', { image: null }),
      tag('y'),
      tag('v2', { image: 'backend' }),
    ];
    const out = deriveItems(rows, '', asc('tag'), 'image');
    expect(tags(out.items)).toEqual(['[(nameless image):1]', 'x', '[(not a werf image):1]', 'y', '[backend:3]', 'v1', 'v2', 'v10', '[frontend:1]', 'v3']);
    const headers = out.items.filter((i) => i.type === 'group');
    expect(headers.map((h) => h.key)).toEqual(['group:(nameless image)', 'group:(not a werf image)', 'group:backend', 'group:frontend']);
    // Direction changes the order inside a group, not the order of the groups.
    const rev = deriveItems(rows, '', desc('tag'), 'image');
    expect(tags(rev.items)).toEqual(['[(nameless image):1]', 'x', '[(not a werf image):1]', 'y', '[backend:3]', 'v10', 'v2', 'v1', '[frontend:1]', 'v3']);
    expect(rev.visible.map((r) => r.tag)).toEqual(['y', 'x', 'v10', 'v3', 'v2', 'v1']);
  });

  it('groups by digest: biggest shared-digest groups first, labelled by the short digest', () => {
    const rows = [
      tag('solo', { digest: dg(9) }),
      tag('b1', { digest: dg(1) }),
      tag('a1', { digest: dg(2) }),
      tag('b2', { digest: dg(1) }),
      tag('none1'),
      tag('a2', { digest: dg(2) }),
      tag('b3', { digest: dg(1) }),
      tag('none2'),
    ];
    const out = deriveItems(rows, '', asc('tag'), 'digest');
    const label = (n: number) => dg(n).slice(0, 19);
    expect(label(1)).toBe('sha256:000000000000');
    expect(tags(out.items)).toEqual([`[${label(1)}:3]`, 'b1', 'b2', 'b3', '[(no digest):2]', 'none1', 'none2', `[${label(2)}:2]`, 'a1', 'a2', `[${label(9)}:1]`, 'solo']);
    const first = out.items[0]!;
    expect(first).toEqual({ type: 'group', key: `group:${REPO}@${dg(1)}`, label: label(1), count: 3 });
    const b1 = out.items[1]!;
    expect(b1.type === 'row' && others(b1)).toEqual(['b2', 'b3']);
    const none1 = out.items[5]!;
    expect(none1.type === 'row' && others(none1)).toEqual([]);
  });

  it('keeps the same digest in different repositories apart', () => {
    const rows = [tag('a', { digest: dg(5) }), tag('b', { digest: dg(5), repository: 'registry.example.com/other' }), tag('c', { digest: dg(5) })];
    const out = deriveItems(rows, '', asc('tag'), 'digest');
    const headers = out.items.filter((i) => i.type === 'group');
    expect(headers.map((h) => [h.key, h.count])).toEqual([
      [`group:${REPO}@${dg(5)}`, 2],
      [`group:registry.example.com/other@${dg(5)}`, 1],
    ]);
    const b = out.items.find((i) => i.type === 'row' && i.row.tag === 'b');
    expect(b?.type === 'row' && others(b)).toEqual([]);
    expect(new Set(out.items.map((i) => i.key)).size).toBe(out.items.length);
  });

  it('groups only what the filter keeps, counting the visible rows', () => {
    const rows = [tag('keep-1', { digest: dg(1) }), tag('drop', { digest: dg(1) }), tag('keep-2', { digest: dg(1) })];
    const out = deriveItems(rows, 'keep', asc('tag'), 'digest');
    expect(tags(out.items)).toEqual([`[${dg(1).slice(0, 19)}:2]`, 'keep-1', 'keep-2']);
    const k1 = out.items[1]!;
    expect(k1.type === 'row' && others(k1)).toEqual(['drop', 'keep-2']);
  });
});

describe('deriveItems: 20,000 rows', () => {
  const N = 20_000;
  // Deterministic shuffle so the input order is unrelated to any sort key.
  const order = Array.from({ length: N }, (_, i) => i);
  let seed = 12345;
  for (let i = N - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const rows = order.map((i) =>
    tag(`build-${i}`, {
      digest: i % 10 === 9 ? null : dg(Math.floor(i / 4)),
      image: i % 3 === 0 ? 'backend' : i % 3 === 1 ? 'frontend' : null,
      size: i % 7 === 0 ? null : i * 3,
      created: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
      kind: i % 2 ? 'image' : 'index',
    }),
  );

  it('sorts by tag numerically and by size descending', () => {
    const byTag = deriveItems(rows, '', asc('tag'), 'none');
    expect(byTag.items).toHaveLength(N);
    expect(byTag.visible.every((r, i) => r.tag === `build-${i}`)).toBe(true);

    const bySize = deriveItems(rows, '', desc('size'), 'none').visible;
    const sized = bySize.filter((r) => r.size !== null);
    expect(bySize.slice(0, sized.length)).toEqual(sized);
    for (let i = 1; i < sized.length; i++) expect(sized[i - 1]!.size! > sized[i]!.size!).toBe(true);
    expect(bySize.slice(sized.length).every((r) => r.size === null)).toBe(true);
    expect(N - sized.length).toBe(Math.ceil(N / 7));

    const byCreated = deriveItems(rows, '', desc('created'), 'none').visible;
    expect(byCreated[0]!.tag).toBe(`build-${N - 1}`);
    expect(byCreated[N - 1]!.tag).toBe('build-0');
  });

  it('groups by digest with correct counts and shared tags', () => {
    const { items } = deriveItems(rows, '', asc('tag'), 'digest');
    const headers = items.filter((i): i is Extract<InventoryItem, { type: 'group' }> => i.type === 'group');
    const rowItems = items.filter((i): i is Extract<InventoryItem, { type: 'row' }> => i.type === 'row');
    expect(rowItems).toHaveLength(N);
    // The (no digest) group holds every 10th row and, being the biggest, comes first.
    expect(headers[0]).toMatchObject({ label: '(no digest)', count: N / 10 });
    // Digest floor(i/4) groups i = 4k..4k+3 minus those with i % 10 === 9.
    const expected = new Map<string, number>();
    for (let i = 0; i < N; i++) if (i % 10 !== 9) expected.set(`group:${REPO}@${dg(Math.floor(i / 4))}`, (expected.get(`group:${REPO}@${dg(Math.floor(i / 4))}`) ?? 0) + 1);
    expect(headers).toHaveLength(1 + expected.size);
    expect(expected.size).toBe(N / 4);
    for (const h of headers.slice(1)) expect(h.count).toBe(expected.get(h.key));
    expect(headers.slice(1).reduce((s, h) => s + h.count, 0)).toBe(N - N / 10);
    for (let h = 1; h < headers.length; h++) expect(headers[h - 1]!.count >= headers[h]!.count).toBe(true);
    // Every row sits under the header of its own digest, and shares it with the others there.
    const byDigest = new Map<string, string[]>();
    for (const r of rows) if (r.digest) byDigest.set(r.digest, [...(byDigest.get(r.digest) ?? []), r.tag]);
    let current = '';
    let seen = 0;
    for (const item of items) {
      if (item.type === 'group') {
        current = item.key;
        seen = 0;
        continue;
      }
      seen++;
      expect(current).toBe(item.row.digest ? `group:${REPO}@${item.row.digest}` : 'group:(no digest)');
      if (item.row.digest) {
        const group = byDigest.get(item.row.digest)!;
        if (seen === 1) expect(new Set([item.row.tag, ...others(item)])).toEqual(new Set(group));
        expect(others(item)).toHaveLength(group.length - 1);
      }
    }
  });

  it('filters and groups by image', () => {
    const out = deriveItems(rows, 'build-1999', asc('tag'), 'image');
    // build-1999 and build-19990..19999
    expect(out.visible.map((r) => r.tag)).toEqual(['build-1999', ...Array.from({ length: 10 }, (_, i) => `build-1999${i}`)]);
    const headers = out.items.filter((i) => i.type === 'group');
    const total = headers.reduce((s, h) => s + (h.type === 'group' ? h.count : 0), 0);
    expect(total).toBe(11);

    const all = deriveItems(rows, '', asc('image'), 'image');
    expect(all.items.filter((i) => i.type === 'group').map((h) => (h.type === 'group' ? [h.label, h.count] : null))).toEqual([
      ['(nameless image)', 6666],
      ['backend', 6667],
      ['frontend', 6667],
    ]);
  });
});

describe('format', () => {
  it('formatBytes uses binary units', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(150 * 1024)).toBe('150 KiB');
    expect(formatBytes(1024 ** 2)).toBe('1.0 MiB');
    expect(formatBytes(5.25 * 1024 ** 3)).toBe('5.3 GiB');
    expect(formatBytes(2 * 1024 ** 4)).toBe('2.0 TiB');
    expect(formatBytes(2048 * 1024 ** 4)).toBe('2048 TiB');
  });

  it('formatBytes rounds within a unit', () => {
    expect(formatBytes(99.94 * 1024)).toBe('99.9 KiB');
    expect(formatBytes(1023 * 1024)).toBe('1023 KiB');
    expect(formatBytes(1024 ** 2 - 1)).toBe('1.0 MiB');
    expect(formatBytes(99.96 * 1024)).toBe('100 KiB');
  });

  it('formatAge picks a unit by age', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    const ago = (ms: number) => new Date(now - ms).toISOString();
    expect(formatAge(undefined, now)).toBe('—');
    expect(formatAge('not a date', now)).toBe('—');
    expect(formatAge(ago(10_000), now)).toBe('1 min');
    expect(formatAge(ago(42 * 60_000), now)).toBe('42 min');
    expect(formatAge(ago(5 * 3_600_000), now)).toBe('5 h');
    expect(formatAge(ago(3 * 86_400_000), now)).toBe('3 d');
    expect(formatAge(ago(90 * 86_400_000), now)).toBe('3 mo');
    expect(formatAge(ago(800 * 86_400_000), now)).toBe('2.2 y');
  });

  it('shortDigest keeps 12 hex characters', () => {
    expect(shortDigest(`sha256:${'0123456789abcdef'.repeat(4)}`)).toBe('0123456789ab');
    expect(shortDigest(null)).toBe('—');
  });

  it('describeRateLimit shows what the registry sent, the reset time formatted as asked', () => {
    expect(describeRateLimit({ limit: 100, remaining: 76, source: 'docker hub' })).toBe('rate limit (docker hub): 76 of 100 left');
    expect(describeRateLimit({ source: 'ghcr' })).toBe('rate limit (ghcr): ? left');
    expect(describeRateLimit({ remaining: 3, resetAt: 'garbage', source: 'x' })).toBe('rate limit (x): 3 left');
    const reset = '2025-06-01T14:05:00.000Z';
    expect(describeRateLimit({ limit: 10, remaining: 0, resetAt: reset, source: 'x' })).toBe(`rate limit (x): 0 of 10 left, resets ${reset}`);
    expect(describeRateLimit({ remaining: 0, resetAt: reset, source: 'x' }, (iso) => new Date(iso).toLocaleTimeString())).toBe(`rate limit (x): 0 left, resets ${new Date(reset).toLocaleTimeString()}`);
  });
});

describe('deriveItems: group-by values are exhaustive', () => {
  it('"none" yields rows only, the others one header per group', () => {
    const rows = [tag('a', { image: 'x', digest: dg(1) }), tag('b', { image: 'y', digest: dg(1) })];
    const counts = (g: GroupBy) => deriveItems(rows, '', asc('tag'), g).items.filter((i) => i.type === 'group').length;
    expect(counts('none')).toBe(0);
    expect(counts('image')).toBe(2);
    expect(counts('digest')).toBe(1);
  });
});

describe('deriveItems: 10,000 tags on one digest (issue #10 item 7)', () => {
  it('every row holds the same group array: memory grows with the rows, not their square', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => tag(`t${i}`, { digest: dg(7) }));
    const out = deriveItems(rows, '', asc('tag'), 'none');
    const groups = new Set(out.items.map((i) => (i.type === 'row' ? i.digestGroup : null)));
    expect(groups.size).toBe(1);
    expect([...groups][0]).toHaveLength(10_000);
    expect(out.groups.size).toBe(1);
  });
});
