import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDockerHubEmulator, type HubEmulator } from '../../../../e2e/emulators/dockerhub';
import { seedImage, seedIndex } from '../../../../e2e/services/distribution';
import { basicCredential } from '../../registry/testing/credentials';
import { dockerhubDriver } from './listing';
import { collect, eventTypesCancellingAtFirst, lastEvent, testRun } from '../../inventory/drivers/testing';

describe('dockerhub driver against the Docker Hub emulator', () => {
  let hub: HubEmulator;
  const start = Date.UTC(2024, 0, 1);
  const alice = { username: 'alice', password: 'alice-password' };
  beforeAll(async () => {
    hub = await startDockerHubEmulator({ privateRepos: ['alice/private'], rateLimitHeadersOnHead: true, pullRateLimit: 10 });
    await seedImage(hub.registryUrl, 'alice/app', 'v1', { auth: alice });
    for (let i = 0; i < 250; i++) {
      hub.state.registry.addImage('alice/app', { tags: [`t${String(i).padStart(3, '0')}`], size: 700 + i, pushedAt: new Date(start + i * 1000), lastPulledAt: new Date(start + 86_400_000) });
    }
    await seedIndex(hub.registryUrl, 'alice/app', 'multi', { auth: alice });
    hub.state.registry.addImage('alice/private', { tags: ['secret'] });
  });
  afterAll(() => hub?.stop());

  const settings = () => ({ registry: hub.registryHost, plainHttp: true, apiBaseUrl: hub.url });
  const run = (secret = 'dckr_pat_alice_read', withConfig = false) =>
    testRun({ registry: hub.registryHost, implementation: 'dockerhub', credential: basicCredential(hub.registryHost, 'alice', secret), settings: settings(), withConfig });

  test('252 tags over 3 pages (page_size 100, next), one API request per page plus the login, then ONE free HEAD for the pull budget', async () => {
    const r = await run();
    try {
      const { tags, pages, events } = await collect(dockerhubDriver, r, 'alice/app');
      expect(lastEvent(events)?.type).toBe('tags');
      expect(pages).toBe(3);
      expect(tags).toHaveLength(252);
      const native = r.calls.filter((c) => c.via === 'native');
      expect(native.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
        'POST /v2/auth/token',
        'GET /v2/namespaces/alice/repositories/app/tags',
        'GET /v2/namespaces/alice/repositories/app/tags',
        'GET /v2/namespaces/alice/repositories/app/tags',
      ]);
      expect(native.every((c) => new URL(c.url).host === new URL(hub.url).host)).toBe(true);
      const registry = r.calls.filter((c) => c.via === 'registry');
      expect(registry).toEqual([expect.objectContaining({ method: 'HEAD' })]);
      // Nothing was pulled: no manifest GET reached the registry.
      expect(hub.requests().filter((q) => q.method === 'GET' && q.path.includes('/manifests/'))).toEqual([]);
      const t9 = tags.find((t) => t.tag === 't009');
      expect(t9).toMatchObject({ size: 709, pushed: new Date(start + 9000).toISOString(), pulled: new Date(start + 86_400_000).toISOString(), mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
      const multi = tags.find((t) => t.tag === 'multi');
      expect(multi?.platforms?.map((p) => p.architecture)).toEqual(['amd64', 'arm64']);
      expect(multi?.digest).toMatch(/^sha256:/);
    } finally {
      await r.close();
    }
  });

  test('the pull budget from the HEAD (ratelimit-remaining) warns when configs would need more pulls than are left', async () => {
    const r = await run('dckr_pat_alice_read', true);
    try {
      await collect(dockerhubDriver, r, 'alice/app');
      const head = r.calls.find((c) => c.method === 'HEAD');
      expect(head).toBeDefined();
      expect(r.warnings.join('\n')).toMatch(/Docker Hub pull budget: 10 manifest pulls left, and reading image configs needs up to \d+/);
      // The HEAD did not spend anything.
      expect(hub.state.pullRates.get('alice')?.remaining).toBe(10);
    } finally {
      await r.close();
    }
  });

  test('private repositories need the login; anonymous sees them as missing with a hint', async () => {
    const r = await run();
    try {
      expect((await collect(dockerhubDriver, r, 'alice/private')).tags.map((t) => t.tag)).toEqual(['secret']);
    } finally {
      await r.close();
    }
    const anon = await testRun({ registry: hub.registryHost, implementation: 'dockerhub', credential: null, settings: settings() });
    try {
      const last = lastEvent((await collect(dockerhubDriver, anon, 'alice/private')).events);
      expect(last?.type).toBe('missing');
      if (last?.type === 'missing') expect(last.message).toContain('log in to see private repositories');
      expect(anon.calls.every((c) => !c.authorized || c.via === 'registry')).toBe(true);
    } finally {
      await anon.close();
    }
  });

  test('429 with Retry-After as a unix time (observed from Hub) is a short wait, not 1.7×10¹² ms; a wrong password fails at the login with a hint', async () => {
    hub.state.listingCalls = 0;
    hub.state.rateLimit = { every: 2, retryAfterSeconds: 1 };
    hub.state.retryAfterAs = 'epoch';
    const r = await run();
    try {
      const { tags } = await collect(dockerhubDriver, r, 'alice/app');
      expect(tags).toHaveLength(252);
      expect(r.sleeps.length).toBe(2);
      for (const ms of r.sleeps) expect(ms).toBeLessThanOrEqual(2000);
    } finally {
      hub.state.rateLimit = null;
      hub.state.retryAfterAs = 'seconds';
      await r.close();
    }
    const bad = await run('wrong');
    try {
      const last = lastEvent((await collect(dockerhubDriver, bad, 'alice/app')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { status: 401 } });
      if (last?.type === 'failed') {
        expect(last.failure.message).toContain('Incorrect authentication credentials');
        expect(last.failure.hint).toContain('personal access token');
      }
    } finally {
      await bad.close();
    }
  });

  test('a 60 s Retry-After (past the 20 s the HTTP client sleeps) is waited out through the run, which can show a countdown', async () => {
    hub.state.listingCalls = 0;
    hub.state.rateLimit = { every: 2, retryAfterSeconds: 60 };
    const r = await run();
    try {
      const before = Date.now();
      const { tags, events } = await collect(dockerhubDriver, r, 'alice/app');
      expect(lastEvent(events)?.type).toBe('tags');
      expect(tags).toHaveLength(252);
      expect(r.rateLimitWaits).toHaveLength(2);
      for (const w of r.rateLimitWaits) {
        expect(w.untilMs).toBeGreaterThanOrEqual(before + 59_000);
        expect(w.untilMs).toBeLessThanOrEqual(Date.now() + 61_000);
        expect(w.reason).toMatch(/Docker Hub asked to wait until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ .*up to 5 minutes/);
      }
    } finally {
      hub.state.rateLimit = null;
      await r.close();
    }
  });

  test('a wait longer than the cap stops the listing with "rate limited until <time>"', async () => {
    hub.state.listingCalls = 0;
    hub.state.rateLimit = { every: 1, retryAfterSeconds: 3600 };
    hub.state.retryAfterAs = 'epoch';
    const r = await run();
    try {
      const until = new Date((Math.floor(Date.now() / 1000) + 3600) * 1000);
      const last = lastEvent((await collect(dockerhubDriver, r, 'alice/app')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { status: 429 } });
      expect(r.rateLimitWaits).toEqual([]);
      if (last?.type === 'failed') {
        const m = /rate limited until (\S+), longer than the 5 minutes Stowage waits/.exec(last.failure.hint ?? '');
        expect(m).not.toBeNull();
        expect(Math.abs(Date.parse(m![1]!) - until.getTime())).toBeLessThanOrEqual(2000);
      }
    } finally {
      hub.state.rateLimit = null;
      hub.state.retryAfterAs = 'seconds';
      await r.close();
    }
  });

  test('a registry that is not Docker Hub without an API base: the credential never goes to hub.docker.com', async () => {
    const r = await testRun({ registry: hub.registryHost, implementation: 'dockerhub', credential: basicCredential(hub.registryHost, 'alice', 'dckr_pat_alice_read'), settings: { registry: hub.registryHost, plainHttp: true } });
    try {
      const { tags } = await collect(dockerhubDriver, r, 'alice/app');
      expect(tags.length).toBe(252);
      expect(r.calls.every((c) => c.via === 'registry')).toBe(true);
      expect(r.warnings[0]).toContain('not sent to hub.docker.com');
    } finally {
      await r.close();
    }
  });

  test('cancellation between pages', async () => {
    const r = await run();
    try {
      expect(await eventTypesCancellingAtFirst(dockerhubDriver, r, 'alice/app')).toEqual(['tags', 'failed']);
    } finally {
      await r.close();
    }
  });
});
