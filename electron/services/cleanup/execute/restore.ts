import type { RestoreItem, RestoreReport } from '../../../../shared/api/cleanup-run';
import { manifestKind } from '../../../../shared/inventory/classify';
import type { DriverContext } from '../../inventory/types';
import type { RegistryDriver, RestoreEntry } from '../../registries/types';
import type { JournalWriter, OutcomeLine } from './journal';
import type { RegistryReads } from './registry-reads';
import { restorableOf, type RunRecord } from './run-report';

/**
 * Brings deleted tags of a past run back from its audit log: the driver re-PUTs the recorded
 * manifest or asks the registry's own restore, then the tag is resolved again and counts as
 * restored only when it points at its original digest. Each result is appended to the run's log.
 */

export interface RestoreInput {
  record: RunRecord;
  /** Only these (repository + tag); all restorable tags when absent. */
  tags?: readonly { repository: string; tag: string }[] | undefined;
  driver: Pick<RegistryDriver, 'restoreTag'>;
  ctx: DriverContext;
  reads: RegistryReads;
  journal: JournalWriter;
  signal: AbortSignal;
  onItem?: (item: RestoreItem, done: number, total: number) => void;
  now?: () => Date;
}

export function restoreEntryOf(o: OutcomeLine): RestoreEntry {
  return { repository: o.repository, tag: o.tag, digest: o.digest!, mediaType: o.mediaType, manifest: o.manifest, method: o.method, ...(o.restore ? { restore: o.restore } : {}) };
}

export async function restoreRun(input: RestoreInput): Promise<RestoreReport> {
  const now = input.now ?? (() => new Date());
  const { record } = input;
  const deleted = [...record.outcomes.values()].filter((o) => (o.outcome === 'deleted' || o.outcome === 'untagged') && o.digest !== null);
  let chosen: OutcomeLine[];
  const results: RestoreItem[] = [];
  if (input.tags) {
    chosen = [];
    for (const want of input.tags) {
      const o = deleted.find((d) => d.repository === want.repository && d.tag === want.tag);
      if (o) chosen.push(o);
      else results.push({ repository: want.repository, tag: want.tag, digest: '', outcome: 'failed', detail: 'This run did not delete that tag, so there is nothing to restore.' });
    }
  } else {
    chosen = restorableOf(record);
  }
  // An index names its children: a child deleted in the same run must be back before the index
  // is put back, or the registry refuses the index (MANIFEST_BLOB_UNKNOWN).
  chosen = [...chosen].sort((a, b) => Number(manifestKind(a.mediaType) === 'index') - Number(manifestKind(b.mediaType) === 'index'));
  const total = chosen.length + results.length;
  let done = results.length;
  const emit = (item: RestoreItem): void => {
    if (!input.signal.aborted) input.onItem?.(item, done, total);
  };
  for (const item of results) emit(item);

  for (const o of chosen) {
    const item = input.signal.aborted ? cancelledItem(o) : await restoreOne(input, o);
    if (!input.signal.aborted || item.outcome === 'restored') {
      await input.journal.write({ type: 'restore', time: now().toISOString(), repository: item.repository, tag: item.tag, digest: item.digest, outcome: item.outcome, ...(item.detail !== undefined ? { detail: item.detail } : {}) }, true);
    }
    results.push(item);
    done++;
    emit(item);
  }
  return { runId: record.header.runId, results };
}

function cancelledItem(o: OutcomeLine): RestoreItem {
  return { repository: o.repository, tag: o.tag, digest: o.digest!, outcome: 'failed', detail: 'The restore was cancelled before this tag\'s turn.' };
}

async function restoreOne(input: RestoreInput, o: OutcomeLine): Promise<RestoreItem> {
  const digest = o.digest!;
  const base = { repository: o.repository, tag: o.tag, digest };
  const before = await input.reads.resolve(o.repository, o.tag);
  if (before.state === 'present' && before.digest === digest) return { ...base, outcome: 'restored', detail: 'The tag already points at its original digest.' };
  if (before.state === 'present') {
    return { ...base, outcome: 'failed', detail: `The tag exists again and points at ${before.digest}; it was not overwritten.`, hint: 'Delete or move that tag first if the old image should have it back.' };
  }
  let outcome;
  try {
    outcome = await input.driver.restoreTag(input.ctx, restoreEntryOf(o));
  } catch (e) {
    outcome = { ok: false as const, error: { code: 'driver-error', message: e instanceof Error ? e.message : String(e) } };
  }
  if (!outcome.ok) return { ...base, outcome: 'failed', detail: outcome.error.message, ...(outcome.error.hint !== undefined ? { hint: outcome.error.hint } : {}) };
  const after = await input.reads.resolve(o.repository, o.tag);
  if (after.state === 'present' && after.digest === digest) return { ...base, outcome: 'restored', detail: outcome.detail };
  const seen = after.state === 'present' ? `it points at ${after.digest}` : after.state === 'gone' ? 'the registry still does not have it' : `it could not be resolved (${after.message})`;
  return { ...base, outcome: 'failed', detail: `The registry accepted the restore, but the tag does not resolve to ${digest}: ${seen}.`, hint: 'Check the tag in the registry; the recorded manifest is in the run\'s audit log.' };
}
