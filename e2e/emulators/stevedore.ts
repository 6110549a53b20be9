import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, sendJson } from '../services/http-util';

/*
 * "Stevedore", a registry that does not exist: the fake tenth implementation of the driver
 * suite's extensibility test. It is a Registry API in front of a real distribution registry
 * (every /v2/ request is passed through, auth included) plus a small native API of its own:
 *
 *   GET /api/stevedore/v1/repositories/<name>/tags?page=N&per_page=M   (HTTP Basic, the registry's users)
 *   → 200 {"tags":[{"name","digest","pushed"}],"next_page":N+1|null}
 *   → 404 {"message":"repository not found"}   (no registry error code, as vendor APIs do)
 *
 * Digests come from the upstream registry (HEAD by tag), so the native listing and /v2 agree.
 */

export interface StevedoreEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  host: string;
  /** Requests to the native API, for asserting the driver used it. */
  nativeCalls: string[];
  stop(): Promise<void>;
}

const API_PREFIX = '/api/stevedore/v1/repositories/';
const PUSHED = '2024-06-01T12:00:00.000Z';

function upstreamCall(upstream: URL, method: string, path: string, authorization: string | undefined): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, upstream), { method, headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/json', ...(authorization ? { authorization } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function nativeTags(upstream: URL, req: IncomingMessage, res: ServerResponse, url: URL, nativeCalls: string[]): Promise<void> {
  nativeCalls.push(`${req.method} ${url.pathname}${url.search}`);
  const authorization = req.headers.authorization;
  if (!authorization?.startsWith('Basic ')) {
    sendJson(res, 401, { message: 'login required' }, { 'www-authenticate': 'Basic realm="stevedore"' });
    return;
  }
  const name = decodeURIComponent(url.pathname.slice(API_PREFIX.length).replace(/\/tags$/, ''));
  const list = await upstreamCall(upstream, 'GET', `/v2/${name}/tags/list`, authorization);
  if (list.status === 401) {
    sendJson(res, 401, { message: 'invalid credentials' });
    return;
  }
  if (list.status === 404) {
    sendJson(res, 404, { message: 'repository not found' });
    return;
  }
  const all = ((JSON.parse(list.body.toString('utf8')) as { tags: string[] | null }).tags ?? []).sort();
  const page = Math.max(1, Number(url.searchParams.get('page') ?? '1'));
  const perPage = Math.min(50, Math.max(1, Number(url.searchParams.get('per_page') ?? '20')));
  const slice = all.slice((page - 1) * perPage, page * perPage);
  const tags = [];
  for (const tag of slice) {
    const head = await upstreamCall(upstream, 'HEAD', `/v2/${name}/manifests/${tag}`, authorization);
    tags.push({ name: tag, digest: head.headers['docker-content-digest'] ?? null, pushed: PUSHED });
  }
  sendJson(res, 200, { tags, next_page: page * perPage < all.length ? page + 1 : null });
}

/** Everything under /v2/ goes to the upstream registry as is, so its auth and semantics are the real ones. */
function passThrough(upstream: URL, req: IncomingMessage, res: ServerResponse): void {
  const headers = { ...req.headers, host: upstream.host };
  const out = httpRequest(new URL(req.url ?? '/', upstream), { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(out);
}

export async function startStevedoreEmulator(upstreamUrl: string): Promise<StevedoreEmulator> {
  const upstream = new URL(upstreamUrl);
  const nativeCalls: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stevedore.invalid');
    if (url.pathname.startsWith(API_PREFIX) && url.pathname.endsWith('/tags') && req.method === 'GET') {
      nativeTags(upstream, req, res, url, nativeCalls).catch(() => {
        if (!res.headersSent) sendJson(res, 502, { message: 'upstream failed' });
        else res.end();
      });
      return;
    }
    passThrough(upstream, req, res);
  });
  const port = await listen(server);
  const host = `127.0.0.1:${port}`;
  return { url: `http://${host}`, host, nativeCalls, stop: () => closeServer(server) };
}
