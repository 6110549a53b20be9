import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigCache } from './config-cache';
import { driverFor } from './drivers';
import { parseConfig, parseManifest, pickLabels, sha256Digest } from './manifest';
import { planInventory } from './plan';
import { parseNextLink } from './drivers/common';
import { parseTagList } from './registry-api';

const HEX = 'ab'.repeat(32);
const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('parseNextLink', () => {
  it.each([
    ['</v2/app/tags/list?last=b&n=2>; rel="next"', '/v2/app/tags/list?last=b&n=2'],
    ['<https://r.example/v2/a/tags/list?last=x>;rel=next', 'https://r.example/v2/a/tags/list?last=x'],
    ['<https://r.example/prev>; rel="prev", </v2/a/tags/list?last=z>; rel="next"', '/v2/a/tags/list?last=z'],
    ['</x>; title="a; b"; rel="prefetch next"', '/x'],
    ['</x>; REL="Next"', '/x'],
  ])('%s', (header, want) => {
    expect(parseNextLink([header])).toBe(want);
  });

  it('no next relation → null; later headers are read too', () => {
    expect(parseNextLink(['</x>; rel="prev"'])).toBeNull();
    expect(parseNextLink([])).toBeNull();
    expect(parseNextLink(['</x>; rel="prev"', '</y>; rel="next"'])).toBe('/y');
  });
});

describe('parseTagList', () => {
  const body = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
  it('tags, null tags, and what is not a tag list', () => {
    expect(parseTagList(body({ name: 'a', tags: ['v1', 'v2'] }))).toEqual({ ok: true, value: { tags: [{ tag: 'v1' }, { tag: 'v2' }], dropped: 0 } });
    expect(parseTagList(body({ name: 'a', tags: null }))).toEqual({ ok: true, value: { tags: [], dropped: 0 } });
    expect(parseTagList(body({ name: 'a' }))).toMatchObject({ ok: false, error: expect.stringContaining('no "tags"') });
    expect(parseTagList(body({ tags: 'v1' }))).toMatchObject({ ok: false });
    expect(parseTagList(body('<html><body>Login</body></html>'))).toEqual({ ok: false, error: 'the answer is an HTML page, not a tag list' });
    expect(parseTagList(body('{"tags":['))).toEqual({ ok: false, error: 'the answer is not JSON' });
  });
});

describe('parseManifest', () => {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  it('image: size = config + layers; the created annotation', () => {
    const r = parseManifest(
      json({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { digest: D('a'), size: 100 },
        layers: [
          { digest: D('b'), size: 1000 },
          { digest: D('c'), size: 20 },
        ],
        annotations: { 'org.opencontainers.image.created': '2024-02-03T04:05:06Z' },
      }),
      'application/json',
      { keepLayers: true },
    );
    expect(r).toEqual({
      ok: true,
      value: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        kind: 'image',
        size: 1120,
        configDigest: D('a'),
        configSize: 100,
        created: '2024-02-03T04:05:06.000Z',
        layers: [
          { digest: D('b'), size: 1000 },
          { digest: D('c'), size: 20 },
        ],
      },
    });
  });

  it('an OCI index without mediaType is recognised by its shape; bad children are skipped', () => {
    const r = parseManifest(json({ schemaVersion: 2, manifests: [{ digest: D('d'), size: 5, mediaType: 'application/vnd.oci.image.manifest.v1+json', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, { digest: '../x' }] }), null);
    expect(r.ok && r.value).toMatchObject({ kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', children: [{ digest: D('d'), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }] });
    expect(r.ok && r.value.children).toHaveLength(1);
  });

  it('the Content-Type names the type when the body does not; schema1 has no size', () => {
    const r = parseManifest(json({ schemaVersion: 2, config: { digest: D('a'), size: 1 }, layers: [] }), 'application/vnd.docker.distribution.manifest.v2+json');
    expect(r.ok && r.value).toMatchObject({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 1 });
    const s1 = parseManifest(json({ schemaVersion: 1, fsLayers: [{ blobSum: D('e') }] }), 'application/vnd.docker.distribution.manifest.v1+prettyjws');
    expect(s1.ok && s1.value).toMatchObject({ kind: 'image', size: null });
  });

  it('a layer without a size makes the size unknown, not wrong', () => {
    const r = parseManifest(json({ schemaVersion: 2, config: { digest: D('a'), size: 1 }, layers: [{ digest: D('b') }, { digest: D('c'), size: 3 }] }), null);
    expect(r.ok && r.value.size).toBeNull();
  });

  it('so does a layer without a valid digest: the image total and an index total (by layer digest) agree', () => {
    const r = parseManifest(json({ schemaVersion: 2, config: { digest: D('a'), size: 1 }, layers: [{ digest: '../x', size: 50 }, { digest: D('c'), size: 3 }] }), null, { keepLayers: true });
    expect(r.ok && r.value.size).toBeNull();
    expect(r.ok && r.value.layers).toEqual([{ digest: D('c'), size: 3 }]);
  });

  it('not JSON, HTML, not an object', () => {
    expect(parseManifest(Buffer.from('<!DOCTYPE html><p>x'), 'text/html')).toEqual({ ok: false, error: 'the manifest is not JSON (19 bytes, an HTML page)' });
    expect(parseManifest(Buffer.from('[1]'), null)).toEqual({ ok: false, error: 'the manifest is not a JSON object' });
  });
});

describe('parseConfig and labels', () => {
  it('created (normalised) and only werf-* / org.opencontainers.* labels', () => {
    const cfg = Buffer.from(JSON.stringify({ created: '2024-01-01T00:00:00.123456789Z', config: { Labels: { 'werf-image-name': 'app', werf: 'proj', 'org.opencontainers.image.source': 'git', maintainer: 'me', 'werf.io/x': 'y' } } }));
    expect(parseConfig(cfg)).toEqual({ ok: true, value: { created: '2024-01-01T00:00:00.123Z', labels: { 'org.opencontainers.image.source': 'git', werf: 'proj', 'werf-image-name': 'app', 'werf.io/x': 'y' } } });
    expect(parseConfig(Buffer.from('{"created":"nonsense"}'))).toEqual({ ok: true, value: {} });
    expect(parseConfig(Buffer.from('nope')).ok).toBe(false);
  });

  it('caps count and size', () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 500; i++) many[`werf-l${String(i).padStart(3, '0')}`] = 'v'.repeat(2000);
    const kept = pickLabels(many)!;
    const keys = Object.keys(kept);
    expect(keys.length).toBeLessThanOrEqual(48);
    expect(JSON.stringify(kept).length).toBeLessThan(20 * 1024);
    expect(kept['werf-l000']!.length).toBe(1025);
    expect(pickLabels({ maintainer: 'x' })).toBeUndefined();
    expect(pickLabels(null)).toBeUndefined();
  });
});

describe('ConfigCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stowage-cfgcache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const facts = { created: '2024-01-01T00:00:00.000Z', labels: { 'werf-image-name': 'a' } };

  it('round-trips through one append-only file, read once per run', async () => {
    const c = new ConfigCache(join(dir, 'nested'));
    await c.load();
    expect(c.get(`sha256:${HEX}`)).toBeNull();
    c.put(`sha256:${HEX}`, facts);
    c.put(D('1'), { created: '2020-01-01T00:00:00.000Z' });
    await c.flush();
    const again = new ConfigCache(join(dir, 'nested'));
    await again.load();
    expect(again.get(`sha256:${HEX}`)).toEqual(facts);
    expect(again.get(D('1'))).toEqual({ created: '2020-01-01T00:00:00.000Z' });
    expect(await readdir(join(dir, 'nested'))).toEqual(['image-configs-v1.ndjson']);
    expect((await readFile(again.path, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('only sha256 keys; torn, foreign or malformed lines are skipped, the rest is kept', async () => {
    const c = new ConfigCache(dir);
    c.put('sha512:abc', { created: 'x' });
    c.put('sha256:../../etc', { created: 'x' });
    await c.flush();
    expect(await readdir(dir)).toEqual([]);
    await writeFile(
      c.path,
      [JSON.stringify({ d: D('2'), c: 'ok' }), '{"d":"sha256:', JSON.stringify({ d: D('3'), l: { a: 1 } }), JSON.stringify({ d: '../x', c: 'y' }), 'not json', JSON.stringify({ d: D('4'), c: 'later' }), JSON.stringify({ d: D('2'), c: 'newer' })].join('\n'),
    );
    const r = new ConfigCache(dir);
    await r.load();
    expect(r.size).toBe(2);
    expect(r.get(D('2'))).toEqual({ created: 'newer' });
    expect(r.get(D('3'))).toBeNull();
    expect(r.get(D('4'))).toEqual({ created: 'later' });
  });

  it('over the cap the file is rewritten (temp file + rename) keeping the most recently used', async () => {
    const c = new ConfigCache(dir, { maxBytes: 4_000 });
    const digests = Array.from({ length: 60 }, (_, i) => sha256Digest(Buffer.from(String(i))));
    for (const d of digests.slice(0, 30)) c.put(d, { created: '2024-01-01T00:00:00.000Z', labels: { 'werf-image-name': 'x'.repeat(60) } });
    await c.flush();
    // Used again: digests[0] moves to the recent end.
    expect(c.get(digests[0]!)).not.toBeNull();
    for (const d of digests.slice(30)) c.put(d, { created: '2024-01-01T00:00:00.000Z', labels: { 'werf-image-name': 'x'.repeat(60) } });
    await c.flush();
    const text = await readFile(c.path, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(3_000);
    expect(await readdir(dir)).toEqual(['image-configs-v1.ndjson']);
    const r = new ConfigCache(dir, { maxBytes: 4_000 });
    await r.load();
    expect(r.get(digests[59]!)).not.toBeNull();
    expect(r.get(digests[1]!)).toBeNull();
    expect(r.size).toBeGreaterThan(10);
  });

  it('an unwritable cache never fails: it reports once and stops trying', async () => {
    await writeFile(join(dir, 'blocker'), 'a file where a directory should be');
    const c = new ConfigCache(join(dir, 'blocker'));
    await c.load();
    c.put(`sha256:${HEX}`, { created: 'x' });
    await c.flush();
    expect(c.problem).toContain('cannot be written');
    // Still answers from memory for this run.
    expect(c.get(`sha256:${HEX}`)).toEqual({ created: 'x' });
  });
});

describe('planInventory', () => {
  const base = { implementation: 'auto' as const, mode: 'auto' as const, withConfig: false };

  it('a plain repository; Docker Hub official images get library/', () => {
    expect(planInventory({ ...base, imagesRepo: 'registry.example.com/team/app', images: [] }).repositories).toEqual([{ repository: 'team/app' }]);
    expect(planInventory({ ...base, imagesRepo: 'alpine', images: [] })).toMatchObject({ registry: 'index.docker.io', implementation: 'dockerhub', repositories: [{ repository: 'library/alpine' }] });
  });

  it('auto mode per implementation: Docker Hub account → multirepo ACCOUNT/IMAGE, account/repo → monorepo', () => {
    expect(planInventory({ ...base, imagesRepo: 'docker.io/acme', images: ['app', 'web'] })).toMatchObject({ mode: 'multirepo', repositories: [{ repository: 'acme/app' }, { repository: 'acme/web' }] });
    expect(planInventory({ ...base, imagesRepo: 'acme/project', images: ['app'] })).toMatchObject({ mode: 'monorepo', repositories: [{ repository: 'acme/project' }] });
    expect(planInventory({ ...base, imagesRepo: 'localhost:5000/p', images: ['app', null] })).toMatchObject({ mode: 'multirepo', repositories: [{ repository: 'p/app' }, { repository: 'p' }] });
  });

  it('errors a user can act on', () => {
    expect(() => planInventory({ ...base, imagesRepo: '', images: [] })).toThrow(expect.objectContaining({ code: 'bad-images-repo' }));
    expect(() => planInventory({ ...base, imagesRepo: 'registry.example.com', images: [] })).toThrow(expect.objectContaining({ code: 'no-repository' }));
    expect(() => planInventory({ ...base, imagesRepo: 'docker.io/acme', mode: 'monorepo', images: ['a'] })).toThrow(expect.objectContaining({ code: 'bad-repo-mode' }));
    expect(() => planInventory({ ...base, imagesRepo: 'r.example.com/p', images: ['a'], image: 'b' })).toThrow(expect.objectContaining({ code: 'nothing-to-list' }));
  });

  it('a stray tag in the address is dropped with a warning', () => {
    const p = planInventory({ ...base, imagesRepo: 'r.example.com/p/app:v1', images: [] });
    expect(p.repositories).toEqual([{ repository: 'p/app' }]);
    expect(p.warnings.join()).toContain('contains a tag');
  });
});

describe('drivers', () => {
  it('an implementation without a native driver uses the Registry API', () => {
    expect(driverFor('default').id).toBe('generic');
  });
});
