import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GCR_DEFAULT_TOKENS, startGcrEmulator, type GcrEmulator } from '../../../../e2e/emulators/gcr';
import { listInventory } from '../../inventory/engine';
import { collect, lastEvent, testRun } from '../../inventory/drivers/testing';
import { googleTokenCredential } from '../../registry/testing/credentials';
import { gcrDriver } from './listing';

/**
 * Artifact Registry's tags/list is cut above 10,000 images or tags (quotas page). The emulator
 * cuts at the documented number; the driver must notice, list through the REST API where it can,
 * and otherwise mark the listing incomplete so cleanup will not plan from it.
 */
describe('gcr driver: tags/list at Google\'s 10,000 cap', () => {
  let gcr: GcrEmulator;
  const N = 10_003;
  const REPO = 'proj/repo/huge';
  const start = Date.UTC(2024, 0, 1);
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'stowage-gcr-cap-'));
    gcr = await startGcrEmulator({
      hostName: 'us-docker.pkg.dev',
      // May read the one image's tags through the registry, but holds no REST permission on the AR repository.
      tokens: [...GCR_DEFAULT_TOKENS, { token: 'ya29.narrow', principal: 'narrow@proj.iam.gserviceaccount.com', roles: { [REPO]: 'reader' } }],
    });
    for (let i = 0; i < N; i++) gcr.state.registry.addImage(REPO, { tags: [`t${String(i).padStart(5, '0')}`], size: 1000 + i, pushedAt: new Date(start + i * 1000) });
    gcr.state.registry.addImage('proj/repo/other', { tags: ['not-mine'] });
  });
  afterAll(async () => {
    await gcr?.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  /** The registry under its Artifact Registry name, resolved to the emulator on 127.0.0.1. */
  const arRun = (token: string) => {
    const registry = `us-docker.pkg.dev:${new URL(gcr.url).port}`;
    return testRun({
      registry,
      implementation: 'gcr',
      credential: googleTokenCredential(registry, token),
      settings: { registry, plainHttp: true, apiBaseUrl: gcr.url },
      resolveHost: async () => ['127.0.0.1'],
    });
  };

  test('a cut list is replaced by the complete REST dockerImages listing (paged), only this image\'s tags', async () => {
    const r = await arRun('ya29.reader');
    try {
      const { tags, events } = await collect(gcrDriver, r, REPO);
      expect(events.some((e) => e.type === 'incomplete' || e.type === 'failed')).toBe(false);
      expect(new Set(tags.map((t) => t.tag)).size).toBe(N);
      expect(tags.some((t) => t.tag === 'not-mine')).toBe(false);
      expect(tags.find((t) => t.tag === 't10002')).toMatchObject({ size: 1000 + 10_002, pushed: new Date(start + 10_002_000).toISOString(), digest: gcr.state.registry.resolve(REPO, 't10002') });
      const rest = r.calls.filter((c) => c.url.includes('/dockerImages'));
      expect(rest.length).toBe(Math.ceil((N + 1) / 1000));
      expect(rest.every((c) => c.authorized && c.url.startsWith(`${gcr.url}/v1/projects/proj/locations/us/repositories/repo/dockerImages`))).toBe(true);
      expect(r.warnings.join('\n')).toContain('listed through the Artifact Registry REST API');
    } finally {
      await r.close();
    }
  });

  test('REST refused (no dockerimages.list permission): the cut list, then "incomplete" with the reason', async () => {
    const r = await arRun('ya29.narrow');
    try {
      const { tags, events } = await collect(gcrDriver, r, REPO);
      expect(tags).toHaveLength(10_000);
      const last = lastEvent(events);
      expect(last?.type).toBe('incomplete');
      if (last?.type === 'incomplete') {
        expect(last.message).toContain('documented 10,000 cap');
        expect(last.message).toContain('artifactregistry.dockerimages.list');
      }
    } finally {
      await r.close();
    }
  });

  test('through the engine, a host that names no location: the inventory is partial (registry-cap), which cleanup refuses', async () => {
    const rows: string[] = [];
    const stats = await listInventory(
      { imagesRepo: `${gcr.host}/${REPO}`, implementation: 'gcr', mode: 'auto', images: [], withConfig: false },
      {
        credential: googleTokenCredential(gcr.host, 'ya29.reader'),
        settings: { registry: gcr.host, plainHttp: true },
        cacheDir,
        signal: new AbortController().signal,
        onRows: (batch) => {
          for (const t of batch) if (!t.pending) rows.push(t.tag);
        },
        onProgress: () => undefined,
      },
    );
    expect(rows).toHaveLength(10_000);
    expect(stats.complete).toBe(false);
    expect(stats.truncated).toEqual([expect.objectContaining({ reason: 'registry-cap' })]);
    expect(stats.truncated?.[0]?.message).toContain('does not name an Artifact Registry location');
  });
});
