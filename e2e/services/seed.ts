import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MEDIA, RegistryClient, type RegistryAuth } from './registry-client';

export interface SeedOptions {
  auth?: RegistryAuth;
  labels?: Record<string, string>;
  /** Config `created` (ISO). Defaults to a fixed time so equal options give equal digests. */
  created?: string;
  /** Number of layer blobs (default 1). Layer N is the same bytes everywhere, so it is uploaded once. */
  layers?: number;
  /** PEM text or path of a CA to trust. */
  ca?: string;
  /** `docker` = schema2 (default), `oci` = OCI image manifest. */
  format?: 'docker' | 'oci';
  architecture?: string;
  os?: string;
  /**
   * Runtime config fields beside `Labels` (Entrypoint, Cmd, Env, ExposedPorts, WorkingDir, User),
   * as `docker image inspect` shows them under `Config`.
   */
  runtime?: Record<string, unknown>;
  /**
   * The config's history as a Dockerfile build writes it; entries without `empty_layer` each made
   * one layer, so their count must equal `layers`. Default: one entry per layer.
   */
  history?: { created_by: string; empty_layer?: boolean; comment?: string }[];
}

export interface SeededIndex {
  digest: string;
  children: { digest: string; platform: { os: string; architecture: string } }[];
}

export const DEFAULT_CREATED = '2024-01-01T00:00:00Z';

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

interface Blob {
  digest: string;
  bytes: Buffer;
}

interface Layer extends Blob {
  diffId: string;
}

function tarHeaderField(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'ascii');
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A one-file ustar archive; enough for a layer that real tools accept. */
function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  tarHeaderField(header, 0, 100, name);
  tarHeaderField(header, 100, 8, octal(0o644, 8));
  tarHeaderField(header, 108, 8, octal(0, 8));
  tarHeaderField(header, 116, 8, octal(0, 8));
  tarHeaderField(header, 124, 12, octal(content.length, 12));
  tarHeaderField(header, 136, 12, octal(Date.parse(DEFAULT_CREATED) / 1000, 12));
  header.fill(0x20, 148, 156);
  tarHeaderField(header, 156, 1, '0');
  tarHeaderField(header, 257, 6, 'ustar\0');
  tarHeaderField(header, 263, 2, '00');
  let sum = 0;
  for (const b of header) sum += b;
  tarHeaderField(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const padded = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  content.copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024)]);
}

const layerCache = new Map<number, Layer>();

function layer(index: number): Layer {
  let l = layerCache.get(index);
  if (!l) {
    const tar = tarOneFile(`stowage/layer-${index}.txt`, Buffer.from(`stowage seed layer ${index}\n`));
    // gzip output is deterministic here: Node writes mtime 0 and a fixed OS byte.
    const gz = gzipSync(tar, { level: 6 });
    l = { bytes: gz, digest: sha256(gz), diffId: sha256(tar) };
    layerCache.set(index, l);
  }
  return l;
}

function configBlob(layers: Layer[], o: SeedOptions): Blob {
  const cfg = {
    architecture: o.architecture ?? 'amd64',
    os: o.os ?? 'linux',
    created: o.created ?? DEFAULT_CREATED,
    config: { ...(o.runtime ?? {}), Labels: o.labels ?? {} },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: o.history
      ? o.history.map((h) => ({ created: o.created ?? DEFAULT_CREATED, ...h }))
      : layers.map(() => ({ created: o.created ?? DEFAULT_CREATED, created_by: 'stowage seed' })),
  };
  const bytes = Buffer.from(JSON.stringify(cfg));
  return { bytes, digest: sha256(bytes) };
}

// Blobs known to exist, per registry+repository. Shared by concurrent seeders so a layer is
// uploaded once even when hundreds of tags are pushed in parallel.
const knownBlobs = new Map<string, Promise<void>>();

/** Forget cached blob knowledge for a registry (its storage is gone, its port may be reused). */
export function forgetRegistry(registryUrl: string): void {
  const prefix = `${registryUrl.replace(/\/+$/, '')}|`;
  for (const k of knownBlobs.keys()) if (k.startsWith(prefix)) knownBlobs.delete(k);
}

async function ensureBlob(client: RegistryClient, repo: string, blob: Blob, checkFirst: boolean): Promise<void> {
  const key = `${client.base}|${repo}|${blob.digest}`;
  let p = knownBlobs.get(key);
  if (!p) {
    p = uploadBlob(client, repo, blob, checkFirst);
    knownBlobs.set(key, p);
    p.catch(() => knownBlobs.delete(key));
  }
  return p;
}

async function uploadBlob(client: RegistryClient, repo: string, blob: Blob, checkFirst: boolean): Promise<void> {
  if (checkFirst) {
    const head = await client.request('HEAD', `/v2/${repo}/blobs/${blob.digest}`);
    await head.body?.cancel();
    if (head.status === 200) return;
  }
  const start = await client.request('POST', `/v2/${repo}/blobs/uploads/`);
  await start.body?.cancel();
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) throw new Error(`blob upload start failed for ${repo}: ${start.status}`);
  const target = new URL(location, `${client.base}/`);
  target.searchParams.set('digest', blob.digest);
  const put = await client.request('PUT', target.toString(), {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.bytes.length) },
    body: blob.bytes,
  });
  const text = await put.text();
  if (put.status !== 201) throw new Error(`blob upload failed for ${repo}@${blob.digest}: ${put.status} ${text}`);
}

async function putManifest(client: RegistryClient, repo: string, ref: string, mediaType: string, bytes: Buffer, retry: () => Promise<void>): Promise<string> {
  const send = () =>
    client.request('PUT', `/v2/${repo}/manifests/${ref}`, { headers: { 'content-type': mediaType }, body: bytes });
  let res = await send();
  let text = await res.text();
  if (res.status === 400 && /BLOB_UNKNOWN/.test(text)) {
    // The blob cache was stale (a registry restarted on a reused port): upload again once.
    forgetRegistry(client.base);
    await retry();
    res = await send();
    text = await res.text();
  }
  if (res.status !== 201) throw new Error(`manifest PUT ${repo}:${ref} failed: ${res.status} ${text}`);
  const digest = sha256(bytes);
  const answered = res.headers.get('docker-content-digest');
  if (answered && answered !== digest) throw new Error(`registry answered digest ${answered}, expected ${digest}`);
  return digest;
}

interface BuiltImage {
  mediaType: string;
  bytes: Buffer;
  digest: string;
  layers: Blob[];
  config: Blob;
}

function buildImage(o: SeedOptions): BuiltImage {
  const layers = Array.from({ length: Math.max(1, o.layers ?? 1) }, (_, i) => layer(i));
  const config = configBlob(layers, o);
  const oci = o.format === 'oci';
  const manifest = {
    schemaVersion: 2,
    mediaType: oci ? MEDIA.ociManifest : MEDIA.dockerManifest,
    config: { mediaType: oci ? MEDIA.ociConfig : MEDIA.dockerConfig, size: config.bytes.length, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: oci ? MEDIA.ociLayer : MEDIA.dockerLayer, size: l.bytes.length, digest: l.digest })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { mediaType: manifest.mediaType, bytes, digest: sha256(bytes), layers, config };
}

function clientFor(registryUrl: string, o: SeedOptions): RegistryClient {
  return new RegistryClient(registryUrl, { auth: o.auth, ca: o.ca });
}

async function pushImage(client: RegistryClient, repo: string, ref: string | null, o: SeedOptions): Promise<{ digest: string; size: number; mediaType: string }> {
  const img = buildImage(o);
  const upload = async (): Promise<void> => {
    // Configs are nearly always new (they carry labels/created), so skipping their HEAD saves a
    // round trip per tag; re-uploading an existing blob is harmless.
    await Promise.all([...img.layers.map((b) => ensureBlob(client, repo, b, true)), ensureBlob(client, repo, img.config, false)]);
  };
  await upload();
  const digest = await putManifest(client, repo, ref ?? img.digest, img.mediaType, img.bytes, upload);
  return { digest, size: img.bytes.length, mediaType: img.mediaType };
}

/** Pushes a small valid image (config + layer blobs + manifest) and returns the manifest digest. */
export async function seedImage(registryUrl: string, repo: string, tag: string, opts: SeedOptions = {}): Promise<string> {
  const { digest } = await pushImage(clientFor(registryUrl, opts), repo, tag, opts);
  return digest;
}

/**
 * Pushes many tags through one client (one token, shared blobs). With `distinct` every tag gets
 * its own config (a label carries the tag), otherwise all tags share one digest.
 */
export async function seedImages(
  registryUrl: string,
  repo: string,
  tags: string[],
  opts: SeedOptions & { concurrency?: number; distinct?: boolean } = {},
): Promise<Map<string, string>> {
  const client = clientFor(registryUrl, opts);
  const result = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tags.length) {
      const tag = tags[next++];
      const o = opts.distinct ? { ...opts, labels: { ...(opts.labels ?? {}), 'org.stowage.seed.tag': tag } } : opts;
      result.set(tag, (await pushImage(client, repo, tag, o)).digest);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, tags.length)) }, worker));
  return result;
}

/** Pushes an image index (OCI, or a Docker manifest list with `format: 'docker'`) with two platform children. */
export async function seedIndex(
  registryUrl: string,
  repo: string,
  tag: string,
  opts: SeedOptions & { platforms?: { os: string; architecture: string }[] } = {},
): Promise<SeededIndex> {
  const client = clientFor(registryUrl, opts);
  const format = opts.format ?? 'oci';
  const platforms = opts.platforms ?? [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ];
  const children = await Promise.all(
    platforms.map(async (p) => ({ platform: p, ...(await pushImage(client, repo, null, { ...opts, format, ...p })) })),
  );
  const index = {
    schemaVersion: 2,
    mediaType: format === 'oci' ? MEDIA.ociIndex : MEDIA.dockerList,
    manifests: children.map((c) => ({ mediaType: c.mediaType, size: c.size, digest: c.digest, platform: c.platform })),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  // Children were just pushed by digest, so a stale blob cache cannot affect the index itself.
  const digest = await putManifest(client, repo, tag, index.mediaType, bytes, async () => undefined);
  return { digest, children: children.map((c) => ({ digest: c.digest, platform: c.platform })) };
}

/**
 * Tags thousands of already-pushed manifests in a stopped-or-running distribution's filesystem
 * storage directly, for large listings: a tag in distribution 2.x storage is two link files
 * (`_manifests/tags/<tag>/current/link` and `…/index/sha256/<hex>/link`, each holding the digest;
 * distribution `registry/storage/paths.go`). The registry reads them on every request (tags are
 * not cached), so 20,000 tags take a second instead of 20,000 manifest PUTs. Every digest must
 * have been pushed to `repo` first (its revision link is what the registry serves the tag from).
 */
export async function seedTagsOnDisk(dataDir: string, repo: string, tags: ReadonlyMap<string, string>): Promise<void> {
  const root = join(dataDir, 'docker', 'registry', 'v2', 'repositories', ...repo.split('/'), '_manifests');
  const entries = [...tags];
  for (const [, digest] of entries) {
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const [tag, digest] = entries[next++]!;
      if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag)) throw new Error(`not a valid tag: ${tag}`);
      const dir = join(root, 'tags', tag);
      const index = join(dir, 'index', 'sha256', digest.slice('sha256:'.length));
      await mkdir(join(dir, 'current'), { recursive: true });
      await mkdir(index, { recursive: true });
      await writeFile(join(dir, 'current', 'link'), digest);
      await writeFile(join(index, 'link'), digest);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}
