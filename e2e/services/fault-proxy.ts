import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

/**
 * A loopback proxy in front of a real registry that breaks chosen requests the ways networks and
 * registries do, so cleanup runs can be tested against a registry that misbehaves mid-run:
 *
 * - `status`: answers itself (429 with Retry-After, 500, 503 …) without forwarding: nothing happened upstream;
 * - `reset`: drops the connection before forwarding: nothing happened upstream;
 * - `reset-after`: forwards, lets the registry act, then drops the connection instead of answering
 *   (the client cannot know whether its DELETE happened);
 * - `stall`: holds the request for `ms` before forwarding (a client timeout or cancel ends it first);
 * - `stall-after`: forwards, then holds the answer for `ms`.
 *
 * `onRequest` runs before a request is handled (after the fault is chosen), for tests that change
 * the registry mid-run (push a tag to a new digest). Upload Locations and Links are rewritten to
 * the proxy, so clients stay on it.
 */
export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; code?: string }
  | { kind: 'reset' }
  | { kind: 'reset-after' }
  | { kind: 'stall'; ms: number }
  | { kind: 'stall-after'; ms: number };

export interface SeenRequest {
  method: string;
  path: string;
  /** 1-based count of requests with this method so far (this one included). */
  nthOfMethod: number;
  fault: Fault['kind'] | null;
}

export type FaultRule = (req: { method: string; path: string; nthOfMethod: number }) => Fault | null | undefined;

export interface FaultProxy {
  url: string;
  host: string;
  /** Replaces the rule (null: no faults). */
  setRule(rule: FaultRule | null): void;
  /** Runs before each request is handled; awaited. */
  setOnRequest(hook: ((req: SeenRequest) => Promise<void> | void) | null): void;
  seen(): SeenRequest[];
  /** Forgets what was seen and the per-method counts. */
  reset(): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rule: FaultRule | null = null;
  let onRequest: ((req: SeenRequest) => Promise<void> | void) | null = null;
  let seen: SeenRequest[] = [];
  let counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, after: (deliver: () => void) => void): void => {
    const proxyHost = req.headers.host ?? upstream.host;
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          after(() => {
            const headers = { ...answer.headers };
            if (typeof headers.link === 'string') headers.link = headers.link.split(upstream.host).join(proxyHost);
            if (typeof headers.location === 'string') headers.location = headers.location.split(upstream.host).join(proxyHost);
            if (!res.destroyed) {
              res.writeHead(answer.statusCode ?? 502, headers);
              res.end(Buffer.concat(chunks));
            }
          });
        });
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const method = req.method ?? 'GET';
        const path = req.url ?? '/';
        const nthOfMethod = (counts.get(method) ?? 0) + 1;
        counts.set(method, nthOfMethod);
        const fault = rule?.({ method, path, nthOfMethod }) ?? null;
        const entry: SeenRequest = { method, path, nthOfMethod, fault: fault?.kind ?? null };
        seen.push(entry);
        if (onRequest) await onRequest(entry);
        const body = Buffer.concat(chunks);
        if (!fault) return forward(req, res, body, (deliver) => deliver());
        switch (fault.kind) {
          case 'status': {
            const code = fault.code ?? (fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN');
            const headers: Record<string, string> = { 'content-type': 'application/json' };
            if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
            res.writeHead(fault.status, headers);
            res.end(JSON.stringify({ errors: [{ code, message: `injected ${fault.status}` }] }));
            return;
          }
          case 'reset':
            req.socket.destroy();
            return;
          case 'reset-after':
            return forward(req, res, body, () => req.socket.destroy());
          case 'stall':
            return later(fault.ms, () => {
              if (!req.socket.destroyed) forward(req, res, body, (deliver) => deliver());
            });
          case 'stall-after':
            return forward(req, res, body, (deliver) => later(fault.ms, deliver));
        }
      })();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    setRule: (r) => {
      rule = r;
    },
    setOnRequest: (h) => {
      onRequest = h;
    },
    seen: () => [...seen],
    reset: () => {
      seen = [];
      counts = new Map();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
