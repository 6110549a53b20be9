import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startGitHubEmulator, type GitHubEmulator } from '../../../../e2e/emulators/github';
import { basicCredential } from '../../registry/testing/credentials';
import { testRun, type TestRun } from '../../inventory/drivers/testing';
import type { DeleteGroup, RestoreEntry, TagDeleteResult } from '../types';
import { githubRegistry } from './index';
import { GITHUB_MUTATIONS_PER_MINUTE, githubMutationLog } from './mutations';

describe('github deleteTags / restoreTag against the GitHub emulator', () => {
  let gh: GitHubEmulator;
  let mark = 0;
  beforeAll(async () => {
    gh = await startGitHubEmulator({ publicPackages: ['acme/popular'] });
  });
  afterAll(() => gh?.stop());
  beforeEach(() => {
    for (const r of gh.state.registry.repositories()) gh.state.registry.deleteRepo(r);
    gh.state.deletedVersions.clear();
    gh.state.mutationFaults.rateLimit = null;
    gh.state.mutationFaults.listingCalls = 0;
    gh.state.rate.remaining = gh.state.rate.limit;
    mark = gh.requests().length;
  });

  const run = (token = 'ghp_octo_delete', retryAttempts?: number): Promise<TestRun> =>
    testRun({
      registry: gh.host,
      implementation: 'github',
      credential: basicCredential(gh.host, 'octo', token),
      settings: { registry: gh.host, plainHttp: true, apiBaseUrl: gh.apiUrl },
      ...(retryAttempts !== undefined ? { retryAttempts } : {}),
    });
  const group = (repository: string, digest: string, tags: string[], digestGoes = true): DeleteGroup => ({ repository, digest, mediaType: null, tags, digestGoes });
  const deletes = () => gh.requests().slice(mark).filter((q) => q.method === 'DELETE');
  const entryOf = (repository: string, digest: string, r: TagDeleteResult): RestoreEntry => ({ repository, tag: r.tag, digest, mediaType: null, manifest: null, method: r.method, ...(r.restore ? { restore: r.restore } : {}) });

  test('every tag goes: the version is deleted once, every tag reports it, and the version id is kept; restore brings both tags back', async () => {
    const keep = gh.state.registry.addImage('acme/app', { tags: ['keep'] });
    const doomed = gh.state.registry.addImage('acme/app', { tags: ['a', 'b'] });
    const r = await run();
    try {
      const results = await githubRegistry.deleteTags(r.ctx, group('acme/app', doomed.digest, ['a', 'b']));
      expect(results.map((x) => [x.tag, x.outcome])).toEqual([
        ['a', 'deleted'],
        ['b', 'deleted'],
      ]);
      const id = String(gh.state.registry.idOf('gh-version', `acme/app@${doomed.digest}`));
      expect(results[0]?.restore).toEqual({ versionId: id, ownerKind: 'orgs', owner: 'acme', package: 'app' });
      expect(results[0]?.method).toBe(`GitHub REST DELETE /orgs/acme/packages/container/app/versions/${id}`);
      expect(deletes().map((q) => q.path)).toEqual([`/api/v3/orgs/acme/packages/container/app/versions/${id}`]);
      expect(gh.state.registry.listTags('acme/app')).toEqual(['keep']);
      expect(gh.state.registry.manifest('acme/app', keep.digest)).toBeDefined();

      // A rerun deletes nothing twice.
      const again = await githubRegistry.deleteTags(r.ctx, group('acme/app', doomed.digest, ['a', 'b']));
      expect(again.map((x) => x.outcome)).toEqual(['already-gone', 'already-gone']);
      expect(deletes()).toHaveLength(1);

      const first = await githubRegistry.restoreTag(r.ctx, entryOf('acme/app', doomed.digest, results[0]!));
      expect(first).toMatchObject({ ok: true });
      const second = await githubRegistry.restoreTag(r.ctx, entryOf('acme/app', doomed.digest, results[1]!));
      expect(second).toMatchObject({ ok: true, detail: expect.stringContaining('active again') });
      expect(gh.state.registry.listTags('acme/app')).toEqual(['a', 'b', 'keep']);
      expect(gh.state.registry.resolve('acme/app', 'a')).toBe(doomed.digest);
    } finally {
      await r.close();
    }
  });

  test('the package\'s versions are listed once per run, not once per delete; a digest missing from that list is looked up once more', async () => {
    gh.state.registry.addImage('acme/many', { tags: ['keep'] });
    const imgs = Array.from({ length: 150 }, (_, i) => gh.state.registry.addImage('acme/many', { tags: [`v${i}`] }));
    const r = await run();
    try {
      for (const img of imgs.slice(0, 3)) expect((await githubRegistry.deleteTags(r.ctx, group('acme/many', img.digest, gh.state.registry.tagsOf('acme/many', img.digest))))[0]?.outcome).toBe('deleted');
      const lists = () => r.calls.filter((c) => c.method === 'GET' && new URL(c.url).pathname.endsWith('/versions'));
      // 151 versions: two pages, read once.
      expect(lists()).toHaveLength(2);
      const late = gh.state.registry.addImage('acme/many', { tags: ['late'] });
      expect((await githubRegistry.deleteTags(r.ctx, group('acme/many', late.digest, ['late'])))[0]?.outcome).toBe('deleted');
      expect(lists()).toHaveLength(4);
    } finally {
      await r.close();
    }
  });

  test('a cancelled run sends no DELETE: every tag is failed as cancelled', async () => {
    gh.state.registry.addImage('acme/app', { tags: ['keep'] });
    const img = gh.state.registry.addImage('acme/app', { tags: ['c1', 'c2'] });
    const r = await run();
    try {
      r.controller.abort();
      const results = await githubRegistry.deleteTags(r.ctx, group('acme/app', img.digest, ['c1', 'c2']));
      expect(results.map((x) => [x.outcome, x.error?.code])).toEqual([
        ['failed', 'cancelled'],
        ['failed', 'cancelled'],
      ]);
      expect(deletes()).toEqual([]);
      expect(gh.state.registry.tagsOf('acme/app', img.digest)).toEqual(['c1', 'c2']);
    } finally {
      await r.close();
    }
  });

  test('a tag on a digest that keeps other tags is skipped (cannot untag) and nothing is sent', async () => {
    gh.state.registry.addImage('acme/app', { tags: ['other'] });
    const shared = gh.state.registry.addImage('acme/app', { tags: ['old', 'latest'] });
    const r = await run();
    try {
      const results = await githubRegistry.deleteTags(r.ctx, group('acme/app', shared.digest, ['old'], false));
      expect(results).toEqual([{ tag: 'old', outcome: 'skipped', method: 'none', detail: expect.stringContaining('cannot untag') }]);
      expect(r.calls).toEqual([]);
      expect(gh.state.registry.listTags('acme/app')).toEqual(['latest', 'old', 'other']);
    } finally {
      await r.close();
    }
  });

  test('a tag pushed onto the digest after the executor checked it: the version is not deleted (new sibling)', async () => {
    gh.state.registry.addImage('acme/app', { tags: ['keep'] });
    const img = gh.state.registry.addImage('acme/app', { tags: ['old'] });
    const r = await run();
    try {
      // The run's index of versions is read first; then someone tags the digest.
      gh.state.registry.setTag('acme/app', 'fresh', img.digest);
      const [res] = await githubRegistry.deleteTags(r.ctx, group('acme/app', img.digest, ['old']));
      expect(res).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('fresh') });
      expect(deletes()).toEqual([]);
      expect(gh.state.registry.tagsOf('acme/app', img.digest)).toEqual(['fresh', 'old']);
    } finally {
      await r.close();
    }
  });

  test('the last tagged version of a package: GitHub refuses (400), reported as failed with why and that deleting the package is out of scope', async () => {
    gh.state.registry.addImage('acme/solo', { tags: [] });
    const only = gh.state.registry.addImage('acme/solo', { tags: ['v1'] });
    const r = await run();
    try {
      const [res] = await githubRegistry.deleteTags(r.ctx, group('acme/solo', only.digest, ['v1']));
      expect(res).toMatchObject({ outcome: 'failed', error: { code: 'http-400', message: expect.stringContaining('last tagged version') } });
      expect(res?.error?.hint).toMatch(/out of scope/);
      expect(gh.state.registry.listTags('acme/solo')).toEqual(['v1']);
    } finally {
      await r.close();
    }
  });

  test('a public version with more than 5,000 downloads is refused and reported as failed with a hint', async () => {
    gh.state.registry.addImage('acme/popular', { tags: ['stable'] });
    const hot = gh.state.registry.addImage('acme/popular', { tags: ['v1'] });
    gh.state.downloads.set(`acme/popular@${hot.digest}`, 5001);
    const r = await run();
    try {
      const [res] = await githubRegistry.deleteTags(r.ctx, group('acme/popular', hot.digest, ['v1']));
      expect(res).toMatchObject({ outcome: 'failed', error: { code: 'http-400' } });
      expect(res?.error?.hint).toContain('GitHub Support');
      gh.state.downloads.set(`acme/popular@${hot.digest}`, 5000);
      const [ok] = await githubRegistry.deleteTags(r.ctx, group('acme/popular', hot.digest, ['v1']));
      expect(ok?.outcome).toBe('deleted');
    } finally {
      await r.close();
    }
  });

  test('refusals: a token without delete:packages, and an org member who is not admin', async () => {
    gh.state.registry.addImage('acme/app', { tags: ['keep'] });
    const img = gh.state.registry.addImage('acme/app', { tags: ['x'] });
    for (const token of ['ghp_octo_write', 'ghp_mona_delete']) {
      const r = await run(token);
      try {
        const [res] = await githubRegistry.deleteTags(r.ctx, group('acme/app', img.digest, ['x']));
        expect(res).toMatchObject({ outcome: 'failed', error: { code: 'http-403' } });
        expect(res?.error?.hint).toContain('delete:packages');
      } finally {
        await r.close();
      }
    }
    expect(gh.state.registry.listTags('acme/app')).toEqual(['keep', 'x']);
  });

  test('user-owned packages are deleted under /users/<owner> after /orgs answers 404', async () => {
    gh.state.registry.addImage('octo/tool', { tags: ['v2'] });
    const img = gh.state.registry.addImage('octo/tool', { tags: ['v1'] });
    const r = await run();
    try {
      const [res] = await githubRegistry.deleteTags(r.ctx, group('octo/tool', img.digest, ['v1']));
      expect(res).toMatchObject({ outcome: 'deleted', restore: { ownerKind: 'users', owner: 'octo' } });
      expect(deletes()[0]?.path).toMatch(/^\/api\/v3\/users\/octo\/packages\/container\/tool\/versions\/\d+$/);
    } finally {
      await r.close();
    }
  });

  test('429 with Retry-After on DELETE is waited out and retried; a wait beyond the cap fails with "rate limited until"', async () => {
    gh.state.registry.addImage('acme/app', { tags: ['keep'] });
    const one = gh.state.registry.addImage('acme/app', { tags: ['one'] });
    const two = gh.state.registry.addImage('acme/app', { tags: ['two'] });
    gh.state.mutationFaults.rateLimit = { every: 2, retryAfterSeconds: 3 };
    gh.state.mutationFaults.listingCalls = 1;
    const r = await run();
    try {
      const [res] = await githubRegistry.deleteTags(r.ctx, group('acme/app', one.digest, ['one']));
      expect(res?.outcome).toBe('deleted');
      expect(r.sleeps).toEqual([3000]);
      expect(deletes().map((q) => q.status)).toEqual([429, 204]);
    } finally {
      await r.close();
    }
    gh.state.mutationFaults.rateLimit = { every: 1, retryAfterSeconds: 120 };
    const r2 = await run();
    try {
      const before = Date.now();
      const [res] = await githubRegistry.deleteTags(r2.ctx, group('acme/app', two.digest, ['two']));
      expect(res).toMatchObject({ outcome: 'failed', error: { code: 'rate-limited' } });
      const until = Date.parse(String(res?.error?.details?.until));
      expect(until).toBeGreaterThanOrEqual(before + 119_000);
      expect(res?.error?.message).toContain('until');
      expect(gh.state.registry.listTags('acme/app')).toContain('two');
    } finally {
      await r2.close();
    }
  });

  test('a used-up REST budget (x-ratelimit-remaining 0) fails the group and later groups send nothing until the reset', async () => {
    gh.state.registry.addImage('acme/app', { tags: ['keep'] });
    const a = gh.state.registry.addImage('acme/app', { tags: ['a'] });
    const b = gh.state.registry.addImage('acme/app', { tags: ['b'] });
    gh.state.rate.remaining = 0;
    const r = await run();
    try {
      const [first] = await githubRegistry.deleteTags(r.ctx, group('acme/app', a.digest, ['a']));
      expect(first).toMatchObject({ outcome: 'failed', error: { code: 'rate-limited' } });
      const sent = r.calls.length;
      expect(sent).toBe(1);
      const [second] = await githubRegistry.deleteTags(r.ctx, group('acme/app', b.digest, ['b']));
      expect(second).toMatchObject({ outcome: 'failed', error: { code: 'rate-limited', message: expect.stringContaining('no delete was sent') } });
      expect(r.calls.length).toBe(sent);
    } finally {
      await r.close();
    }
  });

  test("GitHub's per-minute points budget (180 mutations): the next DELETE waits for a free slot, then goes", async () => {
    gh.state.registry.addImage('acme/app', { tags: ['keep'] });
    const img = gh.state.registry.addImage('acme/app', { tags: ['paced'] });
    const r = await run();
    try {
      const log = githubMutationLog(r.ctx);
      const oldest = Date.now() - 60_000 + 300;
      log.push(...Array.from({ length: GITHUB_MUTATIONS_PER_MINUTE }, () => oldest));
      const started = Date.now();
      const [res] = await githubRegistry.deleteTags(r.ctx, group('acme/app', img.digest, ['paced']));
      expect(res?.outcome).toBe('deleted');
      const sent = deletes()[0];
      expect(sent?.status).toBe(204);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(log.length).toBe(GITHUB_MUTATIONS_PER_MINUTE);
    } finally {
      await r.close();
    }
  });

  test('restore after GitHub\'s 30-day window fails with why; an entry without a version id fails without a call', async () => {
    gh.state.registry.addImage('acme/app', { tags: ['keep'] });
    const img = gh.state.registry.addImage('acme/app', { tags: ['gone'] });
    const r = await run();
    try {
      const [res] = await githubRegistry.deleteTags(r.ctx, group('acme/app', img.digest, ['gone']));
      expect(res?.outcome).toBe('deleted');
      for (const d of gh.state.deletedVersions.values()) d.deletedAt = new Date(Date.now() - 31 * 24 * 3600 * 1000);
      const late = await githubRegistry.restoreTag(r.ctx, entryOf('acme/app', img.digest, res!));
      expect(late).toMatchObject({ ok: false, error: { code: 'http-404' } });
      if (!late.ok) expect(late.error.hint).toContain('30 days');
      const calls = r.calls.length;
      const bare = await githubRegistry.restoreTag(r.ctx, { repository: 'acme/app', tag: 'gone', digest: img.digest, mediaType: null, manifest: null, method: 'none' });
      expect(bare).toMatchObject({ ok: false, error: { code: 'no-restore-facts' } });
      expect(r.calls.length).toBe(calls);
    } finally {
      await r.close();
    }
  });
});
