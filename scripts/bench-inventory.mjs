// `npm run bench:inventory`: builds e2e/bench/inventory-bench.ts and runs it against a local
// docker-registry. skopeo (for the comparison) is installed with apt-get when missing and this
// runs as root (or with passwordless sudo); otherwise that comparison is skipped and says why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensureSystemPackages } from './system-deps.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
ensureSystemPackages(['docker-registry']);
let skopeoSkip = '';
if (!existsSync('/usr/bin/skopeo')) {
  try {
    ensureSystemPackages(['skopeo']);
  } catch (error) {
    skopeoSkip = `skopeo is not installed and could not be installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}
await build({
  absWorkingDir: root,
  entryPoints: ['e2e/bench/inventory-bench.ts'],
  outfile: 'out/bench-inventory.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" },
});
const run = spawnSync(process.execPath, [`${root}/out/bench-inventory.mjs`], {
  stdio: 'inherit',
  env: { ...process.env, ...(skopeoSkip ? { STOWAGE_BENCH_SKOPEO_SKIP: skopeoSkip } : {}) },
});
process.exit(run.status ?? 1);
