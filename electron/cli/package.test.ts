import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type DistributionHandle } from '../../e2e/services/distribution';
import { seedImages } from '../../e2e/services/seed';
import { packCli, repoRoot as root, type PackedCli } from './testing/packed-cli';

/**
 * `npm pack` makes the package a CI job installs: only the bundled CLI, nothing to build and no
 * dependency to download. Installed offline into an empty prefix, its `stowage` must work with
 * Node alone.
 */
const SHIPPED = [/^package\.json$/, /^README\.md$/, /^bin\/stowage\.mjs$/, /^out\/cli\.mjs$/, /^out\/project-worker\.mjs$/, /^out\/cli-chunks\/[A-Za-z0-9_-]+\.mjs$/, /^out\/cli-chunks\/(project-loader|re2js)\.cjs$/];

describe('the installable CLI package', () => {
  let cli: PackedCli;
  let files: string[];
  let prefix: string;
  let registry: DistributionHandle;
  const stowage = (...args: string[]) => cli.run(args);

  beforeAll(async () => {
    cli = packCli();
    files = cli.files;
    prefix = cli.prefix;
    cli.install();
    registry = await startDistribution();
    await seedImages(registry.url, 'shop/backend', ['v1', 'v2']);
  }, 180_000);
  afterAll(async () => {
    await registry?.stop();
    cli?.dispose();
  });
  it('ships the bundles and nothing else: no sources, source maps, tests, Electron or renderer bundles', () => {
    expect(files.filter((f) => !SHIPPED.some((re) => re.test(f)))).toEqual([]);
    expect(files).toContain('out/cli.mjs');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    // Everything the CLI runs is bundled: an install downloads nothing.
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('installs from the tarball offline into an empty prefix, and its stowage runs with Node alone', () => {
    const version = stowage('--version');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    expect(existsSync(join(prefix, 'lib/node_modules/stowage/node_modules'))).toBe(false);
  });

  it('previews a project and lists a local registry from the installed package', () => {
    const preview = stowage('preview', join(root, 'e2e/fixtures/projects/shop'), '--images-repo', `${registry.host}/shop`, '--tag-custom', 'v1', '--json');
    expect(preview.stderr).toBe('');
    expect(preview.status).toBe(0);
    expect(preview.stdout).toContain(`${registry.host}/shop/backend:v1`);

    // The project loader and the regexp engine run from the package's own bundles with the code
    // cache: the first run writes it, the next compiles from it (STOWAGE_DEBUG_LOAD says which).
    const cacheDir = join(prefix, 'code-cache');
    const globbing = join(root, 'e2e/fixtures/corpus/real/werf-includes-glob-partials');
    const render = () => cli.run(['render', globbing], { env: { STOWAGE_CODE_CACHE_DIR: cacheDir, STOWAGE_DEBUG_LOAD: '1' } });
    const first = render();
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('project loader compiled from-source');
    expect(readdirSync(cacheDir).sort()).toEqual([expect.stringMatching(/^project-loader\.cjs-.*\.v8cache$/), expect.stringMatching(/^re2js\.cjs-.*\.v8cache$/)]);
    const second = render();
    expect(second.stderr).toContain('project loader compiled from-cache');
    expect(second.stdout).toBe(first.stdout);
    // The glob found both partials (re2js matched the pattern).
    expect(second.stdout).toMatch(/^image: backend$/m);
    expect(second.stdout).toMatch(/^image: frontend$/m);

    const tags = stowage('tags', `${registry.host}/shop/backend`, '--json');
    expect(tags.status).toBe(0);
    const body = JSON.parse(tags.stdout) as { tags: { tag: string; digest: string }[] };
    expect(body.tags.map((t) => t.tag).sort()).toEqual(['v1', 'v2']);
  });
});
