import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedImage, seedImages, seedIndex, startDistribution, type DistributionHandle } from './distribution';
import { findChallenge } from './challenge';
import { ACCEPT_ALL, MEDIA, RegistryClient } from './registry-client';
import { sha256 } from './seed';

interface TagList {
  name: string;
  tags: string[] | null;
}
interface ErrorBody {
  errors: { code: string; message: string }[];
}

describe('anonymous registry', () => {
  let reg: DistributionHandle;
  let client: RegistryClient;
  beforeAll(async () => {
    reg = await startDistribution();
    client = new RegistryClient(reg.url);
  });
  afterAll(() => reg?.stop());

  test('binds to 127.0.0.1 on a random port and answers /v2/', async () => {
    expect(reg.url).toBe(`http://127.0.0.1:${reg.port}`);
    expect(reg.host).toBe(`127.0.0.1:${reg.port}`);
    const res = await client.request('GET', '/v2/');
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  test('push, pull and list', async () => {
    const digest = await seedImage(reg.url, 'team/app', 'v1', { labels: { a: '1' } });
    const res = await client.request('GET', '/v2/team/app/manifests/v1', { headers: { accept: ACCEPT_ALL } });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(digest);
    const manifest = JSON.parse(bytes.toString('utf8')) as { mediaType: string; config: { digest: string }; layers: unknown[] };
    expect(manifest.mediaType).toBe(MEDIA.dockerManifest);
    expect(manifest.layers).toHaveLength(1);

    const config = await client.request('GET', `/v2/team/app/blobs/${manifest.config.digest}`);
    expect(config.status).toBe(200);
    const cfg = (await config.json()) as { created: string; config: { Labels: Record<string, string> } };
    expect(cfg.config.Labels).toEqual({ a: '1' });
    expect(cfg.created).toBe('2024-01-01T00:00:00Z');

    const tags = await client.json<TagList>('GET', '/v2/team/app/tags/list');
    expect(tags.body).toEqual({ name: 'team/app', tags: ['v1'] });
    const catalog = await client.json<{ repositories: string[] }>('GET', '/v2/_catalog');
    expect(catalog.body.repositories).toContain('team/app');
  });

  test('OCI manifests, several layers and a custom created time', async () => {
    const digest = await seedImage(reg.url, 'oci/app', 'v1', { format: 'oci', layers: 3, created: '2025-05-05T05:05:05Z' });
    const res = await client.request('GET', `/v2/oci/app/manifests/${digest}`, { headers: { accept: ACCEPT_ALL } });
    const m = (await res.json()) as { mediaType: string; layers: { mediaType: string }[] };
    expect(m.mediaType).toBe(MEDIA.ociManifest);
    expect(m.layers.map((l) => l.mediaType)).toEqual([MEDIA.ociLayer, MEDIA.ociLayer, MEDIA.ociLayer]);
  });

  test('an index with two platform children', async () => {
    const idx = await seedIndex(reg.url, 'multi/app', 'v1');
    expect(idx.children.map((c) => c.platform.architecture)).toEqual(['amd64', 'arm64']);
    const res = await client.request('GET', '/v2/multi/app/manifests/v1', { headers: { accept: ACCEPT_ALL } });
    expect(res.headers.get('docker-content-digest')).toBe(idx.digest);
    const index = (await res.json()) as { mediaType: string; manifests: { digest: string; platform: { architecture: string } }[] };
    expect(index.mediaType).toBe(MEDIA.ociIndex);
    expect(index.manifests.map((m) => m.digest)).toEqual(idx.children.map((c) => c.digest));
    for (const c of idx.children) {
      const child = await client.request('HEAD', `/v2/multi/app/manifests/${c.digest}`, { headers: { accept: ACCEPT_ALL } });
      expect(child.status).toBe(200);
    }
    const list = await seedIndex(reg.url, 'multi/app', 'docker', { format: 'docker' });
    const res2 = await client.request('GET', '/v2/multi/app/manifests/docker', { headers: { accept: ACCEPT_ALL } });
    expect(((await res2.json()) as { mediaType: string }).mediaType).toBe(MEDIA.dockerList);
    expect(res2.headers.get('docker-content-digest')).toBe(list.digest);
  });

  test('delete by digest removes every tag on it; delete by tag is refused', async () => {
    const shared = await seedImage(reg.url, 'del/app', 'v1');
    expect(await seedImage(reg.url, 'del/app', 'v2')).toBe(shared);
    const other = await seedImage(reg.url, 'del/app', 'v3', { labels: { other: 'yes' } });
    expect(other).not.toBe(shared);

    const byTag = await client.json<ErrorBody>('DELETE', '/v2/del/app/manifests/v1');
    expect(byTag.status).toBe(400);
    expect(byTag.body.errors[0].code).toBe('DIGEST_INVALID');

    const del = await client.request('DELETE', `/v2/del/app/manifests/${shared}`);
    expect(del.status).toBe(202);
    const tags = await client.json<TagList>('GET', '/v2/del/app/tags/list');
    expect(tags.body.tags).toEqual(['v3']);
    for (const t of ['v1', 'v2']) {
      const head = await client.request('HEAD', `/v2/del/app/manifests/${t}`, { headers: { accept: ACCEPT_ALL } });
      expect(head.status).toBe(404);
    }
    const again = await client.json<ErrorBody>('DELETE', `/v2/del/app/manifests/${shared}`);
    expect(again.status).toBe(404);
    expect(again.body.errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  test('seeding many tags concurrently reuses blobs', async () => {
    const tags = Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    const digests = await seedImages(reg.url, 'bulk/app', tags, { distinct: true, concurrency: 8 });
    expect(new Set(digests.values()).size).toBe(40);
    const list = await client.json<TagList>('GET', '/v2/bulk/app/tags/list');
    // 2.8's filesystem driver lists tags in directory order, not lexically: never rely on order.
    expect([...(list.body.tags ?? [])].sort()).toEqual(tags);
    const same = await seedImages(reg.url, 'bulk/same', ['a', 'b', 'c']);
    expect(new Set(same.values()).size).toBe(1);
  });
});

describe('htpasswd registry', () => {
  let reg: DistributionHandle;
  beforeAll(async () => {
    reg = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'ci', password: 's3cret' }] } });
  });
  afterAll(() => reg?.stop());

  test('401 with a Basic challenge without or with wrong credentials', async () => {
    const anon = await new RegistryClient(reg.url).request('GET', '/v2/');
    expect(anon.status).toBe(401);
    expect(findChallenge(anon.headers.get('www-authenticate'), 'basic')?.params.realm).toBe('basic-realm');
    const wrong = await new RegistryClient(reg.url, { auth: { username: 'ci', password: 'nope' } }).request('GET', '/v2/');
    expect(wrong.status).toBe(401);
    const unknownUser = await new RegistryClient(reg.url, { auth: { username: 'docker', password: 's3cret' } }).request('GET', '/v2/');
    expect(unknownUser.status).toBe(401);
  });

  test('the right password works for push and list', async () => {
    const auth = { username: 'ci', password: 's3cret' };
    const ok = await new RegistryClient(reg.url, { auth }).request('GET', '/v2/');
    expect(ok.status).toBe(200);
    await seedImage(reg.url, 'app', 'v1', { auth });
    const tags = await new RegistryClient(reg.url, { auth }).json<TagList>('GET', '/v2/app/tags/list');
    expect(tags.body.tags).toEqual(['v1']);
    await expect(seedImage(reg.url, 'app', 'v2')).rejects.toThrow(/401/);
  });
});

describe('lifecycle', () => {
  test('delete disabled answers 405 UNSUPPORTED', async () => {
    const reg = await startDistribution({ deleteEnabled: false });
    try {
      const d = await seedImage(reg.url, 'app', 'v1');
      const res = await new RegistryClient(reg.url).json<ErrorBody>('DELETE', `/v2/app/manifests/${d}`);
      expect(res.status).toBe(405);
      expect(res.body.errors[0].code).toBe('UNSUPPORTED');
    } finally {
      await reg.stop();
    }
  });

  test('stop kills the registry and removes its temp dir', async () => {
    const reg = await startDistribution();
    expect(existsSync(reg.dataDir) || existsSync(reg.configFile)).toBe(true);
    await reg.stop();
    expect(existsSync(reg.configFile)).toBe(false);
    await expect(new RegistryClient(reg.url).request('GET', '/v2/')).rejects.toThrow();
    await reg.stop();
  });

  test('a registry that cannot start fails with its log', async () => {
    await expect(startDistribution({ tls: { certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' } })).rejects.toThrow(
      /did not start[\s\S]*nonexistent/,
    );
  });
});
