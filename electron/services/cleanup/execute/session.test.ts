import { afterEach, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../registry/testing/local-server';
import { openSession } from './session';

/**
 * The session a cleanup runs in, against a small loopback registry: a 429's Retry-After is waited
 * out and reported (what `RunProgress.waitingUntil` shows), a spent rate-limit budget makes the
 * next call wait for its reset, and a cancel stops the session's calls.
 */

const DIGEST = `sha256:${'b'.repeat(64)}`;
let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a cleanup session', () => {
  it('waits out a 429 as its Retry-After asks and says until when', async () => {
    let heads = 0;
    server = await startLocalServer((req, res) => {
      if (req.url === '/v2/') return res.writeHead(200).end('{}');
      if (req.method === 'DELETE') return res.writeHead(202).end();
      if (++heads === 1) return res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
      return res.writeHead(200, { 'docker-content-digest': DIGEST, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end();
    });
    const waits: (string | null)[] = [];
    const slept: number[] = [];
    const now = Date.parse('2026-12-07T10:00:00Z');
    const session = await openSession({
      registry: server.host,
      implementation: 'default',
      credential: null,
      settings: { registry: server.host, plainHttp: true },
      signal: new AbortController().signal,
      onWait: (until) => waits.push(until?.toISOString() ?? null),
      httpOptions: { sleep: (ms) => (slept.push(ms), Promise.resolve()) },
      now: () => now,
    });
    try {
      const out = await session.ctx.registryRequest({ method: 'HEAD', repository: 'app', path: `/v2/app/manifests/v1` });
      expect(out.ok && out.response.status).toBe(200);
      expect(slept).toEqual([7000]);
      expect(waits).toEqual(['2026-12-07T10:00:07.000Z', null]);
      expect(session.waits).toBe(1);
      // A DELETE goes out with the method's own request line.
      const del = await session.ctx.registryRequest({ method: 'DELETE', repository: 'app', path: `/v2/app/manifests/${DIGEST}` });
      expect(del.ok && del.response.status).toBe(202);
      expect(server.requests.map((r) => r.method).slice(-1)).toEqual(['DELETE']);
    } finally {
      await session.close();
    }
  });

  it('waits for the reset of a spent rate-limit budget before the next call, and stops at a cancel', async () => {
    let clock = Date.parse('2026-12-07T10:00:00Z');
    server = await startLocalServer((req, res) => {
      if (req.url === '/v2/') return res.writeHead(200).end('{}');
      return res.writeHead(200, { 'docker-content-digest': DIGEST, 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' }).end();
    });
    const slept: number[] = [];
    const controller = new AbortController();
    const session = await openSession({
      registry: server.host,
      implementation: 'default',
      credential: null,
      settings: { registry: server.host, plainHttp: true },
      signal: controller.signal,
      httpOptions: { sleep: (ms) => (slept.push(ms), Promise.resolve()) },
      now: () => clock,
    });
    try {
      await session.ctx.registryRequest({ method: 'HEAD', repository: 'app', path: '/v2/app/manifests/v1' });
      expect(slept).toEqual([]);
      clock += 10_000;
      await session.ctx.registryRequest({ method: 'HEAD', repository: 'app', path: '/v2/app/manifests/v2' });
      // The first answer said none is left until 30 s later: 20 s remained when the second call came.
      expect(slept).toEqual([20_000]);
      const before = server.requests.length;
      controller.abort();
      const out = await session.ctx.registryRequest({ method: 'HEAD', repository: 'app', path: '/v2/app/manifests/v3' });
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.error.kind).toBe('aborted');
      expect(server.requests.length).toBe(before);
    } finally {
      await session.close();
    }
  });
});
