import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage, startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { makeTempDir, removeDir } from '../../../e2e/services/util';
import { dockerTag } from '../../../shared/naming/slug';
import type { CleanupPlan } from '../../../shared/cleanup/types';
import { runCleanup } from '../../cli/commands/cleanup';
import { RegistryAccess } from '../registry-access';
import { gatherCleanupInputs, makePlan, type PolicyChoice } from './plan-service';
import { GitFixture } from './testing/git-fixture';
import { v11RecordTag } from './werf-metadata';

/**
 * werf parity: real git repositories (a bare origin, branches and tags created, moved and deleted,
 * commits with fixed dates) and a real distribution registry seeded with werf-labelled images.
 * Expected plans are written from werf's rules (werf.md §6.3, §6.4); each tag's comment names the
 * rule it exercises. The registry is Debian's distribution 2.8: deleting by digest takes every tag
 * on it, and no tag can be removed alone.
 */

const NOW = '2025-06-01T12:00:00.000Z';
const WERF_YAML = 'project: demo\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n';

let reg: DistributionHandle;
let settingsDir: string;
let access: RegistryAccess;
const fixtures: GitFixture[] = [];

beforeAll(async () => {
  reg = await startDistribution();
  settingsDir = await makeTempDir('cleanup-settings');
  access = new RegistryAccess({ settingsDir, environment: {}, homeDir: settingsDir });
  // The test registry speaks plain HTTP: the per-registry opt-in a user would set.
  await access.settings.save({ registry: reg.host, plainHttp: true });
}, 60_000);

afterAll(async () => {
  for (const f of fixtures) f.remove();
  await reg?.stop();
  if (settingsDir) await removeDir(settingsDir);
});

function project(): GitFixture {
  const fx = new GitFixture();
  fixtures.push(fx);
  writeFileSync(join(fx.work, 'werf.yaml'), WERF_YAML);
  writeFileSync(join(fx.work, 'Dockerfile'), 'FROM scratch\n');
  fx.git(fx.work, ['add', 'werf.yaml', 'Dockerfile']);
  return fx;
}

const werfLabels = (strategy: string, metaTag: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'werf-image': 'true',
  'werf-image-name': 'app',
  'werf-tag-strategy': strategy,
  'werf-image-tag': metaTag,
  ...extra,
});

async function plan(repo: string, dir: string, policy: PolicyChoice): Promise<CleanupPlan> {
  const inputs = await gatherCleanupInputs({ imagesRepo: `${reg.host}/${repo}`, implementation: 'auto', mode: 'multirepo', kube: { source: 'off' }, now: NOW }, { projectDir: dir, access, signal: new AbortController().signal });
  const out = makePlan(inputs, { policy });
  if (!out.ok) throw new Error(out.error.message);
  return out.plan;
}

function decisions(p: CleanupPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of p.tags) out[t.tag] = `${t.action}${t.method ? `/${t.method}` : ''} ${t.reasons[0]!.rule}`;
  return out;
}

describe('werf-tag-strategy parity (werf v1.1, --git-history-based-cleanup=false)', () => {
  it('deletes tags whose branch, git tag or commit is gone, and keeps the rest with the reason', async () => {
    const fx = project();
    const c1 = fx.commit('2025-01-01T10:00:00Z');
    fx.pushBranch('main');
    fx.checkout('feature/login', c1);
    fx.commit('2025-02-01T10:00:00Z');
    fx.pushBranch('feature/login');
    fx.checkout('release/1.0', c1);
    fx.pushBranch('release/1.0');
    fx.tag('v1.0', c1, '2025-01-05T00:00:00Z');
    fx.tag('v0.9', c1);
    fx.fetch();
    // Later: the feature branch is merged and deleted, v0.9 is deleted; CI fetched with --prune.
    fx.deleteRemoteBranch('feature/login');
    fx.deleteTag('v0.9');
    fx.checkout('main');
    fx.fetch();

    const repo = 'strategy/app';
    const base = `${reg.url}`;
    const gone = 'f'.repeat(40);
    const feature = await seedImage(base, repo, 'feature-login', { labels: werfLabels('git-branch', 'feature-login'), created: '2025-02-01T10:00:00Z' });
    await Promise.all([
      seedImage(base, repo, 'main', { labels: werfLabels('git-branch', 'main'), created: '2025-01-01T10:00:00Z' }), // branch exists
      seedImage(base, repo, dockerTag('release/1.0'), { labels: werfLabels('git-branch', dockerTag('release/1.0')), created: '2025-01-01T10:00:00Z' }), // slugged branch name exists
      seedImage(base, repo, 'hotfix', { labels: werfLabels('git-branch', 'hotfix'), created: '2025-06-01T11:30:00Z' }), // branch gone, but built 30 min ago
      seedImage(base, repo, 'v1.0', { labels: werfLabels('git-tag', 'v1.0'), created: '2025-01-05T00:00:00Z' }), // git tag exists
      seedImage(base, repo, 'v0.9', { labels: werfLabels('git-tag', 'v0.9'), created: '2024-12-01T00:00:00Z' }), // git tag deleted
      seedImage(base, repo, c1, { labels: werfLabels('git-commit', c1), created: '2025-01-01T10:00:00Z' }), // commit exists
      seedImage(base, repo, gone, { labels: werfLabels('git-commit', gone), created: '2024-11-01T00:00:00Z' }), // commit never existed
      seedImage(base, repo, 'nightly', { labels: werfLabels('custom', 'nightly'), created: '2024-01-01T00:00:00Z' }), // custom: never touched
      seedImage(base, repo, 'managed-image-app', { created: '2024-01-01T00:00:00Z' }), // werf service tag
    ]);
    // An external re-tag of the deleted branch's image: its digest must survive (werf.md §6.5).
    const retag = await seedImage(base, repo, 'demo', { labels: werfLabels('git-branch', 'feature-login'), created: '2025-02-01T10:00:00Z' });
    expect(retag).toBe(feature);
    await seedImage(base, repo, 'review', { labels: werfLabels('git-branch', 'feature-login'), created: '2025-02-01T10:00:00Z' });

    const p = await plan('strategy', fx.work, { kind: 'werf-tag-strategy' });
    expect(p.policy).toBe('werf-tag-strategy');
    expect(p.implementation).toBe('default');
    expect(decisions(p)).toEqual({
      main: 'keep git-branch-exists',
      [dockerTag('release/1.0')]: 'keep git-branch-exists',
      'feature-login': 'delete/digest git-branch-deleted',
      demo: 'delete/digest git-branch-deleted',
      review: 'delete/digest git-branch-deleted',
      hotfix: 'keep built-recently',
      'v1.0': 'keep git-tag-exists',
      'v0.9': 'delete/digest git-tag-deleted',
      [c1]: 'keep git-commit-exists',
      [gone]: 'delete/digest git-commit-deleted',
      nightly: 'keep werf-custom-tag',
      'managed-image-app': 'keep service-tag',
    });
    const featureRow = p.tags.find((t) => t.tag === 'feature-login')!;
    expect(featureRow.reasons[0]!.text).toContain('deleted from origin');
    // feature-login, demo and review are one manifest; v0.9 and the gone commit two more.
    expect(p.summary.manifestsFreed).toBe(3);
  }, 60_000);

  it('untags a stale tag whose digest a kept tag shares (never deleting the digest), and applies the git-tag limit from a policy file', async () => {
    const fx = project();
    const c1 = fx.commit('2025-01-01T10:00:00Z');
    fx.pushBranch('main');
    fx.tag('v1.0', c1);
    fx.tag('v1.1', c1);
    fx.fetch();
    const repo = 'shared/app';
    // Without a werf-image-tag label werf compares the tag name itself: one manifest tagged `main`
    // (branch exists) and `gone-branch` (branch gone) — deleting its digest would take `main` too.
    const branchOnly = { 'werf-image': 'true', 'werf-image-name': 'app', 'werf-tag-strategy': 'git-branch' };
    const main = await seedImage(reg.url, repo, 'main', { labels: branchOnly, created: '2025-01-01T10:00:00Z' });
    expect(await seedImage(reg.url, repo, 'gone-branch', { labels: branchOnly, created: '2025-01-01T10:00:00Z' })).toBe(main);
    await seedImage(reg.url, repo, 'latest', { labels: { 'werf-image-name': 'app' }, created: '2025-01-01T10:00:00Z' });
    await seedImage(reg.url, repo, 'v1.0', { labels: werfLabels('git-tag', 'v1.0'), created: '2025-01-02T00:00:00Z' });
    await seedImage(reg.url, repo, 'v1.1', { labels: werfLabels('git-tag', 'v1.1'), created: '2025-01-03T00:00:00Z' });
    const policyFile = join(fx.root, 'limits.yaml');
    writeFileSync(policyFile, 'policy: werf-tag-strategy\ngitTag:\n  limit: 1\n');

    const out = await runCleanup({ 'dry-run': true, project: fx.work, policy: policyFile, 'without-kube': true, 'insecure-registry': true, now: NOW, json: true, 'images-repo-mode': 'multirepo' }, [`${reg.host}/shared`], { access });
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout) as CleanupPlan;
    expect(decisions(doc)).toEqual({
      'gone-branch': 'delete/tag git-branch-deleted',
      latest: 'keep not-werf',
      main: 'keep git-branch-exists',
      'v1.0': 'delete/digest strategy-limit',
      'v1.1': 'keep git-tag-exists',
    });
    // distribution untags (a placeholder on 2.x), so the tag can go while main keeps the digest.
    expect(doc.tags.find((t) => t.tag === 'gone-branch')!.reasons.map((r) => r.rule)).toEqual(['git-branch-deleted', 'shared-digest-tag-delete']);
    expect(doc.planId).toMatch(/^sha256:[0-9a-f]{64}$/);

    const text = await runCleanup({ 'dry-run': true, project: fx.work, policy: policyFile, 'without-kube': true, now: NOW, 'images-repo-mode': 'multirepo' }, [`${reg.host}/shared`], { access });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`plan ${doc.planId} at ${NOW}`);
    expect(text.stdout).toContain('5 tags: 2 to delete, 3 kept; 1 manifests freed');
    expect(text.stdout).toMatch(/Delete \(dry run, nothing is deleted\):\n  shared\/app:gone-branch  by tag  — .*Its digest stays for kept tag main: only this tag is removed, never the digest\.\n  shared\/app:v1\.0  by digest/);
    expect(text.stdout).not.toMatch(/Kept by a safety rule/);
  }, 60_000);
});

describe('werf-git-history parity (keepPolicies, werf\'s defaults)', () => {
  it('keeps what origin\'s references reach under the default policies and deletes the rest', async () => {
    const fx = project();
    const c1 = fx.commit('2025-01-01T10:00:00Z');
    const c2 = fx.commit('2025-01-10T10:00:00Z');
    const c3 = fx.commit('2025-05-28T10:00:00Z');
    fx.pushBranch('main');
    fx.tag('v1.0', c1, '2025-01-02T00:00:00Z');
    fx.checkout('feature', c2);
    const fOld = fx.commit('2025-04-01T10:00:00Z');
    const f0 = fx.commit('2025-05-29T10:00:00Z');
    const f1 = fx.commit('2025-05-30T10:00:00Z');
    fx.pushBranch('feature');
    fx.checkout('doomed', c2);
    const d1 = fx.commit('2025-03-01T10:00:00Z');
    fx.pushBranch('doomed');
    fx.fetch();
    fx.deleteRemoteBranch('doomed');
    fx.checkout('main');
    fx.fetch();

    const repo = 'history/app';
    const sigs: [string, string][] = [
      ['sig-c1', c1], // reached from tag v1.0 (depth 1) and from main
      ['sig-c2', c2], // main: imagesPerReference last 10 (the main-branch default policy)
      ['sig-c3', c3], // main's head
      ['sig-fold', fOld], // feature: older than 168h, beyond imagesPerReference in 168h → unreached
      ['sig-f0', f0], // feature: 2 newest within 168h
      ['sig-f1', f1],
      ['sig-d1', d1], // only on a branch deleted from origin
    ];
    const digests = new Map<string, string>();
    for (const [sig, commit] of sigs) {
      digests.set(sig, await seedImage(reg.url, repo, sig, { labels: { 'werf-image': 'true', 'werf-image-name': 'app', 'werf-content-signature': sig }, created: '2025-01-01T00:00:00Z' }));
      await seedImage(reg.url, repo, v11RecordTag('app', commit), { labels: { ContentSignature: sig }, created: '2025-01-01T00:00:00Z' });
    }
    // Metadata missing: werf v1.2 would delete it; the plan keeps it.
    await seedImage(reg.url, repo, 'no-meta', { labels: { 'werf-image': 'true', 'werf-image-name': 'app', 'werf-content-signature': 'sig-unknown' }, created: '2025-01-01T00:00:00Z' });
    // A re-tag of the doomed image: the digest must not go.
    const retag = await seedImage(reg.url, repo, 'qa', { labels: { 'werf-image': 'true', 'werf-image-name': 'app', 'werf-content-signature': 'sig-d1' }, created: '2025-01-01T00:00:00Z' });
    expect(retag).toBe(digests.get('sig-d1'));
    await seedImage(reg.url, repo, 'qa-pin', { labels: { 'werf-image-name': 'app', pinned: 'yes', 'werf-content-signature': 'sig-d1' }, created: '2025-01-01T00:00:00Z' });

    const p = await plan('history', fx.work, { kind: 'auto' });
    expect(p.policy).toBe('werf-git-history');
    expect(p.policyReason).toMatch(/commit metadata.*default keepPolicies/);
    const d = decisions(p);
    for (const [sig, commit] of sigs) expect(d[v11RecordTag('app', commit)]).toBe('keep service-tag');
    expect(d).toMatchObject({
      'sig-c1': 'keep keep-policy',
      'sig-c2': 'keep keep-policy',
      'sig-c3': 'keep keep-policy',
      'sig-f0': 'keep keep-policy',
      'sig-f1': 'keep keep-policy',
      'sig-fold': 'delete/digest unreached',
      'sig-d1': 'delete/digest unreached',
      qa: 'delete/digest unreached',
      'no-meta': 'keep metadata-missing',
    });
    expect(p.tags.find((t) => t.tag === 'sig-f1')!.reasons[0]!.text).toMatch(/branch feature by keep policy #2/);
    expect(p.tags.find((t) => t.tag === 'sig-c2')!.reasons[0]!.text).toMatch(/branch main by keep policy #3/);
    expect(p.warnings.map((w) => w.code)).toContain('kube-off');
  }, 60_000);
});

describe('stowage cleanup against the registry', () => {
  it('exits 1 when the project\'s git cannot be read, and 2 for a project without werf.yaml', async () => {
    const dir = await makeTempDir('cleanup-nogit');
    try {
      writeFileSync(join(dir, 'werf.yaml'), WERF_YAML);
      await seedImage(reg.url, 'nogit/app', 'v1', { labels: { 'werf-image': 'true' } });
      const out = await runCleanup({ 'dry-run': true, project: dir, 'without-kube': true, now: NOW }, [`${reg.host}/nogit`], { access });
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/no plan: The project's git repository could not be read/);
      const empty = await makeTempDir('cleanup-empty');
      await expect(runCleanup({ 'dry-run': true, project: empty, 'without-kube': true }, [`${reg.host}/nogit`], { access })).rejects.toMatchObject({ name: 'UserError' });
      await removeDir(empty);
    } finally {
      await removeDir(dir);
    }
  }, 60_000);
});

describe('a listing that stopped early', () => {
  it('makes no plan: the tags it missed could share a digest the plan would delete', async () => {
    const capped = await makeTempDir('cleanup-capped');
    try {
      const cappedAccess = new RegistryAccess({ settingsDir: capped, environment: {}, homeDir: capped });
      await cappedAccess.settings.save({ registry: reg.host, plainHttp: true, maxTags: 2 });
      const base = reg.url;
      for (const tag of ['a', 'b', 'c']) await seedImage(base, 'capped/app', tag, { labels: { marker: tag } });
      const gathered = gatherCleanupInputs(
        { imagesRepo: `${reg.host}/capped/app`, implementation: 'auto', mode: 'multirepo', kube: { source: 'off' }, now: NOW },
        { projectDir: null, access: cappedAccess, signal: new AbortController().signal },
      );
      await expect(gathered).rejects.toMatchObject({ code: 'listing-incomplete' });
      await expect(gathered).rejects.toThrow(/incomplete .*2 tags.*no cleanup plan is made/);
    } finally {
      await removeDir(capped);
    }
  }, 60_000);
});
