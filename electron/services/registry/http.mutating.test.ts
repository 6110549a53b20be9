import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../credentials/secret';
import { RegistryHttp, type HttpMethod } from './http';
import { startLocalServer, type LocalServer } from './testing/local-server';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Issue #10 item 11: a DELETE, PUT, POST or PATCH answered with a redirect is never sent on. */
describe('mutating requests and redirects', () => {
  for (const method of ['DELETE', 'PUT', 'POST', 'PATCH'] as HttpMethod[]) {
    for (const status of [301, 302, 307, 308]) {
      it(`${method} → ${status} to another host: the 3xx comes back, the other host is never asked`, async () => {
        const elsewhere = await startLocalServer((_req, res) => res.writeHead(200).end('taken'));
        servers.push(elsewhere);
        const registry = await startLocalServer((_req, res) => res.writeHead(status, { location: `${elsewhere.url}/v2/app/manifests/x` }).end());
        servers.push(registry);
        const http = new RegistryHttp();
        try {
          const out = await http.request({ method, url: `${registry.url}/v2/app/manifests/x`, authorization: new Secret('Bearer t'), body: method === 'DELETE' ? undefined : 'payload' });
          expect(out.ok && out.response.status).toBe(status);
          expect(out.ok && out.response.redirected).toBe(false);
          expect(registry.requests.map((r) => r.method)).toEqual([method]);
          expect(elsewhere.requests).toEqual([]);
        } finally {
          await http.close();
        }
      });
    }
  }

  it('a GET still follows a redirect (blob storage), without the credential', async () => {
    const storage = await startLocalServer((_req, res) => res.writeHead(200).end('blob'));
    servers.push(storage);
    const registry = await startLocalServer((_req, res) => res.writeHead(307, { location: `${storage.url}/blob` }).end());
    servers.push(registry);
    const http = new RegistryHttp();
    try {
      const out = await http.request({ method: 'GET', url: `${registry.url}/v2/app/blobs/x`, authorization: new Secret('Bearer t') });
      expect(out.ok && out.response.text()).toBe('blob');
      expect(storage.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      await http.close();
    }
  });
});
