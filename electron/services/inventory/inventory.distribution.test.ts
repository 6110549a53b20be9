import diagnosticsChannel from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as undiciRequest } from 'undici';
import { seedImage, seedImages, seedIndex, startDistribution, type DistributionHandle, type SeededIndex } from '../../../e2e/services/distribution';
import { makeTempDir, removeDir } from '../../../e2e/services/util';
import { groupByDigest, siblings, totals } from '../../../shared/inventory/summarize';
import type { InventoryProgress, InventoryRequest, InventoryStats, InventoryTag } from '../../../shared/inventory/types';
import { basicCredential } from '../registry/testing/credentials';
import { listInventory } from './engine';
import { bulkSeed } from './testing/bulk-seed';
import type { ListInventoryDeps } from './types';

/**
 * Against Debian's docker-registry 2.8 (e2e/services): what a real registry answers, at scale.
 */

const BIG = 5_000;
const BIG_DIGESTS = 250;
const SHA3 = 'c'.repeat(56);
const STAGE_MS = Date.UTC(2025, 2, 3, 4, 5, 6, 789);

let reg: DistributionHandle;
let cacheRoot: string;
let bigDigests: Map<string, string>;
let shared: string;
let index: SeededIndex;
let list: SeededIndex;

beforeAll(async () => {
  reg = await startDistribution();
  cacheRoot = await makeTempDir('inventory-cache');
  const bigImages = Array.from({ length: BIG }, (_, i) => ({
    tag: `v${i}`,
    created: new Date(Date.UTC(2024, 0, 1, 0, i % BIG_DIGESTS)).toISOString(),
    labels: { 'werf-image-name': 'app', 'org.opencontainers.image.revision': String(i % BIG_DIGESTS), 'com.example.ignored': 'x' },
  }));
  const monoLabels = (name: string) => ({ 'werf-image': 'true', 'werf-image-name': name });
  const services = ['app', 'app-worker', 'web', ...Array.from({ length: 8 }, (_, i) => `svc-${i}`)];
  let sharedDigests: Map<string, string>;
  [bigDigests, sharedDigests, index, list] = await Promise.all([
    bulkSeed(reg.url, 'big/app', bigImages, { concurrency: 16 }),
    seedImages(reg.url, 'proj/app', ['v1', 'latest', 'stable'], { labels: { 'werf-image-name': 'app' } }),
    seedIndex(reg.url, 'proj/app', 'multi', { format: 'oci' }),
    seedIndex(reg.url, 'proj/web', 'multi-docker', { format: 'docker' }),
    ...services.map((s) => seedImage(reg.url, `proj/${s}`, 'v9', { labels: { 'werf-image-name': s }, created: '2025-01-01T00:00:00Z' })),
    seedImage(reg.url, 'proj', 'nameless-v1', { labels: { 'werf-image-name': '' } }),
    bulkSeed(reg.url, 'mono', [
      { tag: 'app-v1', labels: monoLabels('app') },
      { tag: 'app-worker-v1', labels: monoLabels('app-worker') },
      { tag: 'app-worker-x', labels: monoLabels('app') },
      { tag: 'app-worker-y' },
      { tag: 'web-v1', labels: monoLabels('web') },
      { tag: 'managed-image-app', created: '2023-01-01T00:00:00Z' },
      { tag: 'meta-app_0123abcd_1712345678', created: '2023-01-02T00:00:00Z' },
      { tag: `${SHA3}-${STAGE_MS}`, created: '2025-03-03T04:05:06Z' },
      { tag: 'latest', labels: monoLabels('web') },
    ]),
  ]);
  shared = sharedDigests.get('v1')!;
  await seedImage(reg.url, 'proj/app', `sha256-${shared.slice(7)}.sig`, { format: 'oci', labels: { 'dev.cosignproject.cosign/signature': 'x' } });
}, 120_000);

afterAll(async () => {
  await reg?.stop();
  if (cacheRoot) await removeDir(cacheRoot);
});

interface Ran {
  stats: InventoryStats;
  rows: Map<string, InventoryTag>;
  batches: InventoryTag[][];
  progress: InventoryProgress[];
}

async function run(req: Partial<InventoryRequest> & { path: string }, deps: Partial<ListInventoryDeps> = {}): Promise<Ran> {
  const rows = new Map<string, InventoryTag>();
  const batches: InventoryTag[][] = [];
  const progress: InventoryProgress[] = [];
  const stats = await listInventory(
    {
      imagesRepo: `${reg.host}/${req.path}`,
      implementation: req.implementation ?? 'auto',
      mode: req.mode ?? 'auto',
      images: req.images ?? [],
      withConfig: req.withConfig ?? false,
      ...(req.image !== undefined ? { image: req.image } : {}),
    },
    {
      credential: null,
      settings: { registry: reg.host, plainHttp: true },
      cacheDir: cacheRoot,
      signal: new AbortController().signal,
      onRows: (r) => {
        batches.push(r);
        for (const row of r) rows.set(`${row.repository}:${row.tag}`, row);
      },
      onProgress: (p) => progress.push(p),
      ...deps,
    },
  );
  return { stats, rows, batches, progress };
}

describe('a repository with 5,000 tags', () => {
  it('lists every tag with its digest: rows stream in, one request per tag, a handful of connections', async () => {
    const { stats, rows, batches, progress } = await run({ path: 'big/app' });
    expect(rows.size).toBe(BIG);
    expect(stats.tags).toBe(BIG);
    expect(stats.rowErrors).toBe(0);
    for (const [tag, digest] of bigDigests) expect(rows.get(`big/app:${tag}`)?.digest).toBe(digest);
    for (const row of rows.values()) {
      expect(row.pending).toBeUndefined();
      expect(row.kind).toBe('image');
      expect(row.size).toBeGreaterThan(0);
    }
    // Listed rows (digest pending) first, then finished rows in several batches.
    expect(batches[0]!.length).toBe(BIG);
    expect(batches[0]!.every((r) => r.pending === true && r.digest === null)).toBe(true);
    expect(batches.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toEqual({ phase: 'done', listed: BIG, inspected: BIG, total: BIG });
    // One GET by tag per tag; the tag list, /v2/ and nothing else.
    expect(stats.requests).toBeGreaterThanOrEqual(BIG + 2);
    expect(stats.requests).toBeLessThanOrEqual(BIG + 5);
    expect(stats.connections).toBeGreaterThanOrEqual(1);
    expect(stats.connections).toBeLessThanOrEqual(10);

    // Shared digests: 20 tags per manifest; totals count each manifest once.
    const list = [...rows.values()];
    const groups = groupByDigest(list);
    const v0 = rows.get('big/app:v0')!;
    const group = groups.get(`${v0.repository}@${v0.digest}`)!;
    expect(siblings(group, v0).others).toBe(BIG / BIG_DIGESTS - 1);
    expect(group.map((t) => t.tag)).toContain(`v${BIG_DIGESTS}`);
    expect(totals(list).manifests).toBe(BIG_DIGESTS);
  }, 60_000);

  it('with configs: one GET per distinct config, then none (disk cache); created and werf/OCI labels only', async () => {
    const cold = await run({ path: 'big/app', withConfig: true }, { cacheDir: `${cacheRoot}/cfg` });
    expect(cold.stats.configCache).toEqual({ hits: 0, fetched: BIG_DIGESTS });
    expect(cold.stats.requests).toBeLessThanOrEqual(BIG + BIG_DIGESTS + 5);
    const row = cold.rows.get('big/app:v7')!;
    expect(row.created).toBe('2024-01-01T00:07:00.000Z');
    expect(row.labels).toEqual({ 'org.opencontainers.image.revision': '7', 'werf-image-name': 'app' });

    const warm = await run({ path: 'big/app', withConfig: true }, { cacheDir: `${cacheRoot}/cfg` });
    expect(warm.stats.configCache).toEqual({ hits: BIG_DIGESTS, fetched: 0 });
    expect(warm.stats.requests).toBeLessThanOrEqual(BIG + 5);
    expect(warm.rows.get('big/app:v7')).toEqual(row);
  }, 60_000);

  it('cancelled while inspecting: rejects as cancelled, and not one request goes out after the abort', async () => {
    let sent = 0;
    const onSend = (): void => {
      sent++;
    };
    diagnosticsChannel.subscribe('undici:client:sendHeaders', onSend);
    try {
      const controller = new AbortController();
      let sentAtAbort = -1;
      let finished = 0;
      const p = run(
        { path: 'big/app', withConfig: true },
        {
          cacheDir: `${cacheRoot}/cancel`,
          signal: controller.signal,
          flushMs: 20,
          onRows: (rows) => {
            if (rows[0]?.pending) return;
            finished += rows.length;
            if (sentAtAbort < 0 && finished >= 200) {
              sentAtAbort = sent;
              controller.abort();
            }
          },
        },
      );
      await expect(p).rejects.toMatchObject({ code: 'cancelled' });
      await new Promise((r) => setTimeout(r, 300));
      expect(sentAtAbort).toBeGreaterThan(200);
      expect(sent).toBe(sentAtAbort);
      expect(finished).toBeLessThan(BIG);
    } finally {
      diagnosticsChannel.unsubscribe('undici:client:sendHeaders', onSend);
    }
  }, 60_000);
});

describe('multirepo: many repositories', () => {
  const images = ['app', 'app-worker', 'web', ...Array.from({ length: 8 }, (_, i) => `svc-${i}`), null, 'ghost'];

  it('lists REPO/IMAGE per werf image and REPO for the nameless one; a missing repository is a warning', async () => {
    const { stats, rows } = await run({ path: 'proj', images, mode: 'multirepo' });
    expect([...stats.repositories].sort()).toEqual(['proj', 'proj/app', 'proj/app-worker', 'proj/web', ...Array.from({ length: 8 }, (_, i) => `proj/svc-${i}`)].sort());
    expect(stats.missingRepositories).toEqual(['proj/ghost']);
    expect(stats.warnings.join('\n')).toContain('proj/ghost does not exist');
    expect(rows.get('proj/svc-3:v9')).toMatchObject({ image: 'svc-3', imageBy: 'repository', kind: 'image' });
    expect(rows.get('proj:nameless-v1')).toMatchObject({ image: null, imageBy: 'repository' });
    // The nameless REPO is not REPO/IMAGE: its tags are not mixed up with the images' own.
    expect([...rows.keys()].filter((k) => k.startsWith('proj:'))).toEqual(['proj:nameless-v1']);
    expect(stats.rowErrors).toBe(0);
  }, 30_000);

  it('shared digests: v1, latest and stable are one manifest', async () => {
    const { rows } = await run({ path: 'proj', images: ['app'], mode: 'multirepo' });
    const list = [...rows.values()];
    const groups = groupByDigest(list);
    const on = (tag: string) => {
      const row = rows.get(`proj/app:${tag}`)!;
      return siblings(groups.get(`${row.repository}@${row.digest}`), row).names.sort();
    };
    expect(rows.get('proj/app:v1')!.digest).toBe(shared);
    expect(on('v1')).toEqual(['latest', 'stable']);
    expect(on('v9')).toEqual([]);
  });

  it('an OCI index: its platforms, and a size that counts the shared layer once', async () => {
    const { rows } = await run({ path: 'proj/app', withConfig: true }, { cacheDir: `${cacheRoot}/index` });
    const row = rows.get('proj/app:multi')!;
    expect(row).toMatchObject({ kind: 'index', digest: index.digest, mediaType: 'application/vnd.oci.image.index.v1+json' });
    expect(row.platforms?.map((p) => `${p.os}/${p.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(row.platforms?.map((p) => p.digest)).toEqual(index.children.map((c) => c.digest));
    const child = await undiciRequest(`${reg.url}/v2/proj/app/manifests/${index.children[0]!.digest}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    const m = (await child.body.json()) as { config: { size: number }; layers: { size: number }[] };
    const layerBytes = m.layers.reduce((n, l) => n + l.size, 0);
    const childSizes = row.platforms!.map((p) => p.size!);
    expect(childSizes[0]).toBe(m.config.size + layerBytes);
    expect(row.size).toBe(childSizes[0]! + childSizes[1]! - layerBytes);
    expect(row.created).toBe('2024-01-01T00:00:00.000Z');
  });

  it('a Docker manifest list is an index too', async () => {
    const { rows } = await run({ path: 'proj/web' });
    expect(rows.get('proj/web:multi-docker')).toMatchObject({ kind: 'index', digest: list.digest, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' });
    expect(rows.get('proj/web:multi-docker')?.platforms).toHaveLength(2);
  });

  it('a cosign-style sha256-<hex>.sig tag describes the digest it signs', async () => {
    const { rows } = await run({ path: 'proj/app' });
    const sig = rows.get(`proj/app:sha256-${shared.slice(7)}.sig`)!;
    expect(sig).toMatchObject({ kind: 'signature', signatureOf: shared, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    expect(sig.error).toBeUndefined();
  });

  it('only one werf image asked for: only its repository', async () => {
    const { stats } = await run({ path: 'proj', images, mode: 'multirepo', image: 'web' });
    expect(stats.repositories).toEqual(['proj/web']);
  });
});

describe('monorepo with werf names', () => {
  const images = ['app', 'app-worker', 'web'];

  it('without configs: by IMAGE- prefix, the app/app-worker ambiguity reported; werf bookkeeping recognised', async () => {
    const { rows, stats } = await run({ path: 'mono', images, mode: 'monorepo' });
    expect(rows.get('mono:app-v1')).toMatchObject({ image: 'app', imageBy: 'prefix' });
    expect(rows.get('mono:app-v1')?.imageCandidates).toBeUndefined();
    expect(rows.get('mono:app-worker-x')).toMatchObject({ image: 'app-worker', imageBy: 'prefix', imageCandidates: ['app-worker', 'app'] });
    expect(rows.get('mono:managed-image-app')).toMatchObject({ kind: 'werf-service', service: 'managed-image' });
    expect(rows.get('mono:managed-image-app')?.image).toBeUndefined();
    expect(rows.get('mono:meta-app_0123abcd_1712345678')).toMatchObject({ kind: 'werf-service', service: 'meta' });
    expect(rows.get(`mono:${SHA3}-${STAGE_MS}`)).toMatchObject({ kind: 'image', service: 'stage', created: new Date(STAGE_MS).toISOString() });
    expect(rows.get('mono:latest')?.image).toBeUndefined();
    expect(stats.ambiguousRows).toBe(3);
    expect(stats.warnings.join('\n')).toContain('settle them by the werf-image-name label');
  });

  it('with configs: the werf-image-name label settles app vs app-worker', async () => {
    const { rows, stats } = await run({ path: 'mono', images, mode: 'monorepo', withConfig: true }, { cacheDir: `${cacheRoot}/mono` });
    expect(rows.get('mono:app-worker-v1')).toMatchObject({ image: 'app-worker', imageBy: 'label' });
    // Label "app": the image app with the meta tag "worker-x", though app-worker is the longer prefix.
    expect(rows.get('mono:app-worker-x')).toMatchObject({ image: 'app', imageBy: 'label' });
    expect(rows.get('mono:app-worker-x')?.imageCandidates).toBeUndefined();
    // No label: still a guess, still reported.
    expect(rows.get('mono:app-worker-y')).toMatchObject({ image: 'app-worker', imageBy: 'prefix', imageCandidates: ['app-worker', 'app'] });
    expect(rows.get('mono:latest')).toMatchObject({ image: 'web', imageBy: 'label' });
    expect(rows.get('mono:managed-image-app')).toMatchObject({ service: 'managed-image', created: '2023-01-01T00:00:00.000Z' });
    // A stage's config time wins over the time in its name.
    expect(rows.get(`mono:${SHA3}-${STAGE_MS}`)?.created).toBe('2025-03-03T04:05:06.000Z');
    expect(stats.ambiguousRows).toBe(1);
  });

  it('one image asked for: tags its prefix fits (app-worker-* could be app\'s too)', async () => {
    const { rows } = await run({ path: 'mono', images, mode: 'monorepo', image: 'app' });
    expect([...rows.keys()].sort()).toEqual(['mono:app-v1', 'mono:app-worker-v1', 'mono:app-worker-x', 'mono:app-worker-y']);
  });
});

describe('credentials', () => {
  let secured: DistributionHandle;
  beforeAll(async () => {
    secured = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'alice', password: 'pw-alice' }] } });
    await seedImages(secured.url, 'team/app', ['a', 'b'], { auth: { username: 'alice', password: 'pw-alice' }, distinct: true });
  }, 60_000);
  afterAll(() => secured?.stop());

  const on = (credential: ListInventoryDeps['credential']) =>
    listInventory(
      { imagesRepo: `${secured.host}/team/app`, implementation: 'auto', mode: 'auto', images: [], withConfig: true },
      { credential, settings: { registry: secured.host, plainHttp: true }, cacheDir: `${cacheRoot}/auth`, signal: new AbortController().signal, onRows: () => undefined, onProgress: () => undefined },
    );

  it('Basic auth: the listing works with the right password', async () => {
    const stats = await on(basicCredential(secured.host, 'alice', 'pw-alice'));
    expect(stats.tags).toBe(2);
    expect(stats.rowErrors).toBe(0);
  });

  it('a wrong password fails the listing with the registry\'s 401 and a hint', async () => {
    await expect(on(basicCredential(secured.host, 'alice', 'nope'))).rejects.toMatchObject({ code: 'inventory-failed', message: expect.stringContaining('401'), hint: expect.stringContaining('did not accept the credentials') });
  });

  it('no credential at all: the 401 says to log in, not that a password is wrong', async () => {
    await expect(on(null)).rejects.toMatchObject({ code: 'inventory-failed', message: expect.stringContaining('401'), hint: expect.stringContaining(`No credential was found for ${secured.host}`) });
  });
});
