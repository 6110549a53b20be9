import { describe, expect, it } from 'vitest';
import type { CleanupInputs } from '../../../shared/api/cleanup';
import type { CleanupTag } from '../../../shared/cleanup/types';
import type { StrategyLimits } from '../../stores/cleanup-store';
import { computePlan, planInputFor, planItems, policyConfig, type PlanChoices } from './plan';

const REPO = 'app';
const dg = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const NOW = '2026-06-01T00:00:00Z';
const OLD = '2026-01-01T00:00:00Z';

function tag(t: string, n: number, extra: Partial<CleanupTag> = {}): CleanupTag {
  return { repository: REPO, tag: t, digest: dg(n), kind: 'image', size: 1000 + n, created: OLD, image: 'app', ...extra };
}

const NO_LIMITS: StrategyLimits = { gitBranch: {}, gitTag: {}, gitCommit: {} };
const choices = (over: Partial<PlanChoices> = {}): PlanChoices => ({ policy: 'rules', keepPolicies: null, rules: { keepNewest: 1 }, limits: NO_LIMITS, overrides: [], proceedWithoutUnreachable: false, ...over });

function inputs(tags: CleanupTag[]): CleanupInputs {
  return {
    inputsId: 'test-inputs',
    input: { now: NOW, repository: `127.0.0.1:5000/${REPO}`, implementation: 'default', registryHost: '127.0.0.1:5000', capability: { tagDelete: false, digestDelete: true }, tags, policy: 'auto' },
    keepPolicies: null,
    notes: [],
    sources: { tags: tags.length, git: null, werfMetadata: null, kube: null },
    durationMs: 1,
  };
}

describe('policyConfig', () => {
  it('drops unset and unlimited (-1) strategy limits, as werf treats them', () => {
    expect(policyConfig({ policy: 'werf-tag-strategy', keepPolicies: null, rules: {}, limits: { gitBranch: { limit: -1, expiryDays: 30 }, gitTag: { limit: -1 }, gitCommit: {} } })).toEqual({ policy: 'werf-tag-strategy', gitBranch: { expiryDays: 30 } });
    expect(policyConfig({ policy: 'auto', keepPolicies: null, rules: {}, limits: NO_LIMITS })).toBe('auto');
  });
});

describe('computePlan from the view', () => {
  const rows = [tag('v1', 1, { created: '2026-01-01T00:00:00Z' }), tag('v2', 2, { created: '2026-02-01T00:00:00Z' }), tag('v3', 3, { created: '2026-03-01T00:00:00Z' })];

  it('runs the real planner: the rules keep the newest, delete the rest, with a reason each', () => {
    const r = computePlan(inputs(rows), choices());
    if (!r.ok) throw new Error(r.error.message);
    const by = Object.fromEntries(r.plan.tags.map((t) => [t.tag, t.action]));
    expect(by).toEqual({ v1: 'delete', v2: 'delete', v3: 'keep' });
    expect(r.plan.tags.every((t) => t.reasons.length > 0 && t.reasons[0]!.text.length > 0)).toBe(true);
  });

  it('records a per-row override: the tag is kept and the plan id changes', () => {
    const before = computePlan(inputs(rows), choices());
    const after = computePlan(inputs(rows), choices({ overrides: [{ repository: REPO, tag: 'v1' }] }));
    if (!before.ok || !after.ok) throw new Error('plan failed');
    const v1 = after.plan.tags.find((t) => t.tag === 'v1')!;
    expect(v1.action).toBe('keep');
    expect(v1.reasons.map((r) => r.rule)).toContain('override');
    expect(after.plan.planId).not.toBe(before.plan.planId);
  });

  it('reports a bad rules regex as an error instead of planning', () => {
    const r = computePlan(inputs(rows), choices({ rules: { keep: ['(unclosed'] } }));
    expect(r.ok).toBe(false);
  });

  it('passes the unreachable-cluster decision to the planner', () => {
    const inp = inputs(rows);
    inp.input.kube = { contexts: [], uses: [], unreachable: [{ context: 'prod', reason: 'refused' }] };
    expect(planInputFor(inp, choices()).kube?.proceedWithoutUnreachable).toBeUndefined();
    expect(planInputFor(inp, choices({ proceedWithoutUnreachable: true })).kube?.proceedWithoutUnreachable).toBe(true);
    const stopped = computePlan(inp, choices());
    if (!stopped.ok) throw new Error('plan failed');
    expect(stopped.plan.summary.delete).toBe(0);
    const proceeding = computePlan(inp, choices({ proceedWithoutUnreachable: true }));
    if (!proceeding.ok) throw new Error('plan failed');
    expect(proceeding.plan.summary.delete).toBe(2);
  });

  it('plans 20,000 tags under the rules policy from the view', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => tag(`b${i}`, i + 10, { created: new Date(Date.parse(OLD) + i * 60_000).toISOString() }));
    const r = computePlan(inputs(many), choices({ rules: { keepNewest: 50, keep: ['^release-'] } }));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.plan.summary.delete).toBe(20_000 - 50);
    expect(r.ms).toBeGreaterThan(0);
  });
});

describe('planItems', () => {
  const r = computePlan(inputs([tag('v1', 1), tag('v2', 2), tag('latest', 2, { created: '2026-05-31T23:00:00Z' }), tag('meta-x', 9, { kind: 'werf-service', service: 'meta' })]), choices());
  if (!r.ok) throw new Error('plan failed');
  const plan = r.plan;

  it('filters by action and text (reasons included)', () => {
    expect(planItems(plan.tags, '', 'protected', 'none').items.map((i) => (i.type === 'row' ? i.tag.tag : ''))).toContain('meta-x');
    expect(planItems(plan.tags, '', 'delete', 'none').items.every((i) => i.type === 'row' && i.tag.action === 'delete')).toBe(true);
    const text = plan.tags.find((t) => t.tag === 'v1')!.reasons[0]!.text.slice(0, 12).toLowerCase();
    expect(planItems(plan.tags, text, 'all', 'none').visible).toBeGreaterThan(0);
  });

  it('groups by digest with a delete count per group', () => {
    const { items } = planItems(plan.tags, '', 'all', 'digest');
    const groups = items.filter((i) => i.type === 'group');
    expect(groups).toHaveLength(3);
    const shared = groups.find((g) => g.type === 'group' && g.count === 2);
    expect(shared).toBeDefined();
  });
});
