import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarborEmulator, type HarborEmulator } from '../../../../e2e/emulators/harbor';
import { seedImage, seedIndex } from '../../../../e2e/services/distribution';
import { basicCredential, registryTokenCredential } from '../../registry/testing/credentials';
import { harborDriver } from './listing';
import { collect, lastEvent, testRun } from '../../inventory/drivers/testing';

describe('harbor driver against the Harbor emulator', () => {
  let harbor: HarborEmulator;
  const admin = { username: 'admin', password: 'Harbor12345' };
  const start = Date.UTC(2024, 0, 1);
  beforeAll(async () => {
    harbor = await startHarborEmulator();
    for (let i = 0; i < 250; i++) harbor.state.registry.addImage('team/sub/app', { tags: [`t${String(i).padStart(3, '0')}`], size: 500 + i, pushedAt: new Date(start + i * 1000) });
    harbor.state.registry.addImage('team/sub/app', { tags: [], pushedAt: new Date(start - 1000) });
    await seedImage(harbor.url, 'team/real', 'v1', { auth: admin, labels: { 'werf-image-name': 'backend' }, created: '2023-05-05T05:05:05Z' });
    await seedIndex(harbor.url, 'team/real', 'multi', { auth: admin });
  });
  afterAll(() => harbor?.stop());

  const run = (user = admin.username, password = admin.password) => testRun({ registry: harbor.host, implementation: 'harbor', credential: basicCredential(harbor.host, user, password) });

  test('250 tags over 3 pages (page_size 100, Link), one request per page, double-encoded name kept in every URL', async () => {
    const r = await run('robot$team+cleaner', 'cleaner-secret');
    try {
      const { tags, pages, events } = await collect(harborDriver, r, 'team/sub/app');
      expect(lastEvent(events)?.type).toBe('tags');
      expect(pages).toBe(3);
      expect(tags).toHaveLength(250);
      expect(new Set(tags.map((t) => t.tag)).size).toBe(250);
      const native = r.calls.filter((c) => c.via === 'native');
      expect(native).toHaveLength(3);
      for (const c of native) {
        expect(c.url).toContain('/api/v2.0/projects/team/repositories/sub%252Fapp/artifacts');
        expect(new URL(c.url).host).toBe(harbor.host);
      }
      const t7 = tags.find((t) => t.tag === 't007');
      expect(t7).toMatchObject({ size: 507, pushed: new Date(start + 7000).toISOString() });
      expect(t7?.pulled).toBeUndefined();
      // Untagged artifacts are filtered by Harbor itself (q=tags=*), not downloaded.
      expect(native[0]?.url).toContain('q=tags%3D*');
    } finally {
      await r.close();
    }
  });

  test('pushed images: created and labels from Harbor\'s parsed config, index children with platforms', async () => {
    const r = await run();
    try {
      const { tags } = await collect(harborDriver, r, 'team/real');
      const v1 = tags.find((t) => t.tag === 'v1');
      expect(v1).toMatchObject({ created: '2023-05-05T05:05:05.000Z', labels: { 'werf-image-name': 'backend' }, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
      const multi = tags.find((t) => t.tag === 'multi');
      expect(multi?.platforms?.map((p) => p.architecture)).toEqual(['amd64', 'arm64']);
    } finally {
      await r.close();
    }
  });

  test('429 TOO_MANY_REQUEST with Retry-After is retried; bounded when it persists', async () => {
    harbor.state.listingCalls = 0;
    harbor.state.rateLimit = { every: 2, retryAfterSeconds: 3 };
    const r = await run();
    try {
      const { tags } = await collect(harborDriver, r, 'team/sub/app');
      expect(tags).toHaveLength(250);
      // Calls 2 and 4 of 5 were refused: one wait each, then the same page again.
      expect(r.sleeps).toEqual([3000, 3000]);
      expect(harbor.state.listingCalls).toBe(5);
    } finally {
      harbor.state.rateLimit = null;
      await r.close();
    }
    harbor.state.rateLimit = { every: 1 };
    const r2 = await run();
    try {
      const last = lastEvent((await collect(harborDriver, r2, 'team/sub/app')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { status: 429, code: 'TOO_MANY_REQUEST' } });
      expect(r2.sleeps).toHaveLength(2);
    } finally {
      harbor.state.rateLimit = null;
      await r2.close();
    }
  });

  test('vendor errors: a wrong password is 401 with a hint; an unknown repository is missing', async () => {
    const r = await run('maint', 'wrong');
    try {
      const last = lastEvent((await collect(harborDriver, r, 'team/real')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { status: 401, code: 'UNAUTHORIZED' } });
      if (last?.type === 'failed') expect(last.failure.hint).toContain('robot$<project>+<name>');
    } finally {
      await r.close();
    }
    const ok = await run();
    try {
      expect(lastEvent((await collect(harborDriver, ok, 'team/nope')).events)?.type).toBe('missing');
    } finally {
      await ok.close();
    }
  });

  test('anonymous reads a public project through the API without any Authorization', async () => {
    harbor.state.registry.addImage('library/base', { tags: ['1.0'] });
    const r = await testRun({ registry: harbor.host, implementation: 'harbor', credential: null });
    try {
      const { tags } = await collect(harborDriver, r, 'library/base');
      expect(tags.map((t) => t.tag)).toEqual(['1.0']);
      expect(r.calls).toEqual([expect.objectContaining({ via: 'native', authorized: false })]);
    } finally {
      await r.close();
    }
  });

  test('a credential without a user name (registry token) is not sent to the API: Registry API listing with a warning', async () => {
    const r = await testRun({ registry: harbor.host, implementation: 'harbor', credential: registryTokenCredential(harbor.host, 'opaque-token') });
    try {
      await collect(harborDriver, r, 'team/real');
      expect(r.calls.every((c) => c.via === 'registry')).toBe(true);
      expect(r.warnings[0]).toContain('listed through the Registry API');
    } finally {
      await r.close();
    }
  });

  test('cancellation mid-listing stops at the next page', async () => {
    const r = await run();
    try {
      const seen: string[] = [];
      for await (const e of harborDriver.listTags(r.ctx, 'team/sub/app')) {
        seen.push(e.type);
        if (e.type === 'tags') r.controller.abort();
        if (e.type === 'failed') expect(e.failure.message).toMatch(/cancelled/);
      }
      expect(seen).toEqual(['tags', 'failed']);
      expect(r.calls.filter((c) => c.via === 'native')).toHaveLength(2);
    } finally {
      await r.close();
    }
  });
});
