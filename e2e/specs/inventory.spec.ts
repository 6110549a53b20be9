import { seedImage, seedImages, seedIndex, startDistribution, type DistributionHandle } from '../services/distribution';
import { startSlowProxy } from '../services/slow-proxy';
import { join } from 'node:path';
import { copyProject, expect, repoRoot, startStowage, stopStowage, test } from '../fixtures/stowage';

let registry: DistributionHandle;

test.beforeAll(async () => {
  registry = await startDistribution();
  // The shop project in multirepo: REPO/backend and REPO/frontend.
  const backend = await seedImages(registry.url, 'shop/backend', Array.from({ length: 40 }, (_, i) => `v1.${i}`), { distinct: true, labels: { 'werf-image': 'true', 'werf-image-name': 'backend' } });
  const v139 = backend.get('v1.39')!;
  // `latest` and `stable` are re-tags of v1.39: one digest, three tags.
  await seedImages(registry.url, 'shop/backend', ['latest', 'stable'], { distinct: false, labels: { 'werf-image': 'true', 'werf-image-name': 'backend', 'org.stowage.seed.tag': 'v1.39' } });
  expect(v139).toMatch(/^sha256:/);
  await seedIndex(registry.url, 'shop/frontend', 'multiarch');
  await seedImage(registry.url, 'shop/frontend', 'v2.0', { labels: { 'werf-image': 'true', 'werf-image-name': 'frontend' } });
  await seedImages(registry.url, 'shop/slow', Array.from({ length: 600 }, (_, i) => `build-${i}`));
});
test.afterAll(async () => {
  await registry?.stop();
});

test('the inventory lists tags with digests, filters, groups shared digests and shows details', async ({ page }) => {
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await page.goto(stowage.url);
    await page.getByLabel('Project folder').fill(copyProject('shop'));
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: 'Inventory' }).click();
    await page.getByLabel('Images repo or repository').fill(`${registry.host}/shop`);
    await page.getByRole('button', { name: 'List tags' }).click();

    const table = page.getByRole('table', { name: 'Tags' });
    await expect(page.getByTestId('inventory-totals')).toContainText('44 tags');
    await expect(table.locator('[data-tag="latest"]')).toContainText('backend');
    await expect(table.locator('[data-tag="latest"]')).toContainText('shared ×3');
    await expect(table.locator('[data-tag="multiarch"]')).toContainText('index · 2');

    await page.getByLabel('Filter tags').fill('v1.3');
    await expect(page.getByTestId('visible-count')).toHaveText('11 shown');
    await page.getByLabel('Filter tags').fill('');

    await page.getByLabel('Group by').selectOption('digest');
    await expect(table.locator('.inv-group').first()).toContainText('3 tags');
    await table.locator('[data-tag="stable"]').click();
    const detail = page.getByRole('complementary', { name: 'Tag details' });
    await expect(detail).toContainText('Tags on the same digest (2)');
    await expect(detail).toContainText('latest');
    await expect(detail).toContainText('v1.39');
    await expect(detail).toContainText('werf-image-name=backend');
    await page.screenshot({ path: join(repoRoot, 'docs/inventory.png') });

    // Rows outside the viewport are not in the DOM (virtualized): filter to bring it in.
    await page.getByLabel('Filter tags').fill('multiarch');
    await table.locator('[data-tag="multiarch"]').click();
    await expect(detail).toContainText('linux/arm64');
  } finally {
    stopStowage(stowage);
  }
});

test('a long listing can be cancelled and keeps what arrived', async ({ page }) => {
  const proxy = await startSlowProxy(registry.url, 15);
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: proxy.host, plainHttp: true }] });
  try {
    await page.goto(stowage.url);
    await page.getByLabel('Project folder').fill(copyProject('shop'));
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: 'Inventory' }).click();
    await page.getByLabel('Images repo or repository').fill(`${proxy.host}/shop/slow`);
    await page.getByLabel('List', { exact: true }).selectOption('repository');
    await page.getByRole('button', { name: 'List tags' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'tags listed' })).toBeVisible();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('alert')).toContainText('cancelled');
    await expect(page.getByRole('button', { name: 'List tags' })).toBeEnabled();
    const after = proxy.requests();
    await page.waitForTimeout(500);
    // Nothing more is asked of the registry once cancelled (a request already in flight may land).
    expect(proxy.requests() - after).toBeLessThanOrEqual(8);
    expect(proxy.requests()).toBeLessThan(600);
  } finally {
    stopStowage(stowage);
    await proxy.stop();
  }
});
