import { contentSecurityPolicy } from '../app/content-security-policy';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RpcEndpoint } from '../rpc/host';

export interface BrowserHostOptions {
  /** The built renderer (index.html and assets). */
  rendererDir: string;
  rpc: RpcEndpoint;
  /** 0 picks a free port. */
  port?: number;
  /** A fixed token is only for tests; by default a fresh random one is made per run. */
  token?: string;
  log?: (line: string) => void;
}

export interface BrowserHost {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const MAX_MESSAGE_BYTES = 1024 * 1024;
/** RFC 6455: the endpoint received a type of data it cannot accept. */
const CLOSE_UNSUPPORTED_DATA = 1003;

/**
 * Serves the renderer and carries the RPC contract over a WebSocket, for machines without an Electron
 * binary. Loopback only; every WebSocket must present the per-run token and come from our own origin,
 * and every request must name our host, which defeats DNS rebinding and cross-site WebSocket hijacking.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererRoot = resolve(options.rendererDir);
  const log = options.log ?? (() => {});
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) return plain(res, 421, 'Misdirected request');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed');
    void serveStatic(req, res, rendererRoot, port);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = checkUpgrade(req, token, allowedHosts(), allowedOrigins());
    if (verdict) {
      log(`browser host: refused a WebSocket (${verdict.reason})`);
      socket.end(`HTTP/1.1 ${verdict.status} ${verdict.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  // Every message gets an answer or the socket a close code, so a client never waits forever: text
  // that is not a call is answered with a protocol error by the RPC host; a binary frame closes with
  // 1003, a frame over MAX_MESSAGE_BYTES with 1009 and invalid UTF-8 with 1007 (both from ws).
  const attach = (ws: WebSocket) => {
    const connection = options.rpc.connect(
      (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      { terminate: (code, reason) => ws.close(code, reason) },
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(CLOSE_UNSUPPORTED_DATA, 'Binary frames are not supported; send JSON text');
        return;
      }
      connection.receiveText(data.toString());
    });
    ws.on('close', () => connection.close());
    ws.on('error', () => connection.close());
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    port,
    token,
    // The token travels in the fragment, which browsers never send to a server or put in a Referer.
    url: `${origin}/#token=${token}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function checkUpgrade(
  req: IncomingMessage,
  token: string,
  hosts: Set<string>,
  origins: Set<string>,
): { status: number; reason: string } | null {
  if (!hosts.has(req.headers.host ?? '')) return { status: 421, reason: 'Misdirected Request' };
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/rpc') return { status: 404, reason: 'Not Found' };
  if (!origins.has(req.headers.origin ?? '')) return { status: 403, reason: 'Forbidden' };
  if (!sameSecret(url.searchParams.get('token') ?? '', token)) return { status: 401, reason: 'Unauthorized' };
  return null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, port: number): Promise<void> {
  const pathname = decodeSafely(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  if (pathname === null) return plain(res, 400, 'Bad request');
  const relative = pathname === '/' ? 'index.html' : normalize(pathname).replace(/^([/\\])+/, '');
  const file = join(root, relative);
  if (file !== root && !file.startsWith(root + sep)) return plain(res, 403, 'Forbidden');
  let target = file;
  try {
    const info = await stat(target);
    if (info.isDirectory()) target = join(target, 'index.html');
  } catch {
    // Client-side routes fall back to the app shell; missing assets stay 404.
    if (extname(relative) !== '') return plain(res, 404, 'Not found');
    target = join(root, 'index.html');
  }
  try {
    await stat(target);
  } catch {
    return plain(res, 404, 'Not found (is the renderer built? run `npm run build`)');
  }
  res.writeHead(200, {
    'Content-Type': MIME[extname(target)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(target).on('error', () => res.destroy()).pipe(res);
}

function decodeSafely(pathname: string): string | null {
  try {
    const decoded = decodeURIComponent(pathname);
    return decoded.includes('\0') ? null : decoded;
  } catch {
    return null;
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}
