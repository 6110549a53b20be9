// `npm test`: system packages, build, type-check, unit + integration tests (vitest), then the
// end-to-end suite in Debian's Chromium against the browser host.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './system-deps.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}/node_modules/.bin/${name}`;
const step = (title, cmd, args) => {
  console.error(`\n== ${title}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', PLAYWRIGHT_JSON_OUTPUT_NAME: `${results}/playwright.json` } });
  if (result.status !== 0) {
    console.error(`\n== ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  console.error(`== ${title}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
};

// Not test-results/: Playwright empties its output folder when it starts.
const results = `${root}/out/test-reports`;
// A test run must leave the checkout as it found it (screenshots and reports go under out/).
const gitStatus = () => {
  const r = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
};
const statusBefore = gitStatus();
ensureSystemPackages();
step('build', process.execPath, [`${root}/scripts/build.mjs`]);
step('type-check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
mkdirSync(results, { recursive: true }); // after the build, which starts from an empty out/
step('unit and integration tests', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/vitest.json`]);
step('end-to-end tests', bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json']);

// One plain closing line over both runners.
const unit = JSON.parse(readFileSync(`${results}/vitest.json`, 'utf8'));
const e2e = JSON.parse(readFileSync(`${results}/playwright.json`, 'utf8'));
const passed = unit.numPassedTests + (e2e.stats?.expected ?? 0);
const failed = unit.numFailedTests + (e2e.stats?.unexpected ?? 0);
console.log(`\n${passed} passed, ${failed} failed`);
const statusAfter = gitStatus();
if (statusBefore !== null && statusAfter !== statusBefore) {
  const before = new Set(statusBefore.split('\n'));
  const changed = statusAfter.split('\n').filter((l) => l && !before.has(l));
  console.error(`\n== the test run changed the checkout (it must write under out/ only):\n${changed.join('\n')}`);
  process.exit(1);
}
