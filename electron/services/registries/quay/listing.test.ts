import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startQuayEmulator, type QuayEmulator } from '../../../../e2e/emulators/quay';
import { seedIndex } from '../../../../e2e/services/distribution';
import { basicCredential, bearerTokenCredential } from '../../registry/testing/credentials';
import { quayDriver } from './listing';
import { collect, eventTypesCancellingAtFirst, lastEvent, testRun } from '../../inventory/drivers/testing';

describe('quay driver against the Quay emulator', () => {
  let quay: QuayEmulator;
  const start = Date.UTC(2024, 0, 1);
  beforeAll(async () => {
    quay = await startQuayEmulator({ publicRepos: ['acme/public'] });
    for (let i = 0; i < 250; i++) quay.state.registry.addImage('acme/app', { tags: [`t${String(i).padStart(3, '0')}`], size: 100 + i, pushedAt: new Date(start + i * 1000) });
    quay.state.registry.addImage('acme/public', { tags: ['latest'] });
    await seedIndex(quay.url, 'acme/app', 'multi', { auth: { username: 'acme+deployer', password: 'ROBOT-DEPLOYER-TOKEN' } });
  });
  afterAll(() => quay?.stop());

  const oauth = (token = 'quay-oauth-ana-read') => testRun({ registry: quay.host, implementation: 'quay', credential: bearerTokenCredential(quay.host, token) });

  test('251 tags over 3 pages (limit 100, page + has_additional), one request per page, Bearer to the registry host only', async () => {
    const r = await oauth();
    try {
      const { tags, pages, events } = await collect(quayDriver, r, 'acme/app');
      expect(lastEvent(events)?.type).toBe('tags');
      expect(pages).toBe(3);
      expect(tags).toHaveLength(251);
      const native = r.calls.filter((c) => c.via === 'native');
      expect(native.map((c) => new URL(c.url).searchParams.get('page'))).toEqual(['1', '2', '3']);
      expect(native.every((c) => c.authorized && new URL(c.url).host === quay.host)).toBe(true);
      const t10 = tags.find((t) => t.tag === 't010');
      expect(t10).toEqual({ tag: 't010', digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/), pushed: new Date(start + 10_000).toISOString() });
      expect(tags.find((t) => t.tag === 'multi')?.digest).toMatch(/^sha256:/);
    } finally {
      await r.close();
    }
  });

  test("an OAuth token saved by docker login as '$oauthtoken' is used on the API", async () => {
    const r = await testRun({ registry: quay.host, implementation: 'quay', credential: basicCredential(quay.host, '$oauthtoken', 'quay-oauth-ana-read') });
    try {
      expect((await collect(quayDriver, r, 'acme/app')).tags).toHaveLength(251);
      expect(r.calls.every((c) => c.via === 'native' && c.authorized)).toBe(true);
    } finally {
      await r.close();
    }
  });

  test('anonymous lists a public repository through the API', async () => {
    const r = await testRun({ registry: quay.host, implementation: 'quay', credential: null });
    try {
      const { tags } = await collect(quayDriver, r, 'acme/public');
      expect(tags.map((t) => t.tag)).toEqual(['latest']);
      expect(r.calls[0]).toMatchObject({ via: 'native', authorized: false });
    } finally {
      await r.close();
    }
  });

  test('a robot account is never sent to /api/v1: Registry API listing with a warning', async () => {
    const r = await testRun({ registry: quay.host, implementation: 'quay', credential: basicCredential(quay.host, 'acme+deployer', 'ROBOT-DEPLOYER-TOKEN') });
    try {
      const { tags } = await collect(quayDriver, r, 'acme/app');
      expect(tags).toHaveLength(251);
      expect(r.calls.every((c) => c.via === 'registry')).toBe(true);
      expect(r.warnings[0]).toContain('robot accounts');
      expect(quay.requests().some((q) => q.path.startsWith('/api/v1') && q.headers.authorization?.includes('acme+deployer'))).toBe(false);
      // A repository the robot cannot see, or that does not exist: Quay's registry grants no pull
      // and answers 401 for both; that is not a wrong password.
      const missing = lastEvent((await collect(quayDriver, r, 'acme/nope')).events);
      expect(missing).toMatchObject({ type: 'missing', message: expect.stringContaining('does not exist, or you cannot see it') });
    } finally {
      await r.close();
    }
  });

  test('429 with Retry-After is retried (bounded); vendor errors carry Quay\'s words and a hint', async () => {
    quay.state.listingCalls = 0;
    quay.state.rateLimit = { every: 3, retryAfterSeconds: 1 };
    const r = await oauth();
    try {
      const { tags } = await collect(quayDriver, r, 'acme/app');
      expect(tags).toHaveLength(251);
      expect(r.sleeps).toEqual([1000]);
    } finally {
      quay.state.rateLimit = null;
      await r.close();
    }
    quay.state.rateLimit = { every: 1 };
    const r2 = await oauth();
    try {
      const last = lastEvent((await collect(quayDriver, r2, 'acme/app')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { status: 429 } });
      if (last?.type === 'failed') expect(last.failure.message).toContain('Too many requests');
    } finally {
      quay.state.rateLimit = null;
      await r2.close();
    }
    const r3 = await testRun({ registry: quay.host, implementation: 'quay', credential: null });
    try {
      // Anonymous: Quay answers 401 for a private repository and a missing one alike.
      const denied = lastEvent((await collect(quayDriver, r3, 'acme/app')).events);
      expect(denied).toMatchObject({ type: 'missing', message: expect.stringContaining('does not exist, or you cannot see it') });
      expect(lastEvent((await collect(quayDriver, r3, 'acme/nope')).events)).toMatchObject({ type: 'missing', message: expect.stringContaining('does not exist, or you cannot see it') });
    } finally {
      await r3.close();
    }
  });

  test('a missing repository (Quay: 403, not 404) is missing, told apart from a token that may not read a visible one', async () => {
    const r = await oauth('quay-oauth-ana-read');
    try {
      const missing = lastEvent((await collect(quayDriver, r, 'acme/nope')).events);
      expect(missing).toMatchObject({ type: 'missing', message: expect.stringContaining('does not exist, or you cannot see it') });
      // The repository API (namespace listing) was asked, and not shown the repository.
      expect(r.calls.map((c) => new URL(c.url).pathname)).toEqual(['/api/v1/repository/acme/nope/tag/', '/api/v1/repository']);
    } finally {
      await r.close();
    }
    // ben can see acme/app (read role) but a token with only user:read cannot read its tags.
    quay.state.oauthTokens.set('quay-oauth-ben-user', { token: 'quay-oauth-ben-user', user: 'ben', scopes: ['user:read'] });
    const r2 = await oauth('quay-oauth-ben-user');
    try {
      const denied = lastEvent((await collect(quayDriver, r2, 'acme/app')).events);
      expect(denied).toMatchObject({ type: 'failed', failure: { status: 403, code: 'insufficient_scope' } });
      if (denied?.type === 'failed') expect(denied.failure.hint).toContain('repo:read');
    } finally {
      quay.state.oauthTokens.delete('quay-oauth-ben-user');
      await r2.close();
    }
  });

  test('cancellation between pages', async () => {
    const r = await oauth();
    try {
      expect(await eventTypesCancellingAtFirst(quayDriver, r, 'acme/app')).toEqual(['tags', 'failed']);
    } finally {
      await r.close();
    }
  });
});
