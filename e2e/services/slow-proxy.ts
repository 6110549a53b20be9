import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy that waits before forwarding each request to a real registry, so a UI test
 * can watch a long listing and cancel it without seeding hundreds of thousands of tags.
 */
export async function startSlowProxy(target: string, delayMs: number): Promise<{ url: string; host: string; requests(): number; stop(): Promise<void> }> {
  const upstream = new URL(target);
  let count = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    count++;
    setTimeout(() => {
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          // Links and upload locations name the upstream; rewrite them so clients stay on the proxy.
          const headers = { ...answer.headers };
          if (typeof headers.link === 'string') headers.link = headers.link.split(upstream.host).join(req.headers.host ?? upstream.host);
          if (typeof headers.location === 'string') headers.location = headers.location.split(upstream.host).join(req.headers.host ?? upstream.host);
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
