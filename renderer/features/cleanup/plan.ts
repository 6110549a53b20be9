import type { CleanupInputs } from '../../../shared/api/cleanup';
import { planCleanup } from '../../../shared/cleanup';
import { planInputFor as sharedPlanInputFor, type PlanChoices as SharedPlanChoices, type PolicyChoice as SharedPolicyChoice } from '../../../shared/cleanup/plan-input';
import type { CleanupPlan, KeepOverride, PlanInput, PlanKeepPolicy, PlannedTag, PolicyConfig, PolicyError, RulesPolicy, StrategyLimit } from '../../../shared/cleanup/types';
import type { ActionFilter, PlanGroupBy, PolicyChoice, StrategyLimits } from '../../stores/cleanup-store';

/**
 * From the gathered inputs and the user's choices to a plan, and from a plan to the rows the
 * virtualized table shows. Pure, so it is tested without a browser and runs on every edit.
 */

export interface PlanChoices {
  policy: PolicyChoice;
  keepPolicies: PlanKeepPolicy[] | null;
  rules: Omit<RulesPolicy, 'policy'>;
  limits: StrategyLimits;
  overrides: KeepOverride[];
  proceedWithoutUnreachable: boolean;
}

function limitOrUndefined(l: StrategyLimit): StrategyLimit | undefined {
  const out: StrategyLimit = {};
  if (l.limit !== undefined && l.limit !== -1) out.limit = l.limit;
  if (l.expiryDays !== undefined && l.expiryDays !== -1) out.expiryDays = l.expiryDays;
  return out.limit === undefined && out.expiryDays === undefined ? undefined : out;
}

/** The policy the planner runs; 'auto' lets the planner choose from what the repository holds. */
export function policyConfig(c: Pick<PlanChoices, 'policy' | 'keepPolicies' | 'rules' | 'limits'>): PolicyConfig | 'auto' {
  switch (c.policy) {
    case 'auto':
      return 'auto';
    case 'werf-git-history':
      return { policy: 'werf-git-history', keepPolicies: c.keepPolicies };
    case 'werf-tag-strategy': {
      const p: PolicyConfig = { policy: 'werf-tag-strategy' };
      const b = limitOrUndefined(c.limits.gitBranch);
      const t = limitOrUndefined(c.limits.gitTag);
      const m = limitOrUndefined(c.limits.gitCommit);
      if (b) p.gitBranch = b;
      if (t) p.gitTag = t;
      if (m) p.gitCommit = m;
      return p;
    }
    case 'rules':
      return { policy: 'rules', ...c.rules };
  }
}

/**
 * The planner's input for these choices, built by the same shared function the CLI uses, so an
 * exported plan equals `stowage cleanup --json` for the same `now`, policy reason included.
 */
export function planInputFor(inputs: CleanupInputs, c: PlanChoices): PlanInput {
  return sharedPlanInputFor(inputs, executeChoices(c));
}

/**
 * The choices as the shared planner (and `cleanup.execute`) take them: the main process plans
 * again from these and runs only if it finds the plan the user reviewed.
 */
export function executeChoices(c: PlanChoices): SharedPlanChoices {
  return {
    policy: sharedChoice(c),
    ...(c.overrides.length > 0 ? { overrides: c.overrides } : {}),
    ...(c.proceedWithoutUnreachable ? { proceedWithoutUnreachableKube: true } : {}),
  };
}

function sharedChoice(c: PlanChoices): SharedPolicyChoice {
  const config = policyConfig(c);
  if (config === 'auto') return { kind: 'auto' };
  switch (config.policy) {
    case 'werf-git-history':
      return { kind: 'werf-git-history', keepPolicies: c.keepPolicies };
    case 'werf-tag-strategy': {
      const { policy: _, ...limits } = config;
      return { kind: 'werf-tag-strategy', limits };
    }
    default:
      return { kind: 'config', policy: config, reason: 'Rules edited in the app.' };
  }
}

export type PlanResult = { ok: true; plan: CleanupPlan; ms: number } | { ok: false; error: PolicyError };

export function computePlan(inputs: CleanupInputs, c: PlanChoices): PlanResult {
  const started = performance.now();
  const out = planCleanup(planInputFor(inputs, c));
  if (!out.ok) return out;
  return { ok: true, plan: out.plan, ms: performance.now() - started };
}

export type PlanItem =
  | { type: 'group'; key: string; label: string; count: number; deletes: number }
  | { type: 'row'; key: string; tag: PlannedTag };

export function isProtected(t: PlannedTag): boolean {
  return t.action === 'keep' && t.protected === true;
}

function matchesAction(t: PlannedTag, f: ActionFilter): boolean {
  if (f === 'all') return true;
  if (f === 'protected') return isProtected(t);
  if (f === 'keep') return t.action === 'keep' && !isProtected(t);
  return t.action === 'delete';
}

/** Filter (text and action), then group into the flat list the table renders. Plan order is kept inside groups. */
export function planItems(tags: readonly PlannedTag[], filter: string, action: ActionFilter, groupBy: PlanGroupBy): { items: PlanItem[]; visible: number } {
  const needle = filter.trim().toLowerCase();
  const visible = tags.filter(
    (t) =>
      matchesAction(t, action) &&
      (needle === '' ||
        t.tag.toLowerCase().includes(needle) ||
        (t.digest ?? '').includes(needle) ||
        String(t.image ?? '').toLowerCase().includes(needle) ||
        t.reasons.some((r) => r.text.toLowerCase().includes(needle) || r.rule.includes(needle))),
  );
  const row = (t: PlannedTag): PlanItem => ({ type: 'row', key: `${t.repository}:${t.tag}`, tag: t });
  if (groupBy === 'none') return { items: visible.map(row), visible: visible.length };
  const groups = new Map<string, PlannedTag[]>();
  for (const t of visible) {
    const key = groupBy === 'image' ? (t.image === undefined ? '(not a werf image)' : t.image === null ? '(nameless image)' : t.image) : t.digest ? `${t.repository}@${t.digest}` : '(no digest)';
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  const items: PlanItem[] = [];
  for (const [key, list] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const label = groupBy === 'digest' && key.includes('@') ? key.slice(key.indexOf('@') + 1).slice(0, 19) : key;
    items.push({ type: 'group', key: `group:${key}`, label, count: list.length, deletes: list.filter((t) => t.action === 'delete').length });
    for (const t of list) items.push(row(t));
  }
  return { items, visible: visible.length };
}
