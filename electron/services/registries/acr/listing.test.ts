import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAcrEmulator, type AcrEmulator } from '../../../../e2e/emulators/acr';
import { seedIndex } from '../../../../e2e/services/distribution';
import { azureCredential, basicCredential } from '../../registry/testing/credentials';
import { acrDriver } from './listing';
import { collect, eventTypesCancellingAtFirst, lastEvent, testRun } from '../../inventory/drivers/testing';

describe('acr driver against the ACR emulator', () => {
  let acr: AcrEmulator;
  const start = Date.UTC(2024, 0, 1);
  const ADMIN = { username: 'stowageacr', password: 'admin-password' };
  beforeAll(async () => {
    acr = await startAcrEmulator({ admin: ADMIN, tokens: [{ name: 'other-only', password: 'pw', scopeMap: { 'other/*': ['content/read', 'metadata/read'] } }] });
    for (let i = 0; i < 250; i++) acr.state.registry.addImage('team/app', { tags: [`t${String(i).padStart(3, '0')}`], size: 300 + i, pushedAt: new Date(start + i * 1000) });
    acr.state.registry.addImage('team/app', { tags: [] });
    await seedIndex(acr.url, 'team/app', 'multi', { auth: ADMIN });
  });
  afterAll(() => acr?.stop());

  const run = (credential = azureCredential('x', 'aad-acrpull')) => testRun({ registry: acr.host, implementation: 'acr', credential });

  test('all tags from _manifests pages of 100 following Link; one request per page once the token is cached', async () => {
    const r = await run();
    try {
      const before = acr.requests().length;
      const { tags, pages, events } = await collect(acrDriver, r, 'team/app');
      expect(lastEvent(events)?.type).toBe('tags');
      // 250 images + the index + its 2 children (untagged) + 1 untagged = 254 manifests: 3 pages.
      expect(pages).toBe(3);
      expect(tags).toHaveLength(251);
      const sent = acr.requests().slice(before);
      const listing = sent.filter((q) => q.path.startsWith('/acr/v1/team/app/_manifests'));
      expect(listing).toHaveLength(3);
      expect(listing.every((q) => q.status === 200)).toBe(true);
      // Plus exactly one token request for pull + metadata_read.
      expect(sent.filter((q) => q.path.startsWith('/oauth2/token'))).toHaveLength(1);
      expect(sent.every((q) => q.host === acr.host)).toBe(true);
      expect(tags.find((t) => t.tag === 't042')).toMatchObject({ size: 342, pushed: new Date(start + 42_000).toISOString(), mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: expect.stringMatching(/^sha256:/) });
      const multi = tags.find((t) => t.tag === 'multi');
      expect(multi?.platforms?.map((p) => `${p.os}/${p.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);
    } finally {
      await r.close();
    }
  });

  test('the admin user (Basic at the token realm) works too', async () => {
    const r = await run(basicCredential(acr.host, ADMIN.username, ADMIN.password));
    try {
      expect((await collect(acrDriver, r, 'team/app')).tags).toHaveLength(251);
    } finally {
      await r.close();
    }
  });

  test('429 TOOMANYREQUESTS with Retry-After is retried; persistent 429 ends with a hint', async () => {
    acr.state.listingCalls = 0;
    acr.state.rateLimit = { every: 2, retryAfterSeconds: 2 };
    const r = await run();
    try {
      expect((await collect(acrDriver, r, 'team/app')).tags).toHaveLength(251);
      expect(r.sleeps).toEqual([2000, 2000]);
    } finally {
      acr.state.rateLimit = null;
      await r.close();
    }
    acr.state.rateLimit = { every: 1 };
    const r2 = await run();
    try {
      const last = lastEvent((await collect(acrDriver, r2, 'team/app')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { status: 429, code: 'TOOMANYREQUESTS' } });
      if (last?.type === 'failed') expect(last.failure.hint).toContain('SKU');
    } finally {
      acr.state.rateLimit = null;
      await r2.close();
    }
  });

  test('vendor errors: a scoped token without rights here is refused with the roles explained; an unknown repository is missing', async () => {
    const r = await run(basicCredential(acr.host, 'other-only', 'pw'));
    try {
      const last = lastEvent((await collect(acrDriver, r, 'team/app')).events);
      expect(last?.type).toBe('failed');
      if (last?.type === 'failed') {
        expect(last.failure.status).toBe(401);
        expect(last.failure.hint).toContain('AcrPull');
      }
    } finally {
      await r.close();
    }
    const ok = await run();
    try {
      const missing = lastEvent((await collect(acrDriver, ok, 'team/none')).events);
      expect(missing?.type).toBe('missing');
      if (missing?.type === 'missing') expect(missing.message).toContain('NAME_UNKNOWN');
    } finally {
      await ok.close();
    }
  });

  test('anonymous (anonymous pull on): the metadata API is not anonymous, so the Registry API lists', async () => {
    const open = await startAcrEmulator({ anonymousPull: true });
    open.state.registry.addImage('pub/app', { tags: ['v1', 'v2'] });
    const r = await testRun({ registry: open.host, implementation: 'acr', credential: null });
    try {
      const { tags } = await collect(acrDriver, r, 'pub/app');
      expect(tags.map((t) => t.tag)).toEqual(['v1', 'v2']);
      expect(r.warnings[0]).toContain('needs a login');
    } finally {
      await r.close();
      await open.stop();
    }
  });

  test('cancellation between pages', async () => {
    const r = await run();
    try {
      expect(await eventTypesCancellingAtFirst(acrDriver, r, 'team/app')).toEqual(['tags', 'failed']);
    } finally {
      await r.close();
    }
  });
});
