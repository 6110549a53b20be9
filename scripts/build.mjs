// Builds every bundle into out/: the Electron main process and preload (CommonJS, as Electron's
// sandboxed preload requires), the browser host and the CLI (ESM), and the renderer (vite).
import { build as esbuild } from 'esbuild';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
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
// The CLI's project loading is its own CommonJS bundle: the CLI runs it with V8's code cache
// (electron/cli/compile-cache.ts), which Node 20 offers for scripts, not for ES modules.
const projectLoaderBundle = 'project-loader.cjs';
const cjsBundle = {
  format: 'cjs',
  // The CLI reads these as latin1 (electron/cli/compile-cache.ts): every other character escaped.
  charset: 'ascii',
  define: { 'import.meta.url': '__stowageBundleUrl' },
  banner: { js: "const __stowageBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
};
// shared/go/re2.ts is the one module that reaches the regexp engine; in the project loader it is
// swapped for the on-demand one, which loads out/cli-chunks/re2js.cjs on first use.
const re2Module = resolve(root, 'shared/go/re2');
const re2OnDemand = {
  name: 're2-on-demand',
  setup(b) {
    b.onResolve({ filter: /(^|\/)re2$/ }, (args) =>
      resolve(args.resolveDir, args.path) === re2Module ? { path: resolve(root, 'electron/cli/project-loader/re2-on-demand.ts') } : undefined,
    );
  },
};
const cli = async () => {
  await rm(`${root}/out/cli-chunks`, { recursive: true, force: true });
  return Promise.all([
    esbuild({
      ...common,
      entryPoints: ['electron/cli/project-loader/load-in-bundle.ts'],
      outfile: `out/cli-chunks/${projectLoaderBundle}`,
      plugins: [...common.plugins, re2OnDemand],
      ...cjsBundle,
    }),
    // The regexp engine, loaded by the project loader only when a template uses it.
    esbuild({ ...common, entryPoints: ['re2js'], outfile: 'out/cli-chunks/re2js.cjs', ...cjsBundle }),
    esbuild({
      ...common,
      define: { __STOWAGE_PROJECT_LOADER_BUNDLE__: JSON.stringify(projectLoaderBundle) },
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
