import type { CleanupRunReport, RunHistoryEntry, RunItem, RunSummary } from '../../../../shared/api/cleanup-run';
import type { FooterLine, HeaderLine, JournalLine, OutcomeLine, RestoreLine } from './journal';

/** What a run's journal says happened, for the results, the history and a restore. */

export const UNKNOWN_AFTER_CRASH =
  'Unknown: the run stopped after asking the registry to remove this tag and before its answer was recorded.';
export const UNKNOWN_HINT = 'Check the tag in the registry, or run the same plan again: a rerun reports it as already gone or deletes it.';
export const NOT_REACHED = 'The run stopped before this tag\'s turn; nothing was sent for it.';

export function summarize(results: readonly RunItem[], cancelled: boolean): RunSummary {
  const count = (o: RunItem['outcome']) => results.filter((r) => r.outcome === o).length;
  const manifests = new Set(results.filter((r) => r.outcome === 'deleted' && r.digest !== null).map((r) => `${r.repository}@${r.digest}`));
  return {
    total: results.length,
    deleted: count('deleted'),
    untagged: count('untagged'),
    skipped: count('skipped'),
    failed: count('failed'),
    manifestsDeleted: manifests.size,
    cancelled,
  };
}

export function runItemOf(o: OutcomeLine): RunItem {
  const item: RunItem = { repository: o.repository, tag: o.tag, digest: o.digest, outcome: o.outcome, method: o.method };
  if (o.skipReason !== undefined) item.skipReason = o.skipReason;
  const detail = o.detail ?? o.error?.message;
  if (detail !== undefined) item.detail = detail;
  if (o.error?.hint !== undefined) item.hint = o.error.hint;
  return item;
}

const key = (repository: string, tag: string): string => `${repository}\0${tag}`;

export interface RunRecord {
  header: HeaderLine;
  footer: FooterLine | null;
  /** The latest outcome per tag. */
  outcomes: Map<string, OutcomeLine>;
  /** The latest restore per tag. */
  restores: Map<string, RestoreLine>;
  /** Tags a delete was sent for, whose outcome was never written (the run was killed). */
  unsettled: Set<string>;
}

export function readRecord(lines: readonly JournalLine[]): RunRecord | null {
  const header = lines.find((l): l is HeaderLine => l.type === 'header');
  if (!header) return null;
  const outcomes = new Map<string, OutcomeLine>();
  const restores = new Map<string, RestoreLine>();
  const unsettled = new Set<string>();
  let footer: FooterLine | null = null;
  for (const l of lines) {
    if (l.type === 'intent') for (const t of l.tags) unsettled.add(key(l.repository, t));
    else if (l.type === 'outcome') {
      outcomes.set(key(l.repository, l.tag), l);
      unsettled.delete(key(l.repository, l.tag));
    } else if (l.type === 'restore') restores.set(key(l.repository, l.tag), l);
    else if (l.type === 'footer') footer = l;
  }
  return { header, footer, outcomes, restores, unsettled };
}

/** The run's results in the plan's order; for a run that never finished, what its journal proves. */
export function reportOf(record: RunRecord, auditLog: string): CleanupRunReport {
  const { header, footer } = record;
  const results: RunItem[] = header.items.map((item) => {
    const k = key(item.repository, item.tag);
    const o = record.outcomes.get(k);
    if (o) return runItemOf(o);
    const base = { repository: item.repository, tag: item.tag, digest: item.digest, method: 'none' };
    if (record.unsettled.has(k)) return { ...base, outcome: 'failed', detail: UNKNOWN_AFTER_CRASH, hint: UNKNOWN_HINT };
    return { ...base, outcome: 'skipped', skipReason: 'cancelled', detail: NOT_REACHED };
  });
  const notes = footer ? [...footer.notes] : ['This run did not finish (the process was stopped): the results are what its journal recorded.'];
  return {
    runId: header.runId,
    planId: header.planId,
    imagesRepo: header.imagesRepo,
    registry: header.registry,
    implementation: header.implementation,
    startedAt: header.startedAt,
    finishedAt: footer?.finishedAt ?? header.startedAt,
    results,
    summary: footer ? { ...summarize(results, footer.summary.cancelled) } : summarize(results, true),
    auditLog,
    notes,
  };
}

/** Deleted or untagged tags not brought back since. */
export function restorableOf(record: RunRecord): OutcomeLine[] {
  return [...record.outcomes.values()].filter((o) => (o.outcome === 'deleted' || o.outcome === 'untagged') && o.digest !== null && record.restores.get(key(o.repository, o.tag))?.outcome !== 'restored');
}

export function historyEntryOf(record: RunRecord, auditLog: string): RunHistoryEntry {
  const report = reportOf(record, auditLog);
  const entry: RunHistoryEntry = {
    runId: report.runId,
    planId: report.planId,
    imagesRepo: report.imagesRepo,
    registry: report.registry,
    implementation: report.implementation,
    startedAt: report.startedAt,
    summary: report.summary,
    restorable: restorableOf(record).length,
    auditLog,
  };
  if (record.footer) entry.finishedAt = record.footer.finishedAt;
  return entry;
}
