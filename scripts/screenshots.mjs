// `npm run screenshots`: refreshes the README's images in docs/ on purpose. `npm test` takes the
// same screenshots under out/screenshots and leaves the checkout untouched.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, [`${root}/scripts/build.mjs`]);
// Every spec that calls screenshotPath(); the others do not need to run for the images.
const specs = spawnSync('grep', ['-l', 'screenshotPath(', '-r', `${root}/e2e/specs`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
run(`${root}/node_modules/.bin/playwright`, ['test', '-c', 'e2e/playwright.config.ts', ...specs], { STOWAGE_SCREENSHOTS: 'docs' });
