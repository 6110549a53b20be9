import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCleanup } from './planner';
import type { CleanupPlan, CleanupTag, GitSnapshot, KubeUsage, PlanInput, PolicyConfig, WerfMetadata } from './types';

/**
 * Property tests of the planner's safety rules over random repositories: shared digests, indexes
 * with children, signatures, werf service tags, unreadable and pending rows, cluster usage,
 * overrides — under random policies and both delete capabilities.
 */

const NOW_MS = Date.parse('2025-06-01T12:00:00Z');
const RUNS = 1000;
const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const REPOS = ['app', 'app/web'];
const IMAGES = [null, 'web', 'api'] as const;
const COMMITS = Array.from({ length: 6 }, (_, i) => (i + 1).toString(16).repeat(40));

const tagArb = fc.record({
  repo: fc.constantFrom(...REPOS),
  digest: fc.integer({ min: 1, max: 8 }),
  shape: fc.constantFrom('image', 'image', 'image', 'index', 'signature', 'service', 'error', 'pending'),
  children: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 2 }),
  subject: fc.integer({ min: 1, max: 9 }),
  ageHours: fc.integer({ min: 0, max: 24 * 60 }),
  undated: fc.boolean(),
  werf: fc.boolean(),
  strategy: fc.constantFrom(undefined, 'git-branch', 'git-tag', 'git-commit', 'custom'),
  meta: fc.constantFrom('main', 'feature-x', 'v1', COMMITS[0]!, COMMITS[5]!, 'gone'),
  signature: fc.constantFrom(undefined, 's1', 's2', 's3', 's4'),
  image: fc.constantFrom(...IMAGES),
  name: fc.constantFrom('latest', 'v1.0.0', 'v1.2.0', 'v2.0.0', 'pr-1', 'pr-2', 'main', 'feature-x', 'tmp', 'stable'),
});

type RawTag = typeof tagArb extends fc.Arbitrary<infer T> ? T : never;

function buildTags(raw: RawTag[]): CleanupTag[] {
  // A registry lists a name once: signatures of the same subject in one repository collapse.
  const seen = new Set<string>();
  return raw.filter((r) => {
    const id = r.shape === 'signature' ? `${r.repo}\0${r.subject}` : null;
    if (id === null) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  }).map((r, i) => {
    const name = r.shape === 'signature' ? `sha256-${digest(r.subject).slice(7)}.sig` : r.shape === 'service' ? `meta-${i}` : `${r.name}-${i}`;
    const t: CleanupTag = { repository: r.repo, tag: name, digest: r.shape === 'error' ? null : digest(r.digest), kind: 'image', size: 100 + r.digest };
    if (!r.undated) t.created = new Date(NOW_MS - r.ageHours * 3_600_000).toISOString();
    t.image = r.image;
    if (r.werf) {
      t.labels = { 'werf-image': 'true', 'werf-image-tag': r.meta };
      if (r.strategy) t.labels['werf-tag-strategy'] = r.strategy;
      if (r.signature) t.labels['werf-content-signature'] = r.signature;
    }
    if (r.shape === 'index') {
      t.kind = 'index';
      t.platforms = r.children.map((c) => ({ digest: digest(c) }));
    } else if (r.shape === 'signature') {
      t.kind = 'signature';
      t.signatureOf = digest(r.subject);
    } else if (r.shape === 'service') {
      t.kind = 'werf-service';
      t.service = 'meta';
    } else if (r.shape === 'error') t.error = 'manifest unknown';
    else if (r.shape === 'pending') t.pending = true;
    return t;
  });
}

const git: GitSnapshot = {
  refs: [
    { kind: 'branch', name: 'main', commit: COMMITS[0]!, date: '2025-05-31T00:00:00Z' },
    { kind: 'branch', name: 'feature-x', commit: COMMITS[2]!, date: '2025-03-01T00:00:00Z' },
    { kind: 'tag', name: 'v1', commit: COMMITS[3]!, date: '2025-01-01T00:00:00Z' },
  ],
  commits: [
    { hash: COMMITS[0]!, parents: [COMMITS[1]!], date: '2025-05-31T00:00:00Z' },
    { hash: COMMITS[1]!, parents: [COMMITS[3]!], date: '2025-05-01T00:00:00Z' },
    { hash: COMMITS[2]!, parents: [COMMITS[3]!], date: '2025-03-01T00:00:00Z' },
    { hash: COMMITS[3]!, parents: [COMMITS[4]!], date: '2025-01-01T00:00:00Z' },
    { hash: COMMITS[4]!, parents: [], date: '2024-12-01T00:00:00Z' },
  ],
  shallow: false,
  hasOrigin: true,
  lastFetch: '2025-06-01T11:00:00Z',
};

const metadataArb: fc.Arbitrary<WerfMetadata> = fc
  .uniqueArray(fc.record({ image: fc.constantFrom(...IMAGES), signature: fc.constantFrom('s1', 's2', 's3'), commit: fc.constantFrom(...COMMITS) }), { maxLength: 6, selector: (r) => `${r.image}|${r.signature}|${r.commit}` })
  .map((records) => ({ records: records.map((r) => ({ format: 'v1.1-image-metadata-by-commit' as const, ...r })), unreadable: [], formats: ['v1.1-image-metadata-by-commit' as const] }));

const policyArb: fc.Arbitrary<PolicyConfig> = fc.oneof(
  fc.record({
    policy: fc.constant('rules' as const),
    keep: fc.subarray(['^v', '^stable', 'latest']),
    delete: fc.constantFrom(undefined, ['^pr-'], ['^tmp', '^feature']),
    keepNewest: fc.constantFrom(undefined, 0, 1, 3),
    keepSemver: fc.constantFrom(undefined, 1, 2),
    protect: fc.constantFrom(undefined, ['latest-0', 'main-1']),
  }).map((p) => JSON.parse(JSON.stringify(p)) as PolicyConfig),
  fc.record({
    policy: fc.constant('werf-tag-strategy' as const),
    gitTag: fc.record({ limit: fc.integer({ min: -1, max: 3 }), expiryDays: fc.integer({ min: -1, max: 40 }) }),
    gitCommit: fc.record({ limit: fc.integer({ min: -1, max: 3 }) }),
  }),
  fc.record({ policy: fc.constant('werf-git-history' as const), keepPolicies: fc.constant(null) }),
);

const inputArb = fc
  .record({
    raw: fc.array(tagArb, { minLength: 1, maxLength: 24 }),
    policy: policyArb,
    tagDelete: fc.boolean(),
    digestDelete: fc.boolean(),
    metadata: fc.option(metadataArb, { nil: null }),
    kubeTags: fc.uniqueArray(fc.nat(30), { maxLength: 3 }),
    kubeDigests: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 2 }),
    unreachable: fc.boolean(),
    proceed: fc.boolean(),
    overrides: fc.uniqueArray(fc.nat(30), { maxLength: 3 }),
    recentHours: fc.constantFrom(undefined, 0, 2, 48),
  })
  .map((r): PlanInput => {
    const tags = buildTags(r.raw);
    const kube: KubeUsage = {
      contexts: ['kind'],
      uses: [
        ...r.kubeTags.filter((i) => i < tags.length).map((i) => ({ image: 'x', registry: '127.0.0.1:5000', repository: tags[i]!.repository, tag: tags[i]!.tag, where: 'kind/default/Pod/p' })),
        ...r.kubeDigests.map((d) => ({ image: 'y', registry: '127.0.0.1:5000', repository: 'app', digest: digest(d), where: 'kind/default/Job/j' })),
      ],
      unreachable: r.unreachable ? [{ context: 'prod', reason: 'timeout' }] : [],
      proceedWithoutUnreachable: r.proceed,
    };
    return {
      now: new Date(NOW_MS).toISOString(),
      repository: '127.0.0.1:5000/app',
      implementation: 'default',
      registryHost: '127.0.0.1:5000',
      capability: { tagDelete: r.tagDelete, digestDelete: r.digestDelete },
      tags,
      git,
      werfMetadata: r.metadata,
      kube,
      policy: r.policy,
      overrides: r.overrides.filter((i) => i < tags.length).map((i) => ({ repository: tags[i]!.repository, tag: tags[i]!.tag })),
      switches: r.recentHours === undefined ? {} : { keepImagesBuiltWithinLastNHours: r.recentHours },
    };
  });

function plan(input: PlanInput): CleanupPlan {
  const out = planCleanup(input);
  if (!out.ok) throw new Error(`${out.error.code}: ${out.error.message}`);
  return out.plan;
}

const key = (repo: string, d: string): string => `${repo}\0${d}`;

describe('planner properties', () => {
  it('never deletes a digest a kept tag needs, and keeps every protected tag', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = plan(input);
        const byTag = new Map(input.tags.map((t) => [`${t.repository}\0${t.tag}`, t]));
        const kept = p.tags.filter((t) => t.action === 'keep');
        const stays = new Set<string>();
        for (const k of kept) {
          const t = byTag.get(`${k.repository}\0${k.tag}`)!;
          if (t.digest) stays.add(key(t.repository, t.digest));
          for (const c of t.platforms ?? []) stays.add(key(t.repository, c.digest));
        }
        const recent = input.switches?.keepImagesBuiltWithinLastNHours ?? 2;
        const kubeTags = new Set(input.kube!.uses.filter((u) => u.tag).map((u) => `${u.repository}\0${u.tag}`));
        const kubeDigests = new Set(input.kube!.uses.filter((u) => u.digest).map((u) => key(u.repository, u.digest!)));
        const overridden = new Set((input.overrides ?? []).map((o) => `${o.repository}\0${o.tag}`));

        for (const row of p.tags) {
          const t = byTag.get(`${row.repository}\0${row.tag}`)!;
          expect(row.reasons.length).toBeGreaterThan(0);
          if (row.action === 'delete') {
            expect(row.method === 'tag' || row.method === 'digest').toBe(true);
            if (row.method === 'digest') {
              // The invariant: a digest delete never takes a digest that stays.
              expect(input.capability.digestDelete).toBe(true);
              expect(stays.has(key(t.repository, t.digest!))).toBe(false);
            } else expect(input.capability.tagDelete).toBe(true);
            if (stays.has(key(t.repository, t.digest!))) expect(row.method).toBe('tag');
            // Protected kinds of tag are never deleted.
            expect(t.kind === 'werf-service' || t.service !== undefined).toBe(false);
            expect(t.pending === true || t.error !== undefined || t.digest === null).toBe(false);
            expect(overridden.has(`${t.repository}\0${t.tag}`)).toBe(false);
            expect(kubeTags.has(`${t.repository}\0${t.tag}`) || kubeDigests.has(key(t.repository, t.digest!))).toBe(false);
            if (input.kube!.unreachable.length > 0) expect(input.kube!.proceedWithoutUnreachable).toBe(true);
            if (t.kind !== 'signature' && t.created) expect(Date.parse(t.created) <= NOW_MS - recent * 3_600_000).toBe(true);
            if (t.signatureOf) expect(stays.has(key(t.repository, t.signatureOf))).toBe(false);
            if (input.policy !== 'auto' && input.policy.policy === 'werf-git-history' && t.kind !== 'signature') {
              // Deleted by werf's policy only with metadata for its image and content.
              const rec = input.werfMetadata?.records.some((r) => r.image === t.image && r.signature === t.labels?.['werf-content-signature']);
              expect(rec).toBe(true);
            }
          } else {
            expect(row.method).toBeUndefined();
          }
        }
        // Totals agree with the rows.
        expect(p.summary.delete + p.summary.keep).toBe(p.tags.length);
        expect(p.summary.delete).toBe(p.tags.filter((t) => t.action === 'delete').length);
      }),
      { numRuns: RUNS },
    );
  });

  it('is deterministic whatever the listing order, and its id follows every input', () => {
    fc.assert(
      fc.property(inputArb, fc.nat(), fc.constantFrom('now', 'tag', 'capability', 'override', 'kube'), (input, seed, change) => {
        const a = plan(input);
        const shuffled = [...input.tags].sort((x, y) => ((hash(x.tag, seed) - hash(y.tag, seed)) | 0));
        const b = plan({ ...input, tags: shuffled });
        expect(b).toEqual(a);

        let changed: PlanInput;
        if (change === 'now') changed = { ...input, now: new Date(NOW_MS + 1).toISOString() };
        else if (change === 'tag') changed = { ...input, tags: input.tags.map((t, i) => (i === 0 ? { ...t, size: (t.size ?? 0) + 1 } : t)) };
        else if (change === 'capability') changed = { ...input, capability: { ...input.capability, tagDelete: !input.capability.tagDelete } };
        else if (change === 'override') changed = { ...input, overrides: [...(input.overrides ?? []), { repository: 'zzz', tag: `x${seed}` }] };
        else changed = { ...input, kube: { ...input.kube!, contexts: [...input.kube!.contexts, `ctx-${seed}`] } };
        expect(plan(changed).planId).not.toBe(a.planId);
      }),
      { numRuns: RUNS },
    );
  });
});

function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 2654435761);
  return h;
}
