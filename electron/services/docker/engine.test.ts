import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_BUILDKIT } from '../../../shared/publish/builder-choice';
import { connectEngine, engineInfo } from './engine';

/**
 * The builder choice read from an engine's own answers, over a real loopback connection. These
 * stand-ins answer /_ping, /version and /info the way engines that are not on this machine do
 * (Debian's real engine, which offers BuildKit, is in publish.engine.test.ts).
 */
let server: Server | null = null;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function fakeEngine(ping: Record<string, string>, version: Record<string, unknown>): Promise<string> {
  server = createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/v[\d.]+/, '');
    if (path === '/_ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain', ...ping });
      res.end('OK');
    } else if (path === '/version') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Version: '18.09.9', Os: 'linux', Arch: 'amd64', ...version }));
    } else if (path === '/info') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Driver: 'overlay2', SecurityOptions: [] }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `tcp://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe("the builder, from the engine's answers", () => {
  it('an engine older than API 1.39 offers no BuildKit: the classic builder, and the card says so', async () => {
    const host = await fakeEngine({ 'Api-Version': '1.37', Ostype: 'linux' }, { ApiVersion: '1.37' });
    const info = await engineInfo(connectEngine({ DOCKER_HOST: host }, '/nonexistent'));
    expect(info.builder.kind).toBe('classic');
    expect(info.builder.reason).toBe(`${NO_BUILDKIT} (API 1.37; BuildKit needs API 1.39, or 1.38 with experimental features)`);
    expect(info.builder.platform).toMatchObject({ supported: false });
    expect(info.connectionNote).toMatch(/Plain tcp without TLS/);
  });

  it("an engine whose daemon.json turned BuildKit off says Builder-Version 1 in /_ping, and that wins", async () => {
    const host = await fakeEngine({ 'Api-Version': '1.43', 'Builder-Version': '1', Ostype: 'linux' }, { Version: '24.0.7', ApiVersion: '1.43' });
    const info = await engineInfo(connectEngine({ DOCKER_HOST: host }, '/nonexistent'));
    expect(info.builder).toMatchObject({ kind: 'classic', reason: expect.stringMatching(/features\.buildkit is false/), platform: { supported: true } });
  });

  it('Builder-Version 2 and experimental API 1.38 both mean BuildKit', async () => {
    let host = await fakeEngine({ 'Api-Version': '1.44', 'Builder-Version': '2', Ostype: 'linux' }, { ApiVersion: '1.44' });
    expect((await engineInfo(connectEngine({ DOCKER_HOST: host }, '/nonexistent'))).builder).toMatchObject({ kind: 'buildkit', reason: expect.stringMatching(/Builder-Version 2/) });
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    host = await fakeEngine({ 'Api-Version': '1.38', 'Docker-Experimental': 'true', Ostype: 'linux' }, { ApiVersion: '1.38' });
    expect((await engineInfo(connectEngine({ DOCKER_HOST: host }, '/nonexistent'))).builder).toMatchObject({ kind: 'buildkit', platform: { supported: true } });
  });
});
