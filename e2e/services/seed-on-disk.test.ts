import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedImage, seedTagsOnDisk } from './seed';
import { startDistribution, type DistributionHandle } from './distribution';
import { ACCEPT_ALL, RegistryClient } from './registry-client';

describe('seedTagsOnDisk against the real distribution registry', () => {
  let reg: DistributionHandle;
  beforeAll(async () => {
    reg = await startDistribution();
  });
  afterAll(() => reg?.stop());

  test('tags written to storage are listed, resolved and deletable by the running registry', async () => {
    const a = await seedImage(reg.url, 'big/app', 'base-a', { labels: { v: 'a' } });
    const b = await seedImage(reg.url, 'big/app', 'base-b', { labels: { v: 'b' } });
    const tags = new Map<string, string>();
    for (let i = 0; i < 3000; i++) tags.set(`build-${i}`, i % 2 === 0 ? a : b);
    const started = Date.now();
    await seedTagsOnDisk(reg.dataDir, 'big/app', tags);
    expect(Date.now() - started).toBeLessThan(15_000);

    const client = new RegistryClient(reg.url);
    const list = await client.json<{ tags: string[] }>('GET', '/v2/big/app/tags/list');
    expect(list.body.tags).toHaveLength(3002);
    const head = await client.request('HEAD', '/v2/big/app/manifests/build-2999', { headers: { accept: ACCEPT_ALL } });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(b);
    // Deleting the digest removes every tag that points at it, as for pushed tags.
    expect((await client.request('DELETE', `/v2/big/app/manifests/${a}`)).status).toBe(202);
    const after = await client.json<{ tags: string[] }>('GET', '/v2/big/app/tags/list');
    expect(after.body.tags).toHaveLength(1501);
    await expect(seedTagsOnDisk(reg.dataDir, 'big/app', new Map([['x', 'sha256:nope']]))).rejects.toThrow('not a sha256 digest');
  });
});
