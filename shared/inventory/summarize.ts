import type { InventoryTag } from './types';

export interface DigestGroup {
  digest: string;
  tags: InventoryTag[];
}

/** Tags that point at the same digest: deleting one of them by digest deletes all of them. */
export function groupByDigest(tags: readonly InventoryTag[]): Map<string, InventoryTag[]> {
  const groups = new Map<string, InventoryTag[]>();
  for (const t of tags) {
    if (!t.digest) continue;
    const key = `${t.repository}@${t.digest}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  return groups;
}

/** The other tags on the same digest in the same repository, per tag (`repository:tag` → tags). */
export function sharedWith(tags: readonly InventoryTag[]): Map<InventoryTag, string[]> {
  const out = new Map<InventoryTag, string[]>();
  for (const group of groupByDigest(tags).values()) {
    for (const t of group) out.set(t, group.filter((o) => o !== t).map((o) => o.tag));
  }
  return out;
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
    if (!t.digest) continue;
    const key = `${t.repository}@${t.digest}`;
    if (seen.has(key)) continue;
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
