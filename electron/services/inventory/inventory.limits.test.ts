import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTING_LIMITS, type RegistrySettings } from '../../../shared/credentials/types';
import type { InventoryStats, InventoryTag } from '../../../shared/inventory/types';
import { endlessPagesRegistry, type HostileRegistry } from '../../../e2e/robustness/registry-servers';
import { listInventory, listingLimits } from './engine';
import { MAX_INDEX_CHILDREN } from './manifest';
import type { InventoryDriver, ListEvent, ListInventoryDeps } from './types';

/**
 * Issue #10 item 8: a registry whose `Link` always names a new page was followed to 1,000,000
 * tags. A listing now stops at a cap of rows and of bytes, and says it is partial.
 */
let cacheDir: string;
const servers: HostileRegistry[] = [];
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'stowage-inv-limits-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(cacheDir, { recursive: true, force: true });
});

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Pages of 1,000 fully described tags, forever: the engine needs no request to finish a row. */
const endlessDriver: InventoryDriver = {
  id: 'endless',
  async *listTags(): AsyncIterable<ListEvent> {
    for (let page = 0; ; page++) {
      yield { type: 'tags', tags: Array.from({ length: 1000 }, (_, i) => ({ tag: `p${page}-${i}`, digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 })) };
    }
  },
};

async function run(host: string, settings: RegistrySettings, deps: Partial<ListInventoryDeps> = {}): Promise<{ stats: InventoryStats; rows: Map<string, InventoryTag> }> {
  const rows = new Map<string, InventoryTag>();
  const stats = await listInventory(
    { imagesRepo: `${host}/app`, implementation: 'default', mode: 'auto', images: [], withConfig: false },
    {
      credential: null,
      settings,
      cacheDir,
      signal: new AbortController().signal,
      onRows: (batch) => {
        for (const r of batch) rows.set(`${r.repository}:${r.tag}`, r);
      },
      onProgress: () => {},
      ...deps,
    },
  );
  return { stats, rows };
}

describe('per-listing caps', () => {
  it('the defaults, and what the setting and --max-tags change (bad values fall back)', () => {
    expect(listingLimits({}, undefined)).toEqual({ tags: LISTING_LIMITS.defaultMaxTags, bytes: LISTING_LIMITS.defaultMaxMiB * 1024 * 1024 });
    expect(listingLimits({}, { registry: 'r', maxTags: 500, maxListingMiB: 2 })).toEqual({ tags: 500, bytes: 2 * 1024 * 1024 });
    expect(listingLimits({ maxTags: 7 }, { registry: 'r', maxTags: 500 }).tags).toBe(7);
    expect(listingLimits({}, { registry: 'r', maxTags: -1, maxListingMiB: Number.NaN })).toEqual(listingLimits({}, undefined));
  });

  it('an endless listing stops at 200,000 tags by default, marked partial', async () => {
    const reg = await endlessPagesRegistry();
    servers.push(reg);
    const started = performance.now();
    const { stats, rows } = await run(reg.host, { registry: reg.host, plainHttp: true }, { driver: endlessDriver });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(rows.size).toBe(LISTING_LIMITS.defaultMaxTags);
    expect(stats.tags).toBe(LISTING_LIMITS.defaultMaxTags);
    expect(stats.complete).toBe(false);
    expect(stats.truncated).toEqual([expect.objectContaining({ reason: 'max-tags', limit: LISTING_LIMITS.defaultMaxTags })]);
    expect(stats.warnings.join('\n')).toMatch(/partial/);
  }, 60_000);

  it("the registry's own Link pages: the row cap from its setting", async () => {
    const reg = await endlessPagesRegistry({ names: 'long' });
    servers.push(reg);
    const { stats, rows } = await run(reg.host, { registry: reg.host, plainHttp: true, maxTags: 2500 });
    expect(rows.size).toBe(2500);
    expect(stats.complete).toBe(false);
    expect(stats.truncated?.[0]?.reason).toBe('max-tags');
    // Pages stop being asked for: the third page filled the cap, a fourth at most was in flight.
    expect(reg.requests.filter((r) => r.url.includes('/tags/list')).length).toBeLessThanOrEqual(4);
  }, 60_000);

  it('the byte cap stops a listing of few, huge names', async () => {
    const reg = await endlessPagesRegistry({ names: 'long', pageSize: 10, nameBytes: 50_000 });
    servers.push(reg);
    const { stats, rows } = await run(reg.host, { registry: reg.host, plainHttp: true, maxListingMiB: 1 });
    expect(stats.complete).toBe(false);
    expect(stats.truncated?.[0]).toMatchObject({ reason: 'max-bytes', limit: 1024 * 1024 });
    // ~500 KB a page: the cap is passed on the third page.
    expect(rows.size).toBeLessThanOrEqual(30);
  }, 60_000);

  it('a listing that ends normally is complete', async () => {
    const finite: InventoryDriver = {
      id: 'finite',
      async *listTags(): AsyncIterable<ListEvent> {
        yield { type: 'tags', tags: [{ tag: 'v1', digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 }] };
      },
    };
    const reg = await endlessPagesRegistry();
    servers.push(reg);
    const { stats } = await run(reg.host, { registry: reg.host, plainHttp: true, maxTags: 1 }, { driver: finite });
    expect(stats.complete).toBe(true);
    expect(stats.truncated).toBeUndefined();
  });

  it('a repository whose listing failed part-way makes the result partial', async () => {
    const broken: InventoryDriver = {
      id: 'broken',
      async *listTags(): AsyncIterable<ListEvent> {
        yield { type: 'tags', tags: [{ tag: 'v1', digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 }] };
        yield { type: 'failed', failure: { message: 'the next page of tags is on another host' } };
      },
    };
    const reg = await endlessPagesRegistry();
    servers.push(reg);
    const { stats, rows } = await run(reg.host, { registry: reg.host, plainHttp: true }, { driver: broken });
    expect(rows.size).toBe(1);
    expect(stats.complete).toBe(false);
    expect(stats.truncated).toEqual([expect.objectContaining({ reason: 'failed' })]);
  });
});

describe('platform lists from a native API', () => {
  it('a row carries at most as many platforms as an index is expanded to', async () => {
    const many: InventoryDriver = {
      id: 'many-platforms',
      async *listTags(): AsyncIterable<ListEvent> {
        const platforms = Array.from({ length: 100_000 }, (_, i) => ({ digest: `sha256:${i.toString(16).padStart(64, '0')}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', os: 'linux', architecture: `a${i}` }));
        yield { type: 'tags', tags: [{ tag: 'v1', digest: DIGEST, mediaType: 'application/vnd.oci.image.index.v1+json', size: 1, platforms }] };
      },
    };
    const reg = await endlessPagesRegistry();
    servers.push(reg);
    const { rows } = await run(reg.host, { registry: reg.host, plainHttp: true }, { driver: many });
    expect(rows.get('app:v1')?.platforms).toHaveLength(MAX_INDEX_CHILDREN);
  });
});
