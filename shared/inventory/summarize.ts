import type { InventoryTag } from './types';

/** `repository@digest`: tags with the same key are one manifest; deleting it by digest deletes them all. */
export function digestKey(t: Pick<InventoryTag, 'repository' | 'digest'>): string | null {
  return t.digest ? `${t.repository}@${t.digest}` : null;
}

/**
 * Tags that point at the same manifest, by `digestKey`. Each tag is in one group, once: the
 * whole index is as big as the rows, however many tags share a digest (a per-tag list of the
 * others would grow with the square of the group: 10,000 tags on one digest, 100 million names).
 */
export function groupByDigest(tags: Iterable<InventoryTag>): Map<string, InventoryTag[]> {
  const groups = new Map<string, InventoryTag[]>();
  for (const t of tags) {
    const key = digestKey(t);
    if (key === null) continue;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  return groups;
}

/** Names shown where a list of the other tags on a digest is spelled out (a badge, one CLI line). */
export const SIBLINGS_SHOWN = 10;

/** The other tags in `group` (the one `self` is in): at most `limit` names, and how many there are. */
export function siblings(group: readonly InventoryTag[] | undefined, self: InventoryTag, limit = SIBLINGS_SHOWN): { names: string[]; others: number } {
  if (!group) return { names: [], others: 0 };
  const names: string[] = [];
  for (const t of group) {
    if (names.length >= limit) break;
    if (t !== self) names.push(t.tag);
  }
  // `self` is a member (callers look its group up by its key): a membership test would cost a scan per row.
  return { names, others: group.length - 1 };
}

export interface InventoryTotals {
  tags: number;
  manifests: number;
  bytes: number;
}

/** Bytes count each distinct manifest once: tags sharing a digest share its storage. */
export function totals(tags: readonly InventoryTag[]): InventoryTotals {
  const seen = new Set<string>();
  let bytes = 0;
  for (const t of tags) {
    const key = digestKey(t);
    if (key === null || seen.has(key)) continue;
    seen.add(key);
    bytes += t.size ?? 0;
  }
  return { tags: tags.length, manifests: seen.size, bytes };
}

export interface AgeBucket {
  label: string;
  maxDays: number;
  tags: number;
  bytes: number;
}

const BUCKETS: [string, number][] = [
  ['< 1 day', 1],
  ['< 1 week', 7],
  ['< 1 month', 30],
  ['< 3 months', 91],
  ['< 1 year', 365],
  ['older', Number.POSITIVE_INFINITY],
];

/** Tag count and size by age (created, else pushed), for the inventory's small chart. */
export function ageBuckets(tags: readonly InventoryTag[], now: Date): { buckets: AgeBucket[]; undated: number } {
  const buckets = BUCKETS.map(([label, maxDays]) => ({ label, maxDays, tags: 0, bytes: 0 }));
  let undated = 0;
  for (const t of tags) {
    const when = t.created ?? t.pushed;
    if (!when) {
      undated++;
      continue;
    }
    const days = (now.getTime() - Date.parse(when)) / 86_400_000;
    const bucket = buckets.find((b) => days < b.maxDays) ?? buckets[buckets.length - 1]!;
    bucket.tags++;
    bucket.bytes += t.size ?? 0;
  }
  return { buckets, undated };
}
