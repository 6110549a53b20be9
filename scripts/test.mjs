// `npm test`: system packages, build, type-check, unit + integration tests (vitest), then the
// end-to-end suite in Debian's Chromium against the browser host.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './system-deps.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}/node_modules/.bin/${name}`;
const step = (title, cmd, args) => {
  console.error(`\n== ${title}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
  if (result.status !== 0) {
    console.error(`\n== ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  console.error(`== ${title}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
};

ensureSystemPackages();
step('build', process.execPath, [`${root}/scripts/build.mjs`]);
step('type-check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
step('unit and integration tests', bin('vitest'), ['run']);
step('end-to-end tests', bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts']);
