import { create } from 'zustand';
import type { CleanupInputs, CleanupInputsRequest, CleanupProgress } from '../../shared/api/cleanup';
import type { AppError } from '../../shared/api/result';
import type { KeepOverride, PlanKeepPolicy, RulesPolicy, StrategyLimit } from '../../shared/cleanup/types';
import { api } from '../api';

/**
 * The Cleanup view's state: the inputs gathered once by the main process, and the user's choices
 * (policy, its settings, per-row overrides, the unreachable-cluster decision). The plan itself is
 * not stored: it is a pure function of these, recomputed by the view (features/cleanup/plan.ts).
 */

export type PolicyChoice = 'auto' | 'werf-git-history' | 'werf-tag-strategy' | 'rules';
export type PlanGroupBy = 'none' | 'image' | 'digest';
export type ActionFilter = 'all' | 'delete' | 'keep' | 'protected';

export interface StrategyLimits {
  gitBranch: StrategyLimit;
  gitTag: StrategyLimit;
  gitCommit: StrategyLimit;
}

interface CleanupState {
  loading: boolean;
  progress: CleanupProgress | null;
  error: AppError | null;
  inputs: CleanupInputs | null;
  request: CleanupInputsRequest | null;

  policy: PolicyChoice;
  /** The keepPolicies being edited; null = werf's defaults. Preloaded from werf.yaml. */
  keepPolicies: PlanKeepPolicy[] | null;
  rules: Omit<RulesPolicy, 'policy'>;
  limits: StrategyLimits;
  overrides: KeepOverride[];
  /** The user chose to plan although a cluster could not be read. */
  proceedWithoutUnreachable: boolean;
  /** The user chose to stop: no plan is shown until the inputs are gathered again. */
  stopped: boolean;

  filter: string;
  actionFilter: ActionFilter;
  groupBy: PlanGroupBy;
  selected: string | null;

  gather(request: CleanupInputsRequest): Promise<void>;
  cancel(): void;
  setPolicy(policy: PolicyChoice): void;
  setKeepPolicies(policies: PlanKeepPolicy[] | null): void;
  setRules(rules: Omit<RulesPolicy, 'policy'>): void;
  setLimits(limits: StrategyLimits): void;
  toggleOverride(o: KeepOverride): void;
  decideUnreachable(decision: 'stop' | 'proceed'): void;
  setFilter(filter: string): void;
  setActionFilter(filter: ActionFilter): void;
  setGroupBy(groupBy: PlanGroupBy): void;
  select(key: string | null): void;
}

export const planRowKey = (t: { repository: string; tag: string }) => `${t.repository}:${t.tag}`;

const EMPTY_LIMITS: StrategyLimits = { gitBranch: {}, gitTag: {}, gitCommit: {} };

let controller: AbortController | null = null;
let subscribed = false;
/** The id of the `cleanup.inputs` call whose progress the view shows; events of any other call are stale. */
let showing: string | null = null;

export const useCleanupStore = create<CleanupState>((set, get) => ({
  loading: false,
  progress: null,
  error: null,
  inputs: null,
  request: null,
  policy: 'auto',
  keepPolicies: null,
  rules: {},
  limits: EMPTY_LIMITS,
  overrides: [],
  proceedWithoutUnreachable: false,
  stopped: false,
  filter: '',
  actionFilter: 'all',
  groupBy: 'none',
  selected: null,

  async gather(request) {
    if (!subscribed) {
      subscribed = true;
      api.on('cleanup.progress', ({ progress }, { call }) => {
        if (call === showing) set({ progress });
      });
    }
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    set({ loading: true, progress: null, error: null, request, stopped: false, proceedWithoutUnreachable: false, overrides: [], selected: null });
    const pending = api.call('cleanup.inputs', request, { signal: mine.signal });
    showing = pending.id;
    const result = await pending;
    if (controller !== mine) return;
    controller = null;
    if (!result.ok) {
      set({ loading: false, error: result.error.code === 'cancelled' ? { code: 'cancelled', message: 'Gathering the inputs was cancelled; nothing was planned.' } : result.error });
      return;
    }
    const inputs = result.value;
    const limits = inputs.strategyLimits;
    set({
      loading: false,
      inputs,
      keepPolicies: inputs.keepPolicies,
      limits: { gitBranch: limits?.gitBranch ?? {}, gitTag: limits?.gitTag ?? {}, gitCommit: limits?.gitCommit ?? {} },
    });
  },

  cancel() {
    controller?.abort();
  },

  setPolicy: (policy) => set({ policy }),
  setKeepPolicies: (keepPolicies) => set({ keepPolicies }),
  setRules: (rules) => set({ rules }),
  setLimits: (limits) => set({ limits }),
  toggleOverride(o) {
    const key = planRowKey(o);
    const has = get().overrides.some((x) => planRowKey(x) === key);
    set({ overrides: has ? get().overrides.filter((x) => planRowKey(x) !== key) : [...get().overrides, { repository: o.repository, tag: o.tag }] });
  },
  decideUnreachable: (decision) => set(decision === 'stop' ? { stopped: true, proceedWithoutUnreachable: false } : { stopped: false, proceedWithoutUnreachable: true }),
  setFilter: (filter) => set({ filter }),
  setActionFilter: (actionFilter) => set({ actionFilter }),
  setGroupBy: (groupBy) => set({ groupBy }),
  select: (selected) => set({ selected }),
}));
