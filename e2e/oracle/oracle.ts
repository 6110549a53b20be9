/**
 * Builds and runs the Go oracle (main.go beside this file): Go's text/template with sprig and
 * werf's functions. Built offline from Debian's Go packages (golang-go,
 * golang-github-masterminds-sprig-dev, golang-gopkg-yaml.v2-dev; `npm test` installs them) in
 * GOPATH mode: a small GOPATH under out/ links the module paths with a major-version suffix
 * (`github.com/Masterminds/sprig/v3`) to Debian's source folders, and Debian's own GOPATH
 * provides the rest. No module is downloaded. The binary is cached under out/oracle and rebuilt
 * only when main.go changes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Bundled into out/bench.mjs the module no longer sits beside main.go; the repository root is the working directory then.
const BESIDE = dirname(fileURLToPath(import.meta.url));
const HERE = existsSync(join(BESIDE, 'main.go')) ? BESIDE : join(process.cwd(), 'e2e/oracle');
const ROOT = join(HERE, '../..');
const OUT = join(ROOT, 'out/oracle');
const DEBIAN_GOPATH = '/usr/share/gocode';

export interface OracleCase {
  config: string;
  partials?: { name: string; text: string }[];
  files?: Record<string, string>;
  env?: Record<string, string>;
  werfEnv?: string;
  commit?: { hash: string; human: string; unix: string } | null;
  loose?: boolean;
}

export type OracleResult = { ok: true; text: string } | { ok: false; error: string };

function goBinary(): string {
  for (const p of ['/usr/bin/go', '/usr/lib/go/bin/go']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error('the Go oracle needs Go: install the Debian packages golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev (npm test does this)');
}

/** Module folders under Debian's GOPATH, found by their go.mod (a few levels deep is enough). */
function debianModules(): { module: string; dir: string }[] {
  const out: { module: string; dir: string }[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.name === 'go.mod' && e.isFile())) {
      const m = /^module\s+(\S+)/m.exec(readFileSync(join(dir, 'go.mod'), 'utf8'));
      if (m) out.push({ module: m[1]!, dir });
      return;
    }
    if (depth === 0) return;
    for (const e of entries) if (e.isDirectory() || e.isSymbolicLink()) walk(join(dir, e.name), depth - 1);
  };
  walk(join(DEBIAN_GOPATH, 'src'), 4);
  return out;
}

function prepareGopath(): string {
  const gopath = join(OUT, 'gopath');
  rmSync(gopath, { recursive: true, force: true });
  for (const { module, dir } of debianModules()) {
    // Only the paths Debian's folder layout does not already provide.
    if (!/\/v\d+$/.test(module)) continue;
    const link = join(gopath, 'src', module);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(dir, link);
  }
  return gopath;
}

let built: string | null = null;

/** The oracle binary, built on first use. Throws with the reason when it cannot be built. */
export function oracleBinary(): string {
  if (built) return built;
  const source = readFileSync(join(HERE, 'main.go'));
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const bin = join(OUT, `werf-oracle-${hash}`);
  if (existsSync(bin) && statSync(bin).size > 0) return (built = bin);
  mkdirSync(OUT, { recursive: true });
  const go = goBinary();
  if (!existsSync(join(DEBIAN_GOPATH, 'src/github.com/Masterminds/sprig'))) {
    throw new Error('the Go oracle needs sprig: install golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev (npm test does this)');
  }
  const gopath = prepareGopath();
  const r = spawnSync(go, ['build', '-o', bin, join(HERE, 'main.go')], {
    cwd: HERE,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: OUT,
      GO111MODULE: 'off',
      GOPATH: `${gopath}:${DEBIAN_GOPATH}`,
      GOCACHE: join(OUT, 'gocache'),
      GOFLAGS: '',
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
    },
  });
  if (r.status !== 0) throw new Error(`building the Go oracle failed:\n${r.stderr || r.error?.message || ''}`);
  return (built = bin);
}

/** Renders every case in one oracle process. */
export function runOracle(cases: OracleCase[]): OracleResult[] {
  const bin = oracleBinary();
  const r = spawnSync(bin, [], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`the Go oracle failed (exit ${r.status}): ${r.stderr || r.error?.message || ''}`);
  return JSON.parse(r.stdout) as OracleResult[];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(1, `${oracleBinary()}\n`);
}
