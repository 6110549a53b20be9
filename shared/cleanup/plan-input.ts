import type { CleanupInputs } from '../api/cleanup';
import { choosePolicy } from './planner';
import type { KeepOverride, PlanInput, PlanKeepPolicy, PolicyConfig, StrategyLimit } from './types';

/**
 * From gathered inputs and the user's choices to the planner's input — the same for the CLI
 * (`stowage cleanup`) and the Cleanup view, so an exported plan equals the CLI's for the same
 * `now` and policy, policy reason included.
 */

/** The user's choice of policy, as the CLI's --policy and the app's picker name it. */
export type PolicyChoice =
  | { kind: 'auto' }
  | { kind: 'werf-git-history'; keepPolicies?: PlanKeepPolicy[] | null }
  | { kind: 'werf-tag-strategy'; limits?: { gitBranch?: StrategyLimit; gitTag?: StrategyLimit; gitCommit?: StrategyLimit } }
  | { kind: 'config'; policy: PolicyConfig; reason: string };

export interface PlanChoices {
  policy: PolicyChoice;
  now?: string;
  overrides?: KeepOverride[];
  /** Plan although some clusters could not be read (the plan says so on every tag it affects). */
  proceedWithoutUnreachableKube?: boolean;
}

/**
 * The PlanInput for gathered inputs and the user's choices. werf's policies use werf.yaml's
 * keepPolicies (werf's defaults when it writes none); `auto` picks from what the repository holds.
 */
export function planInputFor(inputs: CleanupInputs, choices: PlanChoices): PlanInput {
  const base: PlanInput = { ...inputs.input, ...(choices.now ? { now: choices.now } : {}), ...(choices.overrides ? { overrides: choices.overrides } : {}) };
  if (base.kube && choices.proceedWithoutUnreachableKube) base.kube = { ...base.kube, proceedWithoutUnreachable: true };
  const keepPolicies = inputs.keepPolicies;
  const c = choices.policy;
  if (c.kind === 'auto') {
    const chosen = choosePolicy(base);
    if (chosen.config?.policy === 'werf-git-history') {
      const from = keepPolicies ? "werf.yaml's keepPolicies" : "werf's default keepPolicies (werf.yaml writes none)";
      return { ...base, policy: { policy: 'werf-git-history', keepPolicies }, policyReason: `${chosen.reason} It uses ${from}.` };
    }
    return { ...base, policy: chosen.config ?? 'auto', policyReason: chosen.reason };
  }
  if (c.kind === 'werf-git-history') {
    const kp = c.keepPolicies !== undefined ? c.keepPolicies : keepPolicies;
    return { ...base, policy: { policy: 'werf-git-history', keepPolicies: kp }, policyReason: `Chosen with --policy werf-git-history, with ${kp ? "werf.yaml's keepPolicies" : "werf's default keepPolicies"}.` };
  }
  if (c.kind === 'werf-tag-strategy') {
    return { ...base, policy: { policy: 'werf-tag-strategy', ...(c.limits ?? {}) }, policyReason: 'Chosen with --policy werf-tag-strategy.' };
  }
  return { ...base, policy: c.policy, policyReason: c.reason };
}

