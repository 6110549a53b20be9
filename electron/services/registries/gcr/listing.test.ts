import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGcrEmulator, type GcrEmulator } from '../../../../e2e/emulators/gcr';
import { seedImage } from '../../../../e2e/services/distribution';
import { googleTokenCredential } from '../../registry/testing/credentials';
import { gcrDriver } from './listing';
import { collect, lastEvent, testRun } from '../../inventory/drivers/testing';

describe('gcr driver against the Artifact Registry emulator', () => {
  let gcr: GcrEmulator;
  const start = Date.UTC(2024, 0, 1);
  beforeAll(async () => {
    gcr = await startGcrEmulator();
    for (let i = 0; i < 250; i++) {
      gcr.state.registry.addImage('proj/repo/big', { tags: [`t${String(i).padStart(3, '0')}`], size: 1000 + i, pushedAt: new Date(start + i * 60_000), created: new Date(start - 3_600_000) });
    }
    gcr.state.registry.addImage('proj/repo/big', { tags: [] });
    gcr.state.registry.addImage('other/secret', { tags: ['x'] });
    await seedImage(gcr.url, 'proj/repo/pushed', 'v1', { auth: { username: 'oauth2accesstoken', password: 'ya29.writer' }, created: '2023-03-03T03:03:03Z' });
  });
  afterAll(() => gcr?.stop());

  const run = (token = 'ya29.reader') => testRun({ registry: gcr.host, implementation: 'gcr', credential: googleTokenCredential(gcr.host, token) });

  test('250 tags from ONE tags/list answer, with digest, size, created and push time', async () => {
    const r = await run();
    try {
      const { tags, events } = await collect(gcrDriver, r, 'proj/repo/big');
      expect(lastEvent(events)?.type).toBe('tags');
      expect(tags).toHaveLength(250);
      const t5 = tags.find((t) => t.tag === 't005');
      expect(t5).toMatchObject({ size: 1005, pushed: new Date(start + 5 * 60_000).toISOString(), created: new Date(start - 3_600_000).toISOString(), mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
      expect(t5?.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      const listing = r.calls.filter((c) => c.url.includes('/tags/list'));
      expect(listing).toHaveLength(1);
      expect(r.calls.every((c) => new URL(c.url).host === gcr.host)).toBe(true);
    } finally {
      await r.close();
    }
  });

  test('a pushed image: created comes from its config, so no config fetch is needed', async () => {
    const r = await run();
    try {
      const { tags } = await collect(gcrDriver, r, 'proj/repo/pushed');
      expect(tags).toEqual([expect.objectContaining({ tag: 'v1', created: '2023-03-03T03:03:03.000Z' })]);
    } finally {
      await r.close();
    }
  });

  test('429 with Retry-After is waited out and retried; every call answering 429 ends after bounded retries with a hint', async () => {
    gcr.state.rateLimit = { every: 1, retryAfterSeconds: 2 };
    const r = await run();
    try {
      const { events } = await collect(gcrDriver, r, 'proj/repo/big');
      const last = lastEvent(events);
      expect(last?.type).toBe('failed');
      if (last?.type === 'failed') {
        expect(last.failure.status).toBe(429);
        expect(last.failure.code).toBe('TOOMANYREQUESTS');
        expect(last.failure.hint).toContain('quota');
      }
      expect(r.sleeps).toEqual([2000, 2000]);
      expect(r.calls.filter((c) => c.url.includes('/tags/list'))).toHaveLength(1);
    } finally {
      gcr.state.rateLimit = null;
      await r.close();
    }
    gcr.state.listingCalls = 0;
    gcr.state.rateLimit = { every: 2 };
    const r2 = await run();
    try {
      await collect(gcrDriver, r2, 'proj/repo/pushed');
      const { tags } = await collect(gcrDriver, r2, 'proj/repo/big');
      expect(tags).toHaveLength(250);
      expect(r2.sleeps).toEqual([1000]);
    } finally {
      gcr.state.rateLimit = null;
      await r2.close();
    }
  });

  test('vendor errors: a repository outside the token\'s grant is 403 DENIED with the IAM permission; unknown is missing', async () => {
    const r = await run();
    try {
      const denied = lastEvent((await collect(gcrDriver, r, 'other/secret')).events);
      expect(denied?.type).toBe('failed');
      if (denied?.type === 'failed') {
        expect(denied.failure.status).toBe(403);
        expect(denied.failure.message).toContain('artifactregistry.repositories.downloadArtifacts');
        expect(denied.failure.hint).toContain('roles/artifactregistry.reader');
      }
      const missing = lastEvent((await collect(gcrDriver, r, 'proj/repo/nope')).events);
      expect(missing?.type).toBe('missing');
    } finally {
      await r.close();
    }
  });

  test('cancellation: an aborted run ends with a cancelled failure and sends nothing more', async () => {
    const r = await run();
    try {
      r.controller.abort();
      const before = gcr.requests().length;
      const last = lastEvent((await collect(gcrDriver, r, 'proj/repo/big')).events);
      expect(last?.type).toBe('failed');
      if (last?.type === 'failed') expect(last.failure.message).toMatch(/cancelled/);
      expect(gcr.requests().length).toBe(before);
    } finally {
      await r.close();
    }
  });
});
