import {
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutImageCommand,
  paginateDescribeImages,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChallenge } from '../services/challenge';
import { seedImage, seedIndex } from '../services/distribution';
import { ACCEPT_ALL, RegistryClient } from '../services/registry-client';
import { ECR_DEFAULT_KEYS, startEcrEmulator, type EcrEmulator, type EcrKey } from './ecr';

const [FULL, POWER, READ] = ECR_DEFAULT_KEYS;

function client(emu: EcrEmulator, key: Pick<EcrKey, 'accessKeyId' | 'secretAccessKey'>): ECRClient {
  return new ECRClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    maxAttempts: 3,
  });
}

async function registryPassword(emu: EcrEmulator, key: EcrKey): Promise<{ username: string; password: string; expiresAt: Date | undefined; proxyEndpoint: string | undefined }> {
  const out = await client(emu, key).send(new GetAuthorizationTokenCommand({}));
  const data = out.authorizationData?.[0];
  const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
  const [username, password] = [decoded.slice(0, decoded.indexOf(':')), decoded.slice(decoded.indexOf(':') + 1)];
  return { username, password, expiresAt: data?.expiresAt, proxyEndpoint: data?.proxyEndpoint };
}

async function sdkError(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the SDK call to fail');
}

describe('ECR emulator through @aws-sdk/client-ecr', () => {
  let emu: EcrEmulator;
  let appDigest: string;
  beforeAll(async () => {
    emu = await startEcrEmulator({ repositories: ['team/app', 'team/multi'] });
    const auth = await registryPassword(emu, POWER);
    appDigest = await seedImage(emu.url, 'team/app', 'v1', { auth });
    await seedImage(emu.url, 'team/app', 'v2', { auth });
    await seedImage(emu.url, 'team/app', 'v3', { auth, labels: { v: '3' } });
  });
  afterAll(() => emu?.stop());

  test('GetAuthorizationToken gives AWS:<password> for /v2, valid for 12 h', async () => {
    const auth = await registryPassword(emu, READ);
    expect(auth.username).toBe('AWS');
    expect(auth.proxyEndpoint).toBe(emu.url);
    const hours = ((auth.expiresAt?.getTime() ?? 0) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    const tags = await new RegistryClient(emu.url, { auth }).json<{ tags: string[] }>('GET', '/v2/team/app/tags/list');
    expect(tags.status).toBe(200);
    expect(tags.body.tags).toEqual(['v1', 'v2', 'v3']);
  });

  test('/v2 answers a Basic challenge without or with a bad password', async () => {
    const res = await fetch(`${emu.url}/v2/`);
    expect(res.status).toBe(401);
    expect(findChallenge(res.headers.get('www-authenticate'), 'basic')?.params).toEqual({ realm: `${emu.url}/`, service: 'ecr.amazonaws.com' });
    const bad = await new RegistryClient(emu.url, { auth: { username: 'AWS', password: 'forged' } }).request('GET', '/v2/');
    expect(bad.status).toBe(401);
  });

  test('read-only keys cannot push; pushing needs an existing repository', async () => {
    const read = await registryPassword(emu, READ);
    await expect(seedImage(emu.url, 'team/app', 'nope', { auth: read, labels: { n: '1' } })).rejects.toThrow(/403/);
    const power = await registryPassword(emu, POWER);
    await expect(seedImage(emu.url, 'not/created', 'v1', { auth: power })).rejects.toThrow(/NAME_UNKNOWN|404/);
  });

  test('unknown access keys and wrong secrets are refused', async () => {
    const unknown = await sdkError(client(emu, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new DescribeRepositoriesCommand({})));
    expect(unknown).toMatchObject({ name: 'UnrecognizedClientException', status: 400 });
    const wrongSecret = await sdkError(client(emu, { accessKeyId: FULL.accessKeyId, secretAccessKey: 'not-the-secret' }).send(new DescribeRepositoriesCommand({})));
    expect(wrongSecret.name).toBe('InvalidSignatureException');
    const recorded = emu.requests().filter((r) => r.method === 'POST' && r.path === '/');
    expect(recorded.length).toBeGreaterThan(0);
    for (const r of recorded) {
      expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIA[A-Z0-9]+\/\d{8}\/us-east-1\/ecr\/aws4_request, Signature=\*\*\*$/);
      expect(r.headers['x-amz-target']).toMatch(/^AmazonEC2ContainerRegistry_V20150921\./);
    }
  });

  test('DescribeRepositories and CreateRepository', async () => {
    const out = await client(emu, READ).send(new DescribeRepositoriesCommand({}));
    expect(out.repositories?.map((r) => r.repositoryName)).toEqual(['team/app', 'team/multi']);
    expect(out.repositories?.[0].repositoryUri).toBe(`${emu.host}/team/app`);
    expect(out.repositories?.[0].createdAt).toBeInstanceOf(Date);
    const missing = await sdkError(client(emu, READ).send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })));
    expect(missing.name).toBe('RepositoryNotFoundException');
    const denied = await sdkError(client(emu, POWER).send(new CreateRepositoryCommand({ repositoryName: 'x/y' })));
    expect(denied.name).toBe('AccessDeniedException');
    await client(emu, FULL).send(new CreateRepositoryCommand({ repositoryName: 'created/by-sdk' }));
    const again = await sdkError(client(emu, FULL).send(new CreateRepositoryCommand({ repositoryName: 'created/by-sdk' })));
    expect(again.name).toBe('RepositoryAlreadyExistsException');
  });

  test('DescribeImages shows pushed images with tags, size and push time', async () => {
    const out = await client(emu, READ).send(new DescribeImagesCommand({ repositoryName: 'team/app' }));
    const byDigest = new Map(out.imageDetails?.map((d) => [d.imageDigest, d]));
    const shared = byDigest.get(appDigest);
    expect(shared?.imageTags).toEqual(['v1', 'v2']);
    expect(shared?.imagePushedAt).toBeInstanceOf(Date);
    expect(shared?.imageSizeInBytes).toBeGreaterThan(100);
    expect(shared?.imageManifestMediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const one = await client(emu, READ).send(new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v3' }] }));
    expect(one.imageDetails?.[0].imageTags).toEqual(['v3']);
    const none = await sdkError(client(emu, READ).send(new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'nope' }] })));
    expect(none.name).toBe('ImageNotFoundException');
    const noRepo = await sdkError(client(emu, READ).send(new DescribeImagesCommand({ repositoryName: 'nope' })));
    expect(noRepo.name).toBe('RepositoryNotFoundException');
  });

  test('DescribeImages and ListImages paginate with nextToken', async () => {
    emu.state.registry.ensureRepo('big/repo');
    for (let i = 0; i < 250; i++) {
      emu.state.registry.addImage('big/repo', { tags: [`t${i}`], pushedAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000) });
    }
    emu.state.registry.addImage('big/repo', { tags: [] });
    const c = client(emu, READ);
    const pages: ImageDetail[][] = [];
    for await (const page of paginateDescribeImages({ client: c, pageSize: 100 }, { repositoryName: 'big/repo' })) pages.push(page.imageDetails ?? []);
    expect(pages.map((p) => p.length)).toEqual([100, 100, 51]);
    expect(new Set(pages.flat().map((d) => d.imageDigest)).size).toBe(251);

    const untagged = await c.send(new DescribeImagesCommand({ repositoryName: 'big/repo', filter: { tagStatus: 'UNTAGGED' } }));
    expect(untagged.imageDetails).toHaveLength(1);
    const list = await c.send(new ListImagesCommand({ repositoryName: 'big/repo', maxResults: 1000, filter: { tagStatus: 'TAGGED' } }));
    expect(list.imageIds).toHaveLength(250);
    expect(list.nextToken).toBeUndefined();
    const bad = await sdkError(c.send(new ListImagesCommand({ repositoryName: 'big/repo', nextToken: 'garbage' })));
    expect(bad.name).toBe('InvalidParameterException');
  });

  test('BatchDeleteImage: keys without ecr:BatchDeleteImage get AccessDeniedException, even for unknown tags', async () => {
    for (const key of [READ, POWER]) {
      const err = await sdkError(client(emu, key).send(new BatchDeleteImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'stowage-probe-does-not-exist' }] })));
      expect(err).toMatchObject({ name: 'AccessDeniedException', status: 400 });
      expect(err.message).toContain('ecr:BatchDeleteImage');
    }
  });

  test('BatchDeleteImage probe: an unknown tag is a failure, nothing is deleted', async () => {
    const before = emu.state.registry.listTags('team/app');
    const out = await client(emu, FULL).send(new BatchDeleteImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'stowage-probe-does-not-exist' }] }));
    expect(out.imageIds).toEqual([]);
    expect(out.failures).toEqual([{ imageId: { imageTag: 'stowage-probe-does-not-exist' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
    expect(emu.state.registry.listTags('team/app')).toEqual(before);
  });

  test('BatchDeleteImage removes a tag, then the image with its last tag, and reports bad ids', async () => {
    const c = client(emu, FULL);
    const first = await c.send(new BatchDeleteImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }, { imageDigest: 'sha256:bad' }, {}] }));
    expect(first.imageIds).toEqual([{ imageDigest: appDigest, imageTag: 'v1' }]);
    expect(first.failures?.map((f) => f.failureCode)).toEqual(['InvalidImageDigest', 'MissingDigestAndTag']);
    expect(emu.state.registry.manifest('team/app', appDigest)).toBeDefined();

    const mismatch = await c.send(new BatchDeleteImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v3', imageDigest: appDigest }] }));
    expect(mismatch.failures?.[0].failureCode).toBe('ImageTagDoesNotMatchDigest');

    await c.send(new BatchDeleteImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v2' }] }));
    expect(emu.state.registry.manifest('team/app', appDigest)).toBeUndefined();
    const auth = await registryPassword(emu, READ);
    const head = await new RegistryClient(emu.url, { auth }).request('HEAD', `/v2/team/app/manifests/${appDigest}`, { headers: { accept: ACCEPT_ALL } });
    expect(head.status).toBe(404);
  });

  test('an index child cannot be deleted before its index', async () => {
    const power = await registryPassword(emu, POWER);
    const idx = await seedIndex(emu.url, 'team/multi', 'v1', { auth: power });
    const c = client(emu, FULL);
    const child = await c.send(new BatchDeleteImageCommand({ repositoryName: 'team/multi', imageIds: [{ imageDigest: idx.children[0].digest }] }));
    expect(child.failures?.[0].failureCode).toBe('ImageReferencedByManifestList');
    const whole = await c.send(new BatchDeleteImageCommand({ repositoryName: 'team/multi', imageIds: [{ imageDigest: idx.digest }] }));
    expect(whole.imageIds).toEqual([{ imageDigest: idx.digest, imageTag: 'v1' }]);
    const nowChild = await c.send(new BatchDeleteImageCommand({ repositoryName: 'team/multi', imageIds: [{ imageDigest: idx.children[0].digest }] }));
    expect(nowChild.imageIds).toEqual([{ imageDigest: idx.children[0].digest }]);
  });

  test('ThrottlingException is retried by the SDK', async () => {
    emu.state.throttleNext = 1;
    const before = emu.requests().length;
    const out = await client(emu, READ).send(new DescribeRepositoriesCommand({}));
    expect(out.repositories?.length).toBeGreaterThan(0);
    expect(emu.requests().length - before).toBe(2);
  });

  test('PutImage re-creates a deleted image from its manifest while the blobs are stored; same tag twice is ImageAlreadyExistsException', async () => {
    const power = await registryPassword(emu, POWER);
    const digest = await seedImage(emu.url, 'team/app', 'put1', { auth: power, labels: { v: 'put' } });
    const got = await new RegistryClient(emu.url, { auth: power }).request('GET', `/v2/team/app/manifests/${digest}`, { headers: { accept: ACCEPT_ALL } });
    const manifest = Buffer.from(await got.arrayBuffer()).toString('utf8');
    const mediaType = got.headers.get('content-type') ?? '';
    await client(emu, FULL).send(new BatchDeleteImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'put1' }] }));
    expect(emu.state.registry.manifest('team/app', digest)).toBeUndefined();
    const denied = await sdkError(client(emu, READ).send(new PutImageCommand({ repositoryName: 'team/app', imageManifest: manifest, imageManifestMediaType: mediaType, imageTag: 'put1' })));
    expect(denied.name).toBe('AccessDeniedException');
    const out = await client(emu, POWER).send(new PutImageCommand({ repositoryName: 'team/app', imageManifest: manifest, imageManifestMediaType: mediaType, imageTag: 'put1', imageDigest: digest }));
    expect(out.image?.imageId).toEqual({ imageDigest: digest, imageTag: 'put1' });
    expect(emu.state.registry.resolve('team/app', 'put1')).toBe(digest);
    const head = await new RegistryClient(emu.url, { auth: power }).request('HEAD', '/v2/team/app/manifests/put1', { headers: { accept: ACCEPT_ALL } });
    expect(head.headers.get('docker-content-digest')).toBe(digest);
    expect((await sdkError(client(emu, POWER).send(new PutImageCommand({ repositoryName: 'team/app', imageManifest: manifest, imageTag: 'put1' })))).name).toBe('ImageAlreadyExistsException');
    expect((await sdkError(client(emu, POWER).send(new PutImageCommand({ repositoryName: 'team/app', imageManifest: manifest, imageTag: 'put2', imageDigest: `sha256:${'0'.repeat(64)}` })))).name).toBe(
      'ImageDigestDoesNotMatchException',
    );
    const missingLayers = manifest.replace(/"digest":"sha256:[0-9a-f]{64}"/, `"digest":"sha256:${'9'.repeat(64)}"`);
    expect((await sdkError(client(emu, POWER).send(new PutImageCommand({ repositoryName: 'team/app', imageManifest: missingLayers, imageTag: 'put3' })))).name).toBe('LayersNotFoundException');
  });

  test('archived images: hidden from DescribeImages unless filter.imageStatus asks for them', async () => {
    const cold = emu.state.registry.addImage('team/multi', { tags: ['cold'] }).digest;
    emu.state.archived.set(`team/multi@${cold}`, new Date(Date.UTC(2025, 0, 2)));
    const c = client(emu, READ);
    const plain = await c.send(new DescribeImagesCommand({ repositoryName: 'team/multi' }));
    expect(plain.imageDetails?.some((d) => d.imageDigest === cold)).toBe(false);
    const archived = await c.send(new DescribeImagesCommand({ repositoryName: 'team/multi', filter: { imageStatus: 'ARCHIVED' } }));
    expect(archived.imageDetails?.map((d) => [d.imageDigest, d.imageStatus, d.lastArchivedAt?.toISOString()])).toEqual([[cold, 'ARCHIVED', '2025-01-02T00:00:00.000Z']]);
    const any = await c.send(new DescribeImagesCommand({ repositoryName: 'team/multi', filter: { imageStatus: 'ANY' } }));
    expect(any.imageDetails?.length).toBe((plain.imageDetails?.length ?? 0) + 1);
  });
});
