import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryProgress, InventoryRequest, InventoryStats, InventoryTag } from '../../../shared/inventory/types';
import { basicCredential } from '../registry/testing/credentials';
import { genericDriver } from './drivers';
import { gcrDriver } from '../registries/gcr/listing';
import { listInventory } from './engine';
import { fakeImage, sendJson, startFakeRegistry, type FakeImage, type FakeRegistry, type FakeRegistryOptions } from './testing/fake-registry';
import type { InventoryDriver, ListInventoryDeps } from './types';

let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'stowage-inv-hostile-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

const open: FakeRegistry[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function fake(opts: FakeRegistryOptions): Promise<FakeRegistry> {
  const r = await startFakeRegistry(opts);
  open.push(r);
  return r;
}

function images(n: number, prefix = 't'): Record<string, FakeImage> {
  const out: Record<string, FakeImage> = {};
  for (let i = 0; i < n; i++) out[`${prefix}${i}`] = fakeImage({ salt: `${prefix}${i}`, created: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString() });
  return out;
}

interface Ran {
  stats: InventoryStats;
  rows: Map<string, InventoryTag>;
  batches: InventoryTag[][];
  progress: InventoryProgress[];
}

/** Gives up on a stalled body within a second, without retrying. */
const STALL_FAST = { timeouts: { bodyMs: 400, headersMs: 400, totalMs: 2_000 }, retry: { attempts: 1 } };

async function run(reg: FakeRegistry, req: Partial<InventoryRequest> & { repository?: string }, deps: Partial<ListInventoryDeps> = {}): Promise<Ran> {
  const rows = new Map<string, InventoryTag>();
  const batches: InventoryTag[][] = [];
  const progress: InventoryProgress[] = [];
  const stats = await listInventory(
    {
      imagesRepo: `${reg.host}/${req.repository ?? 'r'}`,
      implementation: 'default',
      mode: req.mode ?? 'auto',
      images: req.images ?? [],
      withConfig: req.withConfig ?? false,
      ...(req.image !== undefined ? { image: req.image } : {}),
    },
    {
      credential: null,
      settings: { registry: reg.host, plainHttp: true },
      cacheDir,
      signal: new AbortController().signal,
      onRows: (r) => {
        batches.push(r);
        for (const row of r) rows.set(`${row.repository}:${row.tag}`, row);
      },
      onProgress: (p) => progress.push(p),
      ...deps,
    },
  );
  return { stats, rows, batches, progress };
}

const tagListCalls = (reg: FakeRegistry) => reg.calls.filter((c) => c.url.includes('/tags/list'));

describe('malformed answers', () => {
  it('a tag list that is not JSON fails the listing with the reason, not a crash', async () => {
    const reg = await fake({
      repositories: { r: images(2) },
      override: (req, res, url) => {
        if (!url.pathname.endsWith('/tags/list')) return false;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"name":"r","tags":["t0",');
        return true;
      },
    });
    await expect(run(reg, {})).rejects.toMatchObject({ code: 'inventory-failed', message: expect.stringContaining('not JSON') });
  });

  it('an HTML page instead of a tag list: one repository fails with a warning, the other is listed', async () => {
    const reg = await fake({
      repositories: { 'p/a': images(2), 'p/b': images(3) },
      override: (req, res, url) => {
        if (url.pathname === '/v2/p/a/tags/list') {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<!DOCTYPE html><html><body><h1>Welcome to nginx</h1></body></html>');
          return true;
        }
        return false;
      },
    });
    const { stats, rows } = await run(reg, { repository: 'p', images: ['a', 'b'], mode: 'multirepo' });
    expect([...rows.keys()].sort()).toEqual(['p/b:t0', 'p/b:t1', 'p/b:t2']);
    expect(stats.warnings.join('\n')).toMatch(/Listing p\/a failed: .*HTML page/);
    expect(stats.warnings.join('\n')).not.toContain('<h1>');
  });

  it('an HTML error page (HTTP 500) is reported without its markup', async () => {
    const reg = await fake({
      repositories: { r: images(1) },
      override: (req, res, url) => {
        if (!url.pathname.endsWith('/tags/list')) return false;
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<html><body>Internal Server Error</body></html>');
        return true;
      },
    });
    const err = await run(reg, {}).catch((e: unknown) => e as { code: string; message: string });
    expect(err).toMatchObject({ code: 'inventory-failed' });
    expect((err as { message: string }).message).toContain('HTTP 500');
    expect((err as { message: string }).message).not.toContain('<html>');
  });

  it('a manifest that is not JSON becomes an error on that row; the others are fine', async () => {
    const good = images(3);
    const reg = await fake({
      repositories: { r: good },
      override: (req, res, url) => {
        if (url.pathname !== '/v2/r/manifests/t1') return false;
        // No digest header: the digest is then the sha256 of these very bytes, which are not a manifest.
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
        res.end('{not json');
        return true;
      },
    });
    const { rows, stats } = await run(reg, {});
    expect(rows.get('r:t1')?.error).toContain('not JSON');
    expect(rows.get('r:t1')?.pending).toBeUndefined();
    expect(rows.get('r:t0')?.digest).toBe(good.t0!.digest);
    expect(rows.get('r:t2')?.size).toBe(good.t2!.config.bytes.length + 1234);
    expect(stats.rowErrors).toBe(1);
  });

  it('names outside the tag grammar are shown with an error and never put into a request path', async () => {
    const reg = await fake({
      repositories: { r: images(1) },
      override: (req, res, url) => {
        if (!url.pathname.endsWith('/tags/list')) return false;
        sendJson(res, 200, { name: 'r', tags: ['t0', '../../etc/passwd', 42, null] });
        return true;
      },
    });
    const { rows, stats } = await run(reg, {});
    expect(rows.get('r:../../etc/passwd')?.error).toContain('not a valid tag');
    expect(rows.get('r:t0')?.error).toBeUndefined();
    expect(reg.calls.some((c) => c.url.includes('..'))).toBe(false);
    expect(stats.warnings.join('\n')).toContain('2 entries that are not tag names');
  });

  it('"tags": null is an empty repository; 404 NAME_UNKNOWN is a missing one (a warning)', async () => {
    const reg = await fake({
      repositories: { 'p/a': {} },
      override: (req, res, url) => {
        if (url.pathname !== '/v2/p/a/tags/list') return false;
        sendJson(res, 200, { name: 'p/a', tags: null });
        return true;
      },
    });
    const { stats, rows } = await run(reg, { repository: 'p', images: ['a', 'ghost'], mode: 'multirepo' });
    expect(rows.size).toBe(0);
    expect(stats.tags).toBe(0);
    expect(stats.repositories).toEqual(['p/a']);
    expect(stats.missingRepositories).toEqual(['p/ghost']);
    expect(stats.warnings.join('\n')).toContain('p/ghost does not exist');
  });

  it('a bare 404 page is not a missing repository: the address does not answer like a registry', async () => {
    const reg = await fake({
      repositories: { r: images(1) },
      override: (req, res, url) => {
        if (!url.pathname.endsWith('/tags/list')) return false;
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
        return true;
      },
    });
    await expect(run(reg, {})).rejects.toMatchObject({ code: 'inventory-failed', message: expect.stringContaining('HTTP 404') });
    // The same rule for a native driver reading the same endpoint.
    await expect(run(reg, {}, { driver: gcrDriver })).rejects.toMatchObject({ code: 'inventory-failed', message: expect.stringContaining('HTTP 404') });
  });
});

describe('pagination by Link only', () => {
  it('follows relative Links page by page and streams each page', async () => {
    const reg = await fake({ repositories: { r: images(25) }, pageSize: 10 });
    const { rows, batches } = await run(reg, {});
    expect(rows.size).toBe(25);
    expect(tagListCalls(reg).map((c) => c.url)).toEqual(['/v2/r/tags/list?n=1000', '/v2/r/tags/list?last=t17&n=10', '/v2/r/tags/list?last=t4&n=10']);
    // Each page arrives as its own batch of pending rows before the finished rows.
    expect(batches.filter((b) => b.every((r) => r.pending)).map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('follows an absolute Link on the same host', async () => {
    let reg: FakeRegistry | null = null;
    reg = await fake({
      repositories: { r: images(3) },
      override: (req, res, url) => {
        if (url.pathname !== '/v2/r/tags/list') return false;
        if (url.searchParams.get('last') === null) sendJson(res, 200, { name: 'r', tags: ['t0'] }, { link: `<${reg!.url}/v2/r/tags/list?last=t0>; rel="next"` });
        else sendJson(res, 200, { name: 'r', tags: ['t1', 't2'] });
        return true;
      },
    });
    const { rows } = await run(reg, {});
    expect(rows.size).toBe(3);
  });

  it('a Link that loops stops the listing with a warning; the pages read are kept', async () => {
    const reg = await fake({
      repositories: { r: images(4) },
      override: (req, res, url) => {
        if (url.pathname !== '/v2/r/tags/list') return false;
        const second = url.searchParams.get('last') === 't1';
        sendJson(res, 200, { name: 'r', tags: second ? ['t2', 't3'] : ['t0', 't1'] }, { link: second ? '</v2/r/tags/list?n=1000>; rel="next"' : '</v2/r/tags/list?last=t1>; rel="next"' });
        return true;
      },
    });
    const { rows, stats } = await run(reg, {});
    expect(rows.size).toBe(4);
    expect(tagListCalls(reg)).toHaveLength(2);
    expect(stats.warnings.join('\n')).toContain('pagination loop');
  });

  it('a Link to another host is refused: nothing is sent there', async () => {
    const elsewhere = await fake({ repositories: { r: images(5) } });
    const reg = await fake({
      repositories: { r: images(2) },
      override: (req, res, url) => {
        if (url.pathname !== '/v2/r/tags/list') return false;
        sendJson(res, 200, { name: 'r', tags: ['t0', 't1'] }, { link: `<${elsewhere.url}/v2/r/tags/list?last=t1>; rel="next"` });
        return true;
      },
    });
    const { rows, stats } = await run(reg, {});
    expect(rows.size).toBe(2);
    expect(elsewhere.calls).toHaveLength(0);
    expect(stats.warnings.join('\n')).toContain('on another host');
  });
});

describe('redirects, caps, stalls, rate limits', () => {
  it('a blob redirect to another host is followed without the credentials', async () => {
    const imgs = images(2);
    const storage = await fake({
      repositories: {},
      override: (req, res, url) => {
        const img = Object.values(imgs).find((i) => url.pathname === `/blob/${i.config.digest}`);
        if (!img) return false;
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(img.config.bytes);
        return true;
      },
    });
    const reg = await fake({
      repositories: { r: imgs },
      basic: { username: 'u', password: 'secret-pw' },
      override: (req, res, url) => {
        const m = /^\/v2\/r\/blobs\/(.+)$/.exec(url.pathname);
        if (!m || req.headers.authorization === undefined) return false;
        res.writeHead(307, { location: `${storage.url}/blob/${m[1]}` });
        res.end();
        return true;
      },
    });
    const { rows, stats } = await run(reg, { withConfig: true }, { credential: basicCredential(reg.host, 'u', 'secret-pw') });
    expect(rows.get('r:t1')?.created).toBe('2024-01-01T00:00:01.000Z');
    expect(stats.rowErrors).toBe(0);
    expect(storage.calls.length).toBe(2);
    for (const c of storage.calls) expect(c.headers.authorization).toBeUndefined();
    expect(reg.calls.filter((c) => c.url.startsWith('/v2/r/')).every((c) => c.headers.authorization?.startsWith('Basic '))).toBe(true);
  });

  it('a 50 MB manifest is cut off at the cap: an error on that row, the run goes on', async () => {
    let wrote = 0;
    const reg = await fake({
      repositories: { r: images(3) },
      override: (req, res, url) => {
        if (url.pathname !== '/v2/r/manifests/t1') return false;
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
        const chunk = Buffer.alloc(256 * 1024, 0x20);
        const pump = (): void => {
          while (wrote < 50 * 1024 * 1024) {
            wrote += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('close', () => undefined);
        pump();
        return true;
      },
    });
    const { rows } = await run(reg, {});
    expect(rows.get('r:t1')?.error).toMatch(/byte limit/);
    expect(rows.get('r:t0')?.error).toBeUndefined();
    expect(wrote).toBeLessThan(50 * 1024 * 1024);
  });

  it('a server that stops answering mid-response times out: an error, no hang', async () => {
    const reg = await fake({
      repositories: { r: images(3) },
      override: (req, res, url) => {
        if (url.pathname !== '/v2/r/manifests/t2') return false;
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'content-length': '5000' });
        res.write('{"schemaVersion": 2, "config": {');
        return true; // and never another byte
      },
    });
    const started = Date.now();
    const { rows } = await run(reg, {}, { httpOptions: STALL_FAST });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(rows.get('r:t2')?.error).toMatch(/did not (finish sending|complete)/);
    expect(rows.get('r:t0')?.error).toBeUndefined();
  });

  it('a tag list that stalls mid-body fails the listing in time', async () => {
    const reg = await fake({
      repositories: { r: images(3) },
      override: (req, res, url) => {
        if (!url.pathname.endsWith('/tags/list')) return false;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"name":"r","tags":["t0",');
        return true;
      },
    });
    const started = Date.now();
    await expect(run(reg, {}, { httpOptions: STALL_FAST })).rejects.toMatchObject({ code: 'inventory-failed' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('429 with Retry-After is retried a bounded number of times', async () => {
    let busy = 0;
    const reg = await fake({
      repositories: { r: images(3) },
      override: (req, res, url) => {
        if (url.pathname === '/v2/r/manifests/t0' && busy++ === 0) {
          sendJson(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, { 'retry-after': '1' });
          return true;
        }
        if (url.pathname === '/v2/r/manifests/t1') {
          sendJson(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, { 'retry-after': '1' });
          return true;
        }
        return false;
      },
    });
    const { rows } = await run(reg, {});
    expect(rows.get('r:t0')?.error).toBeUndefined();
    expect(rows.get('r:t0')?.digest).toMatch(/^sha256:/);
    expect(rows.get('r:t1')?.error).toContain('429');
    expect(reg.calls.filter((c) => c.url === '/v2/r/manifests/t1')).toHaveLength(3);
    expect(reg.calls.filter((c) => c.url === '/v2/r/manifests/t0')).toHaveLength(2);
  });

  it('rate-limit headers end up in the stats', async () => {
    const reg = await fake({
      repositories: { r: images(2) },
      override: (req, res, url) => {
        if (!url.pathname.endsWith('/tags/list')) return false;
        sendJson(res, 200, { name: 'r', tags: ['t0', 't1'] }, { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '42;w=21600' });
        return true;
      },
    });
    const { stats, progress } = await run(reg, {});
    expect(stats.rateLimit).toMatchObject({ limit: 100, remaining: 42, source: `${reg.host} ratelimit-*` });
    // Shown while the listing runs, not only at the end.
    expect(progress.find((p) => p.phase !== 'done' && p.rateLimit)?.rateLimit).toMatchObject({ remaining: 42 });

    const gh = await fake({
      repositories: { r: images(1) },
      override: (req, res, url) => {
        if (!url.pathname.endsWith('/manifests/t0')) return false;
        const img = images(1).t0!;
        res.writeHead(200, { 'content-type': img.mediaType, 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '1900000000' });
        res.end(img.manifest);
        return true;
      },
    });
    const second = await run(gh, {});
    expect(second.stats.rateLimit).toMatchObject({ limit: 5000, remaining: 7, resetAt: new Date(1_900_000_000_000).toISOString(), source: `${gh.host} x-ratelimit-*` });
    expect(second.stats.warnings.join('\n')).toContain('nearly used up');
  });
});

describe('digests', () => {
  const metered: InventoryDriver = { ...genericDriver, id: 'metered', meteredManifestGets: true };

  it('without Docker-Content-Digest the digest is the sha256 of the exact bytes (GET and HEAD paths)', async () => {
    const imgs = images(3);
    const reg = await fake({ repositories: { r: imgs }, omitDigestHeader: true });
    const viaGet = await run(reg, {});
    const viaHead = await run(reg, {}, { driver: metered });
    for (const [tag, img] of Object.entries(imgs)) {
      expect(viaGet.rows.get(`r:${tag}`)?.digest).toBe(img.digest);
      expect(viaHead.rows.get(`r:${tag}`)?.digest).toBe(img.digest);
    }
    const heads = reg.calls.filter((c) => c.method === 'HEAD');
    expect(heads).toHaveLength(3);
  });

  it('metered registries: HEAD per tag, one GET per distinct digest', async () => {
    const shared = fakeImage({ salt: 'shared' });
    const reg = await fake({ repositories: { r: { a: shared, b: shared, c: shared, d: fakeImage({ salt: 'd' }) } } });
    const { rows } = await run(reg, {}, { driver: metered });
    expect(rows.get('r:b')?.digest).toBe(shared.digest);
    const m = reg.calls.filter((c) => c.url.includes('/manifests/'));
    expect(m.filter((c) => c.method === 'HEAD')).toHaveLength(4);
    expect(m.filter((c) => c.method === 'GET').map((c) => c.url).sort()).toEqual([`/v2/r/manifests/${fakeImage({ salt: 'd' }).digest}`, `/v2/r/manifests/${shared.digest}`].sort());
  });

  it('a manifest whose bytes do not match the digest asked for is not used', async () => {
    const img = fakeImage({ salt: 'x' });
    const reg = await fake({
      repositories: { r: { x: img } },
      override: (req, res, url) => {
        if (req.method === 'GET' && url.pathname === `/v2/r/manifests/${img.digest}`) {
          res.writeHead(200, { 'content-type': img.mediaType });
          res.end(fakeImage({ salt: 'other' }).manifest);
          return true;
        }
        return false;
      },
    });
    const { rows } = await run(reg, {}, { driver: metered });
    expect(rows.get('r:x')?.digest).toBe(img.digest);
    expect(rows.get('r:x')?.error).toContain('not');
    expect(rows.get('r:x')?.size).toBeNull();
  });
});

describe('cancellation', () => {
  it('abort mid-listing: rejects as cancelled and no request is sent after the abort', async () => {
    let sent = 0;
    const onSend = (): void => {
      sent++;
    };
    diagnosticsChannel.subscribe('undici:client:sendHeaders', onSend);
    try {
      const reg = await fake({
        repositories: { r: images(2000) },
        pageSize: 50,
        override: async (req, res, url) => {
          if (url.pathname.endsWith('/tags/list')) await new Promise((r) => setTimeout(r, 15));
          return false;
        },
      });
      const controller = new AbortController();
      let pages = 0;
      let sentAtAbort = -1;
      const p = run(reg, {}, {
        signal: controller.signal,
        onRows: (rows) => {
          if (rows[0]?.pending && ++pages === 3) {
            sentAtAbort = sent;
            controller.abort();
          }
        },
      });
      await expect(p).rejects.toMatchObject({ code: 'cancelled' });
      const callsAtReturn = reg.calls.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(sentAtAbort).toBeGreaterThan(0);
      expect(sent).toBe(sentAtAbort);
      expect(reg.calls.length).toBe(callsAtReturn);
      expect(reg.calls.length).toBeLessThanOrEqual(sentAtAbort);
      expect(tagListCalls(reg).length).toBeLessThan(6);
    } finally {
      diagnosticsChannel.unsubscribe('undici:client:sendHeaders', onSend);
    }
  });
});

describe('concurrency', () => {
  async function peakInFlight(settingsConcurrency: number | undefined, depsConcurrency?: number): Promise<number> {
    let inFlight = 0;
    let peak = 0;
    const reg = await fake({
      repositories: { r: images(60) },
      override: async (_req, res, url) => {
        if (!url.pathname.includes('/manifests/')) return false;
        inFlight++;
        peak = Math.max(peak, inFlight);
        res.on('finish', () => inFlight--);
        await new Promise((r) => setTimeout(r, 10));
        return false;
      },
    });
    const stats = await listInventory(
      { imagesRepo: `${reg.host}/r`, implementation: 'default', mode: 'auto', images: [], withConfig: false },
      {
        credential: null,
        settings: { registry: reg.host, plainHttp: true, ...(settingsConcurrency !== undefined ? { concurrency: settingsConcurrency } : {}) },
        cacheDir,
        signal: new AbortController().signal,
        onRows: () => undefined,
        onProgress: () => undefined,
        ...(depsConcurrency !== undefined ? { concurrency: depsConcurrency } : {}),
      },
    );
    expect(stats.tags).toBe(60);
    return peak;
  }

  it("the registry's own setting caps the requests in flight; the caller's choice wins over it", async () => {
    expect(await peakInFlight(undefined)).toBe(8);
    expect(await peakInFlight(2)).toBe(2);
    expect(await peakInFlight(2, 5)).toBe(5);
    // A hand-edited settings file with nonsense in it falls back to the default.
    expect(await peakInFlight('many' as unknown as number)).toBe(8);
  });
});
