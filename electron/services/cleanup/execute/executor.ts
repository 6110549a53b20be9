import type { CleanupRunReport, RunItem, RunProgress, SkipReason } from '../../../../shared/api/cleanup-run';
import { UserError } from '../../../../shared/api/result';
import type { CleanupPlan, PlannedTag } from '../../../../shared/cleanup/types';
import type { ImplementationInfo } from '../../../../shared/registry/catalogue';
import type { DriverContext } from '../../inventory/types';
import type { DeleteGroup, RegistryDriver, TagDeleteResult } from '../../registries/types';
import { JOURNAL_VERSION, type JournalWriter, type OutcomeLine } from './journal';
import { runItemOf, summarize } from './run-report';
import type { RegistryReads, Resolution } from './registry-reads';

/**
 * Carries out a confirmed cleanup plan, one digest group at a time, never trusting the plan's
 * snapshot: every repository is listed again at the start, every tag is resolved again right
 * before its delete, and a manifest goes by digest only when no tag outside the plan points at it.
 * Every delete is announced in the journal (on disk) before it is sent.
 */

export interface ExecuteInput {
  runId: string;
  plan: CleanupPlan;
  imagesRepo: string;
  registry: string;
  driver: Pick<RegistryDriver, 'deleteTags'> & { readonly info: ImplementationInfo };
  ctx: DriverContext;
  reads: RegistryReads;
  journal: JournalWriter;
  /** The user's cancel: no group starts after it; a group in flight finishes (the session's own signal bounds it). */
  signal: AbortSignal;
  /** Groups worked on at once (each group's requests are sequential). */
  concurrency: number;
  onProgress?: (p: RunProgress) => void;
  /** Lines for the report's notes, known when the run ends (connection notes, rate-limit waits). */
  notes?: () => string[];
  now?: () => Date;
}

interface Group {
  repository: string;
  digest: string;
  /** The plan's delete rows on this digest, in plan order. */
  rows: PlannedTag[];
  /** The plan's kept tags on this digest: while any is still there, the manifest stays. */
  keptAtPlan: string[];
}

interface RepositoryState {
  /** A fresh listing: tag → digest where the listing knows it. null = the listing failed. */
  listed: Map<string, string | null> | null;
  listingError?: string;
  /** Every tag by the digest it points at now (filled only where some manifest could go). */
  tagsOn: Map<string, string[]>;
  /** Some tag could not be resolved, or the listing is partial: no manifest of this repository goes by digest. */
  unknown: string | null;
  /** The listing holds every tag: a planned tag missing from it is already gone. */
  complete: boolean;
}

const key = (repository: string, tag: string): string => `${repository}\0${tag}`;

export async function executePlan(input: ExecuteInput): Promise<CleanupRunReport> {
  const now = input.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const { plan, journal } = input;
  const deletes = plan.tags.filter((t) => t.action === 'delete');
  await journal.write(
    {
      type: 'header',
      version: JOURNAL_VERSION,
      runId: input.runId,
      planId: plan.planId,
      imagesRepo: input.imagesRepo,
      registry: input.registry,
      implementation: plan.implementation,
      startedAt,
      items: deletes.map((t) => ({ repository: t.repository, tag: t.tag, digest: t.digest })),
    },
    true,
  );

  const results = new Map<string, RunItem>();
  let done = 0;
  const progress = (p: Omit<RunProgress, 'runId' | 'done' | 'total'>): void => {
    // The caller cancelled: it has moved on, so nothing more is said.
    if (input.signal.aborted) return;
    input.onProgress?.({ runId: input.runId, done, total: deletes.length, ...p });
  };
  const record = async (line: Omit<OutcomeLine, 'type' | 'time' | 'registry'>): Promise<void> => {
    const full: OutcomeLine = { type: 'outcome', time: now().toISOString(), registry: input.registry, ...line };
    await journal.write(full);
    const item = runItemOf(full);
    results.set(key(item.repository, item.tag), item);
    done++;
    progress({ item });
  };
  const skip = (t: PlannedTag, reason: SkipReason, detail: string, digest = t.digest): Promise<void> =>
    record({ repository: t.repository, tag: t.tag, digest, method: 'none', mediaType: null, manifest: null, outcome: 'skipped', skipReason: reason, detail });

  // Rows the registry could not describe were never meant to be deleted; say so and go on.
  const groups = new Map<string, Group>();
  for (const t of deletes) {
    if (t.digest === null) {
      await skip(t, 'digest-moved', 'The plan did not know this tag\'s digest, so it cannot be checked and is not deleted.');
      continue;
    }
    const k = `${t.repository}@${t.digest}`;
    let g = groups.get(k);
    if (!g) {
      g = { repository: t.repository, digest: t.digest, rows: [], keptAtPlan: [] };
      groups.set(k, g);
    }
    g.rows.push(t);
  }
  for (const t of plan.tags) {
    if (t.action !== 'keep' || t.digest === null) continue;
    groups.get(`${t.repository}@${t.digest}`)?.keptAtPlan.push(t.tag);
  }

  const repos = new Map<string, RepositoryState>();
  const repoNames = [...new Set([...groups.values()].map((g) => g.repository))];
  for (const repository of repoNames) {
    if (input.signal.aborted) break;
    repos.set(repository, await surveyRepository(input, repository, [...groups.values()].filter((g) => g.repository === repository)));
  }

  const queue = [...groups.values()];
  // A journal that cannot be written stops the run: no delete is sent that is not written down first.
  let halted: unknown = null;
  const worker = async (): Promise<void> => {
    for (let g = queue.shift(); g !== undefined && halted === null; g = queue.shift()) {
      try {
        if (input.signal.aborted) {
          for (const t of g.rows) await skip(t, 'cancelled', 'The run was cancelled before this tag\'s turn; nothing was sent for it.');
          continue;
        }
        await runGroup(input, g, repos.get(g.repository)!, { record, skip });
      } catch (e) {
        halted ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, queue.length)) }, worker));
  if (halted !== null) {
    const why = halted instanceof Error ? halted.message : String(halted);
    throw new UserError({ code: 'journal-failed', message: `The run stopped: its journal ${journal.path} could not be written (${why}). No delete was sent after that.`, hint: 'Free disk space or fix the settings folder\'s permissions, then run the same plan again: what was done is reported as already gone.' });
  }

  const ordered = deletes.map((t) => results.get(key(t.repository, t.tag))!);
  const summary = summarize(ordered, input.signal.aborted);
  const notes = [...(input.notes?.() ?? [])];
  const storage = input.driver.info.deletion.storageNote;
  if (storage && summary.deleted + summary.untagged > 0) notes.push(storage);
  if (summary.cancelled) notes.push('The run was cancelled: tags after the cancel were not touched; run the same plan again to finish.');
  const finishedAt = now().toISOString();
  await journal.write({ type: 'footer', finishedAt, summary, notes }, true);
  return {
    runId: input.runId,
    planId: plan.planId,
    imagesRepo: input.imagesRepo,
    registry: input.registry,
    implementation: plan.implementation,
    startedAt,
    finishedAt,
    results: ordered,
    summary,
    auditLog: journal.path,
    notes,
  };
}

/**
 * The repository as it is now: its tags and, where some manifest could go by digest, the digest
 * every tag points at (the listing's, else resolved with HEAD) — planned tags included, since one
 * pushed again onto another group's digest must keep that manifest alive.
 */
async function surveyRepository(input: ExecuteInput, repository: string, groups: Group[]): Promise<RepositoryState> {
  const listing = await input.reads.listTags(repository);
  if (!listing.ok) return { listed: null, listingError: listing.hint ? `${listing.message} — ${listing.hint}` : listing.message, tagsOn: new Map(), unknown: null, complete: false };
  const state: RepositoryState = { listed: listing.tags, tagsOn: new Map(), unknown: listing.incomplete !== undefined ? `the repository's listing is incomplete (${listing.incomplete})` : null, complete: listing.incomplete === undefined };
  // A kept tag still listed keeps its manifest whatever the other tags do; no need to look closer.
  const candidates = groups.filter((g) => !g.keptAtPlan.some((t) => listing.tags.has(t)));
  if (candidates.length === 0 || state.unknown !== null) return state;
  const unresolved: string[] = [];
  for (const [tag, digest] of listing.tags) {
    if (digest !== null) addTagOn(state, digest, tag);
    else unresolved.push(tag);
  }
  const queue = [...unresolved];
  const worker = async (): Promise<void> => {
    for (let tag = queue.shift(); tag !== undefined; tag = queue.shift()) {
      if (input.signal.aborted) {
        state.unknown ??= 'the run was cancelled while the tags were checked';
        return;
      }
      const r = await input.reads.resolve(repository, tag);
      if (r.state === 'present') addTagOn(state, r.digest, tag);
      else if (r.state === 'unknown') state.unknown ??= `${tag} could not be resolved (${r.message})`;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, queue.length)) }, worker));
  return state;
}

/**
 * Tags on `digest` that the survey did not know: names listed now but not then, resolved one by
 * one (a listing that names digests says them directly). `unknown` when the registry could not say.
 */
async function tagsPushedOnto(input: ExecuteInput, repository: string, digest: string, repo: RepositoryState, planned: ReadonlySet<string>): Promise<{ tags: string[]; unknown: string | null }> {
  const listing = await input.reads.listTags(repository);
  if (!listing.ok) return { tags: [], unknown: `listing it again right before the delete failed: ${listing.message}` };
  if (listing.incomplete !== undefined) return { tags: [], unknown: listing.incomplete };
  const found: string[] = [];
  for (const [tag, listed] of listing.tags) {
    if (planned.has(tag) || repo.listed?.has(tag)) continue;
    if (listed !== null) {
      if (listed === digest) found.push(tag);
      continue;
    }
    const r = await input.reads.resolve(repository, tag);
    if (r.state === 'present' && r.digest === digest) found.push(tag);
    else if (r.state === 'unknown') return { tags: found, unknown: `${tag}, pushed during the run, could not be resolved (${r.message})` };
  }
  return { tags: found, unknown: null };
}

function addTagOn(state: RepositoryState, digest: string, tag: string): void {
  const list = state.tagsOn.get(digest);
  if (list) list.push(tag);
  else state.tagsOn.set(digest, [tag]);
}

interface Recorders {
  record(line: Omit<OutcomeLine, 'type' | 'time' | 'registry'>): Promise<void>;
  skip(t: PlannedTag, reason: SkipReason, detail: string, digest?: string | null): Promise<void>;
}

async function runGroup(input: ExecuteInput, g: Group, repo: RepositoryState, out: Recorders): Promise<void> {
  const { reads, driver } = input;
  if (repo.listed === null) {
    for (const t of g.rows) {
      await out.record({ repository: t.repository, tag: t.tag, digest: g.digest, method: 'none', mediaType: null, manifest: null, outcome: 'failed', detail: `The repository could not be listed again before deleting, so nothing in it was deleted: ${repo.listingError ?? 'unknown error'}`, error: { code: 'relist-failed', message: `Listing ${g.repository} again failed: ${repo.listingError ?? 'unknown error'}`, hint: 'Nothing was deleted here; run the same plan again when the registry answers.' } });
    }
    return;
  }

  // Each tag resolved again, right now.
  const live: PlannedTag[] = [];
  let mediaType: string | null = null;
  let unknownTag = false;
  for (const t of g.rows) {
    if (repo.complete && !repo.listed.has(t.tag)) {
      await out.skip(t, 'already-gone', 'The registry no longer has this tag: nothing to do.');
      continue;
    }
    const r: Resolution = await reads.resolve(g.repository, t.tag);
    if (r.state === 'gone') await out.skip(t, 'already-gone', 'The registry no longer has this tag: nothing to do.');
    else if (r.state === 'unknown') {
      unknownTag = true;
      await out.record({ repository: t.repository, tag: t.tag, digest: g.digest, method: 'none', mediaType: null, manifest: null, outcome: 'failed', detail: `The tag could not be resolved again before its delete, so it was not deleted: ${r.message}`, error: { code: 'resolve-failed', message: r.message, ...(r.hint !== undefined ? { hint: r.hint } : { hint: 'Nothing was deleted for this tag; run the same plan again.' }) } });
    } else if (r.digest !== g.digest) {
      await out.skip(t, 'digest-moved', `The tag now points at ${r.digest}, not at ${g.digest} as planned: it was pushed again since the plan, so it stays.`, g.digest);
    } else {
      live.push(t);
      mediaType = r.mediaType ?? mediaType;
    }
  }
  if (live.length === 0) return;
  if (input.signal.aborted) {
    for (const t of live) await out.skip(t, 'cancelled', 'The run was cancelled before this tag\'s turn; nothing was sent for it.');
    return;
  }

  // May the manifest itself go? Only when nothing outside the plan's live tags points at it.
  const keptStill = g.keptAtPlan.filter((t) => repo.listed!.has(t));
  const liveTags = new Set(live.map((t) => t.tag));
  const siblings = (repo.tagsOn.get(g.digest) ?? []).filter((t) => !liveTags.has(t));
  // The planner marks a row "by tag" when its manifest must stay for something the tag survey
  // cannot see (a kept index that lists it as a child): such a digest never goes.
  const planKeepsManifest = live.some((t) => t.method === 'tag');
  let unknownNow: string | null = null;
  if (!planKeepsManifest && keptStill.length === 0 && siblings.length === 0 && repo.unknown === null && !unknownTag && driver.info.deletion.digest.removesOtherTags === true) {
    // The survey is minutes old in a long run; a tag pushed onto this digest since (a release
    // tagged on an old commit) would go with it. Look again right before the delete.
    const fresh = await tagsPushedOnto(input, g.repository, g.digest, repo, liveTags);
    siblings.push(...fresh.tags);
    unknownNow = fresh.unknown;
  }
  const newSiblings = siblings.filter((t) => !g.keptAtPlan.includes(t));
  const digestGoes = !planKeepsManifest && keptStill.length === 0 && siblings.length === 0 && repo.unknown === null && unknownNow === null && !unknownTag;
  const untag = driver.info.deletion.untag;
  if (!digestGoes && untag === null) {
    const reason: SkipReason = newSiblings.length > 0 ? 'new-sibling' : 'cannot-untag';
    const why =
      newSiblings.length > 0
        ? `${newSiblings.slice(0, 3).join(', ')}${newSiblings.length > 3 ? ` and ${newSiblings.length - 3} more` : ''} now point${newSiblings.length === 1 ? 's' : ''} at this digest too, and this registry can only delete the whole manifest, so nothing was deleted.`
        : repo.unknown !== null || unknownNow !== null || unknownTag
          ? `Not every tag on this digest could be checked (${repo.unknown ?? unknownNow ?? 'a planned tag could not be resolved'}), and this registry can only delete the whole manifest, so nothing was deleted.`
          : `${keptStill.join(', ')} stay${keptStill.length === 1 ? 's' : ''} on this digest and this registry can only delete the whole manifest, so nothing was deleted.`;
    for (const t of live) await out.skip(t, reason, why, g.digest);
    return;
  }

  // The manifest as it is, for the audit log and a later restore (not where GETs are metered).
  let manifest: string | null = null;
  const method = digestGoes ? driver.info.deletion.digest : untag!;
  if (!reads.meteredGets) {
    const read = await reads.readManifest(g.repository, g.digest);
    if (read.ok) {
      manifest = read.body.toString('base64');
      mediaType = read.mediaType ?? mediaType;
    } else if (method.undo === 'reput') {
      for (const t of live) {
        await out.record({ repository: t.repository, tag: t.tag, digest: g.digest, method: 'none', mediaType, manifest: null, outcome: 'failed', detail: `The manifest could not be read to keep for a restore, so the tag was not deleted: ${read.message}`, error: { code: 'manifest-unreadable', message: read.message, hint: 'Nothing was deleted; run the same plan again when the registry answers.' } });
      }
      return;
    }
  }

  const group: DeleteGroup = { repository: g.repository, digest: g.digest, mediaType, tags: live.map((t) => t.tag), digestGoes };
  await input.journal.write({ type: 'intent', time: (input.now ?? (() => new Date()))().toISOString(), repository: g.repository, digest: g.digest, tags: [...group.tags], digestGoes }, true);
  let answers: TagDeleteResult[];
  try {
    answers = await driver.deleteTags(input.ctx, group);
  } catch (e) {
    // Drivers never throw by contract; if one does, the outcome is unknown, and said so.
    const message = e instanceof Error ? e.message : String(e);
    answers = group.tags.map((tag) => ({ tag, outcome: 'failed', method: 'unknown', error: { code: 'driver-error', message: `Unknown outcome: ${message}`, hint: 'Check the tag in the registry, or run the same plan again.' } }));
  }
  for (const t of live) {
    const a = answers.find((x) => x.tag === t.tag) ?? { tag: t.tag, outcome: 'failed' as const, method: 'unknown', error: { code: 'no-answer', message: 'The driver gave no result for this tag: its outcome is unknown.', hint: 'Check the tag in the registry, or run the same plan again.' } };
    const base = { repository: t.repository, tag: t.tag, digest: g.digest, method: a.method, mediaType, manifest, ...(a.restore ? { restore: a.restore } : {}) };
    if (a.outcome === 'deleted' || a.outcome === 'untagged') await out.record({ ...base, outcome: a.outcome, ...(a.detail !== undefined ? { detail: a.detail } : {}) });
    else if (a.outcome === 'already-gone') await out.record({ ...base, manifest: null, outcome: 'skipped', skipReason: 'already-gone', detail: a.detail ?? 'The registry no longer has this tag: nothing to do.' });
    else if (a.outcome === 'skipped') await out.record({ ...base, manifest: null, outcome: 'skipped', skipReason: 'cannot-untag', detail: a.detail ?? a.error?.message ?? 'The registry cannot remove this tag without removing tags that stay.' });
    else {
      const error = a.error ?? { code: 'registry-error', message: a.detail ?? 'The registry refused the delete.' };
      await out.record({ ...base, outcome: 'failed', detail: a.detail ?? error.message, error: { code: error.code, message: error.message, ...(error.hint !== undefined ? { hint: error.hint } : {}) } });
    }
  }
}
