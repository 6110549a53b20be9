// Builds every bundle into out/: the Electron main process and preload (CommonJS, as Electron's
// sandboxed preload requires), the browser host and the CLI (ESM), and the renderer (vite).
import { build as esbuild } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { preloadBundleProblems, preloadOptions } from './preload-bundle.mjs';
import { optionalNative, ssh2OnDemand } from './ssh2-on-demand.mjs';
import { yamlEsm } from './yaml-esm.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.includes('--cli') ? 'cli' : process.argv.includes('--node') ? 'node' : 'all';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', absWorkingDir: root, external: optionalNative, plugins: [ssh2OnDemand, yamlEsm] };
const esmBanner = { js: "import { createRequire as __stowageCreateRequire } from 'node:module'; const require = __stowageCreateRequire(import.meta.url);" };

// The project worker renders and parses a project off the main event loop (worker_threads); the
// CLI, the browser host and Electron's main process all start it from out/project-worker.mjs.
const projectWorker = (outfile = 'out/project-worker.mjs') =>
  esbuild({ ...common, entryPoints: ['electron/services/project/worker/project-worker.ts'], outfile, format: 'esm', banner: esmBanner });

// Split into chunks so each CLI command loads only the code it imports on demand (start-up).
// Chunk names carry a hash: without emptying the folder, `npm pack` would ship every older build's chunks.
const cli = async () => {
  await rm(`${root}/out/cli-chunks`, { recursive: true, force: true });
  return Promise.all([
    esbuild({
      ...common,
      entryPoints: { cli: 'electron/cli/bin.ts' },
      outdir: 'out',
      entryNames: '[name]',
      chunkNames: 'cli-chunks/[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      splitting: true,
      format: 'esm',
      banner: esmBanner,
    }),
    projectWorker(),
  ]);
};

async function node() {
  await Promise.all([
    cli(),
    esbuild({ ...common, entryPoints: ['electron/hosts/browser-main.ts'], outfile: 'out/browser-host.mjs', format: 'esm', banner: esmBanner }),
    esbuild({
      ...common,
      entryPoints: ['electron/shell/main.ts'],
      outfile: 'out/electron/main.cjs',
      format: 'cjs',
      external: ['electron', ...optionalNative],
      define: { 'import.meta.url': '__stowageMainUrl' },
      banner: { js: "const __stowageMainUrl = require('node:url').pathToFileURL(__filename).href;" },
    }),
    preload(),
  ]);
}

async function preload() {
  const { metafile } = await esbuild({ ...preloadOptions, absWorkingDir: root, outfile: 'out/electron/preload.cjs' });
  const problems = preloadBundleProblems(metafile);
  if (problems.length > 0) throw new Error(`stowage: refusing the preload bundle: ${problems.join('; ')}`);
}

async function renderer() {
  const { build } = await import('vite');
  await build({ configFile: `${root}/vite.config.ts`, logLevel: 'warn' });
}

const started = Date.now();
if (only === 'cli') {
  await cli();
} else {
  if (only === 'all') await rm(`${root}/out`, { recursive: true, force: true });
  await node();
  if (only === 'all') await renderer();
}
if (!process.argv.includes('--quiet')) console.error(`stowage: built ${only} in ${Date.now() - started} ms`);
