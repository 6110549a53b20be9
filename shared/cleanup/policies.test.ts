import { describe, expect, it } from 'vitest';
import { planCleanup } from './planner';
import type { CleanupPlan, CleanupTag, GitSnapshot, PlanInput, PlanKeepPolicy, WerfMetadata } from './types';

const NOW = '2025-06-01T12:00:00Z';
const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const C = (n: number): string => n.toString(16).padStart(40, '0');
const day = (d: number): string => new Date(Date.parse(NOW) - d * 86_400_000).toISOString();

function run(extra: Partial<PlanInput> & Pick<PlanInput, 'tags' | 'policy'>): CleanupPlan {
  const out = planCleanup({ now: NOW, repository: 'r', implementation: 'default', registryHost: 'r', capability: { tagDelete: false, digestDelete: true }, ...extra });
  if (!out.ok) throw new Error(out.error.message);
  return out.plan;
}

const actions = (p: CleanupPlan): Record<string, string> => Object.fromEntries(p.tags.map((t) => [t.tag, `${t.action} ${t.reasons[0]!.rule}`]));

describe('rules policy', () => {
  const t = (tag: string, n: number, createdDaysAgo: number, image = 'app'): CleanupTag => ({ repository: 'app', tag, digest: D(n), kind: 'image', size: 1, created: day(createdDaysAgo), image });

  it('applies rules in their stated precedence', () => {
    const tags = [t('latest', 1, 100), t('v1.0.0', 2, 90), t('v2.0.0', 3, 80), t('v3.0.0', 4, 70), t('release-1', 5, 60), t('pr-1', 6, 1), t('pr-2', 7, 50), t('pr-3', 8, 40), t('main', 9, 30)];
    const p = run({ tags, policy: { policy: 'rules', protect: ['latest'], keep: ['^release-'], keepYoungerThan: { duration: '72h', by: 'created' }, keepNewest: 1, keepSemver: 2, delete: ['^pr-', '^v'] } });
    expect(actions(p)).toEqual({
      latest: 'keep rules-protect',
      'release-1': 'keep rules-keep',
      'pr-1': 'keep rules-keep-younger',
      main: 'keep rules-default', // not the newest (pr-1 is), and no delete pattern matches it
      'v3.0.0': 'keep rules-keep-semver',
      'v2.0.0': 'keep rules-keep-semver',
      'v1.0.0': 'delete rules-delete',
      'pr-2': 'delete rules-delete',
      'pr-3': 'delete rules-delete',
    });
  });
});

describe('rules policy re-planned on the same inventory (what it remembers per tag list)', () => {
  const tags: CleanupTag[] = Array.from({ length: 60 }, (_, i): CleanupTag => ({
    repository: 'app', tag: `${['pr', 'v', 'main', 'rc'][i % 4]}-${i}`, digest: `sha256:${i.toString(16).padStart(64, '0')}`, kind: 'image', size: 1,
    created: new Date(Date.parse(NOW) - (i + 1) * 3_600_000).toISOString(), image: i % 3 === 0 ? 'a' : 'b',
  }));
  const policyFor = (k: number): PlanInput['policy'] => ({
    policy: 'rules', keep: [`-${k % 7}\\d$`], delete: [`^(pr|rc)-`, `-${k}$`], keepNewest: k % 5, keepSemver: 1, keepYoungerThan: { duration: `${k % 9}h`, by: 'created' },
  });

  it('gives the same plan as a fresh copy of the inventory, across more patterns than it keeps answers for', () => {
    // 45 different pattern sets on one tag list (more than the 32 remembered, so answers are also
    // dropped and recomputed), each compared with a plan of a copy that shares nothing with it.
    for (let round = 0; round < 2; round++) {
      for (let k = 0; k < 45; k++) {
        const reused = run({ tags, policy: policyFor(k) });
        const fresh = run({ tags: tags.map((t) => ({ ...t })), policy: policyFor(k) });
        expect(reused).toEqual(fresh);
      }
    }
  });
});

describe('werf git-history policy', () => {
  // main: 1 ← 2 ← 3 ← 4 (head, 1 day old); feature: 2 ← 10 ← 11 (head 2 days old); release tag v1 on 1.
  const git: GitSnapshot = {
    refs: [
      { kind: 'branch', name: 'main', commit: C(4), date: day(1) },
      { kind: 'branch', name: 'feature', commit: C(11), date: day(2) },
      { kind: 'branch', name: 'stale', commit: C(20), date: day(40) },
      { kind: 'tag', name: 'v1', commit: C(1), date: day(300) },
    ],
    commits: [
      { hash: C(1), parents: [], date: day(300) },
      { hash: C(2), parents: [C(1)], date: day(200) },
      { hash: C(3), parents: [C(2)], date: day(20) },
      { hash: C(4), parents: [C(3)], date: day(1) },
      { hash: C(10), parents: [C(2)], date: day(3) },
      { hash: C(11), parents: [C(10)], date: day(2) },
      { hash: C(20), parents: [C(2)], date: day(40) },
    ],
    shallow: false,
    hasOrigin: true,
    lastFetch: day(0),
  };
  const commitsWithImages = [1, 2, 3, 4, 10, 11, 20];
  const tags: CleanupTag[] = commitsWithImages.map((c) => ({ repository: 'app', tag: `c${c}`, digest: D(c), kind: 'image', size: 1, created: day(400), image: 'app', labels: { 'werf-image': 'true', 'werf-content-signature': `s${c}` } }));
  const werfMetadata: WerfMetadata = { records: commitsWithImages.map((c) => ({ format: 'v1.1-image-metadata-by-commit', image: 'app', commit: C(c), signature: `s${c}` })), unreadable: [], formats: ['v1.1-image-metadata-by-commit'] };
  const plan = (keepPolicies: PlanKeepPolicy[] | null, g: GitSnapshot = git): Record<string, string> =>
    actions(run({ tags, git: g, werfMetadata, policy: { policy: 'werf-git-history', keepPolicies } }));

  it('applies werf\'s defaults: 10 tags, branches of the last week with 2 images each, main with 10', () => {
    expect(plan(null)).toEqual({
      c1: 'keep keep-policy', // tag v1 (depth 1) and main
      c2: 'keep keep-policy', // main: imagesPerReference last 10
      c3: 'keep keep-policy',
      c4: 'keep keep-policy',
      c10: 'keep keep-policy', // feature: the 2 newest within 168h
      c11: 'keep keep-policy',
      c20: 'delete unreached', // branch "stale" changed 40 days ago: not within 168h
    });
  });

  it('honours literal names, imagesPerReference last, and Or', () => {
    expect(plan([{ references: { branch: 'main' }, imagesPerReference: { last: 1 } }])).toMatchObject({ c4: 'keep keep-policy', c3: 'delete unreached', c1: 'delete unreached', c11: 'delete unreached' });
    // `fea` is a literal: it does not match "feature" (werf anchors literal values).
    expect(plan([{ references: { branch: 'fea' } }])).toMatchObject({ c11: 'delete unreached' });
    expect(plan([{ references: { branch: { regex: 'fea' } } }])).toMatchObject({ c11: 'keep keep-policy', c10: 'keep keep-policy', c2: 'keep keep-policy', c1: 'keep keep-policy', c4: 'delete unreached' });
    // last 1 Or in 80h: the newest image, plus every image of the last 80 hours.
    expect(plan([{ references: { branch: 'feature' }, imagesPerReference: { last: 1, in: '80h', operator: 'Or' } }])).toMatchObject({ c11: 'keep keep-policy', c10: 'keep keep-policy', c2: 'delete unreached' });
    // And: both limits; at exactly 72h old, c10 is not "within" 72h (werf compares strictly).
    expect(plan([{ references: { branch: 'feature' }, imagesPerReference: { last: 2, in: '72h', operator: 'And' } }])).toMatchObject({ c11: 'keep keep-policy', c10: 'delete unreached' });
    // tags are scanned at depth 1 only
    expect(plan([{ references: { tag: { regex: '.*' } } }])).toMatchObject({ c1: 'keep keep-policy', c2: 'delete unreached' });
    // references.limit.last picks the most recent branches
    expect(plan([{ references: { branch: { regex: '.*' }, limit: { last: 1 } }, imagesPerReference: { last: 1 } }])).toMatchObject({ c4: 'keep keep-policy', c11: 'delete unreached' });
  });

  it('keeps instead of guessing: shallow clones, no origin, missing or unreadable metadata', () => {
    const shallow = plan(null, { ...git, shallow: true });
    expect(shallow.c20).toBe('keep git-unavailable');
    const noOrigin = plan(null, { ...git, hasOrigin: false, refs: [] });
    expect(Object.values(noOrigin).every((v) => v === 'keep git-unavailable')).toBe(true);
    const p = actions(run({ tags, git, werfMetadata: { ...werfMetadata, records: werfMetadata.records.filter((r) => r.commit !== C(20)) }, policy: { policy: 'werf-git-history', keepPolicies: null } }));
    expect(p.c20).toBe('keep metadata-missing');
    const u = actions(run({ tags, git, werfMetadata: { ...werfMetadata, unreadable: [{ image: 'app', reason: 'HTTP 500' }] }, policy: { policy: 'werf-git-history', keepPolicies: null } }));
    expect(Object.values(u).every((v) => v === 'keep metadata-unreadable')).toBe(true);
  });
});
