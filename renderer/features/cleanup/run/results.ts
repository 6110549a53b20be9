import type { RestoreItem, RunItem, RunOutcome, SkipReason } from '../../../../shared/api/cleanup-run';

/** Filtering and labelling a run's results, pure for the table and its tests. */

export type OutcomeFilter = 'all' | RunOutcome | 'restorable';

export const OUTCOMES: readonly RunOutcome[] = ['deleted', 'untagged', 'skipped', 'failed'];

export const runItemKey = (i: { repository: string; tag: string }): string => `${i.repository}:${i.tag}`;

/** Deleted or untagged: a restore can put the tag back. */
export const isRestorable = (i: RunItem): boolean => (i.outcome === 'deleted' || i.outcome === 'untagged') && i.digest !== null;

export function outcomeCounts(items: readonly RunItem[]): Record<RunOutcome, number> & { restorable: number } {
  const counts = { deleted: 0, untagged: 0, skipped: 0, failed: 0, restorable: 0 };
  for (const i of items) {
    counts[i.outcome]++;
    if (isRestorable(i)) counts.restorable++;
  }
  return counts;
}

/** By outcome, then by text over tag, repository, digest, method and detail. Order is kept. */
export function filterRunItems(items: readonly RunItem[], outcome: OutcomeFilter, text: string): RunItem[] {
  const needle = text.trim().toLowerCase();
  return items.filter(
    (i) =>
      (outcome === 'all' || (outcome === 'restorable' ? isRestorable(i) : i.outcome === outcome)) &&
      (needle === '' ||
        i.tag.toLowerCase().includes(needle) ||
        i.repository.toLowerCase().includes(needle) ||
        (i.digest ?? '').includes(needle) ||
        i.method.toLowerCase().includes(needle) ||
        (i.detail ?? '').toLowerCase().includes(needle)),
  );
}

const SKIP_TEXT: Record<SkipReason, string> = {
  'already-gone': 'already gone from the registry: nothing to do',
  'digest-moved': 'the tag points at another digest than when the plan was made',
  'new-sibling': 'a tag outside the plan now points at this digest',
  'cannot-untag': 'the registry cannot remove this tag without the tags that stay',
  cancelled: 'the run was cancelled before its turn',
};

/** The reason a row shows: the registry's sentence when there is one, else the skip reason in words. */
export function outcomeDetail(i: RunItem): string {
  if (i.detail) return i.detail;
  if (i.outcome === 'skipped' && i.skipReason) return SKIP_TEXT[i.skipReason];
  return '';
}

export const skipReasonText = (r: SkipReason): string => SKIP_TEXT[r];

/** Restored / failed counts of the restore results a run has so far. */
export function restoreCounts(items: Iterable<RestoreItem>): { restored: number; failed: number } {
  let restored = 0;
  let failed = 0;
  for (const i of items) {
    if (i.outcome === 'restored') restored++;
    else failed++;
  }
  return { restored, failed };
}

/** mm:ss until an ISO time, never negative: the rate-limit countdown. */
export function countdown(until: string, now: number): string {
  const left = Math.max(0, Math.ceil((Date.parse(until) - now) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}
