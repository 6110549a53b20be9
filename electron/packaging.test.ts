import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { minimatch } from 'minimatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * What `npm run dist` puts into the app's archive: electron-builder.yml's `files` globs resolved
 * against a fresh build (the asar itself needs Electron's binary, which cannot be downloaded here),
 * plus the check that those bundles load no package from node_modules — so leaving node_modules out
 * of the archive loses nothing.
 */
const root = resolve(import.meta.dirname, '..');
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as { files: string[]; asarUnpack?: string[]; linux: Record<string, unknown> };
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown> & { scripts: Record<string, string> };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [relative(root, path)];
  });
}

/** electron-builder's rule: a path is packaged when it matches the last non-negated pattern and no later negation. */
function packaged(files: string[]): string[] {
  return files.filter((file) => {
    let included = false;
    for (const pattern of config.files) {
      if (pattern.startsWith('!')) {
        if (minimatch(file, pattern.slice(1), { dot: true })) included = false;
      } else if (minimatch(file, pattern, { dot: true })) included = true;
    }
    return included;
  });
}

const PACKAGE_NAME = /^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*(\/[^"]*)?$/;

/** Packages a bundle requires at run time (Node's own modules and Electron excepted). */
function packagesRequired(bundle: string): string[] {
  const text = readFileSync(join(root, bundle), 'utf8');
  const names = [...text.matchAll(/\b(?:require|import)\("([^"]+)"\)|^import\b[^;\n]*\bfrom\s*"([^"]+)"/gm)].map((m) => (m[1] ?? m[2])!).filter((n) => PACKAGE_NAME.test(n));
  return [...new Set(names.filter((n) => !n.startsWith('node:') && !builtinModules.includes(n) && n !== 'electron'))].sort();
}

// Optional requires inside try/catch in bundled libraries (ws's native speed-ups, node-fetch's
// legacy encodings, the AWS SDK's CRT signer): absent, the library takes its pure-JS path.
const OPTIONAL = ['@aws-sdk/signature-v4-crt', 'bufferutil', 'encoding', 'utf-8-validate'];

describe('the desktop package', () => {
  let candidates: string[];
  beforeAll(() => {
    if (!existsSync(join(root, 'out/electron/main.cjs')) || !existsSync(join(root, 'out/renderer/index.html'))) {
      execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
    }
    // Everything a build and a test run leave in out/ (CLI, browser host, reports, benches, maps).
    candidates = [...walk(join(root, 'out')), 'package.json', 'README.md', 'electron/shell/main.ts', 'node_modules/yaml/package.json'];
  }, 180_000);

  it('holds the Electron main, the preload, the project worker and the renderer, and nothing else', () => {
    const files = packaged(candidates);
    const unexpected = files.filter((f) => !/^(out\/electron\/(main|preload)\.cjs|out\/project-worker\.mjs|out\/renderer\/.+\.(html|js|css|svg|png|woff2)|package\.json)$/.test(f));
    expect(unexpected).toEqual([]);
    for (const needed of ['out/electron/main.cjs', 'out/electron/preload.cjs', 'out/project-worker.mjs', 'out/renderer/index.html']) expect(files).toContain(needed);
    expect(files.some((f) => f.endsWith('.map') || f.includes('cli') || f.includes('browser-host') || f.includes('test-'))).toBe(false);
  });

  it('copies no node_modules: every runtime library is bundled, and the bundles require none', () => {
    expect(manifest.dependencies ?? {}).toEqual({});
    for (const bundle of ['out/electron/main.cjs', 'out/electron/preload.cjs', 'out/project-worker.mjs']) {
      expect(packagesRequired(bundle).filter((p) => !OPTIONAL.includes(p)), bundle).toEqual([]);
    }
  });

  it('builds before it packages, with a stable AppImage toolset, an icon set and `stowage %U` in the desktop file', () => {
    expect(manifest.scripts.dist).toMatch(/^node scripts\/build\.mjs && electron-builder /);
    expect((config as Record<string, unknown>).toolsets).toBeUndefined();
    expect(config.linux).toMatchObject({ icon: 'build/icons', executableName: 'stowage', desktop: { entry: { Exec: 'stowage %U' } } });
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      const png = readFileSync(join(root, `build/icons/${size}x${size}.png`));
      // PNG signature, then the IHDR width and height.
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    expect(config.asarUnpack).toEqual(['out/project-worker.mjs']);
  });
});
