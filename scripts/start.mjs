// `npm start [-- <project-dir>]`: opens Stowage in Electron, or, where Electron's binary is missing
// and cannot be downloaded, serves the same app to a browser on loopback and prints its address.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

const build = spawnSync(process.execPath, [`${root}/scripts/build.mjs`], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

function electronBinary() {
  // Requiring the electron package downloads its binary on first use (Electron's own installer,
  // skipped at `npm ci` by .npmrc). Offline it fails at once and we fall back to the browser host.
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function ensureElectron() {
  return process.env.STOWAGE_HOST === 'browser' ? null : electronBinary();
}

function startBrowserHost(reason) {
  if (reason) console.error(`stowage: ${reason}; starting the browser host instead.`);
  const child = spawn(process.execPath, [`${root}/out/browser-host.mjs`, ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

const electron = ensureElectron();
if (!electron) {
  startBrowserHost(process.env.STOWAGE_HOST === 'browser' ? null : 'the Electron binary is not available on this machine');
} else {
  const started = Date.now();
  const child = spawn(electron, [`${root}/out/electron/main.cjs`, ...args], { stdio: 'inherit' });
  child.on('error', (error) => startBrowserHost(`Electron could not start (${error.message})`));
  child.on('exit', (code) => {
    // A crash within seconds means Electron cannot run here (no display, missing libraries).
    if (code !== 0 && Date.now() - started < 5000) startBrowserHost(`Electron exited with code ${code}`);
    else process.exit(code ?? 0);
  });
}
