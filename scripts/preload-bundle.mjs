// The preload's bundle: its esbuild settings and its budget, shared by the build and its test.
// Electron's sandboxed preload must be one CommonJS file; it carries only the generic bridge
// (call/cancel/onMessage) and the method-name list, so it must not pull in any package (zod made
// it 761 KB once).

/** Far above the bridge's real size (a few KB), far below any bundled library. */
export const PRELOAD_MAX_BYTES = 16 * 1024;

export const preloadOptions = {
  entryPoints: ['electron/shell/preload.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['electron'],
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
};

/** What is wrong with a built preload (empty when nothing is), from esbuild's metafile. */
export function preloadBundleProblems(metafile) {
  const problems = [];
  const packages = Object.keys(metafile.inputs).filter((input) => input.includes('node_modules/'));
  if (packages.length > 0) problems.push(`the preload bundles ${packages.length} module(s) from packages, e.g. ${packages[0]}; import only dependency-free modules (shared/api/names.ts, messages.ts)`);
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (output.bytes > PRELOAD_MAX_BYTES) problems.push(`${file} is ${output.bytes} bytes, over the preload budget of ${PRELOAD_MAX_BYTES}`);
  }
  return problems;
}
