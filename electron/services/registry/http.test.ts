import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../credentials/secret';
import { httpError, parseErrorBody } from './errors';
import { RegistryHttp, ResponseHeaders, rateLimitOf, retryAfterMs } from './http';
import { makeTestPki, type TestPki } from './testing/certs';
import { sendJson, startLocalServer, type LocalServer } from './testing/local-server';

const servers: LocalServer[] = [];
const clients: RegistryHttp[] = [];

async function server(...args: Parameters<typeof startLocalServer>): Promise<LocalServer> {
  const s = await startLocalServer(...args);
  servers.push(s);
  return s;
}

function client(opts: ConstructorParameters<typeof RegistryHttp>[0] = {}): RegistryHttp {
  const c = new RegistryHttp(opts);
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('redirects', () => {
  it('never forwards credentials to another origin, keeps them on the same origin', async () => {
    const storage = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end('blob-bytes');
    });
    const registry = await server((req, res) => {
      if (req.url === '/v2/app/blobs/sha256:abc') {
        res.writeHead(307, { location: `${storage.url}/bucket/abc?X-Amz-Signature=s3cr3t` });
        res.end();
        return;
      }
      if (req.url === '/v2/app/blobs/same') {
        res.writeHead(302, { location: '/v2/app/blobs/final' });
        res.end();
        return;
      }
      res.writeHead(200);
      res.end('same-origin');
    });
    const http = client();
    const authorization = new Secret('Bearer top-secret-token');
    const headers = { 'private-token': 'gitlab-pat', accept: 'application/vnd.oci.image.manifest.v1+json', cookie: 'session=1' };

    const cross = await http.request({ method: 'GET', url: `${registry.url}/v2/app/blobs/sha256:abc`, authorization, headers });
    expect(cross.ok && cross.response.text()).toBe('blob-bytes');
    expect(cross.ok && cross.response.redirected).toBe(true);
    expect(cross.ok && cross.response.url.host).toBe(storage.host);
    expect(registry.requests[0]!.headers.authorization).toBe('Bearer top-secret-token');
    const atStorage = storage.requests[0]!;
    expect(atStorage.headers.authorization).toBeUndefined();
    expect(atStorage.headers['private-token']).toBeUndefined();
    expect(atStorage.headers.cookie).toBeUndefined();
    expect(atStorage.headers.accept).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(atStorage.url).toBe('/bucket/abc?X-Amz-Signature=s3cr3t');

    const same = await http.request({ method: 'GET', url: `${registry.url}/v2/app/blobs/same`, authorization });
    expect(same.ok && same.response.text()).toBe('same-origin');
    expect(registry.requests.at(-1)!.url).toBe('/v2/app/blobs/final');
    expect(registry.requests.at(-1)!.headers.authorization).toBe('Bearer top-secret-token');
  });

  it('treats another port on the same IP as another origin', async () => {
    const other = await server((_req, res) => res.end('ok'));
    const first = await server((_req, res) => {
      res.writeHead(301, { location: `http://127.0.0.1:${other.port}/x` });
      res.end();
    });
    const out = await client().request({ method: 'GET', url: `${first.url}/`, authorization: new Secret('Basic dXNlcjpwYXNz') });
    expect(out.ok).toBe(true);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('turns POST into GET on 303 and stops redirect loops', async () => {
    const s = await server((req, res) => {
      if (req.url === '/post') {
        res.writeHead(303, { location: '/result' });
        res.end();
      } else if (req.url === '/result') {
        res.end(`${req.method} ${req.body}`);
      } else {
        res.writeHead(302, { location: '/loop' });
        res.end();
      }
    });
    const http = client({ maxRedirects: 3 });
    const post = await http.request({ method: 'POST', url: `${s.url}/post`, body: 'a=b' });
    expect(post.ok && post.response.text()).toBe('GET ');
    const loop = await http.request({ method: 'GET', url: `${s.url}/loop` });
    expect(loop.ok).toBe(false);
    expect(!loop.ok && loop.error.message).toContain('more than 3 redirects');
  });

  it('can leave redirects to the caller', async () => {
    const s = await server((_req, res) => {
      res.writeHead(307, { location: 'https://elsewhere.example/blob' });
      res.end();
    });
    const out = await client().request({ method: 'GET', url: `${s.url}/`, followRedirects: false });
    expect(out.ok && out.response.status).toBe(307);
    expect(out.ok && out.response.headers.get('location')).toBe('https://elsewhere.example/blob');
  });
});

describe('size cap', () => {
  it('refuses a body whose Content-Length is over the cap', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': '5000' });
      res.end('x'.repeat(5000));
    });
    const out = await client({ maxResponseBytes: 1000 }).request({ method: 'GET', url: `${s.url}/` });
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error.kind).toBe('too-large');
    expect(!out.ok && out.error.message).toContain('1000-byte limit');
  });

  it('stops reading a streamed body once it passes the cap', async () => {
    let wrote = 0;
    let closedEarly = false;
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'y'.repeat(16 * 1024);
      const timer = setInterval(() => {
        if (wrote > 50 * 1024 * 1024) {
          clearInterval(timer);
          res.end();
          return;
        }
        wrote += chunk.length;
        res.write(chunk);
      }, 1);
      res.on('close', () => {
        closedEarly = wrote < 50 * 1024 * 1024;
        clearInterval(timer);
      });
    });
    const out = await client().request({ method: 'GET', url: `${s.url}/`, maxBytes: 64 * 1024 });
    expect(!out.ok && out.error.kind).toBe('too-large');
    await new Promise((r) => setTimeout(r, 100));
    expect(closedEarly).toBe(true);
    expect(wrote).toBeLessThan(10 * 1024 * 1024);
  });
});

describe('timeouts and cancellation', () => {
  it('gives up when the headers do not come', async () => {
    const s = await server(() => {
      // never answers
    });
    const started = Date.now();
    const out = await client({ timeouts: { headersMs: 300 } }).request({ method: 'GET', url: `${s.url}/v2/` });
    expect(!out.ok && out.error.kind).toBe('timeout');
    expect(!out.ok && out.error.message).toContain('did not answer in time');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('enforces the total deadline', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200);
      const t = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(t));
    });
    const out = await client().request({ method: 'GET', url: `${s.url}/`, timeoutMs: 300 });
    expect(!out.ok && out.error.kind).toBe('timeout');
  });

  it('reports a cancelled call as aborted', async () => {
    const s = await server(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const out = await client().request({ method: 'GET', url: `${s.url}/`, signal: ac.signal });
    expect(!out.ok && out.error.kind).toBe('aborted');
  });
});

describe('bodies', () => {
  it('assembles a body sent in many chunks byte for byte', async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    const s = await server(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < bytes.length; i += 4096) {
        res.write(bytes.subarray(i, i + 4096));
        if (i % 65_536 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      res.end();
    });
    const out = await client().request({ method: 'GET', url: `${s.url}/blob` });
    expect(out.ok && out.response.body.equals(bytes)).toBe(true);
  });

  it('cancelling while the body streams answers at once and drops the connection', async () => {
    let closed = false;
    const s = await server((_req, res) => {
      res.writeHead(200);
      const t = setInterval(() => res.write('.'), 20);
      res.on('close', () => {
        closed = true;
        clearInterval(t);
      });
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const started = Date.now();
    const out = await client().request({ method: 'GET', url: `${s.url}/`, signal: ac.signal });
    expect(!out.ok && out.error.kind).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(true);
  });
});

describe('retries', () => {
  it('honours Retry-After on 429 and then succeeds', async () => {
    let n = 0;
    const s = await server((_req, res) => {
      n++;
      if (n === 1) sendJson(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, { 'retry-after': '2' });
      else res.end('fine');
    });
    const waits: number[] = [];
    const out = await client({ sleep: async (ms) => void waits.push(ms) }).request({ method: 'GET', url: `${s.url}/` });
    expect(out.ok && out.response.text()).toBe('fine');
    expect(waits).toEqual([2000]);
    expect(s.requests).toHaveLength(2);
  });

  it('does not wait longer than allowed: the 429 comes back with its Retry-After', async () => {
    const s = await server((_req, res) => sendJson(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, { 'retry-after': '600' }));
    const waits: number[] = [];
    const out = await client({ sleep: async (ms) => void waits.push(ms) }).request({ method: 'GET', url: `${s.url}/` });
    expect(out.ok && out.response.status).toBe(429);
    expect(waits).toEqual([]);
    expect(s.requests).toHaveLength(1);
  });

  it('backs off without a Retry-After on 503 and stops after the attempts', async () => {
    const s = await server((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const waits: number[] = [];
    const out = await client({ retry: { attempts: 3, baseDelayMs: 100 }, sleep: async (ms) => void waits.push(ms) }).request({ method: 'GET', url: `${s.url}/` });
    expect(out.ok && out.response.status).toBe(503);
    expect(s.requests).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(75);
    expect(waits[1]).toBeGreaterThanOrEqual(150);
  });

  it('can be told not to retry', async () => {
    const s = await server((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const out = await client({ sleep: async () => undefined }).request({ method: 'GET', url: `${s.url}/`, retry: false });
    expect(out.ok && out.response.status).toBe(503);
    expect(s.requests).toHaveLength(1);
  });

  it('reads Retry-After forms and rate-limit headers', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new ResponseHeaders({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(new ResponseHeaders({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(10_000);
    expect(retryAfterMs(new ResponseHeaders({ 'x-retry-after': String(now / 1000 + 7) }), now)).toBe(7000);
    expect(retryAfterMs(new ResponseHeaders({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 30) }), now)).toBe(30_000);
    expect(retryAfterMs(new ResponseHeaders({ 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': String(now / 1000 + 30) }), now)).toBeUndefined();
    expect(rateLimitOf(new ResponseHeaders({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' }), now)).toEqual({ limit: 100, remaining: 76 });
  });
});

describe('concurrency limit', () => {
  it('keeps at most N requests in flight per host', async () => {
    let inFlight = 0;
    let peak = 0;
    const s = await server(async (_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      res.end('ok');
    });
    const http = client({ concurrencyPerHost: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, () => http.request({ method: 'HEAD', url: `${s.url}/v2/app/manifests/x` })));
    expect(results.every((r) => r.ok && r.response.status === 200)).toBe(true);
    expect(peak).toBe(3);
  });
});

describe('keep-alive', () => {
  it('reuses one connection for a run of HEAD and GET requests', async () => {
    const s = await server((req, res) => {
      res.writeHead(200, { 'docker-content-digest': `sha256:${'a'.repeat(64)}`, 'content-length': '2' });
      res.end(req.method === 'HEAD' ? undefined : 'ok');
    });
    const http = client({ concurrencyPerHost: 1 });
    for (let i = 0; i < 10; i++) {
      const out = await http.request({ method: i % 2 === 0 ? 'HEAD' : 'GET', url: `${s.url}/v2/app/manifests/t${i}` });
      expect(out.ok && out.response.status).toBe(200);
    }
    expect(s.requests).toHaveLength(10);
    expect(s.connections).toBe(1);
  });
});

describe('transport errors as data', () => {
  it('connection refused', async () => {
    const s = await server(() => undefined);
    const url = `${s.url}/v2/`;
    await s.close();
    servers.length = 0;
    const out = await client().request({ method: 'GET', url });
    expect(!out.ok && out.error.kind).toBe('connect');
    expect(!out.ok && out.error.hint).toContain('Nothing listens on');
  });

  it('DNS failure through the injected resolver, and success through it', async () => {
    const s = await server((_req, res) => res.end('resolved'));
    const http = client({
      resolveHost: async (host) => {
        if (host === 'registry.stowage.test') return ['127.0.0.1'];
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      },
    });
    const bad = await http.request({ method: 'GET', url: `http://nowhere.stowage.test:${s.port}/` });
    expect(!bad.ok && bad.error.kind).toBe('dns');
    expect(!bad.ok && bad.error.hint).toContain('Check the spelling of nowhere.stowage.test');
    const good = await http.request({ method: 'GET', url: `http://registry.stowage.test:${s.port}/` });
    expect(good.ok && good.response.text()).toBe('resolved');
    expect(s.requests[0]!.headers.host).toBe(`registry.stowage.test:${s.port}`);
  });
});

describe('TLS per registry', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => undefined);

  it('fails on an unknown CA with a hint naming the per-registry fix', async () => {
    const s = await server((_req, res) => res.end('secure'), { key: pki.key, cert: pki.cert });
    const out = await client().request({ method: 'GET', url: `${s.url}/v2/` });
    expect(!out.ok && out.error.kind).toBe('tls');
    expect(!out.ok && out.error.hint).toContain("set this registry's CA file");
    expect(!out.ok && out.error.hint).toContain('skip verification for this registry');
  });

  it("trusts the registry's CA file, only for that registry", async () => {
    const s = await server((_req, res) => res.end('secure'), { key: pki.key, cert: pki.cert });
    const other = await server((_req, res) => res.end('other'), { key: pki.key, cert: pki.cert });
    const http = client({ settings: [{ registry: s.host, caFile: pki.caFile }] });
    const out = await http.request({ method: 'GET', url: `${s.url}/v2/` });
    expect(out.ok && out.response.text()).toBe('secure');
    const elsewhere = await http.request({ method: 'GET', url: `${other.url}/v2/` });
    expect(!elsewhere.ok && elsewhere.error.kind).toBe('tls');
  });

  it('skips verification only for the registry that opted in', async () => {
    const s = await server((_req, res) => res.end('secure'), { key: pki.key, cert: pki.cert });
    const other = await server((_req, res) => res.end('other'), { key: pki.key, cert: pki.cert });
    const http = client({ settings: [{ registry: s.host, insecureSkipVerify: true }] });
    expect((await http.request({ method: 'GET', url: `${s.url}/` })).ok).toBe(true);
    const elsewhere = await http.request({ method: 'GET', url: `${other.url}/` });
    expect(!elsewhere.ok && elsewhere.error.kind).toBe('tls');
  });

  it('a token server named by the registry inherits its CA file but not "insecure" on another host', async () => {
    const registry = await server((_req, res) => res.end('r'), { key: pki.key, cert: pki.cert });
    const realm = await server((_req, res) => res.end('token'), { key: pki.key, cert: pki.cert });
    const withCa = client({ settings: [{ registry: registry.host, caFile: pki.caFile }] });
    withCa.trustTokenServer(registry.host, new URL(`https://localhost:${realm.port}/token`));
    expect((await withCa.request({ method: 'GET', url: `https://localhost:${realm.port}/token` })).ok).toBe(true);
    const insecure = client({ settings: [{ registry: registry.host, insecureSkipVerify: true }] });
    insecure.trustTokenServer(registry.host, new URL(`https://localhost:${realm.port}/token`));
    const out = await insecure.request({ method: 'GET', url: `https://localhost:${realm.port}/token` });
    expect(!out.ok && out.error.kind).toBe('tls');
  });

  it('says so when the CA file cannot be read', async () => {
    const s = await server((_req, res) => res.end('secure'), { key: pki.key, cert: pki.cert });
    const out = await client({ settings: [{ registry: s.host, caFile: '/nonexistent/ca.pem' }] }).request({ method: 'GET', url: `${s.url}/` });
    expect(!out.ok && out.error.kind).toBe('tls');
    expect(!out.ok && out.error.message).toContain('cannot be read (ENOENT)');
  });

  it('recognises HTTPS spoken to a plain-HTTP port', async () => {
    const s = await server((_req, res) => res.end('plain'));
    const out = await client().request({ method: 'GET', url: `https://127.0.0.1:${s.port}/v2/` });
    expect(!out.ok && out.error.kind).toBe('tls');
    expect(!out.ok && out.error.hint).toContain('enable plain HTTP for this registry');
  });
});

describe('registry error bodies', () => {
  it('reads the OCI error shape and vendor shapes', () => {
    expect(parseErrorBody('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}}]}')).toEqual({
      code: 'NAME_UNKNOWN',
      message: 'repository name not known to registry',
    });
    expect(parseErrorBody('{"message":"Bad credentials","documentation_url":"https://docs.github.com"}')).toEqual({ message: 'Bad credentials' });
    expect(parseErrorBody('{"error":"invalid_grant","error_description":"refresh token expired"}')).toEqual({ code: 'invalid_grant', message: 'refresh token expired' });
    expect(parseErrorBody('Not Authorized\n', 'text/plain')).toEqual({ message: 'Not Authorized' });
    expect(parseErrorBody('<html><body>502</body></html>', 'text/html')).toEqual({});
  });

  it('turns a response into an error with code, message and a hint, without the query string', () => {
    const e = httpError({
      method: 'DELETE',
      url: 'https://r.example/v2/app/manifests/sha256:0?sig=secret',
      status: 405,
      body: '{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}',
    });
    expect(e).toMatchObject({ kind: 'http', status: 405, registryCode: 'UNSUPPORTED', registryMessage: 'The operation is unsupported.' });
    expect(e.message).toBe('DELETE https://r.example/v2/app/manifests/sha256:0 → HTTP 405 (UNSUPPORTED: The operation is unsupported.)');
    expect(e.hint).toContain('storage.delete.enabled');
    expect(JSON.stringify(e)).not.toContain('secret');
  });
});
