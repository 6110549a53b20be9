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
  /** Distinct manifests (by `digestKey`) whose age falls here: the same count as `totals().manifests`. */
  manifests: number;
  /** Tags pointing at those manifests. */
  tags: number;
  /** Each manifest's size counted once, as in `totals().bytes`. */
  bytes: number;
}

export interface AgeChartData {
  buckets: AgeBucket[];
  /** Manifests with neither a created time (image config) nor a push time. */
  undated: { manifests: number; tags: number; bytes: number };
  /** Tags listed but not inspected yet: their manifest is not known, so they are in no bar. */
  pending: number;
  /** Inspected tags the registry gave no digest for (see their `error`): in no bar either. */
  withoutDigest: number;
}

/** The one definition the chart states, so its bars and the totals above it can be compared. */
export const AGE_CHART_DEFINITION =
  'Distinct manifests by age (created, else first pushed); a manifest shared by several tags is counted once, with its size once, as in the totals.';

const BUCKETS: [string, number][] = [
  ['< 1 day', 1],
  ['< 1 week', 7],
  ['< 1 month', 30],
  ['< 3 months', 91],
  ['< 1 year', 365],
  ['older', Number.POSITIVE_INFINITY],
];

/**
 * Manifests, their tags and their size by age, for the inventory's chart. Counted per manifest,
 * like `totals`: summing per tag would count a manifest with three tags three times, and the bars
 * would add up to more than the repository holds.
 */
export function ageBuckets(tags: readonly InventoryTag[], now: Date): AgeChartData {
  const buckets: AgeBucket[] = BUCKETS.map(([label, maxDays]) => ({ label, maxDays, manifests: 0, tags: 0, bytes: 0 }));
  const undated = { manifests: 0, tags: 0, bytes: 0 };
  let pending = 0;
  let withoutDigest = 0;
  // One entry per manifest: its size (from the first tag seen, as `totals` takes it), its tag count
  // and its earliest date. The config's created time is the manifest's own; push times are per tag,
  // and the manifest has existed since the first of them.
  const manifests = new Map<string, { bytes: number; tags: number; when: number | null }>();
  for (const t of tags) {
    const key = digestKey(t);
    if (key === null) {
      if (t.pending) pending++;
      else withoutDigest++;
      continue;
    }
    const date = t.created ?? t.pushed;
    const parsed = date === undefined ? Number.NaN : Date.parse(date);
    const when = Number.isNaN(parsed) ? null : parsed;
    const entry = manifests.get(key);
    if (!entry) {
      manifests.set(key, { bytes: t.size ?? 0, tags: 1, when });
      continue;
    }
    entry.tags++;
    if (when !== null && (entry.when === null || when < entry.when)) entry.when = when;
  }
  for (const m of manifests.values()) {
    if (m.when === null) {
      undated.manifests++;
      undated.tags += m.tags;
      undated.bytes += m.bytes;
      continue;
    }
    const days = (now.getTime() - m.when) / 86_400_000;
    const bucket = buckets.find((b) => days < b.maxDays) ?? buckets[buckets.length - 1]!;
    bucket.manifests++;
    bucket.tags += m.tags;
    bucket.bytes += m.bytes;
  }
  return { buckets, undated, pending, withoutDigest };
}

/**
 * What the listing can say about the tags that share `self`'s manifest. A statement about what a
 * digest delete removes is made only from complete facts: `self` inspected, every other tag of its
 * repository inspected, and the listing read to its end. Otherwise a tag not yet inspected, or not
 * yet listed, may still turn out to share the digest.
 */
export type SharedDigestFacts =
  /** `self` is listed but not inspected: its digest is still coming. */
  | { state: 'pending' }
  /** `self` was inspected but the registry gave no digest (see its `error`). */
  | { state: 'unknown' }
  /** Known so far; `uninspected` other tags of the repository, or an unfinished listing, may add to it. */
  | { state: 'incomplete'; names: string[]; others: number; uninspected: number; listingComplete: boolean }
  /** Every tag of the repository inspected and the listing complete: `others` is the whole truth. */
  | { state: 'complete'; names: string[]; others: number };

export interface ListingCompleteness {
  /** The listing ended and read every planned repository to its last page (`InventoryStats.complete`, not running). */
  listingComplete: boolean;
  /** Tags of the same repository still waiting for their digest (`pending`). */
  uninspected: number;
}

export function sharedDigestFacts(
  group: readonly InventoryTag[] | undefined,
  self: InventoryTag,
  listing: ListingCompleteness,
  limit = SIBLINGS_SHOWN,
): SharedDigestFacts {
  if (self.pending) return { state: 'pending' };
  if (!self.digest) return { state: 'unknown' };
  const { names, others } = siblings(group, self, limit);
  if (!listing.listingComplete || listing.uninspected > 0) {
    return { state: 'incomplete', names, others, uninspected: listing.uninspected, listingComplete: listing.listingComplete };
  }
  return { state: 'complete', names, others };
}

/** Rows of `repository` still waiting for their digest. */
export function uninspectedIn(tags: Iterable<InventoryTag>, repository: string): number {
  let n = 0;
  for (const t of tags) if (t.pending && t.repository === repository) n++;
  return n;
}
