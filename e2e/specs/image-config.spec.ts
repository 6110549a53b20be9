import type { Page } from '@playwright/test';
import { seedImage, seedIndex, startDistribution, type DistributionHandle, type SeededIndex } from '../services/distribution';
import { RICH_IMAGE } from '../services/image-config-seed';
import { listInventory } from '../fixtures/inventory';
import { expect, screenshotPath, startStowage, stopStowage, test } from '../fixtures/stowage';

let registry: DistributionHandle;
let v1: string;
let index: SeededIndex;

test.beforeAll(async () => {
  registry = await startDistribution();
  v1 = await seedImage(registry.url, 'shop/backend', 'v1', RICH_IMAGE);
  index = await seedIndex(registry.url, 'shop/frontend', 'multi', RICH_IMAGE);
});
test.afterAll(async () => {
  await registry?.stop();
});

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

for (const viewport of [{ width: 1024, height: 700 }, { width: 1440, height: 900 }]) {
  test(`the tag details show the image (config, layers, history, platforms) and copy every name — ${viewport.width}×${viewport.height}`, async ({ page, context }) => {
    await page.setViewportSize(viewport);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
    try {
      await listInventory(page, stowage.url, `${registry.host}/shop`);
      const table = page.getByRole('table', { name: 'Tags' });
      await table.locator('[data-tag="v1"]').click();
      const detail = page.getByRole('complementary', { name: 'Tag details' });
      const image = detail.getByRole('region', { name: 'Image config' });
      await expect(image).toContainText('["/usr/bin/tini","--"]');
      await expect(image).toContainText('["/app/server","--port=8080"]');
      await expect(image).toContainText('APP_MODE=production');
      await expect(image).toContainText('8080/tcp');
      await expect(image).toContainText('9090/tcp');
      await expect(image).toContainText('10001:10001');
      await expect(image).toContainText('/app');
      await expect(image).toContainText('org.opencontainers.image.source=https://example.test/shop');
      // History aligned with layers as Docker does: three steps made layers, three only metadata.
      const layers = image.getByRole('table', { name: 'Layers and history' });
      await expect(layers.locator('tbody tr')).toHaveCount(6);
      await expect(layers.locator('tbody tr.empty-layer')).toHaveCount(3);
      await expect(layers.locator('tbody tr').nth(2)).toContainText('COPY server /app/server');
      await expect(layers.locator('tbody tr').nth(3)).toContainText('no layer');
      await expect(image.getByRole('heading', { name: /Layers \(3\)/ })).toBeVisible();
      await image.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`image-config-${viewport.width}.png`) });

      // Copy from the details: each name, announced to screen readers.
      await detail.getByRole('button', { name: 'Copy pull command' }).click();
      expect(await clipboard(page)).toBe(`docker pull ${registry.host}/shop/backend@${v1}`);
      await expect(detail.getByRole('status').filter({ hasText: 'Copied' })).toHaveCount(1);
      await detail.getByRole('button', { name: 'Copy name by digest' }).click();
      expect(await clipboard(page)).toBe(`${registry.host}/shop/backend@${v1}`);
      await detail.getByRole('button', { name: 'Copy name and tag' }).press('Enter');
      expect(await clipboard(page)).toBe(`${registry.host}/shop/backend:v1`);
      await image.getByRole('button', { name: 'Copy image config' }).click();
      expect(JSON.parse(await clipboard(page)).config.User).toBe('10001:10001');

      // Copy from the row itself, by keyboard: open the menu, copy the digest, Escape closes it.
      await table.getByRole('button', { name: 'Copy v1' }).click();
      const menu = page.getByRole('group', { name: 'Copy v1' });
      await expect(menu).toBeVisible();
      await menu.getByRole('button', { name: 'Copy digest' }).press('Enter');
      expect(await clipboard(page)).toBe(v1);
      await page.keyboard.press('Escape');
      await expect(menu).toBeHidden();
      await expect(table.getByRole('button', { name: 'Copy v1' })).toBeFocused();

      // An index: the first platform by default, the other one through the picker.
      await page.getByLabel('Filter tags').fill('multi');
      await table.locator('[data-tag="multi"]').click();
      const picker = image.getByLabel('Platform');
      await expect(picker).toHaveValue(index.children[0]!.digest);
      await expect(image.locator('dd').first()).toHaveText('linux/amd64');
      await picker.selectOption(index.children[1]!.digest);
      await expect(image.locator('dd').first()).toHaveText('linux/arm64');
      await expect(image).toContainText('APP_MODE=production');
      // "Copied" belonged to v1's names: the index's buttons start afresh.
      await expect(detail.getByRole('button', { name: 'Copy pull command' })).toHaveText('Pull command');
      await picker.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath(`image-config-index-${viewport.width}.png`) });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: screenshotPath(`image-config-index-dark-${viewport.width}.png`) });
    } finally {
      stopStowage(stowage);
    }
  });
}

test('copy falls back when the Clipboard API is missing, and keyboard shortcuts reach the filter and the details', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await listInventory(page, stowage.url, `${registry.host}/shop`);
    const table = page.getByRole('table', { name: 'Tags' });
    await expect(table.locator('[data-tag="v1"]')).toBeVisible();

    // "/" and Ctrl+F focus the filter of the view.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    await expect(page.getByLabel('Filter tags')).toBeFocused();
    await page.getByLabel('Filter tags').fill('v1');
    await page.getByRole('tab', { name: 'Inventory' }).focus();
    await page.keyboard.press('Control+f');
    await expect(page.getByLabel('Filter tags')).toBeFocused();

    // Arrow keys select a row, Enter opens its details.
    await page.getByLabel('Tag rows (arrow keys move the selection)').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const detail = page.getByRole('complementary', { name: 'Tag details' });
    await expect(detail).toBeFocused();
    await expect(detail).toContainText('v1');

    // Without navigator.clipboard (an insecure context, a locked-down policy) the selection copy works.
    await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true }));
    await detail.getByRole('button', { name: 'Copy tag' }).click();
    await expect(detail.getByRole('status').filter({ hasText: 'Copied' })).toHaveCount(1);
    const reader = await context.newPage();
    await reader.goto(stowage.url);
    expect(await reader.evaluate(() => navigator.clipboard.readText())).toBe('v1');
    await reader.close();

    // When no copy works at all, the text is shown selected for Ctrl+C.
    await page.evaluate(() => {
      document.execCommand = () => false;
    });
    await detail.getByRole('button', { name: 'Copy digest' }).click();
    const manual = detail.getByLabel('Copy digest: press Ctrl+C');
    await expect(manual).toBeFocused();
    await expect(manual).toHaveValue(v1);
  } finally {
    stopStowage(stowage);
  }
});
