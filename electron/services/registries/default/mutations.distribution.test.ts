import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcrEmulator, type GcrEmulator } from '../../../../e2e/emulators/gcr';
import { REGISTRY_BINARY, seedImage, seedImages, seedIndex, startDistribution, type DistributionHandle } from '../../../../e2e/services/distribution';
import { RegistryFacts } from '../../../../e2e/services/registry-facts';
import { startFaultProxy, type FaultProxy } from '../../../../e2e/services/fault-proxy';
import { startSlowProxy } from '../../../../e2e/services/slow-proxy';
import { startTokenAuthRegistry, type TokenAuthRegistry } from '../../../../e2e/services/token-server';
import { makeTempDir, removeDir } from '../../../../e2e/services/util';
import { testRun, type TestRun } from '../../inventory/drivers/testing';
import type { ResolvedCredential } from '../../credentials/types';
import { basicCredential } from '../../registry/testing/credentials';
import type { RestoreEntry } from '../types';
import { DIGEST_DELETE_CALL } from './delete-tags';
import { defaultRegistry } from './index';
import { PLACEHOLDER_CALL, TAG_DELETE_CALL } from './untag';

const driver = defaultRegistry;

async function withRun<T>(registry: string, credential: ResolvedCredential | null, body: (r: TestRun) => Promise<T>): Promise<T> {
  const r = await testRun({ registry, implementation: 'default', credential });
  try {
    return await body(r);
  } finally {
    await r.close();
  }
}

async function entryFor(facts: RegistryFacts, repository: string, tag: string, method: string): Promise<RestoreEntry> {
  const digest = await facts.digestOf(repository, tag);
  const m = await facts.manifest(repository, tag);
  return { repository, tag, digest: digest!, mediaType: m.mediaType, manifest: m.bytes.toString('base64'), method };
}

describe('default driver on distribution 2.8 with deletes enabled', () => {
  let reg: DistributionHandle;
  let facts: RegistryFacts;
  beforeAll(async () => {
    reg = await startDistribution();
    facts = new RegistryFacts(reg.url);
  });
  afterAll(() => reg?.stop());

  it('deletes a digest with one DELETE: every tag on it goes; a second run finds it already gone', async () => {
    const digest = await seedImage(reg.url, 'dg/app', 'a', { labels: { n: 'dg' } });
    await seedImage(reg.url, 'dg/app', 'b', { labels: { n: 'dg' } });
    const keep = await seedImage(reg.url, 'dg/app', 'keep', { labels: { n: 'other' } });
    const group = { repository: 'dg/app', digest, mediaType: null, tags: ['a', 'b'], digestGoes: true };
    const first = await withRun(reg.host, null, (r) => driver.deleteTags(r.ctx, group));
    expect(first).toEqual([
      { tag: 'a', outcome: 'deleted', method: DIGEST_DELETE_CALL },
      { tag: 'b', outcome: 'deleted', method: DIGEST_DELETE_CALL },
    ]);
    expect(await facts.digestOf('dg/app', digest)).toBeNull();
    expect(await facts.tags('dg/app')).toEqual(['keep']);
    expect(await facts.digestOf('dg/app', 'keep')).toBe(keep);
    const again = await withRun(reg.host, null, (r) => driver.deleteTags(r.ctx, group));
    expect(again.map((x) => x.outcome)).toEqual(['already-gone', 'already-gone']);
  });

  it('untags on 2.8 through a one-off placeholder: the sibling and the manifest stay, the placeholder is gone, and the way is learnt once per run', async () => {
    const digest = await seedImage(reg.url, 'ut/app', 'x', { labels: { n: 'ut' } });
    for (const t of ['y', 'z', 'stay']) await seedImage(reg.url, 'ut/app', t, { labels: { n: 'ut' } });
    const proxy = await startSlowProxy(reg.url, 0);
    try {
      const results = await withRun(proxy.host, null, async (r) => {
        const one = await driver.deleteTags(r.ctx, { repository: 'ut/app', digest, mediaType: null, tags: ['x'], digestGoes: false });
        const before = proxy.requests();
        const two = await driver.deleteTags(r.ctx, { repository: 'ut/app', digest, mediaType: null, tags: ['y', 'z'], digestGoes: false });
        // Known by now: no tag DELETE, no probe, no blob upload; a PUT and a DELETE per tag.
        expect(proxy.requests() - before).toBe(4);
        return [...one, ...two];
      });
      expect(results.map((x) => [x.tag, x.outcome, x.method])).toEqual([
        ['x', 'untagged', PLACEHOLDER_CALL],
        ['y', 'untagged', PLACEHOLDER_CALL],
        ['z', 'untagged', PLACEHOLDER_CALL],
      ]);
      expect(await facts.tags('ut/app')).toEqual(['stay']);
      expect(await facts.digestOf('ut/app', 'stay')).toBe(digest);
      expect(await facts.digestOf('ut/app', digest)).toBe(digest);
      // Each placeholder named in the detail was deleted.
      const placeholders = results.map((x) => /sha256:[0-9a-f]{64}/.exec(x.detail ?? '')?.[0]);
      expect(new Set(placeholders).size).toBe(3);
      for (const p of placeholders) expect(await facts.digestOf('ut/app', p!)).toBeNull();
    } finally {
      await proxy.stop();
    }
  });

  it('many digest deletes and placeholder untags at once in one repository end consistent: every tag gone or kept, none dangling', async () => {
    const gone = Array.from({ length: 40 }, (_, i) => `gone-${i}`);
    const digests = await seedImages(reg.url, 'race/app', gone, { distinct: true });
    const shared = await seedImage(reg.url, 'race/app', 'keep', { labels: { n: 'race' } });
    const untags = Array.from({ length: 40 }, (_, i) => `sib-${i}`);
    await seedImages(reg.url, 'race/app', untags, { labels: { n: 'race' } });
    const r = await testRun({ registry: reg.host, implementation: 'default', credential: null, concurrencyPerHost: 32 });
    const results = await (() =>
      Promise.all([
        ...gone.map((t) => driver.deleteTags(r.ctx, { repository: 'race/app', digest: digests.get(t)!, mediaType: null, tags: [t], digestGoes: true })),
        ...untags.map((t) => driver.deleteTags(r.ctx, { repository: 'race/app', digest: shared, mediaType: null, tags: [t], digestGoes: false })),
      ]))().finally(() => r.close());
    expect(results.flat().filter((x) => x.outcome !== 'deleted' && x.outcome !== 'untagged')).toEqual([]);
    expect(results.flat().filter((x) => x.detail?.includes('HTTP 5'))).toEqual([]);
    expect(await facts.tags('race/app')).toEqual(['keep']);
  });

  it('restores a digest-deleted image and index and an untagged tag by re-PUT of the recorded bytes', async () => {
    const img = await seedImage(reg.url, 'rs/app', 'img', { labels: { n: 'rs' } });
    await seedImage(reg.url, 'rs/app', 'img-sib', { labels: { n: 'rs' } });
    const idx = await seedIndex(reg.url, 'rs/app', 'idx', { labels: { n: 'rs-idx' } });
    const entries = [await entryFor(facts, 'rs/app', 'img', DIGEST_DELETE_CALL), await entryFor(facts, 'rs/app', 'idx', DIGEST_DELETE_CALL)];
    await withRun(reg.host, null, async (r) => {
      expect((await driver.deleteTags(r.ctx, { repository: 'rs/app', digest: img, mediaType: null, tags: ['img', 'img-sib'], digestGoes: true })).map((x) => x.outcome)).toEqual(['deleted', 'deleted']);
      expect((await driver.deleteTags(r.ctx, { repository: 'rs/app', digest: idx.digest, mediaType: null, tags: ['idx'], digestGoes: true })).map((x) => x.outcome)).toEqual(['deleted']);
    });
    expect(await facts.tags('rs/app')).toEqual([]);
    await withRun(reg.host, null, async (r) => {
      for (const e of entries) {
        const out = await driver.restoreTag(r.ctx, e);
        expect(out, e.tag).toMatchObject({ ok: true });
      }
    });
    expect(await facts.digestOf('rs/app', 'img')).toBe(img);
    expect(await facts.digestOf('rs/app', 'idx')).toBe(idx.digest);

    // An untagged sibling comes back onto the digest that stayed.
    await seedImage(reg.url, 'rs/app', 'img-sib', { labels: { n: 'rs' } });
    const sib = await entryFor(facts, 'rs/app', 'img-sib', PLACEHOLDER_CALL);
    await withRun(reg.host, null, async (r) => {
      expect((await driver.deleteTags(r.ctx, { repository: 'rs/app', digest: img, mediaType: null, tags: ['img-sib'], digestGoes: false }))[0]!.outcome).toBe('untagged');
      expect(await facts.digestOf('rs/app', 'img-sib')).toBeNull();
      expect(await driver.restoreTag(r.ctx, sib)).toMatchObject({ ok: true });
      // A second restore finds it in place and says so.
      expect(await driver.restoreTag(r.ctx, sib)).toEqual({ ok: true, detail: `rs/app:img-sib already points at ${img}` });
    });
    expect(await facts.digestOf('rs/app', 'img-sib')).toBe(img);
  });

  it('never replaces a tag that meanwhile points at other content, and refuses records it cannot trust', async () => {
    await seedImage(reg.url, 'taken/app', 'v1', { labels: { n: 'old' } });
    const old = await entryFor(facts, 'taken/app', 'v1', DIGEST_DELETE_CALL);
    const now = await seedImage(reg.url, 'taken/app', 'v1', { labels: { n: 'new' } });
    await withRun(reg.host, null, async (r) => {
      const out = await driver.restoreTag(r.ctx, old);
      expect(out).toMatchObject({ ok: false, error: { code: 'restore-tag-taken' } });
      expect(await driver.restoreTag(r.ctx, { ...old, tag: 'other', manifest: Buffer.from('{"tampered":true}').toString('base64') })).toMatchObject({ ok: false, error: { code: 'restore-damaged' } });
      expect(await driver.restoreTag(r.ctx, { ...old, tag: 'other', manifest: null })).toMatchObject({ ok: false, error: { code: 'restore-no-manifest' } });
    });
    expect(await facts.digestOf('taken/app', 'v1')).toBe(now);
    expect(await facts.digestOf('taken/app', 'other')).toBeNull();
  });
});

describe('restore after garbage collection', () => {
  let dataDir: string;
  let reg: DistributionHandle | null = null;
  beforeAll(async () => {
    dataDir = await makeTempDir('gc-data');
  });
  afterAll(async () => {
    await reg?.stop();
    await removeDir(dataDir);
  });

  it('says the content was garbage-collected when the blobs are gone', async () => {
    reg = await startDistribution({ dataDir });
    const facts = new RegistryFacts(reg.url);
    const digest = await seedImage(reg.url, 'gc/app', 'old', { labels: { n: 'gc' } });
    const entry = await entryFor(facts, 'gc/app', 'old', DIGEST_DELETE_CALL);
    await withRun(reg.host, null, (r) => driver.deleteTags(r.ctx, { repository: 'gc/app', digest, mediaType: null, tags: ['old'], digestGoes: true }));
    await reg.stop();
    const config = join(dataDir, '..', `gc-${Date.now()}.json`);
    await writeFile(config, JSON.stringify({ version: '0.1', storage: { filesystem: { rootdirectory: dataDir }, delete: { enabled: true } } }));
    await promisify(execFile)(REGISTRY_BINARY, ['garbage-collect', config]);
    reg = await startDistribution({ dataDir });
    const out = await withRun(reg.host, null, (r) => driver.restoreTag(r.ctx, entry));
    expect(out).toMatchObject({ ok: false, error: { code: 'restore-content-gone' } });
    expect(out.ok ? '' : out.error.hint).toMatch(/garbage collection/);
    expect(await new RegistryFacts(reg.url).digestOf('gc/app', 'old')).toBeNull();
  }, 60_000);
});

describe('deletes disabled (storage.delete.enabled: false)', () => {
  let reg: DistributionHandle;
  beforeAll(async () => {
    reg = await startDistribution({ deleteEnabled: false });
  });
  afterAll(() => reg?.stop());

  it('fails every tag with the fix, and an untag leaves the tag where it was', async () => {
    const facts = new RegistryFacts(reg.url);
    const digest = await seedImage(reg.url, 'off/app', 'a', { labels: { n: 'off' } });
    await seedImage(reg.url, 'off/app', 'b', { labels: { n: 'off' } });
    await withRun(reg.host, null, async (r) => {
      const byDigest = await driver.deleteTags(r.ctx, { repository: 'off/app', digest, mediaType: null, tags: ['a', 'b'], digestGoes: true });
      expect(byDigest.map((x) => [x.outcome, x.error?.code])).toEqual([
        ['failed', 'delete-disabled'],
        ['failed', 'delete-disabled'],
      ]);
      expect(byDigest[0]!.error!.hint).toContain('storage.delete.enabled');
      const untag = await driver.deleteTags(r.ctx, { repository: 'off/app', digest, mediaType: null, tags: ['a'], digestGoes: false });
      expect(untag[0]).toMatchObject({ outcome: 'failed', error: { code: 'delete-disabled' } });
      expect(untag[0]!.error!.hint).toContain('storage.delete.enabled');
    });
    expect(await facts.tags('off/app')).toEqual(['a', 'b']);
    expect(await facts.digestOf('off/app', 'a')).toBe(digest);
  });
});

describe('a registry that refuses tag DELETEs with 400 while its deletes are off', () => {
  let reg: DistributionHandle;
  let proxy: FaultProxy;
  beforeAll(async () => {
    reg = await startDistribution({ deleteEnabled: false });
    proxy = await startFaultProxy(reg.url);
    // As 2.8 answers with deletes on; a registry may say so whatever its setting.
    proxy.setRule(({ method, path }) => (method === 'DELETE' && !path.includes('/manifests/sha256:') ? { kind: 'status', status: 400, code: 'DIGEST_INVALID' } : null));
  });
  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  it('never moves a tag to a placeholder it could not delete again', async () => {
    const facts = new RegistryFacts(reg.url);
    const digest = await seedImage(reg.url, 'off400/app', 'a', { labels: { n: 'off400' } });
    await seedImage(reg.url, 'off400/app', 'b', { labels: { n: 'off400' } });
    const results = await withRun(proxy.host, null, (r) => driver.deleteTags(r.ctx, { repository: 'off400/app', digest, mediaType: null, tags: ['a', 'b'], digestGoes: false }));
    expect(results.map((x) => [x.outcome, x.error?.code])).toEqual([
      ['failed', 'delete-disabled'],
      ['failed', 'delete-disabled'],
    ]);
    expect(proxy.seen().filter((q) => q.method === 'PUT')).toEqual([]);
    expect(await facts.digestOf('off400/app', 'a')).toBe(digest);
    expect(await facts.digestOf('off400/app', 'b')).toBe(digest);
  });
});

describe('with credentials', () => {
  let basic: DistributionHandle;
  let token: TokenAuthRegistry;
  beforeAll(async () => {
    [basic, token] = await Promise.all([
      startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'ci', password: 'ci-secret' }] } }),
      startTokenAuthRegistry([
        { username: 'cleaner', password: 'clean-pw', grants: { '*': ['pull', 'push', 'delete'] } },
        { username: 'pusher', password: 'push-pw', grants: { '*': ['pull', 'push'] } },
      ]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([basic?.stop(), token?.stop()]);
  });

  it('htpasswd: untags and deletes with Basic auth', async () => {
    const auth = { username: 'ci', password: 'ci-secret' };
    const facts = new RegistryFacts(basic.url, auth);
    const digest = await seedImage(basic.url, 'b/app', 'a', { auth, labels: { n: 'b' } });
    await seedImage(basic.url, 'b/app', 'b', { auth, labels: { n: 'b' } });
    await withRun(basic.host, basicCredential(basic.host, 'ci', 'ci-secret'), async (r) => {
      expect((await driver.deleteTags(r.ctx, { repository: 'b/app', digest, mediaType: null, tags: ['a'], digestGoes: false }))[0]!.outcome).toBe('untagged');
      expect(await facts.tags('b/app')).toEqual(['b']);
      expect((await driver.deleteTags(r.ctx, { repository: 'b/app', digest, mediaType: null, tags: ['b'], digestGoes: true }))[0]!.outcome).toBe('deleted');
    });
    expect(await facts.tags('b/app')).toEqual([]);
  });

  it('token auth: a user granted delete deletes; one without it fails with the grant to ask for and changes nothing', async () => {
    const reg = token.registry;
    const facts = new RegistryFacts(reg.url, { username: 'cleaner', password: 'clean-pw' });
    const seedAuth = { username: 'pusher', password: 'push-pw' };
    const digest = await seedImage(reg.url, 't/app', 'a', { auth: seedAuth, labels: { n: 't' } });
    await seedImage(reg.url, 't/app', 'b', { auth: seedAuth, labels: { n: 't' } });
    await withRun(reg.host, basicCredential(reg.host, 'pusher', 'push-pw'), async (r) => {
      const byDigest = await driver.deleteTags(r.ctx, { repository: 't/app', digest, mediaType: null, tags: ['a', 'b'], digestGoes: true });
      expect(byDigest.map((x) => x.error?.code)).toEqual(['denied', 'denied']);
      expect(byDigest[0]!.error!.hint).toContain('"delete"');
      const untag = await driver.deleteTags(r.ctx, { repository: 't/app', digest, mediaType: null, tags: ['a'], digestGoes: false });
      expect(untag[0]).toMatchObject({ outcome: 'failed', error: { code: 'denied' } });
    });
    expect(await facts.tags('t/app')).toEqual(['a', 'b']);
    await withRun(reg.host, basicCredential(reg.host, 'cleaner', 'clean-pw'), async (r) => {
      expect((await driver.deleteTags(r.ctx, { repository: 't/app', digest, mediaType: null, tags: ['a'], digestGoes: false }))[0]!.outcome).toBe('untagged');
      expect((await driver.deleteTags(r.ctx, { repository: 't/app', digest, mediaType: null, tags: ['b'], digestGoes: true }))[0]!.outcome).toBe('deleted');
    });
    expect(await facts.tags('t/app')).toEqual([]);
    expect(token.tokenServer.issued().some((t) => t.username === 'cleaner' && t.scopes.includes('repository:t/app:delete'))).toBe(true);
  });
});

describe('a registry that untags with DELETE by tag (OCI 1.1, distribution 3)', () => {
  let gcr: GcrEmulator;
  beforeAll(async () => {
    gcr = await startGcrEmulator();
  });
  afterAll(() => gcr?.stop());

  it('uses the tag DELETE and no placeholder', async () => {
    const auth = { username: 'oauth2accesstoken', password: 'ya29.admin' };
    const facts = new RegistryFacts(gcr.url, auth);
    const digest = await seedImage(gcr.url, 'proj/repo/app', 'a', { auth, labels: { n: 'oci11' } });
    await seedImage(gcr.url, 'proj/repo/app', 'b', { auth, labels: { n: 'oci11' } });
    await seedImage(gcr.url, 'proj/repo/app', 'c', { auth, labels: { n: 'oci11' } });
    const results = await withRun(gcr.host, basicCredential(gcr.host, auth.username, auth.password), (r) =>
      driver.deleteTags(r.ctx, { repository: 'proj/repo/app', digest, mediaType: null, tags: ['a', 'b'], digestGoes: false }),
    );
    expect(results).toEqual([
      { tag: 'a', outcome: 'untagged', method: TAG_DELETE_CALL },
      { tag: 'b', outcome: 'untagged', method: TAG_DELETE_CALL },
    ]);
    expect(await facts.tags('proj/repo/app')).toEqual(['c']);
    expect(await facts.digestOf('proj/repo/app', 'c')).toBe(digest);
    // Only the three seeding PUTs: no placeholder was put.
    expect(gcr.requests().filter((q) => q.method === 'PUT' && q.path.includes('/manifests/') && q.status === 201)).toHaveLength(3);
  });
});
