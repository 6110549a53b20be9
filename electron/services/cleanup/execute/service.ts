import { setMaxListeners } from 'node:events';
import type { CleanupInputs } from '../../../../shared/api/cleanup';
import type { CleanupRunReport, ExecuteRequest, RestoreItem, RestoreReport, RunHistoryEntry, RunProgress } from '../../../../shared/api/cleanup-run';
import { UserError } from '../../../../shared/api/result';
import { planCleanup } from '../../../../shared/cleanup/planner';
import { planInputFor } from '../../../../shared/cleanup/plan-input';
import type { CleanupPlan } from '../../../../shared/cleanup/types';
import { detectParsed, parseImagesRepo } from '../../../../shared/registry/detect';
import { isImplementation } from '../../../../shared/registry/implementation-registry';
import type { Implementation } from '../../../../shared/registry/implementations';
import type { ResolvedCredential } from '../../credentials/types';
import type { RegistryAccess } from '../../registry-access';
import { executePlan } from './executor';
import { JournalWriter } from './journal';
import { driverReads } from './registry-reads';
import { restoreRun } from './restore';
import { auditPath, listRuns, locateRun, newRunId, readRun, readRunReport } from './run-store';
import { openSession, type SessionInput } from './session';

/**
 * The cleanup run service behind `cleanup.execute/restore/history/run` and `stowage cleanup --yes`
 * / `stowage restore`: it keeps the last gathered planner inputs (so the app executes exactly the
 * plan it showed, by id), opens a registry session with the credential the resolver picks, and
 * runs the executor and the restore with a journal in the settings folder.
 */

export interface CleanupRunsDeps {
  settingsDir: string;
  access: RegistryAccess;
  /** Session tuning (tests: short timeouts, no real sleeps). */
  session?: Pick<SessionInput, 'httpOptions' | 'maxBudgetWaitMs' | 'concurrency'>;
  /** How long a group already sent may finish after a cancel before its requests are aborted. */
  cancelGraceMs?: number;
  clock?: () => Date;
}

/** Inputs the app gathered recently; a few are enough (one per open Cleanup view, and a refresh). */
const KEPT_INPUTS = 4;

export class CleanupRuns {
  readonly #deps: CleanupRunsDeps;
  readonly #inputs = new Map<string, CleanupInputs>();

  constructor(deps: CleanupRunsDeps) {
    this.#deps = deps;
  }

  /** Keeps the inputs of a `cleanup.inputs` call so `execute` can plan again from exactly them. */
  remember(inputs: CleanupInputs): CleanupInputs {
    this.#inputs.delete(inputs.inputsId);
    this.#inputs.set(inputs.inputsId, inputs);
    while (this.#inputs.size > KEPT_INPUTS) this.#inputs.delete(this.#inputs.keys().next().value!);
    return inputs;
  }

  /** The app's execute: the plan made again from the remembered inputs must be the one reviewed. */
  async execute(req: ExecuteRequest, signal: AbortSignal, onProgress: (p: RunProgress) => void): Promise<CleanupRunReport> {
    const inputs = this.#inputs.get(req.inputsId);
    if (!inputs) {
      throw new UserError({ code: 'inputs-expired', message: 'The inputs this plan was made from are no longer kept, so the plan cannot be checked; nothing was deleted.', hint: 'Refresh the Cleanup view to gather the inputs again, review the plan, then delete.' });
    }
    if (inputs.input.repository !== req.imagesRepo) {
      throw new UserError({ code: 'plan-changed', message: `The plan was made for ${inputs.input.repository}, not ${req.imagesRepo}; nothing was deleted.`, hint: 'Plan the images repo you want to clean, review it, then delete.' });
    }
    if (req.implementation !== 'auto' && req.implementation !== inputs.input.implementation) {
      throw new UserError({ code: 'plan-changed', message: `The plan was made for a ${inputs.input.implementation} registry, not ${req.implementation}; nothing was deleted.`, hint: 'Plan again with the implementation you want, review it, then delete.' });
    }
    const outcome = planCleanup(planInputFor(inputs, req.choices));
    if (!outcome.ok) throw new UserError({ code: 'bad-policy', message: outcome.error.message, ...(outcome.error.hint !== undefined ? { hint: outcome.error.hint } : {}) });
    assertSamePlan(outcome.plan, req.planId);
    return this.run(outcome.plan, req.imagesRepo, signal, onProgress);
  }

  /** Carries out a plan made in this process (the CLI, after its own id check). */
  async run(plan: CleanupPlan, imagesRepo: string, signal: AbortSignal, onProgress?: (p: RunProgress) => void): Promise<CleanupRunReport> {
    const implementation = implementationOf(plan.implementation);
    const { registry, details, credential, settings } = await this.#target(imagesRepo, implementation, signal);
    const clock = this.#deps.clock ?? (() => new Date());
    const runId = newRunId(clock());
    const grace = graceSignal(signal, this.#deps.cancelGraceMs ?? 10_000);
    let waitingUntil: string | undefined;
    let done = 0;
    const total = plan.tags.filter((t) => t.action === 'delete').length;
    const session = await openSession({
      registry,
      implementation,
      credential,
      settings,
      details,
      signal: grace.signal,
      onWait: (until) => {
        waitingUntil = until?.toISOString();
        if (!signal.aborted) onProgress?.({ runId, done, total, ...(waitingUntil ? { waitingUntil } : {}) });
      },
      ...this.#deps.session,
    });
    let journal: JournalWriter | undefined;
    try {
      // No journal, no run: nothing is deleted unless it can be written down first.
      journal = await JournalWriter.open(auditPath(this.#deps.settingsDir, runId), secretsOf(credential));
      return await executePlan({
        runId,
        plan,
        imagesRepo,
        registry,
        driver: session.driver,
        ctx: session.ctx,
        reads: driverReads(session.driver, session.ctx),
        journal,
        signal,
        concurrency: session.concurrency,
        onProgress: (p) => {
          done = p.done;
          onProgress?.({ ...p, ...(waitingUntil ? { waitingUntil } : {}) });
        },
        notes: () => [...session.notes, ...(session.waits > 0 ? [`The registry asked to slow down ${session.waits} time(s); the run waited as asked.`] : [])],
        now: clock,
      });
    } finally {
      grace.dispose();
      await journal?.close();
      await session.close();
    }
  }

  async restore(ref: string, tags: readonly { repository: string; tag: string }[] | undefined, signal: AbortSignal, onItem: (item: RestoreItem, done: number, total: number) => void, opts: { allowPath?: boolean } = {}): Promise<RestoreReport> {
    const path = await locateRun(this.#deps.settingsDir, ref, opts.allowPath === true);
    const record = await readRun(path);
    const implementation = implementationOf(record.header.implementation);
    const { registry, details, credential, settings } = await this.#target(record.header.imagesRepo, implementation, signal);
    const grace = graceSignal(signal, this.#deps.cancelGraceMs ?? 10_000);
    const session = await openSession({ registry, implementation, credential, settings, details, signal: grace.signal, ...this.#deps.session });
    let journal: JournalWriter | undefined;
    try {
      journal = await JournalWriter.open(path, secretsOf(credential));
      return await restoreRun({ record, tags, driver: session.driver, ctx: session.ctx, reads: driverReads(session.driver, session.ctx), journal, signal, onItem, ...(this.#deps.clock ? { now: this.#deps.clock } : {}) });
    } finally {
      grace.dispose();
      await journal?.close();
      await session.close();
    }
  }

  history(): Promise<RunHistoryEntry[]> {
    return listRuns(this.#deps.settingsDir);
  }

  async report(ref: string, opts: { allowPath?: boolean } = {}): Promise<CleanupRunReport> {
    return readRunReport(await locateRun(this.#deps.settingsDir, ref, opts.allowPath === true));
  }

  async #target(imagesRepo: string, implementation: Implementation, signal: AbortSignal) {
    const parsed = parseImagesRepo(imagesRepo);
    if (parsed.registry === '') throw new UserError({ code: 'bad-images-repo', message: `"${imagesRepo}" is not an images repo address.`, hint: 'Type an address like registry.example.com/team/app.' });
    const registry = parsed.registry;
    const credential = await this.#deps.access.resolver.resolve(registry, implementation, signal);
    const settings = await this.#deps.access.settings.get(registry);
    return { registry, details: detectParsed(parsed).details, credential, settings };
  }
}

export function assertSamePlan(plan: CleanupPlan, planId: string): void {
  if (plan.planId !== planId) {
    throw new UserError({
      code: 'plan-changed',
      message: `The plan made now (${plan.planId.slice(0, 19)}…) is not the one reviewed (${planId.slice(0, 19)}…): the inputs or the choices differ, so nothing was deleted.`,
      hint: 'Review the plan again (refresh the inputs), then delete from the plan you see.',
    });
  }
}

function implementationOf(name: string): Implementation {
  if (!isImplementation(name)) throw new UserError({ code: 'bad-implementation', message: `Unknown registry implementation "${name}".`, hint: 'Plan again with a known implementation.' });
  return name;
}

/** The credential's secret strings, so the journal can prove it never writes them. */
export function secretsOf(credential: ResolvedCredential | null): string[] {
  if (!credential) return [];
  const s = credential.secret;
  switch (s.kind) {
    case 'basic':
      return [s.password.reveal(), `${s.username}:${s.password.reveal()}`];
    case 'identity-token':
      return [s.token.reveal(), `${s.username}:${s.token.reveal()}`];
    case 'registry-token':
    case 'bearer-token':
    case 'google-token':
      return [s.token.reveal()];
    default:
      return [];
  }
}

/**
 * A signal that follows the user's cancel after a grace period: requests already sent (a delete in
 * flight) get the chance to finish and be recorded, while the executor starts nothing new at once.
 */
function graceSignal(user: AbortSignal, graceMs: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    timer = setTimeout(() => controller.abort(user.reason), graceMs);
    timer.unref?.();
  };
  if (user.aborted) onAbort();
  else user.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      user.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    },
  };
}
