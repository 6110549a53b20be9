import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGcrEmulator, type GcrEmulator } from '../../../../e2e/emulators/gcr';
import { seedImage } from '../../../../e2e/services/distribution';
import { ACCEPT_ALL, RegistryClient } from '../../../../e2e/services/registry-client';
import { testRun } from '../../inventory/drivers/testing';
import { googleTokenCredential } from '../../registry/testing/credentials';
import { gcrRegistry } from './index';

describe('GCR / Artifact Registry delete and restore against the emulator', () => {
  let gcr: GcrEmulator;
  const writer = { username: 'oauth2accesstoken', password: 'ya29.writer' };
  const digests = new Map<string, string>();
  beforeAll(async () => {
    gcr = await startGcrEmulator();
    for (const tag of ['s1', 's2', 'stay']) digests.set(tag, await seedImage(gcr.url, 'proj/repo/app', tag, { auth: writer }));
    for (const tag of ['solo', 'race', 'denied']) digests.set(tag, await seedImage(gcr.url, 'proj/repo/app', tag, { auth: writer, labels: { tag } }));
  });
  afterAll(() => gcr?.stop());

  const run = (token = 'ya29.admin') => testRun({ registry: gcr.host, implementation: 'gcr', credential: googleTokenCredential(gcr.host, token) });
  const client = () => new RegistryClient(gcr.url, { auth: { username: 'oauth2accesstoken', password: 'ya29.admin' } });
  /** The manifest bytes and media type, as the executor records them before a delete. */
  async function manifestOf(tag: string): Promise<{ manifest: string; mediaType: string }> {
    const res = await client().request('GET', `/v2/proj/repo/app/manifests/${tag}`, { headers: { accept: ACCEPT_ALL } });
    expect(res.status).toBe(200);
    return { manifest: Buffer.from(await res.arrayBuffer()).toString('base64'), mediaType: res.headers.get('content-type') ?? '' };
  }
  async function resolves(ref: string): Promise<string | null> {
    const res = await client().request('HEAD', `/v2/proj/repo/app/manifests/${ref}`, { headers: { accept: ACCEPT_ALL } });
    return res.status === 200 ? res.headers.get('docker-content-digest') : null;
  }

  test('siblings staying: each tag is untagged, the manifest stays', async () => {
    const r = await run();
    try {
      const out = await gcrRegistry.deleteTags(r.ctx, { repository: 'proj/repo/app', digest: digests.get('s1')!, mediaType: null, tags: ['s1', 's2'], digestGoes: false });
      expect(out.map((x) => [x.tag, x.outcome, x.method])).toEqual([
        ['s1', 'untagged', 'DELETE /v2/proj/repo/app/manifests/s1'],
        ['s2', 'untagged', 'DELETE /v2/proj/repo/app/manifests/s2'],
      ]);
      expect(await resolves('stay')).toBe(digests.get('stay'));
      expect(gcr.state.registry.tagsOf('proj/repo/app', digests.get('stay')!)).toEqual(['stay']);
    } finally {
      await r.close();
    }
  });

  test('a digest that goes: untag, then the digest; a rerun is already-gone; restore re-PUTs it and the tag resolves to its old digest', async () => {
    const recorded = await manifestOf('solo');
    const digest = digests.get('solo')!;
    const r = await run();
    try {
      const out = await gcrRegistry.deleteTags(r.ctx, { repository: 'proj/repo/app', digest, mediaType: recorded.mediaType, tags: ['solo'], digestGoes: true });
      expect(out).toEqual([
        { tag: 'solo', outcome: 'deleted', method: `DELETE /v2/proj/repo/app/manifests/solo, then DELETE /v2/proj/repo/app/manifests/${digest}`, detail: 'Tag removed, then the manifest.' },
      ]);
      expect(await resolves(digest)).toBeNull();
      expect(gcr.state.registry.manifest('proj/repo/app', digest)).toBeUndefined();

      const again = await gcrRegistry.deleteTags(r.ctx, { repository: 'proj/repo/app', digest, mediaType: recorded.mediaType, tags: ['solo'], digestGoes: true });
      expect(again.map((x) => x.outcome)).toEqual(['already-gone']);

      const restored = await gcrRegistry.restoreTag(r.ctx, { repository: 'proj/repo/app', tag: 'solo', digest, mediaType: recorded.mediaType, manifest: recorded.manifest, method: out[0]!.method });
      expect(restored).toMatchObject({ ok: true });
      expect(await resolves('solo')).toBe(digest);
    } finally {
      await r.close();
    }
  });

  test('a tag that appeared on the digest since the executor looked: Google refuses the digest (GOOGLE_MANIFEST_DANGLING_TAG), the manifest and the new tag stay', async () => {
    const digest = digests.get('race')!;
    gcr.state.registry.setTag('proj/repo/app', 'late', digest);
    const r = await run();
    try {
      const out = await gcrRegistry.deleteTags(r.ctx, { repository: 'proj/repo/app', digest, mediaType: null, tags: ['race'], digestGoes: true });
      expect(out).toMatchObject([{ tag: 'race', outcome: 'untagged' }]);
      expect(out[0]?.detail).toContain('GOOGLE_MANIFEST_DANGLING_TAG');
      expect(await resolves('late')).toBe(digest);
    } finally {
      await r.close();
    }
  });

  test('the writer role cannot delete: failed with the IAM permission and the role to ask for; nothing changes', async () => {
    const r = await run('ya29.writer');
    try {
      const out = await gcrRegistry.deleteTags(r.ctx, { repository: 'proj/repo/app', digest: digests.get('denied')!, mediaType: null, tags: ['denied'], digestGoes: true });
      expect(out).toMatchObject([{ tag: 'denied', outcome: 'failed', error: { code: 'DENIED', details: { status: 403 } } }]);
      expect(out[0]?.error?.message).toContain('artifactregistry.tags.delete');
      expect(out[0]?.error?.hint).toContain('repoAdmin');
      expect(await resolves('denied')).toBe(digests.get('denied'));
    } finally {
      await r.close();
    }
  });

  test('restore refuses bytes that do not hash to the recorded digest', async () => {
    const r = await run();
    try {
      const recorded = await manifestOf('stay');
      const out = await gcrRegistry.restoreTag(r.ctx, { repository: 'proj/repo/app', tag: 'forged', digest: digests.get('solo')!, mediaType: recorded.mediaType, manifest: recorded.manifest, method: 'x' });
      expect(out).toMatchObject({ ok: false, error: { code: 'manifest-mismatch' } });
      expect(await resolves('forged')).toBeNull();
    } finally {
      await r.close();
    }
  });
});
