// `npm run bench`: builds the bench bundle and runs it against the built app.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { optionalNative, ssh2OnDemand } from './ssh2-on-demand.mjs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}/out/browser-host.mjs`) || !existsSync(`${root}/out/renderer/index.html`)) {
  const b = spawnSync(process.execPath, [`${root}/scripts/build.mjs`], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
await build({
  absWorkingDir: root,
  entryPoints: ['e2e/bench/main.ts'],
  outfile: 'out/bench.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  // As in scripts/build.mjs: dockerode's ssh2 is loaded from node_modules, only for an ssh:// engine.
  external: optionalNative,
  plugins: [ssh2OnDemand],
  banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" },
});
const run = spawnSync(process.execPath, [`${root}/out/bench.mjs`, root], { stdio: 'inherit' });
process.exit(run.status ?? 1);
