import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDistribution, seedImage, type DistributionHandle } from '../../../e2e/services/distribution';
import type { InventoryProgress } from '../../../shared/inventory/types';
import { listTagsViaRegistryApi } from './registry-api';
import { listInventory } from './engine';
import type { InventoryDriver } from './types';

/**
 * A driver that must wait out a rate limit asks the engine (`ctx.rateLimitWait`), and the progress
 * carries the resume time so a view can count down; cancelling during the wait ends the run.
 */
describe('engine: rate-limit waits are shown in the progress', () => {
  let reg: DistributionHandle;
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'stowage-wait-'));
    reg = await startDistribution();
    await seedImage(reg.url, 'app', 'v1');
  });
  afterAll(async () => {
    await reg?.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const waiting = (waitMs: number): InventoryDriver => ({
    id: 'waits',
    async *listTags(ctx, repository) {
      await ctx.rateLimitWait!(Date.now() + waitMs, 'The registry asked to wait (rate limit).');
      yield* listTagsViaRegistryApi(ctx, repository);
    },
  });

  const run = (driver: InventoryDriver, signal: AbortSignal, progress: InventoryProgress[]) =>
    listInventory(
      { imagesRepo: `${reg.host}/app`, implementation: 'default', mode: 'auto', images: [], withConfig: false },
      { credential: null, settings: { registry: reg.host, plainHttp: true }, cacheDir, signal, driver, onRows: () => undefined, onProgress: (p) => progress.push(p) },
    );

  test('waitingUntil is set while waiting, cleared after, and the wait is a warning', async () => {
    const progress: InventoryProgress[] = [];
    const before = Date.now();
    const stats = await run(waiting(300), new AbortController().signal, progress);
    const waits = progress.filter((p) => p.waitingUntil !== undefined);
    expect(waits).toHaveLength(1);
    const until = Date.parse(waits[0]!.waitingUntil!);
    expect(until).toBeGreaterThanOrEqual(before + 300);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    const after = progress.slice(progress.indexOf(waits[0]!) + 1);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((p) => p.waitingUntil === undefined)).toBe(true);
    expect(stats.complete).toBe(true);
    expect(stats.warnings).toContain('The registry asked to wait (rate limit).');
  });

  test('cancelling during the wait ends the run at once', async () => {
    const controller = new AbortController();
    const progress: InventoryProgress[] = [];
    const started = Date.now();
    const pending = run(waiting(60_000), controller.signal, progress);
    while (!progress.some((p) => p.waitingUntil !== undefined)) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(pending).rejects.toThrow(/cancel/i);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
