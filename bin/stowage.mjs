#!/usr/bin/env node
// `npx stowage …` from a checkout: runs the bundled CLI, building it first if needed.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--cli', '--quiet'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(new URL('../out/cli.mjs', import.meta.url).href);
