import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Test-only: the CLI as a CI job gets it — `npm pack`, then installed offline into an empty prefix. */
export interface PackedCli {
  root: string;
  work: string;
  /** The tarball `npm pack` made. */
  tarball: string;
  /** Paths inside the tarball. */
  files: string[];
  /** An empty npm prefix (`npm install --global --prefix` target); `install()` fills it. */
  prefix: string;
  install(): void;
  run(args: string[], opts?: { cwd?: string; env?: Record<string, string> }): SpawnSyncReturns<string>;
  dispose(): void;
}

export const repoRoot = resolve(import.meta.dirname, '../../..');

export function packCli(): PackedCli {
  const work = mkdtempSync(join(tmpdir(), 'stowage-pack-'));
  const prefix = join(work, 'prefix');
  if (!existsSync(join(repoRoot, 'out/cli.mjs'))) execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--cli', '--quiet'], { cwd: repoRoot });
  // The bundles exist already (npm test builds first); `prepack` would rebuild them.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
  const tarball = join(work, packed[0]!.filename);
  return {
    root: repoRoot,
    work,
    tarball,
    files: packed[0]!.files.map((f) => f.path),
    prefix,
    install() {
      execFileSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: work, encoding: 'utf8' });
    },
    run(args, opts = {}) {
      return spawnSync(join(prefix, 'bin/stowage'), args, {
        encoding: 'utf8',
        cwd: opts.cwd ?? work,
        env: { PATH: `${prefix}/bin:${process.env.PATH}`, HOME: work, STOWAGE_HOME: join(work, 'settings'), ...opts.env },
      });
    },
    dispose() {
      rmSync(work, { recursive: true, force: true });
    },
  };
}
