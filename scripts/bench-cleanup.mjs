// `npm run bench:cleanup`: the cleanup planner at scale, then a 1,000-tag cleanup run on a local
// docker-registry against a minimal keep-alive client sending the same requests (e2e/bench/main.ts
// with STOWAGE_BENCH=cleanup; no app build needed).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensureSystemPackages } from './system-deps.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
ensureSystemPackages(['docker-registry']);
await build({
  absWorkingDir: root,
  entryPoints: ['e2e/bench/main.ts'],
  outfile: 'out/bench-cleanup.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" },
});
const run = spawnSync(process.execPath, [`${root}/out/bench-cleanup.mjs`, root], { stdio: 'inherit', env: { ...process.env, STOWAGE_BENCH: 'cleanup' } });
process.exit(run.status ?? 1);
