import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckReport, CheckStepName } from '../../../shared/credentials/types';
import { checkConnection } from './check-connection';
import { basicCredential, registryTokenCredential } from './testing/credentials';
import { fakeJwt, sendJson, startLocalServer, type LocalServer } from './testing/local-server';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handler: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const s = await startLocalServer(handler);
  servers.push(s);
  return s;
}

const status = (r: CheckReport, n: CheckStepName): string | undefined => r.steps.find((s) => s.name === n)?.status;
const detail = (r: CheckReport, n: CheckStepName): string => r.steps.find((s) => s.name === n)?.detail ?? '';

describe('checkConnection without a real registry', () => {
  it('scrubs a secret that a hostile registry echoes back in its error body', async () => {
    const secret = `s3cret-${randomBytes(10).toString('hex')}`;
    const reg = await server((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="echo"' });
        res.end();
        return;
      }
      const header = req.headers.authorization;
      const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString();
      sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: `rejected ${header} (${decoded})` }] }, { 'www-authenticate': `Basic realm="${decoded}"` });
    });
    const steps: string[] = [];
    const report = await checkConnection({
      imagesRepo: `${reg.host}/team/app`,
      settings: { registry: reg.host, plainHttp: true },
      credential: basicCredential(reg.host, 'eve', secret),
      onStep: (s) => steps.push(JSON.stringify(s)),
    });
    expect(status(report, 'credentials')).toBe('fail');
    expect(report.steps.find((s) => s.name === 'credentials')?.registryError).toContain('[redacted]');
    const all = JSON.stringify(report) + steps.join('');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(Buffer.from(`eve:${secret}`).toString('base64'));
  });

  it('stops at the step that is running when cancelled and says so', async () => {
    const reg = await server((req, res) => {
      if (req.url === '/v2/') {
        sendJson(res, 200, {});
        return;
      }
      // tags/list never answers
    });
    const ac = new AbortController();
    const promise = checkConnection({
      imagesRepo: `${reg.host}/team/app`,
      settings: { registry: reg.host, plainHttp: true },
      credential: null,
      signal: ac.signal,
      onStep: (s) => {
        if (s.name === 'token-delete') setTimeout(() => ac.abort(), 50);
      },
    });
    const report = await promise;
    expect(status(report, 'ping')).toBe('pass');
    expect(status(report, 'list-tags')).toBe('fail');
    expect(detail(report, 'list-tags')).toContain('was cancelled');
    expect(status(report, 'delete-permission')).toBe('skip');
    expect(detail(report, 'delete-permission')).toContain('cancelled');
  });

  it('an unusable address fails the first step and skips the rest', async () => {
    const report = await checkConnection({ imagesRepo: '   ', credential: null });
    expect(status(report, 'resolve')).toBe('fail');
    expect(report.steps.slice(1).every((s) => s.status === 'skip')).toBe(true);
    expect(report.steps).toHaveLength(9);
  });

  it('a registry token is sent as is: token steps are skipped, listing uses it', async () => {
    const token = fakeJwt({ access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] });
    const reg = await server((req, res) => {
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://127.0.0.1:9/token",service="x"' });
        res.end();
        return;
      }
      if (req.url?.startsWith('/v2/team/app/tags/list')) return sendJson(res, 200, { name: 'team/app', tags: ['a'] });
      if (req.method === 'DELETE') return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'no delete' }] });
      sendJson(res, 200, {});
    });
    const report = await checkConnection({ imagesRepo: `${reg.host}/team/app`, settings: { registry: reg.host, plainHttp: true }, credential: registryTokenCredential(reg.host, token) });
    expect(status(report, 'credentials')).toBe('pass');
    expect(detail(report, 'token-pull')).toContain('sent as is');
    expect(status(report, 'list-tags')).toBe('pass');
    expect(status(report, 'delete-permission')).toBe('fail');
    expect(JSON.stringify(report)).not.toContain(token);
  });

  it('a host that answers but is not a registry', async () => {
    const web = await server((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>not here</html>');
    });
    const report = await checkConnection({ imagesRepo: `${web.host}/team/app`, settings: { registry: web.host, plainHttp: true }, credential: null });
    expect(status(report, 'ping')).toBe('fail');
    expect(report.steps.find((s) => s.name === 'ping')?.hint).toContain('not as a Docker registry');
    expect(status(report, 'credentials')).toBe('skip');
  });
});

describe('checkConnection names the step that failed', () => {
  it('a refused connection is reported as the connection, not as a TLS handshake', async () => {
    // A port that was just listening and is closed now: nothing answers on it.
    const gone = await startLocalServer((_req, res) => res.end());
    const host = gone.host;
    await gone.close();
    const report = await checkConnection({ imagesRepo: `${host}/team/app`, credential: null });
    const tls = report.steps.find((s) => s.name === 'tls');
    expect(tls?.status).toBe('fail');
    expect(tls?.detail).toContain('ECONNREFUSED');
    expect(tls?.title).toBe(`Connect to ${host}`);
    expect(tls?.title).not.toMatch(/TLS/);
    // The steps after it did not run, and say so.
    const skipped = report.steps.filter((s) => s.status === 'skip');
    expect(skipped.length).toBeGreaterThan(0);
    for (const s of skipped) expect(s.detail).toBe(`Not run: no connection to ${host}.`);
  });
});

describe('checkConnection tells a TCP connection from a TLS handshake', () => {
  /** Accepts every TCP connection and never sends a byte: TCP works, TLS never starts. */
  async function silentServer(): Promise<{ host: string; port: number; accepted: () => number; close: () => Promise<void> }> {
    const sockets = new Set<Socket>();
    const srv = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    let accepted = 0;
    srv.on('connection', () => accepted++);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const { port } = srv.address() as AddressInfo;
    return {
      host: `127.0.0.1:${port}`,
      port,
      accepted: () => accepted,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          srv.close(() => resolve());
        }),
    };
  }

  for (const [name, address] of [
    ['a loopback address', (port: number) => `127.0.0.1:${port}`],
    ['a host name', (port: number) => `registry.silent.test:${port}`],
  ] as const) {
    it(`a handshake that never answers on ${name} says TCP connected and TLS timed out`, async () => {
      const silent = await silentServer();
      try {
        const host = address(silent.port);
        const started = Date.now();
        const report = await checkConnection({
          imagesRepo: `${host}/team/app`,
          credential: null,
          resolveHost: async () => ['127.0.0.1'],
          connectTimeoutMs: 400,
        });
        const tls = report.steps.find((s) => s.name === 'tls');
        expect(silent.accepted()).toBeGreaterThan(0);
        expect(tls?.status).toBe('fail');
        expect(tls?.title).toBe(`TLS handshake with ${host}`);
        expect(tls?.detail).toContain(`TCP connection to ${host} worked`);
        expect(tls?.detail).toContain('did not finish within the 0.4 s given to connecting');
        expect(tls?.hint).toMatch(/TLS-intercepting proxy/);
        expect(tls?.hint).toMatch(/port/);
        expect(tls?.hint).toMatch(/plain HTTP/);
        // A registry that ignores a TLS hello would not answer plain HTTP either: no second wait.
        expect(Date.now() - started).toBeLessThan(5_000);
        const skipped = report.steps.filter((s) => s.status === 'skip');
        expect(skipped.length).toBe(report.steps.length - 2);
        for (const s of skipped) expect(s.detail).toBe(`Not run: no TLS connection to ${host}.`);
      } finally {
        await silent.close();
      }
    });
  }
});
