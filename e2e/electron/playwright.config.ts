import { defineConfig } from '@playwright/test';

/**
 * `npm run test:electron`: the desktop shell itself, where Electron's binary exists (a developer
 * machine; not these CI machines, which cannot download it). Not part of `npm test`.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  outputDir: '../../out/test-results-electron',
});
