import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage, seedIndex, startDistribution, type DistributionHandle, type SeededIndex } from '../../../e2e/services/distribution';
import { RegistryAccess } from '../../services/registry-access';
import { UsageError } from '../output';
import { runTags } from './tags';

interface TagJson {
  repository: string;
  tag: string;
  digest: string | null;
  mediaType: string | null;
  size: number | null;
  created?: string;
  image?: string | null;
  labels?: Record<string, string>;
  sharedWith: string[];
  kind: string;
  platforms?: { os: string; architecture: string }[];
}

/**
 * `stowage tags` end to end against a real distribution registry: the documented JSON, JSON lines,
 * the human summary, werf image mapping with a project, and usage errors.
 */
describe('stowage tags', () => {
  let reg: DistributionHandle;
  let home: string;
  let access: RegistryAccess;
  let index: SeededIndex;
  let latest: string;

  beforeAll(async () => {
    reg = await startDistribution();
    home = await mkdtemp(join(tmpdir(), 'stowage-tags-cli-'));
    latest = await seedImage(reg.url, 'shop/backend', 'v1', { labels: { 'werf-image': 'true', 'werf-image-name': 'backend' }, created: '2025-03-01T10:00:00Z' });
    await seedImage(reg.url, 'shop/backend', 'latest', { labels: { 'werf-image': 'true', 'werf-image-name': 'backend' }, created: '2025-03-01T10:00:00Z' });
    await seedImage(reg.url, 'shop/backend', 'v2', { created: '2025-04-01T10:00:00Z' });
    index = await seedIndex(reg.url, 'shop/frontend', 'multi');
    access = new RegistryAccess({ settingsDir: join(home, 'settings'), environment: {}, homeDir: home });
    await access.settings.save({ registry: reg.host, plainHttp: true });
  });
  afterAll(async () => {
    await reg?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('--json: every tag with digest, size, created, labels and the digests it shares', async () => {
    const out = await runTags({ json: true }, [`${reg.host}/shop/backend`], access);
    expect(out.code).toBe(0);
    const body = JSON.parse(out.stdout) as { repository: string; tags: TagJson[] };
    expect(body.repository).toBe(`${reg.host}/shop/backend`);
    expect(body.tags.map((t) => t.tag)).toEqual(['latest', 'v1', 'v2']);
    const v1 = body.tags.find((t) => t.tag === 'v1')!;
    expect(v1).toMatchObject({ repository: 'shop/backend', digest: latest, kind: 'image', created: '2025-03-01T10:00:00.000Z', sharedWith: ['latest'] });
    expect(v1.labels?.['werf-image-name']).toBe('backend');
    expect(v1.size).toBeGreaterThan(0);
    expect(v1.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(body.tags.find((t) => t.tag === 'v2')!.sharedWith).toEqual([]);
  });

  it('an index is listed with its platform children', async () => {
    const out = await runTags({ jsonl: true }, [`${reg.host}/shop/frontend`], access);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as TagJson);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ tag: 'multi', digest: index.digest, kind: 'index' });
    expect(lines[0]!.platforms?.map((p) => `${p.os}/${p.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('with a project, tags map to its werf images (multirepo); a missing image repository is a warning', async () => {
    const project = join(__dirname, '../../../e2e/fixtures/projects/shop');
    const out = await runTags({ json: true, project, 'no-config': true }, [`${reg.host}/shop`], access);
    const body = JSON.parse(out.stdout) as { tags: TagJson[]; warnings: string[] };
    expect(out.code).toBe(0);
    expect(new Set(body.tags.map((t) => `${t.image}:${t.tag}`))).toEqual(new Set(['backend:latest', 'backend:v1', 'backend:v2', 'frontend:multi']));
    expect(body.tags.every((t) => t.created === undefined)).toBe(true);
    expect(body.warnings.join('\n')).toContain('shop/worker');
  });

  it('--image with a project lists that image only', async () => {
    const project = join(__dirname, '../../../e2e/fixtures/projects/shop');
    const out = await runTags({ json: true, project, image: 'frontend', 'no-config': true }, [`${reg.host}/shop`], access);
    expect(out.code).toBe(0);
    const body = JSON.parse(out.stdout) as { repositories: string[]; tags: TagJson[] };
    expect(body.repositories).toEqual(['shop/frontend']);
    expect(body.tags.map((t) => `${t.image}:${t.tag}`)).toEqual(['frontend:multi']);
  });

  it('a project without werf.yaml is bad usage (exit 2 through the CLI), not an empty listing', async () => {
    await expect(runTags({ json: true, project: home }, [`${reg.host}/shop`], access)).rejects.toMatchObject({ code: 'no-werf-config' });
  });

  it('human output sums the listing up; --concurrency is accepted and checked', async () => {
    const out = await runTags({ concurrency: '1' }, [`${reg.host}/shop/backend`], access);
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toMatch(new RegExp(`^${reg.host.replace('.', '\\.')}/shop/backend: 3 tags, 2 distinct manifests`));
    expect(out.stdout).toContain('shares digest with');
    await expect(runTags({ concurrency: '0' }, [`${reg.host}/shop/backend`], access)).rejects.toBeInstanceOf(UsageError);
    await expect(runTags({ concurrency: 'many' }, [`${reg.host}/shop/backend`], access)).rejects.toThrow(/--concurrency/);
    await expect(runTags({ implementation: 'nexus' }, [`${reg.host}/shop/backend`], access)).rejects.toBeInstanceOf(UsageError);
  });
});
