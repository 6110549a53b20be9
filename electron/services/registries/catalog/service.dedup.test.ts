import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CatalogRepository } from '../../../../shared/api/registries';
import { listCatalog, type CatalogTarget } from './service';

/**
 * A distribution-like stand-in on loopback whose one catalog page names a repository twice: a
 * registry's answer is untrusted, and the service must send and count each repository once.
 */
describe('catalog service: a page that repeats a repository', () => {
  let server: Server;
  let host = '';
  let page: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      res.setHeader('docker-distribution-api-version', 'registry/2.0');
      res.setHeader('content-type', 'application/json');
      if (path === '/v2/') res.end('{}');
      else if (path === '/v2/_catalog') res.end(JSON.stringify({ repositories: page }));
      else {
        res.statusCode = 404;
        res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'unknown' }] }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const target = (): CatalogTarget => ({ registry: host, implementation: 'default', credential: null, settings: { registry: host, plainHttp: true } });

  async function list(maxRepositories?: number) {
    const rows: CatalogRepository[] = [];
    const totals: number[] = [];
    const result = await listCatalog(target(), { signal: new AbortController().signal, onRepositories: (r, listed) => (rows.push(...r), totals.push(listed)), ...(maxRepositories ? { maxRepositories } : {}) });
    return { names: rows.map((r) => r.name), totals, result };
  }

  test('each repository is sent once and counted once', async () => {
    page = ['team/a', 'team/a', 'team/b'];
    const { names, totals, result } = await list();
    expect(names).toEqual(['team/a', 'team/b']);
    expect(totals).toEqual([2]);
    expect(result).toMatchObject({ repositories: 2, complete: true });
  });

  test('the room left under the cap counts distinct repositories', async () => {
    page = ['team/a', 'team/a', 'team/b', 'team/c'];
    const { names, result } = await list(2);
    expect(names).toEqual(['team/a', 'team/b']);
    expect(result).toMatchObject({ repositories: 2, complete: false });
  });
});
