// The `yaml` package resolves to its CommonJS build under Node (its `exports` "node" condition):
// 72 module wrappers that every bundle evaluates at start-up, whole, since esbuild cannot
// tree-shake CommonJS. Its ES-module build (`browser/`, the same release compiled to ESM, which
// Node 20 runs as is) loads in about half the time (≈ 30 ms against ≈ 65 ms measured on a loaded
// 2-core machine, issue #16's CLI start-up). What differs there is only logging (console.warn for
// process.emitWarning, no LOG_TOKENS/LOG_STREAM debug output) and `!!binary` (Uint8Array via atob
// for a Buffer); the in-process project load silences the library's logging during its steps, as
// the project worker silences its console.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const esmEntry = join(dirname(require.resolve('yaml/package.json')), 'browser', 'index.js');

export const yamlEsm = {
  name: 'yaml-esm',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: esmEntry }));
  },
};
