import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChallenge } from '../services/challenge';
import { seedImage } from '../services/distribution';
import { RegistryClient, basicHeader } from '../services/registry-client';
import { startGcrEmulator, type GcrEmulator } from './gcr';

interface GoogleTags {
  name: string;
  tags: string[];
  child: string[];
  manifest: Record<string, { imageSizeBytes: string; mediaType: string; tag: string[]; timeCreatedMs: string; timeUploadedMs: string | number }>;
}

describe('Artifact Registry / GCR emulator', () => {
  let gcr: GcrEmulator;
  let shared: string;
  const client = (token: string): RegistryClient => new RegistryClient(gcr.url, { auth: { username: 'oauth2accesstoken', password: token } });

  beforeAll(async () => {
    gcr = await startGcrEmulator();
    const writer = { username: 'oauth2accesstoken', password: 'ya29.writer' };
    shared = await seedImage(gcr.url, 'proj/repo/app', 'v1', { auth: writer });
    await seedImage(gcr.url, 'proj/repo/app', 'v2', { auth: writer });
    await seedImage(gcr.url, 'proj/repo/app', 'v3', { auth: writer, labels: { v: '3' } });
    await seedImage(gcr.url, 'proj/repo/app/sub', 'v1', { auth: writer });
  });
  afterAll(() => gcr?.stop());

  test('token endpoint takes an access token as Basic password for oauth2accesstoken or _token', async () => {
    const res = await fetch(`${gcr.url}/v2/`);
    expect(findChallenge(res.headers.get('www-authenticate'), 'bearer')?.params).toEqual({ realm: `${gcr.url}/v2/token`, service: gcr.host });
    const token = async (user: string, secret: string): Promise<number> =>
      (await fetch(`${gcr.url}/v2/token?service=${gcr.host}&scope=repository:proj/repo/app:pull`, { headers: { authorization: basicHeader(user, secret) } })).status;
    expect(await token('oauth2accesstoken', 'ya29.reader')).toBe(200);
    expect(await token('_token', 'ya29.reader')).toBe(200);
    expect(await token('someone', 'ya29.reader')).toBe(401);
    expect(await token('oauth2accesstoken', 'ya29.forged')).toBe(401);
    expect(await token('oauth2accesstoken', 'ya29.expired')).toBe(401);
  });

  test('tags/list carries the Google manifest map and child list', async () => {
    const list = await client('ya29.reader').json<GoogleTags>('GET', '/v2/proj/repo/app/tags/list');
    expect(list.status).toBe(200);
    expect(list.body.tags).toEqual(['v1', 'v2', 'v3']);
    expect(list.body.child).toEqual(['sub']);
    const entry = list.body.manifest[shared];
    expect(entry.tag).toEqual(['v1', 'v2']);
    expect(entry.imageSizeBytes).toMatch(/^\d+$/);
    expect(typeof entry.timeUploadedMs).toBe('number');
    expect(entry.timeCreatedMs).toMatch(/^\d+$/);
    const parent = await client('ya29.reader').json<GoogleTags>('GET', '/v2/proj/repo/tags/list');
    expect(parent.body).toMatchObject({ name: 'proj/repo', tags: [], child: ['app'], manifest: {} });
  });

  test('gcr style sends timeUploadedMs as a string', async () => {
    const legacy = await startGcrEmulator({ style: 'gcr' });
    try {
      legacy.state.registry.addImage('proj/old', { tags: ['a'], pushedAt: '2024-05-01T00:00:00Z' });
      const body = await client('ya29.reader').json<GoogleTags>('GET', `${legacy.url}/v2/proj/old/tags/list`);
      const entry = Object.values(body.body.manifest)[0];
      expect(entry.timeUploadedMs).toBe(String(Date.parse('2024-05-01T00:00:00Z')));
    } finally {
      await legacy.stop();
    }
  });

  test('reader and writer cannot delete (403 DENIED); repoAdmin untags, then deletes the digest', async () => {
    for (const t of ['ya29.reader', 'ya29.writer']) {
      const res = await client(t).json<{ errors: { code: string; message: string }[] }>('DELETE', '/v2/proj/repo/app/manifests/v3');
      expect(res.status).toBe(403);
      expect(res.body.errors[0].code).toBe('DENIED');
      expect(res.body.errors[0].message).toContain('artifactregistry.tags.delete');
    }
    const admin = client('ya29.admin');
    const dangling = await admin.json<{ errors: { code: string }[] }>('DELETE', `/v2/proj/repo/app/manifests/${shared}`);
    expect(dangling.status).toBe(400);
    expect(dangling.body.errors[0].code).toBe('GOOGLE_MANIFEST_DANGLING_TAG');
    expect((await admin.request('DELETE', '/v2/proj/repo/app/manifests/v1')).status).toBe(202);
    expect((await admin.request('DELETE', '/v2/proj/repo/app/manifests/v2')).status).toBe(202);
    const untagged = await admin.json<GoogleTags>('GET', '/v2/proj/repo/app/tags/list');
    expect(untagged.body.manifest[shared].tag).toEqual([]);
    expect((await admin.request('DELETE', `/v2/proj/repo/app/manifests/${shared}`)).status).toBe(202);
    expect(gcr.state.registry.manifest('proj/repo/app', shared)).toBeUndefined();
  });

  test('readers cannot push', async () => {
    await expect(seedImage(gcr.url, 'proj/repo/app', 'nope', { auth: { username: 'oauth2accesstoken', password: 'ya29.reader' }, labels: { n: '1' } })).rejects.toThrow(/403/);
    await expect(seedImage(gcr.url, 'other/repo', 'v1', { auth: { username: 'oauth2accesstoken', password: 'ya29.admin' } })).rejects.toThrow(/403/);
  });

  test('tags/list past the cap (10,000 images or tags by the quotas page; 5 here) answers an incomplete list', async () => {
    gcr.state.tagsListCap = 5;
    for (let i = 0; i < 7; i++) gcr.state.registry.addImage('proj/repo/many', { tags: [`m${i}`], pushedAt: new Date(Date.UTC(2024, 0, 1 + i)) });
    try {
      const list = await client('ya29.reader').json<GoogleTags>('GET', '/v2/proj/repo/many/tags/list');
      expect(list.status).toBe(200);
      expect(list.body.tags).toHaveLength(5);
      expect(Object.keys(list.body.manifest)).toHaveLength(5);
      // Under the cap nothing changes.
      expect((await client('ya29.reader').json<GoogleTags>('GET', '/v2/proj/repo/app/tags/list')).body.tags).toEqual(gcr.state.registry.listTags('proj/repo/app'));
    } finally {
      gcr.state.tagsListCap = 10_000;
    }
  });

  test('Artifact Registry REST dockerImages.list: every image of the AR repository, paged, Bearer access token, Google error documents', async () => {
    type Images = { dockerImages?: { name: string; uri: string; tags?: string[]; imageSizeBytes: string; uploadTime: string; mediaType: string }[]; nextPageToken?: string };
    const base = `${gcr.url}/v1/projects/proj/locations/us/repositories/repo/dockerImages`;
    const get = (url: string, token?: string) => fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const seen: NonNullable<Images['dockerImages']> = [];
    let url = `${base}?pageSize=2`;
    let pages = 0;
    while (true) {
      const res = await get(url, 'ya29.reader');
      expect(res.status).toBe(200);
      const body = (await res.json()) as Images;
      pages++;
      seen.push(...(body.dockerImages ?? []));
      if (!body.nextPageToken) break;
      url = `${base}?pageSize=2&pageToken=${encodeURIComponent(body.nextPageToken)}`;
    }
    expect(pages).toBeGreaterThan(1);
    const app = seen.filter((i) => i.uri.startsWith(`${gcr.host}/proj/repo/app@`));
    expect(app.flatMap((i) => i.tags ?? []).sort()).toEqual(gcr.state.registry.listTags('proj/repo/app'));
    const v3 = gcr.state.registry.resolve('proj/repo/app', 'v3');
    expect(app.find((i) => i.tags?.includes('v3'))).toMatchObject({ uri: `${gcr.host}/proj/repo/app@${v3}`, name: `projects/proj/locations/us/repositories/repo/dockerImages/app@${v3}` });
    expect(seen.some((i) => i.name.includes('/dockerImages/app%2Fsub@'))).toBe(true);
    expect(typeof app[0]?.imageSizeBytes).toBe('string');

    const anon = await get(base);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
    const other = await get(`${gcr.url}/v1/projects/other/locations/us/repositories/r/dockerImages`, 'ya29.reader');
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { message: string } }).error.message).toContain('artifactregistry.dockerimages.list');
  });
});
