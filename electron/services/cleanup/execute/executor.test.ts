import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../../shared/api/cleanup-run';
import type { CleanupPlan, PlannedTag } from '../../../../shared/cleanup/types';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { makeTempDir, removeDir } from '../../../../e2e/services/util';
import type { DriverContext } from '../../inventory/types';
import { executePlan } from './executor';
import { JournalWriter, parseJournal } from './journal';
import { restoreRun } from './restore';
import { auditPath, listRuns, newRunId, readRun, readRunReport } from './run-store';
import { UNKNOWN_AFTER_CRASH } from './run-report';
import { MemoryRegistry } from './testing/memory-registry';

// The memory registry's driver never touches the context; the executor only hands it over.
const NO_CONTEXT = {} as unknown as DriverContext;
const REPO = 'team/app';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('cleanup-exec');
});
afterEach(async () => {
  await removeDir(dir);
});

function planOf(reg: MemoryRegistry, deletes: string[], planId = `sha256:${'a'.repeat(64)}`): CleanupPlan {
  const repo = reg.tags.get(REPO) ?? new Map<string, string>();
  const tags: PlannedTag[] = [...repo.entries()].map(([tag, digest]) => ({
    repository: REPO,
    tag,
    digest,
    action: deletes.includes(tag) ? 'delete' : 'keep',
    reasons: [{ rule: deletes.includes(tag) ? 'rules-delete' : 'rules-keep', text: 'test' }],
  }));
  return { repository: `127.0.0.1:5000/${REPO}`, implementation: 'default', policy: 'rules', policyReason: 'test', planId, now: '2026-01-01T00:00:00Z', tags, summary: { tags: tags.length, delete: deletes.length, keep: tags.length - deletes.length, manifestsFreed: 0, bytesFreed: 0 }, warnings: [] };
}

async function run(reg: MemoryRegistry, plan: CleanupPlan, opts: { signal?: AbortSignal; concurrency?: number; secrets?: string[]; onProgress?: (p: RunProgress) => void; runId?: string; journal?: JournalWriter } = {}) {
  const runId = opts.runId ?? newRunId();
  const journal = opts.journal ?? (await JournalWriter.open(auditPath(dir, runId), opts.secrets ?? []));
  try {
    return await executePlan({
      runId,
      plan,
      imagesRepo: plan.repository,
      registry: '127.0.0.1:5000',
      driver: reg.driver(),
      ctx: NO_CONTEXT,
      reads: reg.reads(),
      journal,
      signal: opts.signal ?? new AbortController().signal,
      concurrency: opts.concurrency ?? 4,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  } finally {
    await journal.close();
  }
}

const outcomeOf = (report: { results: { tag: string; outcome: string; skipReason?: string }[] }, tag: string): string => {
  const r = report.results.find((x) => x.tag === tag)!;
  return r.skipReason ? `${r.outcome}:${r.skipReason}` : r.outcome;
};

describe('the cleanup executor', () => {
  it('deletes a digest whose every tag goes, untags where a kept tag shares the digest, and logs both', async () => {
    const reg = new MemoryRegistry();
    const d1 = reg.push(REPO, 'old-1', 'one');
    reg.push(REPO, 'old-1b', 'one');
    reg.push(REPO, 'old-2', 'two');
    reg.push(REPO, 'keep-2', 'two');
    reg.push(REPO, 'latest', 'three');
    const report = await run(reg, planOf(reg, ['old-1', 'old-1b', 'old-2']));
    expect(report.results.map((r) => `${r.tag}=${outcomeOf(report, r.tag)}`)).toEqual(['old-1=deleted', 'old-1b=deleted', 'old-2=untagged']);
    expect(report.summary).toMatchObject({ total: 3, deleted: 2, untagged: 1, skipped: 0, failed: 0, manifestsDeleted: 1, cancelled: false });
    expect([...reg.tags.get(REPO)!.keys()].sort()).toEqual(['keep-2', 'latest']);
    expect(reg.collateral).toEqual([]);
    expect(reg.calls.filter((c) => c.startsWith('DELETE'))).toEqual([`DELETE ${REPO}@${d1}`]);

    const lines = parseJournal(await readFile(report.auditLog, 'utf8'));
    expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(['header', 'intent', 'outcome', 'footer']));
    const intents = lines.filter((l) => l.type === 'intent');
    expect(intents).toHaveLength(2);
    // Every intent is written before the outcome of its tags.
    for (const intent of intents) {
      const i = lines.indexOf(intent);
      for (const tag of intent.tags) expect(lines.findIndex((l) => l.type === 'outcome' && l.tag === tag)).toBeGreaterThan(i);
    }
    const deleted = lines.find((l) => l.type === 'outcome' && l.tag === 'old-1');
    expect(deleted).toMatchObject({ registry: '127.0.0.1:5000', repository: REPO, digest: d1, outcome: 'deleted', mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    expect(JSON.parse(Buffer.from((deleted as { manifest: string }).manifest, 'base64').toString('utf8'))).toMatchObject({ annotations: { content: 'one' } });
    // The run reads back from its log exactly as it reported.
    expect(await readRunReport(report.auditLog)).toEqual(report);
  });

  it('skips a tag pushed to another digest since the plan, and keeps the manifest it now points at', async () => {
    const reg = new MemoryRegistry();
    reg.push(REPO, 'a', 'one');
    const two = reg.push(REPO, 'b', 'two');
    reg.push(REPO, 'c', 'two');
    const plan = planOf(reg, ['a', 'b', 'c']);
    // `a` is pushed again after the plan: it now shares b and c's manifest.
    reg.push(REPO, 'a', 'two');
    const report = await run(reg, plan);
    expect(outcomeOf(report, 'a')).toBe('skipped:digest-moved');
    expect(outcomeOf(report, 'b')).toBe('untagged');
    expect(outcomeOf(report, 'c')).toBe('untagged');
    expect(reg.digestOf(REPO, 'a')).toBe(two);
    expect(reg.manifests.has(`${REPO}@${two}`)).toBe(true);
    expect([...reg.tags.get(REPO)!.keys()]).toEqual(['a']);
    expect(reg.collateral).toEqual([]);
  });

  it('never deletes a digest a new tag points at: untags where the registry can, skips `new-sibling` where it cannot', async () => {
    for (const canUntag of [true, false]) {
      const reg = new MemoryRegistry();
      if (!canUntag) reg.info = { ...CATALOGUE.default, deletion: { ...CATALOGUE.default.deletion, untag: null } };
      const d = reg.push(REPO, 'old', 'one');
      reg.push(REPO, 'latest', 'two');
      const plan = planOf(reg, ['old']);
      reg.push(REPO, 'hotfix', 'one');
      const report = await run(reg, plan);
      expect(outcomeOf(report, 'old')).toBe(canUntag ? 'untagged' : 'skipped:new-sibling');
      expect(reg.digestOf(REPO, 'hotfix')).toBe(d);
      expect(reg.manifests.has(`${REPO}@${d}`)).toBe(true);
      expect(reg.calls.some((c) => c.startsWith('DELETE'))).toBe(false);
      if (!canUntag) expect(report.results[0]!.detail).toContain('hotfix');
    }
  });

  it('looks again right before a digest delete: a tag pushed onto that digest during the run keeps it', async () => {
    const reg = new MemoryRegistry();
    reg.push(REPO, 'old-a', 'one');
    const b = reg.push(REPO, 'old-b', 'two');
    reg.push(REPO, 'latest', 'three');
    const plan = planOf(reg, ['old-a', 'old-b']);
    // After the survey, while the first group is deleted, a release is tagged on old-b's image.
    let pushed = false;
    reg.beforeDelete = (group) => {
      if (!pushed && group.tags.includes('old-a')) {
        pushed = true;
        reg.push(REPO, 'v2.0.1', 'two');
      }
    };
    const report = await run(reg, plan, { concurrency: 1 });
    expect(pushed).toBe(true);
    expect(outcomeOf(report, 'old-a')).toBe('deleted');
    expect(outcomeOf(report, 'old-b')).toBe('untagged');
    expect(reg.digestOf(REPO, 'v2.0.1')).toBe(b);
    expect(reg.manifests.has(`${REPO}@${b}`)).toBe(true);
    expect(reg.collateral).toEqual([]);
  });

  it('deletes nothing twice: the same plan run again reports every tag already gone', async () => {
    const reg = new MemoryRegistry();
    reg.push(REPO, 'x', 'one');
    reg.push(REPO, 'y', 'two');
    reg.push(REPO, 'keep', 'three');
    const plan = planOf(reg, ['x', 'y']);
    const first = await run(reg, plan);
    expect(first.summary.deleted).toBe(2);
    const mutations = reg.calls.filter((c) => c.startsWith('DELETE') || c.startsWith('UNTAG')).length;
    const second = await run(reg, plan);
    expect(second.results.map((r) => `${r.outcome}:${r.skipReason}`)).toEqual(['skipped:already-gone', 'skipped:already-gone']);
    expect(reg.calls.filter((c) => c.startsWith('DELETE') || c.startsWith('UNTAG')).length).toBe(mutations);
    expect(second.runId).not.toBe(first.runId);
  });

  it('does not delete a tag it cannot resolve again, and keeps every manifest while some tag is unknown', async () => {
    const reg = new MemoryRegistry();
    reg.push(REPO, 'mystery', 'two');
    const three = reg.push(REPO, 'gone-soon', 'three');
    reg.failResolve.add('mystery');
    const report = await run(reg, planOf(reg, ['gone-soon']));
    // `mystery` might point at the manifest: only the tag goes, never the digest.
    expect(outcomeOf(report, 'gone-soon')).toBe('untagged');
    expect(reg.manifests.has(`${REPO}@${three}`)).toBe(true);
    expect(reg.calls.some((c) => c.startsWith('DELETE'))).toBe(false);

    const d = reg.push(REPO, 'unsure', 'four');
    reg.failResolve.add('unsure');
    const second = await run(reg, planOf(reg, ['unsure']));
    expect(second.results[0]).toMatchObject({ outcome: 'failed', method: 'none' });
    expect(second.results[0]!.detail).toMatch(/could not be resolved again/);
    expect(reg.digestOf(REPO, 'unsure')).toBe(d);
  });

  it('trusts no absence in a partial listing: planned tags are resolved, and no manifest goes by digest', async () => {
    const reg = new MemoryRegistry();
    const d = reg.push(REPO, 'old', 'one');
    reg.push(REPO, 'hidden-old', 'two');
    reg.push(REPO, 'hidden-keep', 'one');
    reg.push(REPO, 'latest', 'three');
    const plan = planOf(reg, ['old', 'hidden-old']);
    // hidden-keep is on old's digest but the plan never saw it (it was past the listing's cap).
    plan.tags = plan.tags.filter((t) => t.tag !== 'hidden-keep');
    reg.unlisted.add('hidden-old').add('hidden-keep');
    const report = await run(reg, plan);
    expect(report.results.map((r) => outcomeOf(report, r.tag))).toEqual(['untagged', 'untagged']);
    expect(reg.digestOf(REPO, 'hidden-keep')).toBe(d);
    expect(reg.manifests.has(`${REPO}@${d}`)).toBe(true);
    expect(reg.collateral).toEqual([]);
  });

  it('stops at a cancel: the group in flight finishes, the rest is skipped `cancelled`, and no progress follows', async () => {
    const reg = new MemoryRegistry();
    for (const t of ['t1', 't2', 't3', 't4']) reg.push(REPO, t, t);
    const controller = new AbortController();
    let groups = 0;
    reg.beforeDelete = () => {
      if (++groups === 2) controller.abort();
    };
    const events: RunProgress[] = [];
    let afterCancel = 0;
    const report = await run(reg, planOf(reg, ['t1', 't2', 't3', 't4']), {
      signal: controller.signal,
      concurrency: 1,
      onProgress: (p) => {
        events.push(p);
        if (controller.signal.aborted) afterCancel++;
      },
    });
    expect(report.results.map((r) => outcomeOf(report, r.tag))).toEqual(['deleted', 'deleted', 'skipped:cancelled', 'skipped:cancelled']);
    expect(report.summary.cancelled).toBe(true);
    expect(afterCancel).toBe(0);
    expect(events.map((e) => e.item?.tag)).toEqual(['t1']);
    expect([...reg.tags.get(REPO)!.keys()]).toEqual(['t3', 't4']);
  });

  it('reports a killed run from its journal ("unknown, check"), and a rerun settles it as already gone', async () => {
    const reg = new MemoryRegistry();
    reg.push(REPO, 'a', 'one');
    reg.push(REPO, 'b', 'two');
    reg.push(REPO, 'keep', 'three');
    const plan = planOf(reg, ['a', 'b']);
    let sent!: () => void;
    const reached = new Promise<void>((r) => (sent = r));
    // The process "dies" after the registry did the delete, before the answer is recorded.
    reg.answer = (_g, actual) => {
      actual();
      sent();
      return new Promise(() => undefined);
    };
    const runId = newRunId();
    const journal = await JournalWriter.open(auditPath(dir, runId));
    void run(reg, plan, { runId, concurrency: 1, journal });
    await reached;
    const crashed = await readRunReport(auditPath(dir, runId));
    await journal.close();
    expect(crashed.results[0]).toMatchObject({ tag: 'a', outcome: 'failed', detail: UNKNOWN_AFTER_CRASH });
    expect(crashed.results[1]).toMatchObject({ tag: 'b', outcome: 'skipped', skipReason: 'cancelled' });
    expect(crashed.notes.join(' ')).toMatch(/did not finish/);
    const history = await listRuns(dir);
    expect(history[0]).toMatchObject({ runId, restorable: 0 });
    expect(history[0]!.finishedAt).toBeUndefined();

    delete reg.answer;
    const rerun = await run(reg, plan);
    expect(rerun.results.map((r) => outcomeOf(rerun, r.tag))).toEqual(['skipped:already-gone', 'deleted']);
  });

  it('stops before the next delete when its journal cannot be written', async () => {
    const reg = new MemoryRegistry();
    for (const t of ['a', 'b', 'c']) reg.push(REPO, t, t);
    reg.push(REPO, 'latest', 'latest');
    let intents = 0;
    const failing = {
      path: join(dir, 'full.jsonl'),
      write: (line: { type: string }) => (line.type === 'intent' && ++intents === 2 ? Promise.reject(new Error('ENOSPC: no space left on device')) : Promise.resolve()),
      close: () => Promise.resolve(),
    } as unknown as JournalWriter;
    const plan = planOf(reg, ['a', 'b', 'c']);
    await expect(executePlan({ runId: 'r', plan, imagesRepo: plan.repository, registry: '127.0.0.1:5000', driver: reg.driver(), ctx: NO_CONTEXT, reads: reg.reads(), journal: failing, signal: new AbortController().signal, concurrency: 1 })).rejects.toMatchObject({ code: 'journal-failed' });
    expect([...reg.tags.get(REPO)!.keys()].sort()).toEqual(['b', 'c', 'latest']);
  });

  it('keeps a failure with the registry\'s error and hint, and never writes a secret to the audit log', async () => {
    const reg = new MemoryRegistry();
    reg.push(REPO, 'a', 'one');
    reg.push(REPO, 'keep', 'two');
    const secret = 's3cr3t-Passw0rd!';
    // A hostile registry echoes what it was sent into its error body.
    reg.answer = (g) => g.tags.map((tag) => ({ tag, outcome: 'failed', method: 'DELETE /v2/<name>/manifests/<digest>', error: { code: 'registry-error', message: `DENIED: bad credential alice:${secret} (${Buffer.from(`alice:${secret}`).toString('base64')})`, hint: 'Give the user delete rights.' } }));
    const report = await run(reg, planOf(reg, ['a']), { secrets: [secret, `alice:${secret}`] });
    expect(report.results[0]).toMatchObject({ outcome: 'failed', hint: 'Give the user delete rights.' });
    const text = await readFile(report.auditLog, 'utf8');
    expect(text).toContain('DENIED');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(`alice:${secret}`).toString('base64'));
  });

  it('restores deleted tags from the audit log and checks each resolves to its original digest', async () => {
    const reg = new MemoryRegistry();
    const d1 = reg.push(REPO, 'a', 'one');
    reg.push(REPO, 'b', 'one');
    const d2 = reg.push(REPO, 'c', 'two');
    reg.push(REPO, 'keep', 'two');
    const report = await run(reg, planOf(reg, ['a', 'b', 'c']));
    expect(report.summary).toMatchObject({ deleted: 2, untagged: 1 });

    const journal = await JournalWriter.open(report.auditLog);
    const items: string[] = [];
    const one = await restoreRun({ record: await readRun(report.auditLog), tags: [{ repository: REPO, tag: 'b' }, { repository: REPO, tag: 'nope' }], driver: reg.driver(), ctx: NO_CONTEXT, reads: reg.reads(), journal, signal: new AbortController().signal, onItem: (i) => items.push(`${i.tag}:${i.outcome}`) });
    expect(one.results.map((r) => `${r.tag}:${r.outcome}`)).toEqual(['nope:failed', 'b:restored']);
    expect(reg.digestOf(REPO, 'b')).toBe(d1);
    expect((await listRuns(dir))[0]!.restorable).toBe(2);
    const rest = await restoreRun({ record: await readRun(report.auditLog), driver: reg.driver(), ctx: NO_CONTEXT, reads: reg.reads(), journal, signal: new AbortController().signal });
    await journal.close();
    expect(rest.results.map((r) => `${r.tag}:${r.outcome}`).sort()).toEqual(['a:restored', 'c:restored']);
    expect(reg.digestOf(REPO, 'a')).toBe(d1);
    expect(reg.digestOf(REPO, 'c')).toBe(d2);
    expect((await listRuns(dir))[0]!.restorable).toBe(0);
    expect(items).toEqual(['nope:failed', 'b:restored']);
  });

  it('reads no manifest where GETs are metered: HEAD only, and the audit says the bytes were not kept', async () => {
    const reg = new MemoryRegistry();
    reg.meteredGets = true;
    reg.push(REPO, 'old', 'one');
    reg.push(REPO, 'keep', 'two');
    const report = await run(reg, planOf(reg, ['old']));
    expect(report.results[0]).toMatchObject({ outcome: 'deleted' });
    expect(reg.calls.filter((c) => c.startsWith('GET'))).toEqual([]);
    const outcome = parseJournal(await readFile(report.auditLog, 'utf8')).find((l) => l.type === 'outcome');
    expect(outcome).toMatchObject({ tag: 'old', manifest: null });
  });

  it('reads a partial answer per tag: some deleted, one refused with the registry\'s words, and the run counts them apart', async () => {
    const reg = new MemoryRegistry();
    for (const t of ['a', 'b', 'c']) reg.push(REPO, t, 'shared');
    reg.push(REPO, 'keep', 'other');
    reg.answer = (g) => g.tags.map((tag) => (tag === 'b' ? { tag, outcome: 'failed', method: 'BatchDeleteImage', error: { code: 'registry-error', message: 'ImageReferencedByManifestList', hint: 'Delete the index first.' } } : { tag, outcome: 'untagged', method: 'BatchDeleteImage' }));
    const report = await run(reg, planOf(reg, ['a', 'b', 'c']));
    expect(report.results.map((r) => outcomeOf(report, r.tag))).toEqual(['untagged', 'failed', 'untagged']);
    expect(report.results[1]).toMatchObject({ detail: 'ImageReferencedByManifestList', hint: 'Delete the index first.', method: 'BatchDeleteImage' });
    expect(report.summary).toMatchObject({ untagged: 2, failed: 1, manifestsDeleted: 0 });
  });

  it('does not delete when the manifest to keep for a restore cannot be read', async () => {
    const reg = new MemoryRegistry();
    const d = reg.push(REPO, 'old', 'one');
    reg.push(REPO, 'keep', 'two');
    reg.manifests.delete(`${REPO}@${d}`);
    const report = await run(reg, planOf(reg, ['old']));
    expect(report.results[0]).toMatchObject({ outcome: 'failed', method: 'none' });
    expect(reg.digestOf(REPO, 'old')).toBe(d);
    expect(parseJournal(await readFile(report.auditLog, 'utf8')).some((l) => l.type === 'intent')).toBe(false);
  });

  it('lists runs newest first', async () => {
    const reg = new MemoryRegistry();
    reg.push(REPO, 'a', 'one');
    const plan = planOf(reg, ['a']);
    const older = await run(reg, plan, { runId: newRunId(new Date('2026-01-01T00:00:00Z')) });
    const newer = await run(reg, plan, { runId: newRunId(new Date('2026-02-01T00:00:00Z')) });
    const history = await listRuns(dir);
    expect(history.map((h) => h.runId)).toEqual([newer.runId, older.runId].sort().reverse());
    expect(history.every((h) => h.auditLog.startsWith(join(dir, 'cleanup-runs')))).toBe(true);
  });
});
