// Issue #14: what Registry access and Final names say is true for the registry on screen.
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { seedImage, startDistribution, type DistributionHandle } from '../services/distribution';
import { copyProject, expect, openProject, screenshotPath, startStowage, stopStowage, test } from '../fixtures/stowage';

const PASSWORD = `pw-${Date.now().toString(36)}-Tq7r`;
let registry: DistributionHandle;

test.beforeAll(async () => {
  registry = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'alice', password: PASSWORD }] } });
  await seedImage(registry.url, 'team/app', 'v1', { auth: { username: 'alice', password: PASSWORD } });
});
test.afterAll(async () => {
  await registry?.stop();
});

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function registryAccess(page: Page, url: string): Promise<void> {
  await openProject(page, url, copyProject('shop'));
  await page.getByRole('tab', { name: 'Registry access' }).click();
}

test('a Test connection result stays with the registry it tested, labelled with it', async ({ page }) => {
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await registryAccess(page, stowage.url);
    const repo = page.getByRole('textbox', { name: 'Images repo', exact: true });
    await repo.fill(`${registry.host}/team/app`);
    const credentials = page.getByRole('region', { name: 'Credentials in use' });
    await credentials.getByLabel('User name').fill('alice');
    await credentials.getByLabel('Password or token').fill(PASSWORD);
    await credentials.getByRole('button', { name: 'Save credentials' }).click();
    await expect(credentials).toContainText('Entered for this session');

    const check = page.getByRole('region', { name: 'Test connection' });
    await check.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('check-verdict')).toContainText('Read access works');
    await expect(page.getByTestId('check-result-label')).toContainText(`Result for ${registry.host}/team/app`);
    await expect(page.getByTestId('check-result-label')).toContainText('user alice');

    // Item 16: a skipped step shows no "0 ms"; a 401 on the passed ping is said to be expected.
    const tls = check.locator('.check-step[data-step="tls"]');
    await expect(tls).toHaveAttribute('data-status', 'skip');
    await expect(tls.locator('.duration')).toHaveCount(0);
    const ping = check.locator('.check-step[data-step="ping"]');
    await expect(ping).toHaveAttribute('data-status', 'pass');
    await expect(ping.getByTestId('check-http')).toHaveText('HTTP 401, as expected: the registry asks to log in');

    // Another registry: no result of the local one under its credentials.
    await repo.fill('quay.io/org/shop');
    await expect(page.getByRole('heading', { name: 'Credentials for quay.io' })).toBeVisible();
    await expect(page.getByTestId('check-result')).toHaveCount(0);
    await expect(page.getByTestId('check-verdict')).toHaveCount(0);
    await expect(page.locator('.registry-panel')).not.toContainText('Read access works');
    // Item 16: Quay's API URL placeholder is Quay's.
    const settings = page.getByRole('region', { name: 'Connection settings' });
    await settings.getByRole('button', { name: /Connection settings/ }).click();
    await expect(settings.getByLabel('API base URL (self-hosted or enterprise)')).toHaveAttribute('placeholder', 'https://quay.example.com');
    await page.screenshot({ path: screenshotPath('truth-registry-other-host.png'), fullPage: true });

    // Back to the local registry: its own result, still labelled with what it tested.
    await repo.fill(`${registry.host}/team/app`);
    await expect(page.getByTestId('check-verdict')).toContainText('Read access works');
    await expect(page.getByTestId('check-result-label')).toContainText(registry.host);

    // A new credential makes the old result a different test: it is gone.
    await credentials.getByLabel('User name').fill('alice');
    await credentials.getByLabel('Password or token').fill(`${PASSWORD}-changed`);
    await credentials.getByRole('button', { name: 'Save credentials' }).click();
    await expect(page.getByTestId('check-result')).toHaveCount(0);

    // Item 16: a refused connection is the connection's failure, not the TLS handshake's.
    const port = await closedPort();
    await repo.fill(`127.0.0.1:${port}/team/app`);
    await check.getByRole('button', { name: 'Test connection' }).click();
    const connect = check.locator('.check-step[data-step="tls"]');
    await expect(connect).toHaveAttribute('data-status', 'fail');
    await expect(connect.locator('.title')).toContainText(`Connect to 127.0.0.1:${port}`);
    await expect(connect.locator('.title')).not.toContainText('TLS handshake');
    await expect(connect).toContainText('ECONNREFUSED');

    for (const [width, height] of [[1024, 700], [1440, 900]] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: screenshotPath(`truth-registry-${width}.png`), fullPage: true });
      // Nothing runs past the window's width.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
  } finally {
    stopStowage(stowage);
  }
});

test('credential storage is described one accurate way, and the file is what it says', async ({ page }) => {
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await registryAccess(page, stowage.url);
    await page.getByRole('textbox', { name: 'Images repo', exact: true }).fill(`${registry.host}/team/app`);
    const credentials = page.getByRole('region', { name: 'Credentials in use' });
    const note = page.getByTestId('storage-note');
    await expect(note).toContainText('Kept in memory only');

    await credentials.getByLabel('Remember after Stowage stops').check();
    await expect(note).toContainText('a file only your user account can read (mode 0600)');
    await expect(note).toContainText('It is not encrypted');
    await credentials.getByLabel('User name').fill('alice');
    await credentials.getByLabel('Password or token').fill(PASSWORD);
    await credentials.getByRole('button', { name: 'Save credentials' }).click();

    const row = credentials.locator('li[data-source="saved"]');
    await expect(row).toContainText('Saved in Stowage');
    await expect(row).toContainText('mode 0600');
    await expect(row).toContainText('not encrypted');
    // Said once: the form no longer repeats the row's sentence, and nothing contradicts it.
    await expect(note).toContainText('Saving again replaces the credential above, kept the same way.');
    const text = await page.locator('.registry-panel').innerText();
    expect(text.match(/mode 0600/g)?.length).toBe(1);
    expect(text).not.toMatch(/saved in stowage saved in stowage/i);
    expect(text).not.toMatch(/stored encrypted/i);
    expect(text).not.toMatch(/memory only/i);
    await page.screenshot({ path: screenshotPath('truth-credential-storage.png'), fullPage: true });

    // The file: mode 0600, the secret in it only base64-encoded (not encrypted, as the sentence says).
    const file = join(stowage.home, 'stowage', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const entry = JSON.parse(readFileSync(file, 'utf8')).entries[0];
    expect(entry.backend).toBe('user-only-file');
    expect(Buffer.from(entry.secret, 'base64').toString('utf8')).toBe(PASSWORD);

    // "Save settings" confirms what it saved.
    const settings = page.getByRole('region', { name: 'Connection settings' });
    await settings.getByRole('button', { name: /Connection settings/ }).click();
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect(settings.getByTestId('settings-saved')).toContainText(`Saved for ${registry.host}`);
    await settings.getByLabel('Parallel requests (1–32)').fill('4');
    await expect(settings.getByTestId('settings-saved')).toHaveCount(0);
  } finally {
    stopStowage(stowage);
  }
});

test('an impossible repo mode shows werf’s reason, not "none" and not a tagging-strategy hint', async ({ page, stowage }) => {
  await openProject(page, stowage.url, copyProject('shop'));
  await page.getByRole('tab', { name: 'Final names' }).click();
  await page.getByRole('textbox', { name: 'Custom tags', exact: true }).fill('v1');
  const repo = page.getByRole('textbox', { name: 'Images repo', exact: true });
  const preview = page.locator('.preview');

  await repo.fill('quay.io/org/shop');
  await page.getByLabel('Repo mode').selectOption('multirepo');
  await expect(page.getByTestId('resolved-mode')).toHaveText('multirepo cannot be used');
  await expect(page.getByTestId('mode-reason')).toContainText('docker registry implementation quay and repo mode multirepo cannot be used with quay.io/org/shop (exclude repository from address or use monorepo repo mode)');
  await expect(page.getByTestId('no-names-reason')).toBeVisible();
  await expect(preview).not.toContainText('Choose at least one tagging strategy');
  await expect(preview).not.toContainText('none (explicit)');
  await page.screenshot({ path: screenshotPath('truth-repo-mode.png') });

  await repo.fill('docker.io/acc');
  await page.getByLabel('Repo mode').selectOption('monorepo');
  await expect(page.getByTestId('resolved-mode')).toHaveText('monorepo cannot be used');
  await expect(page.getByTestId('mode-reason')).toContainText('(add repository to address or use multirepo repo mode)');
  await expect(preview).not.toContainText('Choose at least one tagging strategy');

  // A possible mode still names the images.
  await page.getByLabel('Repo mode').selectOption('auto');
  await expect(page.getByTestId('resolved-mode')).toHaveText('multirepo');
  await expect(page.getByRole('table', { name: 'Final image names' })).toContainText('acc/backend:v1');
});
