import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryTag } from '../../../shared/inventory/types';
import { oneImage, send, serveImage, startHostileRegistry, type HostileRegistry } from '../../../e2e/robustness/registry-servers';
import { githubRateLimit } from '../registries/github/listing';
import { listInventory } from './engine';

/**
 * Issue #10, "the same class elsewhere": rate-limit headers are registry data too. A reset time
 * no Date can hold must not turn every answer carrying it into a failure.
 */
let cacheDir: string;
let reg: HostileRegistry;
const HUGE = '99999999999999999999';
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'stowage-inv-headers-'));
  const img = oneImage();
  reg = await startHostileRegistry((req, res, url) => {
    const limits = { 'ratelimit-limit': HUGE, 'ratelimit-remaining': '7', 'ratelimit-reset': HUGE };
    if (url.pathname.endsWith('/tags/list')) return send(res, 200, 'application/json', '{"name":"app","tags":["v1","v2"]}', limits);
    for (const [k, v] of Object.entries(limits)) res.setHeader(k, v);
    serveImage(img, req, res, url);
  });
});
afterAll(async () => {
  await reg?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('hostile rate-limit headers', () => {
  it('a reset past any representable date: the listing works, the reset is left out', async () => {
    const rows = new Map<string, InventoryTag>();
    const stats = await listInventory(
      { imagesRepo: `${reg.host}/app`, implementation: 'default', mode: 'auto', images: [], withConfig: true },
      {
        credential: null,
        settings: { registry: reg.host, plainHttp: true },
        cacheDir,
        signal: new AbortController().signal,
        onRows: (b) => b.forEach((r) => rows.set(r.tag, r)),
        onProgress: () => {},
      },
    );
    expect([...rows.values()].filter((r) => r.error)).toEqual([]);
    expect(rows.get('v1')?.digest).toMatch(/^sha256:/);
    expect(stats.complete).toBe(true);
    expect(stats.rateLimit?.remaining).toBe(7);
    expect(stats.rateLimit?.resetAt).toBeUndefined();
  });

  it("GitHub's x-ratelimit-reset the same way", () => {
    const got = githubRateLimit((n) => ({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': HUGE })[n]);
    expect(got).toEqual({ limit: 5000, remaining: 1 });
  });
});
