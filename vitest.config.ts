import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The bundles ship yaml's ES-module build (scripts/yaml-esm.mjs); the tests run the same build.
const yamlEsm = join(dirname(createRequire(import.meta.url).resolve('yaml/package.json')), 'browser', 'index.js');

export default defineConfig({
  resolve: { alias: [{ find: /^yaml$/, replacement: yamlEsm }] },
  test: {
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'e2e/services/**/*.test.ts', 'e2e/emulators/**/*.test.ts', 'e2e/robustness/**/*.test.ts', 'e2e/oracle/**/*.test.ts'],
    // Bundles the project worker (worker threads need JavaScript, the tests run TypeScript).
    globalSetup: ['electron/services/project/worker/vitest-global-setup.ts'],
    environment: 'node',
    // Stylesheets load as written (the theme test reads them through Vite's raw imports).
    css: { include: [/\.css/] },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
