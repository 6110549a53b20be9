import type { ImplementationChoice } from '../registry/implementations';
import type { PlanChoices } from '../cleanup/plan-input';

/**
 * Carrying out a reviewed cleanup plan, and undoing it. The main process runs it (never the
 * renderer); the app and `stowage cleanup --yes` / `stowage restore` share these shapes, which are
 * also the CLI's `--json` documents.
 */

/** What a tag's delete came to. `skipped` is always for a stated safety reason (`skipReason`). */
export type RunOutcome = 'deleted' | 'untagged' | 'skipped' | 'failed';

export type SkipReason =
  /** The registry no longer has the tag (a rerun, or someone else deleted it): nothing to do. */
  | 'already-gone'
  /** The tag points at another digest than when the plan was made. */
  | 'digest-moved'
  /** A tag outside the plan now points at the digest that was to be deleted. */
  | 'new-sibling'
  /** The registry cannot remove this tag without removing tags that stay (GitHub's versions). */
  | 'cannot-untag'
  /** The run was cancelled before this tag's turn. */
  | 'cancelled';

export interface RunItem {
  repository: string;
  tag: string;
  /** The digest the plan saw (null when the registry could not say: such rows are never deleted). */
  digest: string | null;
  outcome: RunOutcome;
  /** The registry call (catalogue `deletion.*.call` form), or 'none'. */
  method: string;
  skipReason?: SkipReason;
  /** One sentence: the reason for a skip, the registry's error for a failure. */
  detail?: string;
  hint?: string;
}

export interface RunSummary {
  total: number;
  deleted: number;
  untagged: number;
  skipped: number;
  failed: number;
  /** Manifests removed by digest. */
  manifestsDeleted: number;
  cancelled: boolean;
}

export interface CleanupRunReport {
  runId: string;
  planId: string;
  imagesRepo: string;
  registry: string;
  implementation: string;
  startedAt: string;
  finishedAt: string;
  results: RunItem[];
  summary: RunSummary;
  /** The run's audit log (JSON lines) in the settings folder. */
  auditLog: string;
  /** What the user should know after the run (garbage collection, rate limits met). */
  notes: string[];
}

/** Progress of a running `cleanup.execute`: one event per finished tag, plus waits. */
export interface RunProgress {
  runId: string;
  done: number;
  total: number;
  /** The tag that just finished. */
  item?: RunItem;
  /** Set while the run waits for a registry's rate limit (ISO time it resumes). */
  waitingUntil?: string;
}

export type RestoreOutcome = 'restored' | 'failed';

export interface RestoreItem {
  repository: string;
  tag: string;
  digest: string;
  outcome: RestoreOutcome;
  detail?: string;
  hint?: string;
}

export interface RestoreReport {
  runId: string;
  results: RestoreItem[];
}

/** One past run, from its audit log. */
export interface RunHistoryEntry {
  runId: string;
  planId: string;
  imagesRepo: string;
  registry: string;
  implementation: string;
  startedAt: string;
  /** Absent when the run never finished (a crash): its journal says what was done. */
  finishedAt?: string;
  summary: RunSummary;
  /** Deleted or untagged tags that a restore could bring back. */
  restorable: number;
  auditLog: string;
}

/**
 * `cleanup.execute`: the plan is identified by the choices it was made with and its id. The main
 * process plans again from the inputs it gathered for that call (`inputsId`) and refuses when the
 * id differs: only the plan the user reviewed runs.
 */
export interface ExecuteRequest {
  /** `CleanupInputs.inputsId` of the `cleanup.inputs` call the plan was made from. */
  inputsId: string;
  imagesRepo: string;
  implementation: ImplementationChoice;
  choices: PlanChoices;
  planId: string;
}
