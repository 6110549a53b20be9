import type { KubeUsage, PlanInput, PlanKeepPolicy, StrategyLimit, WerfMetadataFormat } from '../cleanup/types';
import type { ImplementationChoice } from '../registry/implementations';

/**
 * What the Cleanup view asks the main process for: the planner's inputs, gathered once (the whole
 * inventory, git, werf metadata, the clusters). The planner is pure, so the view recomputes the
 * plan from these as the user edits the policy, without another registry call; the CLI gathers the
 * same inputs through the same plan service, so an exported plan equals `stowage cleanup --json`.
 */
// TODO(cleanup-inputs): the `cleanup.inputs` handler calls the plan service (plan-service.ts) as
//   gatherCleanupInputs(request: CleanupInputsRequest, deps: { projectDir: string; access: RegistryAccess;
//     signal: AbortSignal; onProgress(p: CleanupProgress): void }): Promise<CleanupInputs>
// and the CLI builds its PlanInput from the same gathering, so an export equals `stowage cleanup --json`
// for the same `now` and policy (the view sets `policyReason` only when the user names a werf policy,
// to the text the CLI uses for --policy).
export interface CleanupInputsRequest {
  imagesRepo: string;
  implementation: ImplementationChoice;
  mode: 'auto' | 'multirepo' | 'monorepo';
  /** `off` = `--without-kube`; `all` = every context of the kubeconfig; `context` = one. */
  kube: { source: 'off' } | { source: 'all' } | { source: 'context'; context: string };
  /** ISO time to plan at; default: when the inputs were gathered. */
  now?: string;
  /**
   * werf v1.1 only: the stages storage (`--stages-storage`) holding `image-metadata-by-commit-*`
   * records, when it is not the images repo. v1.2+/v2 keep their `meta-*` records in the repo itself.
   */
  metadataRepository?: string;
}

/** Something about the inputs the user should know, with what it does to the plan and the fix. */
export interface CleanupInputNote {
  source: 'inventory' | 'git' | 'werf-metadata' | 'kube' | 'werf.yaml';
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  hint?: string;
}

export interface CleanupInputs {
  /**
   * Names this gathering: the main process keeps the last few inputs by id, and `cleanup.execute`
   * plans again from exactly these before it deletes anything.
   */
  inputsId: string;
  /** Everything the planner needs except the user's choices (`policy` is 'auto', no overrides). */
  input: PlanInput;
  /** werf.yaml's `meta.cleanup.keepPolicies`, null when it writes none (werf's defaults apply). */
  keepPolicies: PlanKeepPolicy[] | null;
  /** werf v1.1 strategy limits the CLI would use (from flags); empty in the app until the user sets them. */
  strategyLimits?: { gitBranch?: StrategyLimit; gitTag?: StrategyLimit; gitCommit?: StrategyLimit };
  notes: CleanupInputNote[];
  /** What was read, for the summary line. */
  sources: {
    tags: number;
    git: { commits: number; refs: number; shallow: boolean; hasOrigin: boolean; lastFetch?: string } | null;
    werfMetadata: { formats: WerfMetadataFormat[]; records: number; repository?: string } | null;
    kube: (Pick<KubeUsage, 'contexts' | 'unreachable'> & { uses: number }) | null;
  };
  durationMs: number;
}

export interface CleanupProgress {
  phase: 'inventory' | 'git' | 'werf-metadata' | 'kube' | 'done';
  done: number;
  total: number | null;
  message?: string;
}
