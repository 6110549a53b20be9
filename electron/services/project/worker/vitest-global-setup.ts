// Vitest runs the services from source, but a worker thread needs JavaScript: the project worker is
// bundled once per test run (≈0.3 s) into out/vitest/ and found through STOWAGE_PROJECT_WORKER, so
// tests never pick up a stale out/project-worker.mjs from an earlier build.
import { build } from 'esbuild';
import { resolve } from 'node:path';

export default async function setup(): Promise<void> {
  const root = resolve(__dirname, '../../../..');
  const outfile = resolve(root, 'out/vitest/project-worker.mjs');
  await build({
    absWorkingDir: root,
    entryPoints: ['electron/services/project/worker/project-worker.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'inline',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __stowageCreateRequire } from 'node:module'; const require = __stowageCreateRequire(import.meta.url);" },
  });
  process.env.STOWAGE_PROJECT_WORKER = outfile;
}
