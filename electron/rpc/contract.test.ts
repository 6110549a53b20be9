import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { createClient, type ApiClient } from '../../renderer/api/client';
import { createApp, type App } from '../app/create-app';
import { startBrowserHost, type BrowserHost } from '../hosts/browser-host';
import { RpcHost } from './host';
import { fakeElectronIpc, nodeWebSocketTransport } from './test-transports';

const work = mkdtempSync(join(tmpdir(), 'stowage-contract-'));
const project = join(work, 'project');
mkdirSync(project);
writeFileSync(join(project, 'werf.yaml'), 'project: demo\nconfigVersion: 1\n---\nimage: backend\ndockerfile: Dockerfile\ntarget: backend\n---\nimage: frontend\ndockerfile: Dockerfile\ntarget: frontend\n');
mkdirSync(join(work, 'renderer'));
writeFileSync(join(work, 'renderer', 'index.html'), '<!doctype html><title>t</title>');

// A second, tiny contract proves cancellation and call events over each transport.
const slowSpec = { 'test.slow': { args: z.object({ steps: z.number().int().max(100) }).strict(), result: undefined as unknown as number } };
function slowHost() {
  return new RpcHost(slowSpec, {
    'test.slow': async ({ steps }, ctx) => {
      for (let i = 0; i < steps; i++) {
        ctx.emit('inventory.progress', { progress: { phase: 'listing', listed: i, inspected: 0, total: steps } });
        await new Promise((r) => setTimeout(r, 20));
        ctx.signal.throwIfAborted();
      }
      return steps;
    },
  });
}

let app: App;
let browser: BrowserHost;
let slowBrowser: BrowserHost;

beforeAll(async () => {
  app = createApp({ host: 'browser', version: '0.0.0-test', settingsDir: join(work, 'settings'), initialProject: null });
  browser = await startBrowserHost({ rendererDir: join(work, 'renderer'), rpc: app.rpc, token: 'test-token-1234' });
  slowBrowser = await startBrowserHost({ rendererDir: join(work, 'renderer'), rpc: slowHost() });
});
afterAll(async () => {
  app.dispose();
  await browser.close();
  await slowBrowser.close();
});

const transports: [string, () => ApiClient, () => { call: ApiClient['call'] } & Record<string, unknown>][] = [
  [
    'Electron IPC',
    () => createClient(fakeElectronIpc(app.rpc).transport),
    () => createClient(fakeElectronIpc(slowHost()).transport) as never,
  ],
  [
    'browser-host WebSocket',
    () => createClient(nodeWebSocketTransport(`ws://127.0.0.1:${browser.port}/rpc?token=${browser.token}`, browser.origin)),
    () => createClient(nodeWebSocketTransport(`ws://127.0.0.1:${slowBrowser.port}/rpc?token=${slowBrowser.token}`, slowBrowser.origin)) as never,
  ],
];

describe.each(transports)('the contract over %s', (_name, makeClient, makeSlowClient) => {
  it('answers app.info', async () => {
    const result = await makeClient().call('app.info', {});
    expect(result.ok && result.value.version).toBe('0.0.0-test');
  });

  it('opens a project and returns its images', async () => {
    const result = await makeClient().call('project.open', { path: project });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.project).toBe('demo');
    expect(result.value.images.map((i) => [i.name, i.target])).toEqual([['backend', 'backend'], ['frontend', 'frontend']]);
  });

  it('returns a missing folder as an error with a hint, not a crash', async () => {
    const result = await makeClient().call('project.open', { path: join(work, 'nope') });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('not-found');
      expect(result.error.hint).toBeTruthy();
    }
  });

  it('rejects arguments that break the schema', async () => {
    const result = await makeClient().call('project.open', { path: '' });
    expect(result.ok ? null : result.error.code).toBe('bad-args');
    const extra = await makeClient().call('project.open', { path: project, evil: true } as never);
    expect(extra.ok ? null : extra.error.code).toBe('bad-args');
  });

  it('rejects methods outside the contract', async () => {
    const result = await makeClient().call('fs.deleteEverything' as never, {} as never);
    expect(result.ok ? null : result.error.code).toBe('unknown-method');
  });

  it('stamps call events with the call id and cancels by it', async () => {
    const client = makeSlowClient() as unknown as ApiClient;
    const progress: { listed: number; call: string | null }[] = [];
    client.on('inventory.progress', ({ progress: p }, { call }) => progress.push({ listed: p.listed, call }));
    const controller = new AbortController();
    const pending = (client.call as (m: string, a: unknown, o: { signal: AbortSignal }) => ReturnType<ApiClient['call']>)('test.slow', { steps: 50 }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 120));
    controller.abort();
    const seen = progress.length;
    const result = await pending;
    expect(result.ok ? null : result.error.code).toBe('cancelled');
    expect(seen).toBeGreaterThan(1);
    // Nothing after the abort, not even what was already on its way.
    expect(progress.length).toBe(seen);
    expect(new Set(progress.map((p) => p.call))).toEqual(new Set([pending.id]));
  });
});

describe('Electron IPC sender checks', () => {
  it('drops calls from a frame that is not the app', async () => {
    const ipc = fakeElectronIpc(app.rpc, { url: 'https://evil.example/', parent: null });
    const client = createClient(ipc.transport);
    const outcome = await Promise.race([client.call('app.info', {}), new Promise((r) => setTimeout(() => r('no answer'), 300))]);
    expect(outcome).toBe('no answer');
  });

  it('drops calls from a subframe of the app', async () => {
    const ipc = fakeElectronIpc(app.rpc, { url: 'stowage://app/index.html', parent: { url: 'stowage://app/index.html', parent: null } });
    const outcome = await Promise.race([createClient(ipc.transport).call('app.info', {}), new Promise((r) => setTimeout(() => r('no answer'), 300))]);
    expect(outcome).toBe('no answer');
  });
});

describe('browser host WebSocket gate', () => {
  const attempt = (url: string, headers: Record<string, string>, origin?: string) =>
    new Promise<number | 'open'>((resolve) => {
      const ws = new WebSocket(url, { headers, ...(origin ? { origin } : {}) });
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(0));
    });

  it('accepts the right token from its own origin', async () => {
    expect(await attempt(`ws://127.0.0.1:${browser.port}/rpc?token=${browser.token}`, {}, browser.origin)).toBe('open');
  });
  it('refuses a bad token', async () => {
    expect(await attempt(`ws://127.0.0.1:${browser.port}/rpc?token=wrong-token-1234`, {}, browser.origin)).toBe(401);
  });
  it('refuses a missing token', async () => {
    expect(await attempt(`ws://127.0.0.1:${browser.port}/rpc`, {}, browser.origin)).toBe(401);
  });
  it('refuses a foreign Origin even with the token', async () => {
    expect(await attempt(`ws://127.0.0.1:${browser.port}/rpc?token=${browser.token}`, {}, 'https://evil.example')).toBe(403);
  });
  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect(await attempt(`ws://127.0.0.1:${browser.port}/rpc?token=${browser.token}`, { Host: `evil.example:${browser.port}` }, `http://evil.example:${browser.port}`)).toBe(421);
  });
  it('serves pages only to its own host name and never outside its folder', async () => {
    const ok = await fetch(`http://127.0.0.1:${browser.port}/`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const path of ['/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%5c..%5cetc%5cpasswd']) {
      const body = await rawGet(browser.port, path, `127.0.0.1:${browser.port}`);
      expect(body.text).not.toContain('root:');
    }
    expect((await rawGet(browser.port, '/', `evil.example:${browser.port}`)).status).toBe(421);
  });
  it('listens on loopback only', () => {
    expect(browser.url.startsWith('http://127.0.0.1:')).toBe(true);
  });
});

function rawGet(port: number, path: string, host: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}
