import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage, startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { makeTempDir, removeDir } from '../../../e2e/services/util';
import { listInventory } from '../inventory';
import { checkConnection } from './check-connection';
import { isLoopbackHost } from './loopback';

describe('isLoopbackHost', () => {
  it('is localhost, 127.0.0.0/8 and ::1, with or without a port', () => {
    for (const h of ['localhost', 'localhost:5000', 'LOCALHOST:5000', '127.0.0.1', '127.0.0.1:5000', '127.8.9.10:443', '[::1]', '[::1]:5000', '[0:0:0:0:0:0:0:1]:5000']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
  });
  it('is nothing else: other addresses, names that merely start like one, private ranges', () => {
    for (const h of ['128.0.0.1', '10.0.0.1:5000', '192.168.1.1', 'localhost.example.com', '127.0.0.1.nip.io', 'mylocalhost:5000', '[::2]:5000', '[fe80::1]', 'registry.example.com']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });
});

describe('a plain-HTTP registry on loopback, with no setting: https first, then plain HTTP, said so', () => {
  let reg: DistributionHandle;
  let cacheDir: string;
  beforeAll(async () => {
    reg = await startDistribution();
    await seedImage(reg.url, 'team/app', 'v1');
    cacheDir = await makeTempDir('loopback-cache');
  });
  afterAll(async () => {
    await reg?.stop();
    if (cacheDir) await removeDir(cacheDir);
  });

  it('the check passes and its TLS step says plain HTTP was used because the host is loopback', async () => {
    const report = await checkConnection({ imagesRepo: `${reg.host}/team/app`, credential: null });
    const tls = report.steps.find((s) => s.name === 'tls');
    expect(tls?.status).toBe('warn');
    expect(tls?.detail).toMatch(/https to 127\.0\.0\.1:\d+ failed .*loopback address, so plain HTTP was used/);
    expect(report.steps.find((s) => s.name === 'ping')?.detail).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/v2\/ → 200/);
    expect(report.steps.find((s) => s.name === 'list-tags')?.status).toBe('pass');
    expect(report.readOk).toBe(true);
  });

  it('the same registry under a name that is not loopback gets no fallback: TLS fails', async () => {
    const port = reg.host.split(':')[1];
    const report = await checkConnection({ imagesRepo: `registry.example.test:${port}/team/app`, credential: null, resolveHost: async () => ['127.0.0.1'] });
    expect(report.steps.find((s) => s.name === 'tls')?.status).toBe('fail');
    expect(report.steps.find((s) => s.name === 'ping')?.status).toBe('skip');
    expect(report.readOk).toBe(false);
  });

  it('the inventory lists it too, and its warnings say plain HTTP was used', async () => {
    const stats = await listInventory(
      { imagesRepo: `${reg.host}/team/app`, implementation: 'auto', mode: 'auto', images: [], withConfig: false },
      { credential: null, cacheDir, signal: new AbortController().signal, onRows: () => undefined, onProgress: () => undefined },
    );
    expect(stats.tags).toBe(1);
    expect(stats.warnings.some((w) => /loopback address, so plain HTTP was used/.test(w))).toBe(true);
  });
});
