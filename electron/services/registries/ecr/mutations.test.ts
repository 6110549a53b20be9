import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ECR_DEFAULT_KEYS, startEcrEmulator, type EcrEmulator } from '../../../../e2e/emulators/ecr';
import { seedImage, seedImages, seedIndex, startDistribution, type DistributionHandle } from '../../../../e2e/services/distribution';
import { awsCredential, basicCredential } from '../../registry/testing/credentials';
import { collect, testRun } from '../../inventory/drivers/testing';
import type { RestoreEntry } from '../types';
import { ecrDriver } from './listing';
import { createEcrMutations } from './mutations';

const [FULL, POWER] = ECR_DEFAULT_KEYS as [(typeof ECR_DEFAULT_KEYS)[number], (typeof ECR_DEFAULT_KEYS)[number]];
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json';

describe('ECR deletes (BatchDeleteImage by tag) and restores (PutImage) against the ECR emulator', () => {
  let ecr: EcrEmulator;
  let backing: DistributionHandle;
  const auth = { username: 'AWS', password: 'seed-password' };
  const mutations = createEcrMutations({ retryBaseMs: 1 });

  beforeAll(async () => {
    // Our own backing registry, so a test can remove blobs behind the emulator's back.
    backing = await startDistribution({ auth: { kind: 'none' }, relativeUrls: true });
    ecr = await startEcrEmulator({ repositories: ['team/app', 'team/many', 'team/gc'], upstream: backing.url });
    ecr.state.registryPasswords.set(auth.password, { accessKeyId: FULL.accessKeyId, expiresAt: Date.now() + 3_600_000 });
  });
  afterAll(async () => {
    await ecr?.stop();
    await backing?.stop();
  });

  const run = (key = FULL) =>
    testRun({ registry: ecr.host, implementation: 'ecr', credential: awsCredential(ecr.host, key.accessKeyId, key.secretAccessKey), settings: { registry: ecr.host, plainHttp: true, sdkEndpoint: ecr.url } });
  const deletes = () => ecr.state.apiCalls.filter((c) => c.op === 'BatchDeleteImage');
  const manifestBytes = async (repo: string, digest: string) => {
    const res = await fetch(`${backing.url}/v2/${repo}/manifests/${digest}`, { headers: { accept: ACCEPT } });
    expect(res.status).toBe(200);
    return { manifest: Buffer.from(await res.arrayBuffer()).toString('base64'), mediaType: res.headers.get('content-type') };
  };

  test('a tag whose image stays is untagged; the image and its siblings stay; registryId is always sent', async () => {
    const digest = await seedImage(ecr.url, 'team/app', 'a1', { auth, labels: { n: 'a' } });
    await seedImage(ecr.url, 'team/app', 'a2', { auth, labels: { n: 'a' } });
    const r = await run();
    try {
      const before = deletes().length;
      const out = await mutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['a1'], digestGoes: false });
      expect(out).toEqual([expect.objectContaining({ tag: 'a1', outcome: 'untagged', method: expect.stringContaining('BatchDeleteImage') })]);
      expect(ecr.state.registry.resolve('team/app', 'a1')).toBeUndefined();
      expect(ecr.state.registry.resolve('team/app', 'a2')).toBe(digest);
      expect(ecr.state.registry.manifest('team/app', digest)).toBeDefined();
      const sent = deletes().slice(before);
      expect(sent).toHaveLength(1);
      // The host is not an ECR name: the account came from DescribeRepositories, and goes on every call.
      expect(sent[0]!.input).toEqual({ repositoryName: 'team/app', registryId: ecr.state.accountId, imageIds: [{ imageTag: 'a1' }] });
    } finally {
      await r.close();
    }
  });

  test('every tag of a digest that goes: deleted, the image is gone; a rerun reports already-gone and deletes nothing', async () => {
    const digest = await seedImage(ecr.url, 'team/app', 'b1', { auth, labels: { n: 'b' } });
    await seedImage(ecr.url, 'team/app', 'b2', { auth, labels: { n: 'b' } });
    const r = await run();
    try {
      const group = { repository: 'team/app', digest, mediaType: null, tags: ['b1', 'b2'], digestGoes: true };
      const out = await mutations.deleteTags(r.ctx, group);
      expect(out.map((x) => [x.tag, x.outcome])).toEqual([
        ['b1', 'deleted'],
        ['b2', 'deleted'],
      ]);
      expect(ecr.state.registry.manifest('team/app', digest)).toBeUndefined();
      const again = await mutations.deleteTags(r.ctx, group);
      expect(again.map((x) => [x.tag, x.outcome])).toEqual([
        ['b1', 'already-gone'],
        ['b2', 'already-gone'],
      ]);
      expect(again[0]!.detail).toContain('not found');
    } finally {
      await r.close();
    }
  });

  test('150 tags on one digest: two calls of at most 100 image ids', async () => {
    const tags = Array.from({ length: 150 }, (_, i) => `m${String(i).padStart(3, '0')}`);
    const digest = ecr.state.registry.addImage('team/many', { tags }).digest;
    const r = await run();
    try {
      const before = deletes().length;
      const out = await mutations.deleteTags(r.ctx, { repository: 'team/many', digest, mediaType: null, tags, digestGoes: true });
      expect(out.every((x) => x.outcome === 'deleted')).toBe(true);
      const sizes = deletes().slice(before).map((c) => (c.input.imageIds as unknown[]).length);
      expect(sizes).toEqual([100, 50]);
      expect(ecr.state.registry.manifest('team/many', digest)).toBeUndefined();
    } finally {
      await r.close();
    }
  });

  test('partial failure read per item: the refused tag fails with a hint, the others are only untagged (the image stays)', async () => {
    const digest = ecr.state.registry.addImage('team/app', { tags: ['p1', 'p2', 'p3'] }).digest;
    ecr.state.deleteFailures.set('team/app:p2', 'KmsError');
    const r = await run();
    try {
      const out = await mutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['p1', 'p2', 'p3'], digestGoes: true });
      expect(out.map((x) => [x.tag, x.outcome])).toEqual([
        ['p1', 'untagged'],
        ['p2', 'failed'],
        ['p3', 'untagged'],
      ]);
      expect(out[1]!.error).toMatchObject({ code: 'KmsError', hint: expect.stringContaining('KMS') });
      expect(ecr.state.registry.tagsOf('team/app', digest)).toEqual(['p2']);
    } finally {
      ecr.state.deleteFailures.clear();
      await r.close();
    }
  });

  test('an index child refused by ECR (ImageReferencedByManifestList) is a failure with the fix', async () => {
    const child = ecr.state.registry.addImage('team/app', { tags: ['child'] }).digest;
    ecr.state.registry.addImage('team/app', { tags: ['parent'], mediaType: 'application/vnd.oci.image.index.v1+json', children: [child] });
    ecr.state.deleteFailures.set('team/app:child', 'ImageReferencedByManifestList');
    const r = await run();
    try {
      const [res] = await mutations.deleteTags(r.ctx, { repository: 'team/app', digest: child, mediaType: null, tags: ['child'], digestGoes: true });
      expect(res).toMatchObject({ outcome: 'failed', error: { code: 'ImageReferencedByManifestList', hint: expect.stringContaining('index') } });
    } finally {
      ecr.state.deleteFailures.clear();
      await r.close();
    }
  });

  test('ThrottlingException is retried with backoff; a key without ecr:BatchDeleteImage fails every tag with the policy named', async () => {
    const digest = ecr.state.registry.addImage('team/app', { tags: ['t1'] }).digest;
    const r = await run();
    try {
      ecr.state.throttleNext = 2;
      const out = await mutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['t1'], digestGoes: true });
      expect(out[0]!.outcome).toBe('deleted');
      expect(ecr.state.throttleNext).toBe(0);
    } finally {
      ecr.state.throttleNext = 0;
      await r.close();
    }
    const d2 = ecr.state.registry.addImage('team/app', { tags: ['t2', 't3'] }).digest;
    const power = await run(POWER);
    try {
      const out = await mutations.deleteTags(power.ctx, { repository: 'team/app', digest: d2, mediaType: null, tags: ['t2', 't3'], digestGoes: true });
      expect(out.map((x) => x.outcome)).toEqual(['failed', 'failed']);
      expect(out[0]!.error).toMatchObject({ code: 'AccessDeniedException', hint: expect.stringContaining('PowerUser') });
      expect(out[0]!.error?.message).toContain('ecr:BatchDeleteImage');
      expect(ecr.state.registry.tagsOf('team/app', d2)).toEqual(['t2', 't3']);
    } finally {
      await power.close();
    }
  });

  test('throttled on every attempt: a bounded number of tries, then failed with a hint', async () => {
    const digest = ecr.state.registry.addImage('team/app', { tags: ['th'] }).digest;
    const r = await run();
    try {
      ecr.state.throttleNext = 1000;
      const out = await mutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['th'], digestGoes: true });
      expect(out[0]).toMatchObject({ outcome: 'failed', error: { code: 'ThrottlingException', hint: expect.stringContaining('throttling') } });
      expect(1000 - ecr.state.throttleNext).toBe(4);
      expect(ecr.state.registry.resolve('team/app', 'th')).toBe(digest);
    } finally {
      ecr.state.throttleNext = 0;
      await r.close();
    }
  });

  test('a repository that no longer exists: its tags are already gone', async () => {
    const r = await run();
    try {
      const out = await mutations.deleteTags(r.ctx, { repository: 'team/vanished', digest: `sha256:${'1'.repeat(64)}`, mediaType: null, tags: ['x'], digestGoes: true });
      expect(out[0]).toMatchObject({ tag: 'x', outcome: 'already-gone' });
    } finally {
      await r.close();
    }
  });

  test('a login that is not an AWS credential: every tag fails with the fix, and the ECR API is not called', async () => {
    const r = await testRun({ registry: ecr.host, implementation: 'ecr', credential: basicCredential(ecr.host, 'AWS', auth.password), settings: { registry: ecr.host, plainHttp: true, sdkEndpoint: ecr.url } });
    try {
      const before = ecr.state.apiCalls.length;
      const out = await mutations.deleteTags(r.ctx, { repository: 'team/app', digest: `sha256:${'2'.repeat(64)}`, mediaType: null, tags: ['a2'], digestGoes: false });
      expect(out[0]).toMatchObject({ outcome: 'failed', error: { code: 'needs-aws-credentials' } });
      expect((await mutations.restoreTag(r.ctx, { repository: 'team/app', tag: 'a2', digest: `sha256:${'2'.repeat(64)}`, mediaType: null, manifest: null, method: 'x' })).ok).toBe(false);
      expect(ecr.state.apiCalls.length).toBe(before);
    } finally {
      await r.close();
    }
  });

  test('restore: PutImage of the recorded manifest brings the tag back on its digest; twice is fine; tampered bytes are refused', async () => {
    const digest = await seedImage(ecr.url, 'team/app', 'r1', { auth, labels: { n: 'r' } });
    const recorded = await manifestBytes('team/app', digest);
    const r = await run();
    try {
      const [del] = await mutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: recorded.mediaType, tags: ['r1'], digestGoes: true });
      expect(del!.outcome).toBe('deleted');
      const entry: RestoreEntry = { repository: 'team/app', tag: 'r1', digest, mediaType: recorded.mediaType, manifest: recorded.manifest, method: del!.method };
      const restored = await mutations.restoreTag(r.ctx, entry);
      expect(restored).toMatchObject({ ok: true });
      expect(ecr.state.registry.resolve('team/app', 'r1')).toBe(digest);
      const put = ecr.state.apiCalls.filter((c) => c.op === 'PutImage').at(-1);
      expect(put?.input).toMatchObject({ repositoryName: 'team/app', registryId: ecr.state.accountId, imageTag: 'r1', imageDigest: digest, imageManifestMediaType: recorded.mediaType });
      // The bytes are really back in the registry: /v2 serves the same digest.
      const res = await fetch(`${ecr.url}/v2/team/app/manifests/r1`, { method: 'HEAD', headers: { accept: ACCEPT, authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } });
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      expect(await mutations.restoreTag(r.ctx, entry)).toMatchObject({ ok: true, detail: expect.stringContaining('already there') });
      const tampered = Buffer.from(recorded.manifest, 'base64').toString('utf8').replace('"schemaVersion":2', '"schemaVersion": 2');
      const bad = await mutations.restoreTag(r.ctx, { ...entry, tag: 'r2', manifest: Buffer.from(tampered).toString('base64') });
      expect(bad).toMatchObject({ ok: false, error: { code: 'manifest-mismatch' } });
      expect(ecr.state.registry.resolve('team/app', 'r2')).toBeUndefined();
    } finally {
      await r.close();
    }
  });

  test('restore after the layers were freed: LayersNotFoundException with "push it again"', async () => {
    const digests = await seedImages(ecr.url, 'team/gc', ['g1'], { auth, labels: { n: 'gc' } });
    const digest = digests.get('g1')!;
    const recorded = await manifestBytes('team/gc', digest);
    const config = (JSON.parse(Buffer.from(recorded.manifest, 'base64').toString('utf8')) as { config: { digest: string } }).config.digest;
    const r = await run();
    try {
      expect((await mutations.deleteTags(r.ctx, { repository: 'team/gc', digest, mediaType: recorded.mediaType, tags: ['g1'], digestGoes: true }))[0]!.outcome).toBe('deleted');
      // What a lifecycle sweep does: the image's config blob is no longer stored.
      expect((await fetch(`${backing.url}/v2/team/gc/blobs/${config}`, { method: 'DELETE' })).status).toBe(202);
      const out = await mutations.restoreTag(r.ctx, { repository: 'team/gc', tag: 'g1', digest, mediaType: recorded.mediaType, manifest: recorded.manifest, method: 'x' });
      expect(out).toMatchObject({ ok: false, error: { code: 'LayersNotFoundException', hint: expect.stringContaining('push the image again') } });
    } finally {
      await r.close();
    }
  });

  test('#18.11 archived images: ECR hides them by default; the inventory asks for them and shows them as kept, unread rows', async () => {
    const active = ecr.state.registry.addImage('team/many', { tags: ['live'] }).digest;
    const cold = ecr.state.registry.addImage('team/many', { tags: ['cold'] }).digest;
    ecr.state.archived.set(`team/many@${cold}`, new Date(Date.UTC(2025, 5, 1)));
    const r = await run();
    try {
      const { tags } = await collect(ecrDriver, r, 'team/many');
      expect(tags.find((t) => t.tag === 'live')).toMatchObject({ digest: active });
      expect(tags.find((t) => t.tag === 'live')?.error).toBeUndefined();
      const row = tags.find((t) => t.tag === 'cold');
      expect(row).toMatchObject({ digest: cold, error: expect.stringContaining('archived in ECR since 2025-06-01') });
      const listing = ecr.state.apiCalls.filter((c) => c.op === 'DescribeImages').at(-1);
      expect(listing?.input.filter).toEqual({ tagStatus: 'TAGGED', imageStatus: 'ANY' });
    } finally {
      await r.close();
    }
  });

  test('the real ECR host name: registryId from the host on every call, no account lookup', async () => {
    const port = ecr.host.split(':')[1];
    const host = `${ecr.state.accountId}.dkr.ecr.us-east-1.amazonaws.com:${port}`;
    const digest = ecr.state.registry.addImage('team/app', { tags: ['h1'] }).digest;
    const r = await testRun({
      registry: host,
      implementation: 'ecr',
      credential: awsCredential(host, FULL.accessKeyId, FULL.secretAccessKey),
      settings: { registry: host, plainHttp: true, sdkEndpoint: ecr.url },
      resolveHost: async () => ['127.0.0.1'],
    });
    try {
      const before = ecr.state.apiCalls.length;
      expect((await mutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['h1'], digestGoes: true }))[0]!.outcome).toBe('deleted');
      const calls = ecr.state.apiCalls.slice(before);
      expect(calls.map((c) => c.op)).toEqual(['BatchDeleteImage']);
      expect(calls[0]!.input.registryId).toBe(ecr.state.accountId);
    } finally {
      await r.close();
    }
  });

  test('an index: restored while its children are stored; ReferencedImagesNotFoundException once they are gone', async () => {
    const idx = await seedIndex(ecr.url, 'team/gc', 'multi', { auth });
    const recorded = await manifestBytes('team/gc', idx.digest);
    const r = await run();
    try {
      expect((await mutations.deleteTags(r.ctx, { repository: 'team/gc', digest: idx.digest, mediaType: recorded.mediaType, tags: ['multi'], digestGoes: true }))[0]!.outcome).toBe('deleted');
      const entry: RestoreEntry = { repository: 'team/gc', tag: 'multi', digest: idx.digest, mediaType: recorded.mediaType, manifest: recorded.manifest, method: 'x' };
      expect(await mutations.restoreTag(r.ctx, entry)).toMatchObject({ ok: true });
      expect(ecr.state.registry.resolve('team/gc', 'multi')).toBe(idx.digest);
      // Index first, then its (untagged) children: the order ECR insists on.
      await mutations.deleteTags(r.ctx, { repository: 'team/gc', digest: idx.digest, mediaType: recorded.mediaType, tags: ['multi'], digestGoes: true });
      const ecrClientCall = ecr.state.apiCalls.length;
      for (const c of idx.children) ecr.state.registry.setTag('team/gc', `child-${c.digest.slice(7, 15)}`, c.digest);
      for (const c of idx.children) await mutations.deleteTags(r.ctx, { repository: 'team/gc', digest: c.digest, mediaType: null, tags: [`child-${c.digest.slice(7, 15)}`], digestGoes: true });
      expect(ecr.state.apiCalls.length).toBeGreaterThan(ecrClientCall);
      const out = await mutations.restoreTag(r.ctx, entry);
      expect(out).toMatchObject({ ok: false, error: { code: 'ReferencedImagesNotFoundException', hint: expect.stringContaining('children') } });
    } finally {
      await r.close();
    }
  });

  test('an immutable repository: a tag that now points elsewhere is not overwritten by a restore', async () => {
    ecr.state.immutableRepos.add('team/app');
    const digest = await seedImage(ecr.url, 'team/app', 'im1', { auth, labels: { n: 'im' } });
    const recorded = await manifestBytes('team/app', digest);
    const r = await run();
    try {
      expect((await mutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: recorded.mediaType, tags: ['im1'], digestGoes: true }))[0]!.outcome).toBe('deleted');
      const other = ecr.state.registry.addImage('team/app', { tags: ['im1'] }).digest;
      const out = await mutations.restoreTag(r.ctx, { repository: 'team/app', tag: 'im1', digest, mediaType: recorded.mediaType, manifest: recorded.manifest, method: 'x' });
      expect(out).toMatchObject({ ok: false, error: { code: 'ImageTagAlreadyExistsException', hint: expect.stringContaining('immutable') } });
      expect(ecr.state.registry.resolve('team/app', 'im1')).toBe(other);
    } finally {
      ecr.state.immutableRepos.delete('team/app');
      await r.close();
    }
  });

  test('a cancelled run: no BatchDeleteImage is sent, every tag fails as cancelled', async () => {
    const digest = ecr.state.registry.addImage('team/app', { tags: ['x1', 'x2'] }).digest;
    const r = await run();
    try {
      await mutations.deleteTags(r.ctx, { repository: 'team/app', digest: `sha256:${'3'.repeat(64)}`, mediaType: null, tags: ['warm'], digestGoes: true });
      r.controller.abort();
      const before = deletes().length;
      const out = await mutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['x1', 'x2'], digestGoes: true });
      expect(out.map((x) => [x.outcome, x.error?.code])).toEqual([
        ['failed', 'cancelled'],
        ['failed', 'cancelled'],
      ]);
      expect(deletes().length).toBe(before);
      expect(ecr.state.registry.tagsOf('team/app', digest)).toEqual(['x1', 'x2']);
    } finally {
      await r.close();
    }
  });
});

