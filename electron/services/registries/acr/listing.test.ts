import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAcrEmulator, type AcrEmulator } from '../../../../e2e/emulators/acr';
import { seedIndex } from '../../../../e2e/services/distribution';
import { azureCredential, basicCredential } from '../../registry/testing/credentials';
import { acrDriver } from './listing';
import { collect, eventTypesCancellingAtFirst, lastEvent, testRun } from '../../inventory/drivers/testing';
import { startLocalServer } from '../../registry/testing/local-server';

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

describe('#18.10 ACR pagination continues lexically after `last`', () => {
  test('a manifest deleted mid-listing (the one named by `last`) neither restarts the listing nor loses or repeats a tag', async () => {
    const acr = await startAcrEmulator({});
    try {
      for (let i = 0; i < 250; i++) acr.state.registry.addImage('team/churn', { tags: [`c${String(i).padStart(3, '0')}`] });
      const byDigest = acr.state.registry.listManifests('team/churn').map((m) => m.digest).sort();
      // The first page (n=100, no orderby: digest order) ends with this one; its Link says last=<it>.
      const lastOfPage1 = byDigest[99]!;
      const goneTag = acr.state.registry.tagsOf('team/churn', lastOfPage1)[0]!;
      const r = await testRun({ registry: acr.host, implementation: 'acr', credential: azureCredential('x', 'aad-acrpull') });
      try {
        const seen: string[] = [];
        const failures: string[] = [];
        for await (const e of acrDriver.listTags(r.ctx, 'team/churn')) {
          if (e.type === 'tags') {
            if (seen.length === 0) acr.state.registry.deleteManifest('team/churn', lastOfPage1);
            seen.push(...e.tags.map((t) => t.tag));
          } else if (e.type === 'failed') failures.push(e.failure.message);
        }
        expect(failures).toEqual([]);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toHaveLength(250);
        expect(seen).toContain(goneTag);
        expect(acr.requests().filter((q) => q.path.startsWith('/acr/v1/team/churn/_manifests'))).toHaveLength(3);
      } finally {
        await r.close();
      }
    } finally {
      await acr.stop();
    }
  });
});

describe('the ACR listing against a server that restarts its listing', () => {
  test('a digest listed twice stops the listing as incomplete instead of repeating tags or looping', async () => {
    const d = (i: number) => `sha256:${String(i).padStart(64, '0')}`;
    const page = (from: number) => ({ manifests: Array.from({ length: 100 }, (_, i) => ({ digest: d(from + i), tags: [`t${from + i}`], mediaType: 'application/vnd.docker.distribution.manifest.v2+json' })) });
    // Anonymous /v2/ and a server that answers every `_manifests` page with the first page again,
    // each time linking on with a new `last` (what a restart on an unknown `last` looks like).
    let calls = 0;
    const server = await startLocalServer((req, res) => {
      if (req.url === '/v2/') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      calls++;
      res.writeHead(200, { 'content-type': 'application/json', link: `</acr/v1/team/app/_manifests?last=${d(1000 + calls)}&n=100>; rel="next"` }).end(JSON.stringify(page(0)));
    });
    const r = await testRun({ registry: server.host, implementation: 'acr', credential: null });
    try {
      const { tags, events } = await collect(acrDriver, r, 'team/app');
      expect(tags).toHaveLength(100);
      const last = lastEvent(events);
      expect(last?.type).toBe('failed');
      if (last?.type === 'failed') expect(last.failure.message).toContain('twice');
      expect(calls).toBe(2);
    } finally {
      await r.close();
      await server.close();
    }
  });
});
