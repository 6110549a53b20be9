import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyTag, MEDIA_TYPES, tagKind } from '../../../../shared/inventory/classify';
import { planCleanup } from '../../../../shared/cleanup/planner';
import type { CleanupPlan, CleanupTag, RulesPolicy } from '../../../../shared/cleanup/types';
import { seedImage, seedIndex, startDistribution, type DistributionHandle } from '../../../../e2e/services/distribution';
import { RegistryFacts } from '../../../../e2e/services/registry-facts';
import { makeTempDir, removeDir } from '../../../../e2e/services/util';
import { executeOnRegistry, restoreOnRegistry } from './testing/real-registry';

/**
 * The cleanup path end to end against a real distribution 2.8, over random repositories and
 * random rules policies: plan (the real planner) → execute (the real executor, session and
 * default driver) → check the registry → restore the run → check again. Each round gets a fresh
 * repository in one registry, so rounds stay cheap.
 */

const ROUNDS = 100;
const NOW_MS = Date.parse('2025-06-01T12:00:00Z');
const NAMES = ['latest', 'stable', 'v1.0.0', 'v1.2.0', 'v2.0.0', 'pr-1', 'pr-2', 'main', 'tmp', 'feature-x'] as const;

const policyArb: fc.Arbitrary<RulesPolicy> = fc
  .record({
    policy: fc.constant('rules' as const),
    keep: fc.subarray(['^v2', '^stable', 'latest', '^main$']),
    delete: fc.constantFrom(undefined, ['^pr-'], ['^tmp', '^feature', '^v1'], ['.*']),
    keepNewest: fc.constantFrom(undefined, 0, 1, 2),
    keepSemver: fc.constantFrom(undefined, 1),
    protect: fc.constantFrom(undefined, ['stable'], ['pr-1', 'tmp']),
  })
  // Drops the undefined keys, as a policy file would.
  .map((p) => JSON.parse(JSON.stringify(p)) as RulesPolicy);

const roundArb = fc.record({
  images: fc.integer({ min: 1, max: 4 }),
  oci: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  ageDays: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 4, maxLength: 4 }),
  index: fc.boolean(),
  /** target: an image, the index, or one of its children (folded onto images when there is no index). */
  tags: fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMES), target: fc.nat(6) }), { minLength: 1, maxLength: 8, selector: (t) => t.name }),
  /** Cosign-style signature tags: of an image, of the index, or of nothing in the repository. */
  signatures: fc.uniqueArray(fc.nat(5), { maxLength: 2 }),
  /** A werf service tag sharing the first image's digest. */
  service: fc.boolean(),
  policy: policyArb,
});

type Round = typeof roundArb extends fc.Arbitrary<infer T> ? T : never;

interface Seeded {
  repository: string;
  rows: CleanupTag[];
  /** Children of each index digest. */
  children: Map<string, string[]>;
}

async function seedRound(base: string, repository: string, n: number, r: Round): Promise<Seeded> {
  const rows: CleanupTag[] = [];
  const children = new Map<string, string[]>();
  const imageOpts = (k: number) => ({
    labels: { round: String(n), image: String(k) },
    created: new Date(NOW_MS - r.ageDays[k]! * 86_400_000).toISOString(),
    format: r.oci[k] ? ('oci' as const) : ('docker' as const),
  });
  const indexOpts = { labels: { round: String(n), image: 'index' } };
  // The index's amd64 child, pushed by tag with the same bytes seedIndex pushes by digest.
  const childOpts = { ...indexOpts, format: 'oci' as const, os: 'linux', architecture: 'amd64' };
  const row = (tag: string, digest: string, mediaType: string, created?: string): CleanupTag => {
    const c = classifyTag(tag);
    const t: CleanupTag = { repository, tag, digest, mediaType, kind: tagKind(c, mediaType), size: 100 };
    if (created ?? c.created) t.created = created ?? c.created;
    if (c.service) t.service = c.service;
    if (c.signatureOf) t.signatureOf = c.signatureOf;
    rows.push(t);
    return t;
  };
  const pushTarget = async (tag: string, target: number): Promise<string> => {
    if (r.index && target === r.images) {
      const idx = await seedIndex(base, repository, tag, indexOpts);
      children.set(idx.digest, idx.children.map((c) => c.digest));
      const t = row(tag, idx.digest, MEDIA_TYPES.ociIndex, new Date(NOW_MS - 30 * 86_400_000).toISOString());
      t.platforms = idx.children.map((c) => ({ digest: c.digest }));
      return idx.digest;
    }
    if (r.index && target === r.images + 1) {
      // The child must exist as the index's before a tag may point at it.
      const idx = await seedIndex(base, repository, `idx-for-${tag}`, indexOpts);
      children.set(idx.digest, idx.children.map((c) => c.digest));
      const t = row(`idx-for-${tag}`, idx.digest, MEDIA_TYPES.ociIndex, new Date(NOW_MS - 30 * 86_400_000).toISOString());
      t.platforms = idx.children.map((c) => ({ digest: c.digest }));
      const digest = await seedImage(base, repository, tag, childOpts);
      expect(digest).toBe(idx.children.find((c) => c.platform.architecture === 'amd64')!.digest);
      row(tag, digest, MEDIA_TYPES.ociManifest, '2024-01-01T00:00:00.000Z');
      return digest;
    }
    const k = target % r.images;
    const o = imageOpts(k);
    const digest = await seedImage(base, repository, tag, o);
    row(tag, digest, o.format === 'oci' ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest, o.created);
    return digest;
  };

  const digests = new Map<number, string>();
  for (const t of r.tags) digests.set(t.target, await pushTarget(t.name, t.target));
  if (r.service) await pushTarget('meta-app-0123', 0);
  let i = 0;
  for (const s of r.signatures) {
    const subject = digests.get(s) ?? `sha256:${(n * 10 + s).toString(16).padStart(64, 'f')}`;
    const tag = `sha256-${subject.slice('sha256:'.length)}.sig`;
    if (rows.some((x) => x.tag === tag)) continue;
    const digest = await seedImage(base, repository, tag, { labels: { round: String(n), signature: String(i++) } });
    row(tag, digest, MEDIA_TYPES.dockerManifest, '2024-06-01T00:00:00.000Z');
  }
  return { repository, rows, children };
}

function planFor(host: string, seeded: Seeded, policy: RulesPolicy): CleanupPlan {
  const out = planCleanup({
    now: new Date(NOW_MS).toISOString(),
    repository: `${host}/${seeded.repository}`,
    implementation: 'default',
    registryHost: host,
    capability: { tagDelete: true, digestDelete: true },
    tags: seeded.rows,
    kube: null,
    policy,
    policyReason: 'property test',
  });
  if (!out.ok) throw new Error(`planner refused: ${out.error.message}`);
  return out.plan;
}

describe('cleanup on a real distribution registry (property)', () => {
  let reg: DistributionHandle;
  let facts: RegistryFacts;
  let settingsDir: string;
  beforeAll(async () => {
    reg = await startDistribution();
    facts = new RegistryFacts(reg.url);
    settingsDir = await makeTempDir('prop-runs');
  });
  afterAll(async () => {
    await reg?.stop();
    await removeDir(settingsDir);
  });

  it(`keeps every kept tag, removes every deleted tag and freed manifest, and restores the run (${ROUNDS} rounds)`, async () => {
    let n = 0;
    let deletedTotal = 0;
    let untaggedTotal = 0;
    await fc.assert(
      fc.asyncProperty(roundArb, async (r) => {
        const round = n++;
        const repository = `prop/r${round}`;
        const seeded = await seedRound(reg.url, repository, round, r);
        const plan = planFor(reg.host, seeded, r.policy);
        const original = new Map(seeded.rows.map((t) => [t.tag, t.digest!]));
        const kept = plan.tags.filter((t) => t.action === 'keep');
        const deleted = plan.tags.filter((t) => t.action === 'delete');

        const report = await executeOnRegistry(plan, { registry: reg.host, settingsDir, concurrency: 4 });
        // A quiet registry: every planned delete is carried out, nothing is skipped or fails.
        expect(report.results.map((x) => x.tag).sort()).toEqual(deleted.map((t) => t.tag).sort());
        expect(report.results.filter((x) => x.outcome !== 'deleted' && x.outcome !== 'untagged')).toEqual([]);
        deletedTotal += report.summary.deleted;
        untaggedTotal += report.summary.untagged;

        for (const t of kept) expect(await facts.digestOf(repository, t.tag), `kept ${t.tag}`).toBe(t.digest);
        for (const t of deleted) expect(await facts.digestOf(repository, t.tag), `deleted ${t.tag}`).toBeNull();
        // Nothing else appeared (no placeholder left behind) and nothing kept vanished.
        expect(await facts.tags(repository)).toEqual(kept.map((t) => t.tag).sort());
        // Every manifest deleted by digest is gone; every manifest a kept tag or a kept index needs is there.
        for (const x of report.results.filter((x) => x.outcome === 'deleted')) expect(await facts.digestOf(repository, x.digest!), `freed ${x.digest}`).toBeNull();
        for (const t of kept) {
          for (const child of seeded.children.get(t.digest!) ?? []) expect(await facts.digestOf(repository, child), `child of kept ${t.tag}`).toBe(child);
        }

        const restored = await restoreOnRegistry(report.auditLog, { registry: reg.host, settingsDir, concurrency: 4 });
        expect(restored.results.filter((x) => x.outcome !== 'restored')).toEqual([]);
        expect(restored.results.map((x) => x.tag).sort()).toEqual(deleted.map((t) => t.tag).sort());
        for (const [tag, digest] of original) expect(await facts.digestOf(repository, tag), `after restore ${tag}`).toBe(digest);
        expect(await facts.tags(repository)).toEqual([...original.keys()].sort());
      }),
      { numRuns: ROUNDS, endOnFailure: true },
    );
    // The rounds exercised both paths, not only one.
    expect(deletedTotal).toBeGreaterThan(0);
    expect(untaggedTotal).toBeGreaterThan(0);
  }, 600_000);
});
