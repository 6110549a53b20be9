import type { CleanupRunReport, RestoreReport } from '../../../../../shared/api/cleanup-run';
import type { CleanupPlan } from '../../../../../shared/cleanup/types';
import type { ResolvedCredential } from '../../../credentials/types';
import type { RegistryHttpOptions } from '../../../registry/http';
import { executePlan } from '../executor';
import { JournalWriter } from '../journal';
import { driverReads } from '../registry-reads';
import { restoreRun } from '../restore';
import { auditPath, newRunId, readRun } from '../run-store';
import { openSession } from '../session';

/**
 * Test-only: the production run path (session, executor, journal, the default driver) against a
 * plain-HTTP loopback registry, without the app's credential resolver and settings store.
 */
export interface RealRunOptions {
  /** host:port of the registry (or of a proxy in front of it). */
  registry: string;
  settingsDir: string;
  credential?: ResolvedCredential | null;
  concurrency?: number;
  signal?: AbortSignal;
  httpOptions?: Pick<RegistryHttpOptions, 'timeouts' | 'retry' | 'sleep'>;
}

function sessionFor(o: RealRunOptions, signal: AbortSignal) {
  return openSession({
    registry: o.registry,
    implementation: 'default',
    credential: o.credential ?? null,
    settings: { registry: o.registry, plainHttp: true },
    concurrency: o.concurrency ?? 8,
    signal,
    ...(o.httpOptions ? { httpOptions: o.httpOptions } : {}),
  });
}

export async function executeOnRegistry(plan: CleanupPlan, o: RealRunOptions): Promise<CleanupRunReport> {
  const signal = o.signal ?? new AbortController().signal;
  const session = await sessionFor(o, signal);
  const runId = newRunId();
  const journal = await JournalWriter.open(auditPath(o.settingsDir, runId));
  try {
    return await executePlan({
      runId,
      plan,
      imagesRepo: plan.repository,
      registry: o.registry,
      driver: session.driver,
      ctx: session.ctx,
      reads: driverReads(session.driver, session.ctx),
      journal,
      signal,
      concurrency: o.concurrency ?? 8,
    });
  } finally {
    await journal.close();
    await session.close();
  }
}

/** Restores every restorable tag of a run (or only `tags`) from its audit log. */
export async function restoreOnRegistry(auditLog: string, o: RealRunOptions & { tags?: { repository: string; tag: string }[] }): Promise<RestoreReport> {
  const signal = o.signal ?? new AbortController().signal;
  const record = await readRun(auditLog);
  const session = await sessionFor(o, signal);
  const journal = await JournalWriter.open(auditLog);
  try {
    return await restoreRun({ record, tags: o.tags, driver: session.driver, ctx: session.ctx, reads: driverReads(session.driver, session.ctx), journal, signal });
  } finally {
    await journal.close();
    await session.close();
  }
}
