import { describe, expect, it } from 'vitest';
import type { RunItem } from '../../../../shared/api/cleanup-run';
import { countdown, filterRunItems, isRestorable, outcomeCounts, outcomeDetail, restoreCounts } from './results';

const dg = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const ITEMS: RunItem[] = [
  { repository: 'shop/app', tag: 'old-1', digest: dg(1), outcome: 'deleted', method: 'DELETE /v2/<name>/manifests/<digest>' },
  { repository: 'shop/app', tag: 'old-2', digest: dg(2), outcome: 'untagged', method: 'DELETE /v2/<name>/manifests/<tag>' },
  { repository: 'shop/app', tag: 'moved', digest: dg(3), outcome: 'skipped', method: 'none', skipReason: 'digest-moved' },
  { repository: 'shop/web', tag: 'gone', digest: dg(4), outcome: 'skipped', method: 'none', skipReason: 'already-gone', detail: 'The registry no longer has it.' },
  { repository: 'shop/web', tag: 'locked', digest: dg(5), outcome: 'failed', method: 'DELETE /v2/<name>/manifests/<digest>', detail: 'HTTP 405 UNSUPPORTED', hint: 'Enable storage.delete.' },
  { repository: 'shop/web', tag: 'nodigest', digest: null, outcome: 'deleted', method: 'x' },
];
const tags = (items: RunItem[]) => items.map((i) => i.tag);

describe('run results', () => {
  it('filters by outcome, keeping the run order', () => {
    expect(tags(filterRunItems(ITEMS, 'all', ''))).toEqual(tags(ITEMS));
    expect(tags(filterRunItems(ITEMS, 'skipped', ''))).toEqual(['moved', 'gone']);
    expect(tags(filterRunItems(ITEMS, 'failed', ''))).toEqual(['locked']);
    expect(tags(filterRunItems(ITEMS, 'untagged', ''))).toEqual(['old-2']);
  });

  it('restorable = deleted or untagged with a known digest', () => {
    expect(tags(filterRunItems(ITEMS, 'restorable', ''))).toEqual(['old-1', 'old-2']);
    expect(isRestorable(ITEMS[5]!)).toBe(false);
  });

  it('filters by text over tag, repository, digest, method and the registry error', () => {
    expect(tags(filterRunItems(ITEMS, 'all', 'UNSUPPORTED'))).toEqual(['locked']);
    expect(tags(filterRunItems(ITEMS, 'all', 'shop/web'))).toEqual(['gone', 'locked', 'nodigest']);
    expect(tags(filterRunItems(ITEMS, 'all', dg(2).slice(-8)))).toEqual(['old-2']);
    expect(tags(filterRunItems(ITEMS, 'deleted', 'manifests/<digest>'))).toEqual(['old-1']);
    expect(filterRunItems(ITEMS, 'failed', 'old')).toEqual([]);
  });

  it('counts each outcome and what can be restored', () => {
    expect(outcomeCounts(ITEMS)).toEqual({ deleted: 2, untagged: 1, skipped: 2, failed: 1, restorable: 2 });
  });

  it('a skip without the registry’s words says its reason in words', () => {
    expect(outcomeDetail(ITEMS[2]!)).toMatch(/another digest/);
    expect(outcomeDetail(ITEMS[3]!)).toBe('The registry no longer has it.');
    expect(outcomeDetail(ITEMS[0]!)).toBe('');
  });

  it('restore counts and the rate-limit countdown', () => {
    expect(restoreCounts([{ repository: 'a', tag: 't', digest: dg(1), outcome: 'restored' }, { repository: 'a', tag: 'u', digest: dg(2), outcome: 'failed' }, { repository: 'a', tag: 'v', digest: dg(3), outcome: 'restored' }])).toEqual({ restored: 2, failed: 1 });
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(countdown('2026-01-01T00:01:05Z', now)).toBe('1:05');
    expect(countdown('2026-01-01T00:00:00.200Z', now)).toBe('0:01');
    expect(countdown('2025-12-31T23:59:00Z', now)).toBe('0:00');
  });
});
