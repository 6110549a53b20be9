import { describe, expect, it } from 'vitest';
import type { CleanupInputs } from '../../../../shared/api/cleanup';
import type { CleanupPlan, CleanupTag } from '../../../../shared/cleanup/types';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import type { StrategyLimits } from '../../../stores/cleanup-store';
import { computePlan, type PlanChoices } from '../plan';
import { confirmationSummary, undoWarning } from './confirmation';

// Plans come from the real planner, so the summary is checked against what the view really shows.
const REPO = 'app';
const dg = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const NOW = '2026-06-01T00:00:00Z';
const day = (d: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + d * 86_400_000).toISOString();
const NO_LIMITS: StrategyLimits = { gitBranch: {}, gitTag: {}, gitCommit: {} };

function tag(t: string, n: number, created: number): CleanupTag {
  return { repository: REPO, tag: t, digest: dg(n), kind: 'image', size: 1000 + n, created: day(created), image: 'app' };
}

/**
 * Five tags: `new` stays (newest); `old-a`/`old-b` share digest 2; `x` and `y` have their own.
 * Keeping `old-b` by hand leaves digest 2 with a tag that goes and one that stays.
 */
const TAGS = [tag('new', 1, 30), tag('old-a', 2, 1), tag('old-b', 2, 1), tag('x', 3, 2), tag('y', 4, 3)];

function planFor(implementation: string, tagDelete: boolean, keep: string[] = []): CleanupPlan {
  const inputs: CleanupInputs = {
    inputsId: 'test-inputs',
    input: { now: NOW, repository: `127.0.0.1:5000/${REPO}`, implementation, registryHost: '127.0.0.1:5000', capability: { tagDelete, digestDelete: implementation !== 'dockerhub' }, tags: TAGS, policy: 'auto' },
    keepPolicies: null,
    notes: [],
    sources: { tags: TAGS.length, git: null, werfMetadata: null, kube: null },
    durationMs: 1,
  };
  const choices: PlanChoices = { policy: 'rules', keepPolicies: null, rules: { keepNewest: 1 }, limits: NO_LIMITS, overrides: keep.map((t) => ({ repository: REPO, tag: t })), proceedWithoutUnreachable: false };
  const out = computePlan(inputs, choices);
  if (!out.ok) throw new Error(out.error.message);
  return out.plan;
}

describe('confirmationSummary', () => {
  it('counts tags going with their digest, the manifests freed, and names the digest call', () => {
    const plan = planFor('default', true);
    const s = confirmationSummary(plan);
    expect(s.tags).toBe(4);
    expect(s.withDigest).toBe(4);
    expect(s.untagged).toBe(0);
    expect(s.manifestsFreed).toBe(3);
    expect(s.digestMethod).toMatchObject({ call: CATALOGUE.default.deletion.digest.call, tags: 4, undo: 'reput' });
    expect(s.untagMethod).toBeNull();
    expect(s.sharedDigests).toEqual([]);
    expect(s.irreversible).toBe(false);
    expect(s.storageNote).toMatch(/garbage collection/);
    expect(s.repositories).toEqual([REPO]);
  });

  it('a digest keeping one of its tags: the other is untagged, and the dialog names who goes and who stays', () => {
    const plan = planFor('default', true, ['old-b']);
    const s = confirmationSummary(plan);
    expect(s.tags).toBe(3);
    expect(s.untagged).toBe(1);
    expect(s.withDigest).toBe(2);
    expect(s.untagMethod).toMatchObject({ call: CATALOGUE.default.deletion.untag!.call, tags: 1 });
    expect(s.sharedDigests).toEqual([{ repository: REPO, digest: dg(2), going: ['old-a'], staying: ['old-b'] }]);
    expect(s.cannotUntag).toBe(0);
  });

  it('GitHub cannot untag: the tags that would need it are announced as skipped', () => {
    const plan = planFor('github', true, ['old-b']);
    const s = confirmationSummary(plan);
    expect(CATALOGUE.github.deletion.untag).toBeNull();
    expect(s.untagged).toBe(1);
    expect(s.untagMethod).toBeNull();
    expect(s.cannotUntag).toBe(1);
    expect(s.nativeUndo).toBe(true);
    expect(s.irreversible).toBe(false);
  });

  it('Docker Hub: nothing can be put back, said in the dialog and before it in the plan view', () => {
    const plan = planFor('dockerhub', true);
    const s = confirmationSummary(plan);
    expect(s.irreversible).toBe(true);
    expect(undoWarning('dockerhub')).toMatch(/cannot restore/);
    expect(undoWarning('default')).toBeNull();
    expect(undoWarning('quay')).toBeNull();
  });

  it('an implementation Stowage does not know is treated as irreversible', () => {
    const plan = { ...planFor('default', true), implementation: 'mystery' };
    const s = confirmationSummary(plan);
    expect(s.implementation).toBeNull();
    expect(s.digestMethod).toBeNull();
    expect(s.irreversible).toBe(true);
    expect(undoWarning('mystery')).not.toBeNull();
  });

  it('a plan that deletes nothing asks nothing to be undone', () => {
    const plan = planFor('dockerhub', true, ['old-a', 'old-b', 'x', 'y']);
    const s = confirmationSummary(plan);
    expect(s.tags).toBe(0);
    expect(s.irreversible).toBe(false);
    expect(s.sharedDigests).toEqual([]);
  });
});
