import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage, seedImages, startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { ACCEPT_ALL, RegistryClient } from '../../../e2e/services/registry-client';
import { makeTempDir, removeDir } from '../../../e2e/services/util';
import type { InventoryProgress } from '../../../shared/inventory/types';
import { RegistryAccess } from '../registry-access';
import { readWerfMetadata, readWerfMetadataVia, v11RecordTag, v12RecordTag, type ReadWerfMetadataDeps } from './werf-metadata';

/**
 * werf's metadata as werf writes it (tag names from werf's storage code, labels on tiny images),
 * pushed into Debian's distribution 2.8 and read back through the inventory engine.
 */

const commit = (s: string) => createHash('sha1').update(s).digest('hex');
const C1 = commit('one');
const C2 = commit('two');
const C3 = commit('three');
const STAGE_A = `${'a1'.repeat(28)}-1712345678901`;
const STAGE_B = `${'b2'.repeat(28)}-1712345679999`;
const LONG_IMAGE = `team/${'very-long-image-name-'.repeat(5)}x`;
const IMAGES = ['backend', 'frontend', null, 'team/api', LONG_IMAGE];

let reg: DistributionHandle;
let cacheDir: string;
const deps = (over: Partial<ReadWerfMetadataDeps> = {}): ReadWerfMetadataDeps => ({
  credential: null,
  settings: { registry: reg.host, plainHttp: true },
  cacheDir,
  signal: new AbortController().signal,
  ...over,
});

async function deleteConfigBlob(repo: string, tag: string): Promise<void> {
  const client = new RegistryClient(reg.url);
  const manifest = await client.json<{ config: { digest: string } }>('GET', `/v2/${repo}/manifests/${tag}`, { headers: { accept: ACCEPT_ALL } });
  const res = await client.request('DELETE', `/v2/${repo}/blobs/${manifest.body.config.digest}`);
  await res.body?.cancel();
  if (res.status !== 202) throw new Error(`blob delete answered ${res.status}`);
}

beforeAll(async () => {
  reg = await startDistribution();
  cacheDir = await makeTempDir('werf-metadata-cache');
  const stageTags = Array.from({ length: 40 }, (_, i) => `${i.toString(16).padStart(56, '0')}-17000000000${String(i).padStart(2, '0')}`);
  await Promise.all([
    // werf v1.2+/v2: one repository with stages, meta records and custom tags.
    seedImages(reg.url, 'v2/proj', [STAGE_A, STAGE_B, 'release-1', ...stageTags], { distinct: true, labels: { 'werf-image-name': 'backend' } }),
    seedImages(
      reg.url,
      'v2/proj',
      [
        v12RecordTag('backend', C1, STAGE_A),
        v12RecordTag('backend', C2, STAGE_A),
        v12RecordTag(null, C1, STAGE_B),
        v12RecordTag('team/api', C3, STAGE_B),
        v12RecordTag('another-project-image', C1, STAGE_A),
        'meta-zz_notacommit_x',
      ],
      { labels: { werf: 'proj' } },
    ),
    seedImage(reg.url, 'v2/proj', 'custom-tag-meta-release-1', { labels: { werf: 'proj', tag: 'release-1', 'stage-id': STAGE_A } }),
    // werf v1.1: a stages storage with image-metadata-by-commit records.
    seedImages(reg.url, 'v1/stages', stageTags, { distinct: true }),
    seedImage(reg.url, 'v1/stages', v11RecordTag('backend', C1), { labels: { ContentSignature: 'sig-backend-1' } }),
    seedImage(reg.url, 'v1/stages', v11RecordTag('backend', C2), { labels: { ContentSignature: 'sig-backend-2' } }),
    seedImage(reg.url, 'v1/stages', v11RecordTag(null, C1), { labels: { ContentSignature: 'sig-nameless' } }),
    seedImage(reg.url, 'v1/stages', v11RecordTag('team/api', C3), { labels: { ContentSignature: 'sig-api' } }),
    seedImage(reg.url, 'v1/stages', v11RecordTag(LONG_IMAGE, C2), { labels: { ContentSignature: 'sig-long' } }),
    seedImage(reg.url, 'v1/stages', v11RecordTag('frontend', C1), { labels: { unrelated: 'x' } }),
    seedImage(reg.url, 'v1/stages', v11RecordTag('gone-image', C1), { labels: { ContentSignature: 'sig-gone' } }),
  ]);
  // A record whose config blob is gone: the registry still lists and serves its manifest.
  await seedImage(reg.url, 'v1/broken', v11RecordTag('backend', C1), { labels: { ContentSignature: 'sig-broken', unique: 'yes' } });
  await deleteConfigBlob('v1/broken', v11RecordTag('backend', C1));
}, 120_000);

afterAll(async () => {
  await reg?.stop();
  if (cacheDir) await removeDir(cacheDir);
});

describe('readWerfMetadata against a real registry', () => {
  it('reads werf v1.2+ meta tags from names alone and attaches custom tags to their stage', async () => {
    let last: InventoryProgress | undefined;
    const read = await readWerfMetadata(
      { repository: `${reg.host}/v2/proj`, implementation: 'default', images: IMAGES },
      deps({ onProgress: (p) => (last = p) }),
    );
    expect(read.formats).toEqual(['v1.2-meta']);
    expect(read.repository).toBe('v2/proj');
    const summary = read.records.map((r) => [r.image, r.commit, r.signature, r.tags ?? []]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['backend', C1, STAGE_A, ['release-1']],
        ['backend', C2, STAGE_A, ['release-1']],
        [null, C1, STAGE_B, []],
        ['team/api', C3, STAGE_B, []],
      ]),
    );
    expect(read.records).toHaveLength(4);
    expect(read.records.every((r) => r.format === 'v1.2-meta' && r.source?.startsWith('meta-'))).toBe(true);
    expect(read.foreign).toEqual([v12RecordTag('another-project-image', C1, STAGE_A)]);
    expect(read.malformed).toEqual(['meta-zz_notacommit_x']);
    expect(read.unreadable).toEqual([]);
    // Only the custom-tag record was inspected: 43 stage/user tags and 6 meta tags were not.
    expect(read.inspected).toBe(1);
    expect(last?.listed).toBe(0);
  });

  it('reads werf v1.1 records with their content signatures and names what it could not read', async () => {
    const read = await readWerfMetadata({ repository: `${reg.host}/v1/stages`, implementation: 'default', images: IMAGES }, deps());
    expect(read.formats).toEqual(['v1.1-image-metadata-by-commit']);
    const bySignature = Object.fromEntries(read.records.map((r) => [r.signature, [r.image, r.commit]]));
    expect(bySignature).toEqual({
      'sig-backend-1': ['backend', C1],
      'sig-backend-2': ['backend', C2],
      'sig-nameless': [null, C1],
      'sig-api': ['team/api', C3],
      'sig-long': [LONG_IMAGE, C2],
    });
    expect(read.unreadable).toEqual([{ image: 'frontend', reason: expect.stringContaining('has no ContentSignature label') }]);
    expect(read.foreign).toEqual([v11RecordTag('gone-image', C1)]);
    expect(read.inspected).toBe(7);
  });

  it('keeps an image whose record cannot be read as unreadable, with the registry error', async () => {
    const read = await readWerfMetadata({ repository: `${reg.host}/v1/broken`, implementation: 'default', images: IMAGES }, deps());
    expect(read.records).toEqual([]);
    expect(read.unreadable).toHaveLength(1);
    expect(read.unreadable[0]!.image).toBe('backend');
    expect(read.unreadable[0]!.reason).toMatch(/could not be read/);
  });

  it('gives no records for a repository that does not exist', async () => {
    const read = await readWerfMetadata({ repository: `${reg.host}/nothing/here`, implementation: 'default', images: IMAGES }, deps());
    expect(read).toMatchObject({ records: [], unreadable: [], formats: [], inspected: 0 });
  });

  it('reads with the credential and settings the app already has for the registry', async () => {
    const home = await makeTempDir('werf-metadata-access');
    try {
      const access = new RegistryAccess({ settingsDir: home, environment: {}, homeDir: home });
      await access.saveSettings({ registry: reg.host, plainHttp: true });
      const read = await readWerfMetadataVia(access, { repository: `${reg.host}/v1/stages`, implementation: 'auto', images: IMAGES }, new AbortController().signal);
      expect(read.records).toHaveLength(5);
    } finally {
      await removeDir(home);
    }
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(readWerfMetadata({ repository: `${reg.host}/v1/stages`, implementation: 'default', images: IMAGES }, deps({ signal: ac.signal }))).rejects.toMatchObject({ code: 'cancelled' });
  });
});
