import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage, seedIndex, startDistribution, type DistributionHandle, type SeededIndex } from '../../../e2e/services/distribution';
import { basicCredential } from '../registry/testing/credentials';
import { fetchManifestDocument } from './manifest-document';

describe('fetchManifestDocument against a real registry', () => {
  let open: DistributionHandle;
  let secured: DistributionHandle;
  let image: string;
  let index: SeededIndex;
  beforeAll(async () => {
    open = await startDistribution();
    image = await seedImage(open.url, 'team/app', 'v1', { labels: { a: 'b' } });
    index = await seedIndex(open.url, 'team/app', 'multi');
    secured = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'alice', password: 'pw-alice' }] } });
    await seedImage(secured.url, 'team/app', 'v1', { auth: { username: 'alice', password: 'pw-alice' } });
  }, 60_000);
  afterAll(async () => {
    await open?.stop();
    await secured?.stop();
  });

  const deps = (host: string, credential: Parameters<typeof fetchManifestDocument>[1]['credential'] = null) => ({
    credential,
    settings: { registry: host, plainHttp: true },
    signal: new AbortController().signal,
  });

  it('an image manifest, checked against its digest and pretty-printed', async () => {
    const doc = await fetchManifestDocument({ imagesRepo: `${open.host}/team/app`, implementation: 'auto', repository: 'team/app', digest: image }, deps(open.host));
    expect(doc).toMatchObject({ repository: 'team/app', digest: image, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    expect(doc.text).toContain('\n  "schemaVersion": 2');
    expect(JSON.parse(doc.text).config.digest).toMatch(/^sha256:/);
    expect(doc.size).toBeGreaterThan(doc.text.length / 2);
  });

  it('an index lists its platform children', async () => {
    const doc = await fetchManifestDocument({ imagesRepo: `${open.host}/team/app`, implementation: 'default', repository: 'team/app', digest: index.digest }, deps(open.host));
    expect(doc.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const body = JSON.parse(doc.text) as { manifests: { digest: string; platform: { architecture: string } }[] };
    expect(body.manifests.map((m) => m.digest).sort()).toEqual(index.children.map((c) => c.digest).sort());
  });

  it('a digest the repository does not have is an error with the registry\'s own words', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    await expect(fetchManifestDocument({ imagesRepo: `${open.host}/team/app`, implementation: 'auto', repository: 'team/app', digest: missing }, deps(open.host))).rejects.toMatchObject({
      code: 'registry-error',
      message: expect.stringContaining('MANIFEST_UNKNOWN'),
    });
  });

  it('uses the credential, and without one says the registry refused', async () => {
    const digest = await tagDigest(secured, 'alice', 'pw-alice');
    const doc = await fetchManifestDocument({ imagesRepo: `${secured.host}/team/app`, implementation: 'auto', repository: 'team/app', digest }, deps(secured.host, basicCredential(secured.host, 'alice', 'pw-alice')));
    expect(JSON.parse(doc.text).schemaVersion).toBe(2);
    await expect(fetchManifestDocument({ imagesRepo: `${secured.host}/team/app`, implementation: 'auto', repository: 'team/app', digest }, deps(secured.host))).rejects.toMatchObject({ message: expect.stringContaining('401') });
  });

  it('refuses a repository or digest that would leave the manifests path', async () => {
    for (const [repository, digest] of [['../../x', image], ['a?b', image], ['team/app', 'sha256:../../v2/_catalog']]) {
      await expect(fetchManifestDocument({ imagesRepo: `${open.host}/team/app`, implementation: 'auto', repository: repository!, digest: digest! }, deps(open.host))).rejects.toMatchObject({ code: 'bad-manifest-request' });
    }
  });

  it('cancelled before it starts: rejects as cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(fetchManifestDocument({ imagesRepo: `${open.host}/team/app`, implementation: 'auto', repository: 'team/app', digest: image }, { ...deps(open.host), signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });
});

async function tagDigest(reg: DistributionHandle, user: string, password: string): Promise<string> {
  const res = await fetch(`${reg.url}/v2/team/app/manifests/v1`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json', authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
  });
  return res.headers.get('docker-content-digest')!;
}
