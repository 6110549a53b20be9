import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { copyProject, expect, openProject, screenshotPath, startStowage, stopStowage, test, type StowageHost } from '../fixtures/stowage';

/** Stops the host and waits for it to exit, keeping its home (settings folder) for the next start. */
async function stopKeepingHome(host: StowageHost): Promise<void> {
  const exited = new Promise((done) => host.process.once('exit', done));
  host.process.kill('SIGTERM');
  await exited;
}

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test('what was typed for a project, its env overrides, werf version and the theme survive a restart of the host', async ({ page }) => {
  const project = copyProject('platform');
  let stowage = await startStowage();
  const home = stowage.home;
  try {
    await openProject(page, stowage.url, project);
    await expect(page.getByTestId('image-count')).toHaveText('3');
    await expect(page.getByTestId('env-overrides-project')).toHaveCount(0);

    await page.getByRole('tab', { name: 'Final names' }).click();
    await page.getByLabel('Images repo').fill('registry.example.com/platform');
    await page.getByLabel('Implementation').selectOption('harbor');
    await page.getByLabel('Repo mode').selectOption('monorepo');
    await page.getByLabel('Custom tags', { exact: true }).fill('v9, stable');
    await page.getByLabel('Use git branch').uncheck();

    await page.getByRole('tab', { name: 'Rendered' }).click();
    const env = page.getByRole('region', { name: 'Environment variables' });
    await env.getByLabel('SERVICES').fill('api,web,admin');
    await env.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByTestId('image-count')).toHaveText('4');
    await page.getByLabel('werf version').selectOption('1.2');
    await expect(page.getByLabel('werf version')).toHaveValue('1.2');
    await expect(page.getByTestId('env-overrides-project')).toContainText('env overrides active: SERVICES');

    await page.getByLabel('Colour theme').selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

    // The settings folder holds one file per project, written atomically.
    const projects = join(home, 'stowage', 'projects');
    await expect.poll(() => (existsSync(projects) ? readdirSync(projects).filter((f) => f.endsWith('.json')).length : 0)).toBe(1);
    await expect.poll(() => readFileSync(join(projects, readdirSync(projects)[0]!), 'utf8')).toContain('v9, stable');

    // The theme is saved in the app settings; stop the host only once it is on disk.
    const appSettings = join(home, 'stowage', 'app-settings.json');
    await expect.poll(() => (existsSync(appSettings) ? readFileSync(appSettings, 'utf8') : '')).toContain('dark');

    await stopKeepingHome(stowage);
    stowage = await startStowage([], {}, { home });
    await page.goto(stowage.url);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.getByLabel('Colour theme')).toHaveValue('dark');
    await page.getByLabel('Project folder').fill(project);
    await page.keyboard.press('Enter');

    // Opened again with what was remembered: the templates see SERVICES, the werf rules are 1.2's.
    await expect(page.getByTestId('image-count')).toHaveText('4');
    await expect(page.getByTestId('env-overrides-project')).toContainText('SERVICES');
    await page.getByRole('tab', { name: 'Final names' }).click();
    await expect(page.getByLabel('Images repo')).toHaveValue('registry.example.com/platform');
    await expect(page.getByLabel('Implementation')).toHaveValue('harbor');
    await expect(page.getByLabel('Repo mode')).toHaveValue('monorepo');
    await expect(page.getByLabel('Custom tags', { exact: true })).toHaveValue('v9, stable');
    await expect(page.getByLabel('Use git branch')).not.toBeChecked();
    await expect(page.getByTestId('env-overrides-names')).toContainText('SERVICES');
    await expect(page.getByTestId('final-name').first()).toContainText('registry.example.com/platform:');
    await page.getByRole('tab', { name: 'Rendered' }).click();
    await expect(page.getByLabel('werf version')).toHaveValue('1.2');

    // Reset forgets the overrides, and the marker goes.
    await page.getByRole('region', { name: 'Environment variables' }).getByRole('button', { name: 'Reset' }).click();
    await expect(page.getByTestId('image-count')).toHaveText('3');
    await expect(page.getByTestId('env-overrides-project')).toHaveCount(0);
  } finally {
    stopStowage(stowage);
  }
});

for (const viewport of [{ width: 1024, height: 700 }, { width: 1440, height: 900 }]) {
  test(`dark mode follows the system unless pinned; Home/End in the tabs; copy all valid names and the rendered config — ${viewport.width}×${viewport.height}`, async ({ page, context, stowage }) => {
    await page.setViewportSize(viewport);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.emulateMedia({ colorScheme: 'dark' });
    await openProject(page, stowage.url, copyProject('shop'));
    await expect(page.getByTestId('image-count')).toHaveText('3');
    await expect(page.getByLabel('Colour theme')).toHaveValue('system');
    expect(await background(page)).toBe('rgb(17, 21, 28)');

    // Tabs: Home and End jump to the first and last.
    await page.getByRole('tab', { name: 'Images' }).focus();
    await page.keyboard.press('End');
    await expect(page.getByRole('tab', { name: 'Rendered' })).toBeFocused();
    await expect(page.getByRole('tab', { name: 'Rendered' })).toHaveAttribute('aria-selected', 'true');
    await page.getByRole('button', { name: 'Copy rendered werf.yaml' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('image: backend');
    await page.getByRole('tab', { name: 'Rendered' }).press('Home');
    await expect(page.getByRole('tab', { name: 'Images' })).toBeFocused();

    await page.getByRole('tab', { name: 'Final names' }).click();
    await page.getByLabel('Images repo').fill('registry.example.com/shop');
    await page.getByLabel('Repo mode').selectOption('multirepo');
    await page.getByLabel('Custom tags', { exact: true }).fill('latest');
    await page.getByLabel('Use git branch').uncheck();
    await page.getByRole('button', { name: 'Copy all valid final names' }).click();
    const names = (await page.evaluate(() => navigator.clipboard.readText())).split('\n');
    expect(names).toContain('registry.example.com/shop/backend:latest');
    expect(names).toContain('registry.example.com/shop/frontend:latest');
    await expect(page.getByRole('button', { name: 'Copy all valid final names' })).toContainText(`Copy all ${names.length} valid names`);
    await page.screenshot({ path: screenshotPath(`dark-final-names-${viewport.width}.png`) });

    // An address werf refuses: no name is offered for copy.
    await page.getByLabel('Images repo').fill('Registry.Example.com/Shop');
    await expect(page.getByRole('button', { name: 'Copy all valid final names' })).toHaveCount(0);
    await expect(page.getByText('No valid name to copy')).toBeVisible();

    // Pinned light wins over the system's dark; system follows it again.
    await page.getByLabel('Colour theme').selectOption('light');
    expect(await background(page)).toBe('rgb(246, 247, 249)');
    await page.getByLabel('Colour theme').selectOption('system');
    expect(await background(page)).toBe('rgb(17, 21, 28)');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background(page)).toBe('rgb(246, 247, 249)');
  });
}

/**
 * Records the page's background at its first animation frame and at DOMContentLoaded: both come
 * before the host has answered anything (the remembered theme arrives over the WebSocket later).
 */
async function recordStartBackgrounds(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const starts: Record<string, string> = {};
    (window as unknown as { __starts: Record<string, string> }).__starts = starts;
    const read = () => getComputedStyle(document.documentElement).backgroundColor;
    requestAnimationFrame(() => (starts.firstFrame ??= read()));
    document.addEventListener('DOMContentLoaded', () => {
      starts.domContentLoaded = read();
      starts.mounted = String((document.getElementById('root')?.childElementCount ?? 0) > 0);
    });
  });
}
const starts = (page: Page) => page.evaluate(() => (window as unknown as { __starts: Record<string, string> }).__starts);
const LIGHT_BG = 'rgb(246, 247, 249)';
const DARK_BG = 'rgb(17, 21, 28)';

test('a pinned theme is there from the first frame; System still follows the system; the host corrects a stale start', async ({ page, stowage }) => {
  const appSettings = join(stowage.home, 'stowage', 'app-settings.json');
  const saved = (theme: string) => expect.poll(() => (existsSync(appSettings) ? readFileSync(appSettings, 'utf8') : '')).toContain(`"${theme}"`);
  await recordStartBackgrounds(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(stowage.url);
  await expect(page.getByLabel('Colour theme')).toHaveValue('system');
  expect(await background(page)).toBe(DARK_BG);

  // Light pinned on a dark system: the next start is light from its first frame, before the app mounts.
  await page.getByLabel('Colour theme').selectOption('light');
  await saved('light');
  await page.reload();
  await expect(page.getByLabel('Colour theme')).toHaveValue('light');
  const pinned = await starts(page);
  expect(pinned.mounted).toBe('false');
  expect(pinned.domContentLoaded).toBe(LIGHT_BG);
  expect(pinned.firstFrame).toBe(LIGHT_BG);
  expect(await background(page)).toBe(LIGHT_BG);

  // System again: the first frame follows the media query, whichever way it points.
  await page.getByLabel('Colour theme').selectOption('system');
  await saved('system');
  await page.reload();
  await expect(page.getByLabel('Colour theme')).toHaveValue('system');
  expect((await starts(page)).firstFrame).toBe(DARK_BG);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.reload();
  await expect(page.getByLabel('Colour theme')).toHaveValue('system');
  expect((await starts(page)).firstFrame).toBe(LIGHT_BG);

  // The host's remembered setting is the truth: a page whose own copy says otherwise is corrected once connected.
  await page.getByLabel('Colour theme').selectOption('dark');
  await saved('dark');
  await page.evaluate(() => {
    localStorage.setItem('stowage.theme', 'light');
  });
  await page.reload();
  expect((await starts(page)).domContentLoaded).toBe(LIGHT_BG);
  await expect(page.getByLabel('Colour theme')).toHaveValue('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).toBe(DARK_BG);
  await page.reload();
  expect((await starts(page)).firstFrame).toBe(DARK_BG);
});
