import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

/**
 * Hostile registries on 127.0.0.1 for the robustness suite and the unit tests of issue #10's
 * registry items: each answers the Registry API the way a broken or malicious server would.
 * Anonymous (GET /v2/ → 200), so tests need only `plainHttp` for the host.
 */
export interface HostileRegistry {
  url: string;
  host: string;
  /** Every request, in arrival order (method and URL). */
  requests: { method: string; url: string }[];
  close(): Promise<void>;
}

export type HostileHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export async function startHostileRegistry(handler: HostileHandler): Promise<HostileRegistry> {
  const requests: { method: string; url: string }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hostile');
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      send(res, 200, 'application/json', '{}');
      return;
    }
    Promise.resolve(handler(req, res, url)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  // Pages of a million tags are served fast; keep-alive sockets are closed with the server.
  server.keepAliveTimeout = 5_000;
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
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** One small image manifest (and its config) every tag of a "shared digest" registry points at. */
export function oneImage(): { manifest: Buffer; digest: string; config: Buffer; configDigest: string } {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2025-01-01T00:00:00Z', config: { Labels: {} } }));
  const configDigest = sha256(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1000, digest: sha256('layer') }],
    }),
  );
  return { manifest, digest: sha256(manifest), config, configDigest };
}

/** Answers manifests and the config blob of `oneImage()` for every tag. */
export function serveImage(img: ReturnType<typeof oneImage>, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (/\/manifests\/[^/]+$/.test(url.pathname)) {
    res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'content-length': String(img.manifest.length), 'docker-content-digest': img.digest });
    res.end(req.method === 'HEAD' ? undefined : img.manifest);
    return true;
  }
  if (url.pathname.endsWith(`/blobs/${img.configDigest}`)) {
    send(res, 200, 'application/octet-stream', img.config);
    return true;
  }
  return false;
}

/** Item 7: `count` tags (`t0`…) in one page, all on one digest. */
export function sharedDigestRegistry(count: number): Promise<HostileRegistry> {
  const img = oneImage();
  const body = JSON.stringify({ name: 'app', tags: Array.from({ length: count }, (_, i) => `t${i}`) });
  return startHostileRegistry((req, res, url) => {
    if (url.pathname.endsWith('/tags/list')) return send(res, 200, 'application/json', body);
    if (!serveImage(img, req, res, url)) send(res, 404, 'application/json', '{"errors":[{"code":"NOT_FOUND","message":"no"}]}');
  });
}

/**
 * Item 8: every page names a new next page (`?page=<n>`), forever; each page holds `pageSize`
 * new tags on one digest, so nothing but a cap on the whole listing stops it. `names: 'invalid'`
 * sends names outside the tag grammar (`p0-1!`), `'long'` names past its 128 characters
 * (`nameBytes` each): rows the inventory keeps but never inspects, so a test measures the listing
 * alone (and, with long names, its bytes grow fast).
 */
export function endlessPagesRegistry(opts: { pageSize?: number; names?: 'tags' | 'invalid' | 'long'; nameBytes?: number } = {}): Promise<HostileRegistry> {
  const img = oneImage();
  const pageSize = opts.pageSize ?? 1000;
  return startHostileRegistry((req, res, url) => {
    if (url.pathname.endsWith('/tags/list')) {
      const page = Number(url.searchParams.get('page') ?? '0');
      const pad = opts.names === 'long' ? 'x'.repeat(opts.nameBytes ?? 200) : opts.names === 'invalid' ? '!' : '';
      const tags = Array.from({ length: pageSize }, (_, i) => `p${page}-${i}${pad}`);
      const name = url.pathname.slice('/v2/'.length, -'/tags/list'.length);
      return send(res, 200, 'application/json', JSON.stringify({ name, tags }), { link: `</v2/${name}/tags/list?page=${page + 1}&n=${pageSize}>; rel="next"` });
    }
    if (!serveImage(img, req, res, url)) send(res, 404, 'application/json', '{"errors":[{"code":"NOT_FOUND","message":"no"}]}');
  });
}

export type BadTagList = 'truncated-json' | 'html' | 'tags-not-a-list' | 'gzip';

/** Item 9: a 200 tag list that is not one. */
export function badTagListRegistry(kind: BadTagList): Promise<HostileRegistry> {
  return startHostileRegistry((_req, res, url) => {
    if (!url.pathname.endsWith('/tags/list')) return send(res, 404, 'application/json', '{"errors":[{"code":"NOT_FOUND","message":"no"}]}');
    switch (kind) {
      case 'truncated-json':
        return send(res, 200, 'application/json', '{"name":"app","tags":["v1","v2",');
      case 'html':
        return send(res, 200, 'text/html', '<!doctype html><html><body>Sign in</body></html>');
      case 'tags-not-a-list':
        return send(res, 200, 'application/json', '{"name":"app","tags":"v1"}');
      case 'gzip':
        return send(res, 200, 'application/json', gzipSync('{"name":"app","tags":["v1"]}'), { 'content-encoding': 'gzip' });
    }
  });
}

/** Control sequences a terminal would act on: clear screen, set the window title, bell, a forged line. */
export const ESCAPES = { clear: '\x1b[2J', title: '\x1b]0;pwned\x07', bell: '\x07', csi8bit: '\u009b2J', newline: '\nforged line' } as const;

/**
 * Item 10: tag names and registry error codes carrying terminal control sequences. Repository
 * `app` lists the hostile tags (their manifests 404 with a hostile error code); `denied` refuses
 * the listing with a hostile code and message.
 */
export function escapeRegistry(): Promise<HostileRegistry> {
  const hostileError = JSON.stringify({ errors: [{ code: `DENIED${ESCAPES.clear}${ESCAPES.title}`, message: `no${ESCAPES.newline}${ESCAPES.bell}` }] });
  return startHostileRegistry((_req, res, url) => {
    if (url.pathname === '/v2/app/tags/list') return send(res, 200, 'application/json', JSON.stringify({ name: 'app', tags: [`a${ESCAPES.clear}`, `b${ESCAPES.title}`, `c${ESCAPES.newline}`, `d${ESCAPES.csi8bit}`, 'v1'] }));
    if (url.pathname === '/v2/denied/tags/list') return send(res, 403, 'application/json', hostileError);
    send(res, 404, 'application/json', JSON.stringify({ errors: [{ code: `MANIFEST_UNKNOWN${ESCAPES.clear}`, message: `gone${ESCAPES.title}` }] }));
  });
}

/**
 * Item 11: a registry whose DELETE (and any other mutating call) answers 307 to `elsewhere`;
 * reads work (one tag, `v1`).
 */
export function redirectingDeleteRegistry(elsewhere: string): Promise<HostileRegistry> {
  const img = oneImage();
  return startHostileRegistry((req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(307, { location: `${elsewhere}${url.pathname}` });
      res.end();
      return;
    }
    if (url.pathname.endsWith('/tags/list')) return send(res, 200, 'application/json', '{"name":"app","tags":["v1"]}');
    if (!serveImage(img, req, res, url)) send(res, 404, 'application/json', '{"errors":[{"code":"NOT_FOUND","message":"no"}]}');
  });
}
