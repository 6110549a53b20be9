import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDockerHubEmulator, type HubEmulator } from '../../../../e2e/emulators/dockerhub';
import { seedImage } from '../../../../e2e/services/distribution';
import { testRun } from '../../inventory/drivers/testing';
import { basicCredential } from '../../registry/testing/credentials';
import { dockerhubRegistry } from './index';

describe('Docker Hub tag delete and restore against the Hub emulator', () => {
  let hub: HubEmulator;
  const alice = { username: 'alice', password: 'alice-password' };
  let shared: string;
  let single: string;
  beforeAll(async () => {
    hub = await startDockerHubEmulator();
    shared = await seedImage(hub.registryUrl, 'alice/app', 'a1', { auth: alice });
    await seedImage(hub.registryUrl, 'alice/app', 'a2', { auth: alice });
    await seedImage(hub.registryUrl, 'alice/app', 'keep', { auth: alice });
    single = await seedImage(hub.registryUrl, 'alice/app', 'solo', { auth: alice, labels: { solo: '1' } });
    await seedImage(hub.registryUrl, 'alice/app', 'limited', { auth: alice, labels: { limited: '1' } });
  });
  afterAll(() => hub?.stop());

  const run = (secret: string) =>
    testRun({ registry: hub.registryHost, implementation: 'dockerhub', credential: basicCredential(hub.registryHost, 'alice', secret), settings: { registry: hub.registryHost, plainHttp: true, apiBaseUrl: hub.url } });

  test('untag with siblings staying, and a whole digest: both through the Hub API tag DELETE; the image stays; a rerun is already-gone', async () => {
    const r = await run('dckr_pat_alice_admin');
    try {
      const siblings = await dockerhubRegistry.deleteTags(r.ctx, { repository: 'alice/app', digest: shared, mediaType: null, tags: ['a1', 'a2'], digestGoes: false });
      expect(siblings.map((x) => [x.tag, x.outcome, x.method])).toEqual([
        ['a1', 'untagged', 'Docker Hub API DELETE /v2/repositories/alice/app/tags/a1/'],
        ['a2', 'untagged', 'Docker Hub API DELETE /v2/repositories/alice/app/tags/a2/'],
      ]);
      expect(hub.state.registry.tagsOf('alice/app', shared)).toEqual(['keep']);

      const whole = await dockerhubRegistry.deleteTags(r.ctx, { repository: 'alice/app', digest: single, mediaType: null, tags: ['solo'], digestGoes: true });
      expect(whole).toMatchObject([{ tag: 'solo', outcome: 'untagged' }]);
      expect(whole[0]?.detail).toContain('untagged image stays on Docker Hub');
      // Hub has no manifest delete: the image is still there, untagged.
      expect(hub.state.registry.manifest('alice/app', single)).toBeDefined();
      expect(hub.state.registry.tagsOf('alice/app', single)).toEqual([]);

      const again = await dockerhubRegistry.deleteTags(r.ctx, { repository: 'alice/app', digest: single, mediaType: null, tags: ['solo'], digestGoes: true });
      expect(again).toMatchObject([{ tag: 'solo', outcome: 'already-gone' }]);

      // One login for the run; every delete went to the Hub API, none to the registry.
      const native = r.calls.filter((c) => c.via === 'native').map((c) => `${c.method} ${new URL(c.url).pathname}`);
      expect(native.filter((c) => c.startsWith('POST'))).toEqual(['POST /v2/auth/token']);
      expect(native.filter((c) => c.startsWith('DELETE'))).toHaveLength(4);
      expect(hub.requests().filter((q) => q.method === 'DELETE' && q.path.includes('/manifests/'))).toEqual([]);
    } finally {
      await r.close();
    }
  });

  test('a Read & Write token is refused with the scope hint; nothing is deleted', async () => {
    const r = await run('dckr_pat_alice_write');
    try {
      const out = await dockerhubRegistry.deleteTags(r.ctx, { repository: 'alice/app', digest: shared, mediaType: null, tags: ['keep'], digestGoes: true });
      expect(out).toMatchObject([{ tag: 'keep', outcome: 'failed', error: { details: { status: 403 } } }]);
      expect(out[0]?.error?.message).toContain('insufficient scope');
      expect(out[0]?.error?.hint).toContain('Read, Write, Delete');
      expect(hub.state.registry.listTags('alice/app')).toContain('keep');
    } finally {
      await r.close();
    }
  });

  test('a wrong password fails every tag at the login, with the registry error and a hint', async () => {
    const r = await run('wrong');
    try {
      const out = await dockerhubRegistry.deleteTags(r.ctx, { repository: 'alice/app', digest: shared, mediaType: null, tags: ['keep', 'x'], digestGoes: false });
      expect(out.map((x) => x.outcome)).toEqual(['failed', 'failed']);
      expect(out[0]?.error?.message).toContain('Incorrect authentication credentials');
    } finally {
      await r.close();
    }
  });

  test('a 429 during deletes is waited out (Retry-After 90 s, as a unix time); past the cap the tag fails with "rate limited until"', async () => {
    hub.state.deleteFaults.listingCalls = 0;
    hub.state.deleteFaults.rateLimit = { every: 2, retryAfterSeconds: 90 };
    hub.state.retryAfterAs = 'epoch';
    const r = await run('dckr_pat_alice_admin');
    try {
      const ok = await dockerhubRegistry.deleteTags(r.ctx, { repository: 'alice/app', digest: 'sha256:x', mediaType: null, tags: ['limited', 'never-there'], digestGoes: true });
      expect(ok.map((x) => x.outcome)).toEqual(['untagged', 'already-gone']);
      expect(r.rateLimitWaits).toHaveLength(1);
      expect(r.rateLimitWaits[0]!.untilMs - Date.now()).toBeGreaterThan(85_000);

      hub.state.deleteFaults.rateLimit = { every: 1, retryAfterSeconds: 7200 };
      const limited = await dockerhubRegistry.deleteTags(r.ctx, { repository: 'alice/app', digest: shared, mediaType: null, tags: ['keep'], digestGoes: true });
      expect(limited).toMatchObject([{ tag: 'keep', outcome: 'failed', error: { details: { status: 429 } } }]);
      expect(limited[0]?.error?.hint).toMatch(/^Docker Hub rate limited until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, longer than the 5 minutes Stowage waits/);
      expect(hub.state.registry.listTags('alice/app')).toContain('keep');
    } finally {
      hub.state.deleteFaults.rateLimit = null;
      hub.state.retryAfterAs = 'seconds';
      await r.close();
    }
  });

  test('restore is refused as data: Hub cannot restore a deleted tag', async () => {
    const r = await run('dckr_pat_alice_admin');
    try {
      const out = await dockerhubRegistry.restoreTag(r.ctx, { repository: 'alice/app', tag: 'solo', digest: single, mediaType: null, manifest: null, method: 'Docker Hub API DELETE /v2/repositories/alice/app/tags/solo/' });
      expect(out).toMatchObject({ ok: false, error: { code: 'cannot-restore' } });
      if (!out.ok) expect(out.error.message).toContain('Docker Hub cannot restore a deleted tag');
      expect(hub.state.registry.tagsOf('alice/app', single)).toEqual([]);
    } finally {
      await r.close();
    }
  });
});
