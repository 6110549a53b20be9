import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('the desktop app starts sandboxed, opens the folder it was given and shows its images', async () => {
  // Requiring the electron package resolves its binary (downloaded by its installer where allowed).
  const executablePath = createRequire(import.meta.url)('electron') as unknown as string;
  const app = await electron.launch({
    executablePath,
    args: [join(repoRoot, 'out/electron/main.cjs'), join(repoRoot, 'e2e/fixtures/projects/shop')],
    env: { ...process.env, STOWAGE_HOME: mkdtempSync(join(tmpdir(), 'stowage-electron-')) },
  });
  try {
    const window = await app.firstWindow();
    expect(window.url()).toBe('stowage://app/index.html');
    await expect(window.getByText('backend', { exact: true }).first()).toBeVisible();
    // The renderer has no Node: no require, no process, only the bridge.
    expect(await window.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process, Object.keys((globalThis as unknown as { stowage: object }).stowage).sort().join(',')])).toEqual([
      'undefined',
      'undefined',
      'call,cancel,onMessage',
    ]);
  } finally {
    await app.close();
  }
});
