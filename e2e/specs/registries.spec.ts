import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedImage, seedImages, startDistribution, type DistributionHandle } from '../services/distribution';
import { seedTagsOnDisk } from '../services/seed';
import { copyProject, expect, startStowage, stopStowage, test, screenshotPath } from '../fixtures/stowage';
import { clippedHeaders } from '../fixtures/layout';

/*
 * The Registries page and catalog browsing (issue #15 items 2 and 3) in Chromium against the
 * browser host: registries from the docker config, the settings and entries added on the page, a
 * test whose result the page remembers, and a real distribution registry's catalog of 3,000+
 * repositories, filtered, with lazily counted tags, one opened in the inventory.
 */

let registry: DistributionHandle;
const BULK = 3000;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  registry = await startDistribution();
  await seedImages(registry.url, 'shop/backend', ['v1', 'v2', 'v3']);
  await seedImage(registry.url, 'shop/frontend', 'v1');
  const legacy = await seedImages(registry.url, 'shop/legacy-api', ['1.0', '1.1']);
  // Thousands of repositories straight into the registry's storage: a repository is a folder with
  // `_layers` (what distribution's catalog walks for) and tag links (what tags/list reads).
  const digest = legacy.get('1.0')!;
  for (let i = 0; i < BULK; i++) {
    const repo = `bulk/team-${String(i).padStart(4, '0')}`;
    await mkdir(join(registry.dataDir, 'docker', 'registry', 'v2', 'repositories', 'bulk', `team-${String(i).padStart(4, '0')}`, '_layers'), { recursive: true });
    await seedTagsOnDisk(registry.dataDir, repo, new Map([['v1', digest]]));
  }
});
test.afterAll(async () => {
  await registry?.stop();
});

/** A docker config of the user's own: read for the list, never written. */
function dockerConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-e2e-docker-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('octo:ghp_not_a_real_token').toString('base64') } } }));
  return dir;
}

for (const viewport of [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
]) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test('with nothing known the page says how to add a registry, and is reachable by keyboard', async ({ page }) => {
      const docker = mkdtempSync(join(tmpdir(), 'stowage-e2e-docker-empty-'));
      const stowage = await startStowage([], { DOCKER_CONFIG: docker });
      try {
        await page.goto(stowage.url);
        const nav = page.getByRole('button', { name: 'Registries' });
        await nav.focus();
        await page.keyboard.press('Enter');
        await expect(page.getByRole('heading', { name: 'Registries', level: 1 })).toBeVisible();
        await expect(page.getByTestId('registries-empty')).toContainText('No registry known yet');
        await page.screenshot({ path: screenshotPath(`registries-empty-${viewport.width}.png`) });
        // Back to where it was.
        await page.getByRole('button', { name: '← Projects' }).click();
        await expect(page.getByRole('heading', { name: 'Registries', level: 1 })).toHaveCount(0);
      } finally {
        stopStowage(stowage);
        rmSync(docker, { recursive: true, force: true });
      }
    });

    test('registries from every source; add, edit, remove; test; browse the catalog and open a repository', async ({ page }) => {
      const docker = dockerConfig();
      const stowage = await startStowage([], { DOCKER_CONFIG: docker }, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
      try {
        await page.goto(stowage.url);
        await page.getByRole('button', { name: 'Registries' }).click();
        const list = page.getByRole('list', { name: 'Known registries' });
        // From the docker config: GitHub Packages with the login found there.
        const ghcr = page.getByTestId('registry-ghcr.io');
        await expect(ghcr).toContainText('GitHub Packages');
        await expect(ghcr).toContainText('logged in');
        await expect(page.getByTestId(`registry-${registry.host}`)).toContainText('no credential');

        // Add an entry of Stowage's own, choose its implementation, then forget it.
        await page.getByLabel('Registry host').fill('harbor.example.test');
        await page.getByLabel('Implementation', { exact: true }).selectOption('harbor');
        await page.getByRole('button', { name: 'Add registry' }).click();
        const added = page.getByTestId('registry-harbor.example.test');
        await expect(added).toContainText('Harbor');
        await expect(page.getByTestId('registry-implementation')).toContainText('(chosen)');
        await page.getByRole('button', { name: 'Remove' }).click();
        await expect(added).toHaveCount(0);
        // The docker config's registry has nothing of Stowage's: nothing to remove there.
        await ghcr.click();
        await expect(page.getByRole('region', { name: 'Registry ghcr.io' })).toBeVisible();
        await expect(page.getByRole('button', { name: 'Remove' })).toHaveCount(0);

        // Edit the local registry's settings: they are saved and shown.
        await page.getByTestId(`registry-${registry.host}`).click();
        const detail = page.getByRole('region', { name: `Registry ${registry.host}` });
        await expect(detail.getByTestId('registry-settings')).toContainText('plain HTTP');
        await detail.getByRole('button', { name: 'Edit' }).click();
        await detail.getByLabel('CA file (PEM)').fill('/etc/ssl/certs/stowage-e2e-ca.pem');
        await detail.getByRole('button', { name: 'Save settings' }).click();
        await expect(detail.getByTestId('registry-settings')).toContainText('plain HTTP · CA /etc/ssl/certs/stowage-e2e-ca.pem');
        // And taken away again (the test below talks to the registry over plain HTTP only).
        await detail.getByRole('button', { name: 'Edit' }).click();
        await detail.getByLabel('CA file (PEM)').fill('');
        await detail.getByRole('button', { name: 'Save settings' }).click();
        await expect(detail.getByTestId('registry-settings')).not.toContainText('CA ');
        await expect(detail.getByTestId('registry-settings')).toContainText('plain HTTP');

        // Test from the page: the check runs for real and its result is remembered with its time.
        await expect(detail.getByTestId('registry-last-test')).toContainText('never tested');
        await detail.getByLabel('Images repo to test').fill(`${registry.host}/shop/backend`);
        await detail.getByRole('button', { name: 'Test' }).click();
        await expect(detail.getByTestId('registry-last-test')).toContainText('passed', { timeout: 20_000 });
        await expect(detail.getByTestId('registry-last-test')).toContainText('just now');
        await expect(page.getByTestId(`registry-${registry.host}`)).toContainText('test passed');

        // The catalog: every repository (3,000 of them bulk), only a window of rows in the DOM.
        await detail.getByRole('button', { name: 'Browse catalog' }).click();
        const status = page.getByTestId('catalog-status');
        await expect(status).toContainText(`${BULK + 3} repositories`, { timeout: 30_000 });
        await expect(status).toContainText('GET /v2/_catalog');
        const grid = page.getByRole('grid', { name: 'Repositories' });
        expect(await grid.getByRole('row').count()).toBeLessThan(60);
        // Tag counts come in for the rows in view.
        await expect(grid.getByRole('row').first().getByTestId('tag-count')).toHaveText('1 tag', { timeout: 20_000 });
        await page.screenshot({ path: screenshotPath(`registries-catalog-${viewport.width}.png`) });

        // Beside the images repo: shop/legacy-api, found by the filter, opened in the inventory.
        await page.getByLabel('Filter repositories').fill('legacy');
        await expect(page.getByTestId('catalog-shown')).toHaveText('1 shown');
        const legacy = grid.getByRole('row').filter({ hasText: 'shop/legacy-api' });
        await expect(legacy.getByTestId('tag-count')).toHaveText('2 tags', { timeout: 20_000 });
        // Keyboard: the grid takes focus, Enter opens the active row.
        await grid.focus();
        await page.keyboard.press('Home');
        await page.keyboard.press('Enter');
        const inventory = page.getByRole('region', { name: `Inventory of ${registry.host}/shop/legacy-api` });
        await expect(inventory.getByTestId('inventory-totals')).toContainText('2 tags', { timeout: 20_000 });
        await expect(inventory.getByRole('table', { name: 'Tags' })).toContainText('1.1');
        // Inside the page's card the table has less room than on the Inventory tab: no header is cut.
        const tags = inventory.getByRole('table', { name: 'Tags' });
        expect(await clippedHeaders(tags)).toEqual([]);
        const tableBox = (await tags.boundingBox())!;
        const pushed = (await tags.getByRole('columnheader', { name: 'Pushed' }).boundingBox())!;
        expect(pushed.x + pushed.width).toBeLessThanOrEqual(tableBox.x + tableBox.width + 0.5);
        expect(await tags.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
        await page.screenshot({ path: screenshotPath(`registries-inventory-${viewport.width}.png`) });
        await expect(list).toBeVisible();
      } finally {
        stopStowage(stowage);
        rmSync(docker, { recursive: true, force: true });
      }
    });
  });
}

test('browsing a registry leaves the open project’s images repo as it was', async ({ page }) => {
  const docker = mkdtempSync(join(tmpdir(), 'stowage-e2e-docker-empty-'));
  const stowage = await startStowage([], { DOCKER_CONFIG: docker }, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await page.goto(stowage.url);
    await page.getByLabel('Project folder').fill(copyProject('shop'));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('tab', { name: 'Final names' }).click();
    const repo = page.getByRole('textbox', { name: 'Images repo', exact: true });
    await repo.fill(`${registry.host}/shop`);
    await expect(page.getByRole('table', { name: 'Final image names' })).toContainText(`${registry.host}/shop/frontend`);

    // Open another repository of the same registry from its catalog.
    await page.getByRole('button', { name: 'Registries' }).click();
    await page.getByTestId(`registry-${registry.host}`).click();
    await page.getByRole('region', { name: `Registry ${registry.host}` }).getByRole('button', { name: 'Browse catalog' }).click();
    await page.getByLabel('Filter repositories').fill('legacy');
    await expect(page.getByTestId('catalog-shown')).toHaveText('1 shown', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Open shop/legacy-api in the inventory' }).click();
    const inventory = page.getByRole('region', { name: `Inventory of ${registry.host}/shop/legacy-api` });
    await expect(inventory.getByTestId('inventory-totals')).toContainText('2 tags', { timeout: 20_000 });

    // Back in the project: its images repo (Publish's target too) is still the one typed.
    await inventory.getByRole('button', { name: 'Close' }).click();
    await expect(inventory).toHaveCount(0);
    await page.getByRole('button', { name: '← Project', exact: true }).click();
    await page.getByRole('tab', { name: 'Final names' }).click();
    await expect(repo).toHaveValue(`${registry.host}/shop`);
    await expect(page.getByRole('table', { name: 'Final image names' })).toContainText(`${registry.host}/shop/frontend`);
    await expect(page.getByRole('table', { name: 'Final image names' })).not.toContainText('legacy-api');
  } finally {
    stopStowage(stowage);
    rmSync(docker, { recursive: true, force: true });
  }
});
