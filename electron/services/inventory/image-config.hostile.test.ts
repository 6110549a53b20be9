import { afterEach, describe, expect, it } from 'vitest';
import { basicCredential } from '../registry/testing/credentials';
import { fetchImageConfig } from './image-config';
import { fakeImage, sha256, startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from './testing/fake-registry';

const open: FakeRegistry[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});
async function fake(opts: FakeRegistryOptions): Promise<FakeRegistry> {
  const r = await startFakeRegistry(opts);
  open.push(r);
  return r;
}

const USER = { username: 'alice', password: 'pw-alice-secret' };
const image = fakeImage({ labels: { a: 'b' } });

function fetchFrom(reg: FakeRegistry) {
  return fetchImageConfig(
    { imagesRepo: `${reg.host}/r`, implementation: 'default', repository: 'r', digest: image.digest },
    { credential: basicCredential(reg.host, USER.username, USER.password), settings: { registry: reg.host, plainHttp: true }, signal: new AbortController().signal },
  );
}

describe('fetchImageConfig against hostile registries', () => {
  it('refuses config bytes that do not match their digest', async () => {
    const reg = await fake({
      repositories: { r: { v1: image } },
      basic: USER,
      override: (_req, res, url) => {
        if (!url.pathname.includes('/blobs/')) return false;
        const forged = Buffer.from(JSON.stringify({ config: { User: 'root', Env: ['EVIL=1'] } }));
        res.writeHead(200, { 'content-length': String(forged.length) });
        res.end(forged);
        return true;
      },
    });
    await expect(fetchFrom(reg)).rejects.toMatchObject({ code: 'digest-mismatch' });
  });

  it('follows a blob redirect to storage without the credential', async () => {
    const storage = await fake({ repositories: {}, override: (_req, res) => {
      res.writeHead(200, { 'content-length': String(image.config.bytes.length) });
      res.end(image.config.bytes);
      return true;
    } });
    const reg = await fake({
      repositories: { r: { v1: image } },
      basic: USER,
      override: (req, res, url) => {
        if (!url.pathname.includes('/blobs/') || !req.headers.authorization) return false;
        res.writeHead(307, { location: `${storage.url}/blob-store/${image.config.digest}` });
        res.end();
        return true;
      },
    });
    const doc = await fetchFrom(reg);
    expect(doc.labels).toEqual({ a: 'b' });
    expect(storage.calls).toHaveLength(1);
    expect(storage.calls[0]!.headers.authorization).toBeUndefined();
  });

  it('does not download a config declared over the cap, and stops one that grows past it', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 0x20);
    const declared = JSON.parse(image.manifest.toString()) as { config: { size: number; digest: string } };
    const huge = { ...image, manifest: Buffer.from(JSON.stringify({ ...declared, config: { ...declared.config, size: big.length } })) };
    huge.digest = sha256(huge.manifest);
    const reg = await fake({ repositories: { r: { v1: huge } }, basic: USER });
    await expect(
      fetchImageConfig({ imagesRepo: `${reg.host}/r`, implementation: 'default', repository: 'r', digest: huge.digest }, { credential: basicCredential(reg.host, USER.username, USER.password), settings: { registry: reg.host, plainHttp: true }, signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: 'config-too-large' });
    expect(reg.calls.some((c) => c.url.includes('/blobs/'))).toBe(false);

    const endless = await fake({
      repositories: { r: { v1: image } },
      basic: USER,
      override: (req, res, url) => {
        if (!url.pathname.includes('/blobs/') || !req.headers.authorization) return false;
        res.writeHead(200);
        res.end(big);
        return true;
      },
    });
    await expect(fetchFrom(endless)).rejects.toMatchObject({ message: expect.stringMatching(/8388608-byte limit, so reading stopped/) });
  });
});
