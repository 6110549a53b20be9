import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Test only: a small Registry API on 127.0.0.1 whose every answer a test can bend (malformed
 * bodies, Link loops, redirects, stalls, 429s). Records each request with the time it arrived.
 */
export interface FakeImage {
  manifest: Buffer;
  digest: string;
  mediaType: string;
  config: { bytes: Buffer; digest: string };
}

export interface RecordedCall {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  at: number;
}

export interface FakeRegistry {
  url: string;
  host: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

/** Returns true when it answered; false lets the default registry behaviour answer. */
export type Override = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface FakeRegistryOptions {
  /** repository → tag → image. */
  repositories: Record<string, Record<string, FakeImage>>;
  /** Paginate tag lists with relative `Link` headers. */
  pageSize?: number;
  basic?: { username: string; password: string };
  override?: Override;
  /** Leave out `Docker-Content-Digest` (optional in OCI 1.1). */
  omitDigestHeader?: boolean;
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

const LAYER = { digest: sha256('fake layer'), size: 1234 };

export function fakeImage(opts: { created?: string; labels?: Record<string, string>; salt?: string } = {}): FakeImage {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: opts.created ?? '2024-01-01T00:00:00Z', config: { Labels: opts.labels ?? {} }, salt: opts.salt ?? '' }));
  const configDigest = sha256(config);
  const mediaType = 'application/vnd.docker.distribution.manifest.v2+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: LAYER.size, digest: LAYER.digest }],
    }),
  );
  return { manifest, digest: sha256(manifest), mediaType, config: { bytes: config, digest: configDigest } };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function registryError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ code, message, detail: null }] });
}

export async function startFakeRegistry(opts: FakeRegistryOptions): Promise<FakeRegistry> {
  const calls: RecordedCall[] = [];
  const byDigest = new Map<string, FakeImage>();
  for (const tags of Object.values(opts.repositories)) for (const img of Object.values(tags)) byDigest.set(img.digest, img);
  const configs = new Map<string, Buffer>();
  for (const img of byDigest.values()) configs.set(img.config.digest, img.config.bytes);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() });
    if (opts.override && (await opts.override(req, res, url))) return;
    if (opts.basic) {
      const want = `Basic ${Buffer.from(`${opts.basic.username}:${opts.basic.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"', 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
    }
    if (url.pathname === '/v2/') return sendJson(res, 200, {});
    const m = /^\/v2\/(.+)\/(tags\/list|manifests\/[^/]+|blobs\/[^/]+)$/.exec(url.pathname);
    if (!m) return registryError(res, 404, 'NOT_FOUND', 'no route');
    const [, name, rest] = m as unknown as [string, string, string];
    const repo = opts.repositories[name];
    if (!repo) return registryError(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    if (rest === 'tags/list') {
      const all = Object.keys(repo).sort();
      if (!opts.pageSize) return sendJson(res, 200, { name, tags: all });
      const last = url.searchParams.get('last');
      const from = last === null ? 0 : all.findIndex((t) => t > last);
      const page = from < 0 ? [] : all.slice(from, from + opts.pageSize);
      const more = from >= 0 && from + opts.pageSize < all.length;
      return sendJson(res, 200, { name, tags: page }, more ? { link: `</v2/${name}/tags/list?last=${page[page.length - 1]}&n=${opts.pageSize}>; rel="next"` } : {});
    }
    if (rest.startsWith('manifests/')) {
      const ref = rest.slice('manifests/'.length);
      const img = ref.includes(':') ? byDigest.get(ref) : repo[ref];
      if (!img) return registryError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      const headers: Record<string, string> = { 'content-type': img.mediaType, 'content-length': String(img.manifest.length) };
      if (!opts.omitDigestHeader) headers['docker-content-digest'] = img.digest;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : img.manifest);
      return;
    }
    const digest = rest.slice('blobs/'.length);
    const blob = configs.get(digest);
    if (!blob) return registryError(res, 404, 'BLOB_UNKNOWN', 'blob unknown');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) });
    res.end(blob);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
