import { createHash } from 'node:crypto';
import { Pool } from 'undici';
import { seedImage } from '../../../../e2e/services/distribution';

/**
 * Test and bench only: puts thousands of tags into a real registry quickly. One real image is
 * pushed with the e2e seeder (its layer is reused by everything); each distinct (created, labels)
 * pair gets its own config blob (POST + PUT: distribution 2.8 has no single-POST upload); then
 * every tag is one manifest PUT over a keep-alive pool. Tags with equal options share a digest.
 */
export interface BulkImage {
  tag: string;
  created?: string;
  labels?: Record<string, string>;
  /** Extra OCI annotations make a distinct manifest (distinct digest) over the same config. */
  annotations?: Record<string, string>;
}

export interface BulkSeedOptions {
  concurrency?: number;
  auth?: { username: string; password: string };
  format?: 'docker' | 'oci';
}

const MEDIA = {
  docker: { manifest: 'application/vnd.docker.distribution.manifest.v2+json', config: 'application/vnd.docker.container.image.v1+json' },
  oci: { manifest: 'application/vnd.oci.image.manifest.v1+json', config: 'application/vnd.oci.image.config.v1+json' },
} as const;

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function bulkSeed(registryUrl: string, repo: string, images: readonly BulkImage[], opts: BulkSeedOptions = {}): Promise<Map<string, string>> {
  const format = opts.format ?? 'docker';
  const concurrency = opts.concurrency ?? 16;
  const auth = opts.auth;
  await seedImage(registryUrl, repo, '__bulk-base', { format, ...(auth ? { auth } : {}) });
  const client = new Pool(registryUrl, { connections: concurrency, pipelining: 1 });
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...extra,
    ...(auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {}),
  });
  try {
    const baseRes = await client.request({ method: 'GET', path: `/v2/${repo}/manifests/__bulk-base`, headers: headers({ accept: MEDIA[format].manifest }) });
    const base = (await baseRes.body.json()) as { layers: unknown[] };
    const cfgRes = await client.request({ method: 'GET', path: `/v2/${repo}/blobs/${(base as unknown as { config: { digest: string } }).config.digest}`, headers: headers() });
    const baseConfig = (await cfgRes.body.json()) as Record<string, unknown>;

    // One config per distinct (created, labels).
    const configs = new Map<string, { bytes: Buffer; digest: string }>();
    const keyOf = (i: BulkImage) => JSON.stringify([i.created ?? null, i.labels ?? null]);
    for (const i of images) {
      const key = keyOf(i);
      if (configs.has(key)) continue;
      const cfg = { ...baseConfig, created: i.created ?? baseConfig.created, config: { Labels: i.labels ?? {} } };
      const bytes = Buffer.from(JSON.stringify(cfg));
      configs.set(key, { bytes, digest: sha256(bytes) });
    }
    await pool([...configs.values()], concurrency, async (c) => {
      const start = await client.request({ method: 'POST', path: `/v2/${repo}/blobs/uploads/`, headers: headers() });
      await start.body.dump();
      const location = start.headers.location;
      if (start.statusCode !== 202 || typeof location !== 'string') throw new Error(`upload start: ${start.statusCode}`);
      const url = new URL(location, registryUrl);
      url.searchParams.set('digest', c.digest);
      const put = await client.request({ method: 'PUT', path: `${url.pathname}${url.search}`, headers: headers({ 'content-type': 'application/octet-stream' }), body: c.bytes });
      const text = await put.body.text();
      if (put.statusCode !== 201) throw new Error(`config upload: ${put.statusCode} ${text}`);
    });

    const digests = new Map<string, string>();
    await pool(images, concurrency, async (i) => {
      const c = configs.get(keyOf(i))!;
      const manifest: Record<string, unknown> = {
        schemaVersion: 2,
        mediaType: MEDIA[format].manifest,
        config: { mediaType: MEDIA[format].config, size: c.bytes.length, digest: c.digest },
        layers: base.layers,
      };
      if (i.annotations) manifest.annotations = i.annotations;
      const bytes = Buffer.from(JSON.stringify(manifest));
      const put = await client.request({ method: 'PUT', path: `/v2/${repo}/manifests/${i.tag}`, headers: headers({ 'content-type': MEDIA[format].manifest }), body: bytes });
      const text = await put.body.text();
      if (put.statusCode !== 201) throw new Error(`manifest PUT ${repo}:${i.tag}: ${put.statusCode} ${text}`);
      digests.set(i.tag, sha256(bytes));
    });
    // The base tag was only a carrier for the layer.
    const head = await client.request({ method: 'HEAD', path: `/v2/${repo}/manifests/__bulk-base`, headers: headers({ accept: MEDIA[format].manifest }) });
    await head.body.dump();
    const baseDigest = head.headers['docker-content-digest'];
    if (typeof baseDigest === 'string' && ![...digests.values()].includes(baseDigest)) {
      const del = await client.request({ method: 'DELETE', path: `/v2/${repo}/manifests/${baseDigest}`, headers: headers() });
      await del.body.dump();
    }
    return digests;
  } finally {
    await client.close();
  }
}
