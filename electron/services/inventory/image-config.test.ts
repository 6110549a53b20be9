import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage, seedIndex, startDistribution, type DistributionHandle, type SeededIndex } from '../../../e2e/services/distribution';
import { RICH_IMAGE } from '../../../e2e/services/image-config-seed';
import { basicCredential } from '../registry/testing/credentials';
import { fetchImageConfig } from './image-config';

describe('fetchImageConfig against a real registry', () => {
  let open: DistributionHandle;
  let secured: DistributionHandle;
  let image: string;
  let index: SeededIndex;
  beforeAll(async () => {
    open = await startDistribution();
    image = await seedImage(open.url, 'shop/backend', 'v1', RICH_IMAGE);
    index = await seedIndex(open.url, 'shop/backend', 'multi', RICH_IMAGE);
    secured = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'alice', password: 'pw-alice' }] } });
    await seedImage(secured.url, 'shop/backend', 'v1', { ...RICH_IMAGE, auth: { username: 'alice', password: 'pw-alice' } });
  }, 60_000);
  afterAll(async () => {
    await open?.stop();
    await secured?.stop();
  });

  const deps = (host: string, credential: Parameters<typeof fetchImageConfig>[1]['credential'] = null) => ({
    credential,
    settings: { registry: host, plainHttp: true },
    signal: new AbortController().signal,
  });

  it('reads the runtime config and aligns history with layers as Docker does', async () => {
    const doc = await fetchImageConfig({ imagesRepo: `${open.host}/shop`, implementation: 'auto', repository: 'shop/backend', digest: image }, deps(open.host));
    expect(doc.manifestDigest).toBe(image);
    expect(doc.platforms).toBeUndefined();
    expect(doc).toMatchObject({
      entrypoint: ['/usr/bin/tini', '--'],
      cmd: ['/app/server', '--port=8080'],
      env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'APP_MODE=production'],
      exposedPorts: ['8080/tcp', '9090/tcp'],
      workingDir: '/app',
      user: '10001:10001',
      os: 'linux',
      architecture: 'amd64',
      layerCount: 3,
    });
    expect(doc.labels['werf-image-name']).toBe('backend');
    expect(doc.steps.map((s) => [s.emptyLayer, s.layer !== null])).toEqual([
      [false, true],
      [true, false],
      [false, true],
      [true, false],
      [false, true],
      [true, false],
    ]);
    const layerDigests = doc.steps.flatMap((s) => (s.layer ? [s.layer.digest] : []));
    expect(new Set(layerDigests).size).toBe(3);
    expect(doc.steps[2]!.createdBy).toContain('COPY server');
    expect(doc.layersSize).toBe(doc.steps.reduce((n, s) => n + (s.layer?.size ?? 0), 0));
    expect(doc.notes).toEqual([]);
    expect(JSON.parse(doc.text).config.WorkingDir).toBe('/app');
  });

  it('for an index, shows the first platform by default and another one on request', async () => {
    const req = { imagesRepo: `${open.host}/shop`, implementation: 'default' as const, repository: 'shop/backend', digest: index.digest };
    const first = await fetchImageConfig(req, deps(open.host));
    expect(first.platforms?.map((p) => p.architecture)).toEqual(['amd64', 'arm64']);
    expect(first.platform).toBe(index.children[0]!.digest);
    expect(first.architecture).toBe('amd64');
    const arm = await fetchImageConfig({ ...req, platform: index.children[1]!.digest }, deps(open.host));
    expect(arm.platform).toBe(index.children[1]!.digest);
    expect(arm.manifestDigest).toBe(index.children[1]!.digest);
    expect(arm.architecture).toBe('arm64');
    expect(arm.configDigest).not.toBe(first.configDigest);
  });

  it('logs in like the inventory, and says why without a credential', async () => {
    const req = { imagesRepo: `${secured.host}/shop`, implementation: 'auto' as const, repository: 'shop/backend', digest: image };
    const doc = await fetchImageConfig(req, deps(secured.host, basicCredential(secured.host, 'alice', 'pw-alice')));
    expect(doc.user).toBe('10001:10001');
    await expect(fetchImageConfig(req, deps(secured.host))).rejects.toMatchObject({ code: expect.stringMatching(/login|registry-error/) });
  });

  it('refuses a digest that is not one before any request', async () => {
    await expect(fetchImageConfig({ imagesRepo: `${open.host}/shop`, implementation: 'auto', repository: 'shop/backend', digest: 'sha256:../../x' }, deps(open.host))).rejects.toMatchObject({ code: 'bad-manifest-request' });
  });
});
