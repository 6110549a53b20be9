import { seedImage, seedImages, seedIndex, startDistribution, type DistributionHandle } from '../services/distribution';
import { startSlowProxy } from '../services/slow-proxy';
import { join } from 'node:path';
import { listInventory } from '../fixtures/inventory';
import { expect, repoRoot, startStowage, stopStowage, test, screenshotPath } from '../fixtures/stowage';

let registry: DistributionHandle;
const STAGE_TAG = `${'5e'.repeat(28)}-1700000000000`;

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
  // A werf stage tag: <sha3-224 of the stage>-<unix ms when werf built it>.
  await seedImage(registry.url, 'shop/frontend', STAGE_TAG, { created: '2023-11-14T22:13:20Z' });
  await seedImages(registry.url, 'shop/slow', Array.from({ length: 600 }, (_, i) => `build-${i}`));
});
test.afterAll(async () => {
  await registry?.stop();
});

test('the inventory lists tags with digests, filters, groups shared digests and shows details', async ({ page }) => {
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await listInventory(page, stowage.url, `${registry.host}/shop`);

    const table = page.getByRole('table', { name: 'Tags' });
    await expect(page.getByTestId('inventory-totals')).toContainText('45 tags');
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
    await page.screenshot({ path: screenshotPath('inventory.png') });
    // The manifest itself, fetched on request.
    await detail.getByRole('button', { name: 'Show manifest' }).click();
    await expect(detail.getByRole('region', { name: 'Manifest' })).toContainText('"schemaVersion": 2');
    await expect(detail.getByRole('region', { name: 'Manifest' })).toContainText('"layers"');

    // Rows outside the viewport are not in the DOM (virtualized): filter to bring it in.
    await page.getByLabel('Filter tags').fill('multiarch');
    await table.locator('[data-tag="multiarch"]').click();
    await expect(detail).toContainText('linux/arm64');
    await detail.getByRole('button', { name: 'Show manifest' }).click();
    await expect(detail.getByRole('region', { name: 'Manifest' })).toContainText('application/vnd.oci.image.index.v1+json');
    await expect(detail.getByRole('region', { name: 'Manifest' })).toContainText('"architecture": "arm64"');
    expect(await table.locator('[data-tag]').count()).toBeLessThan(45);

    await page.getByLabel('Filter tags').fill('5e5e5e');
    await expect(table.locator(`[data-tag="${STAGE_TAG}"]`)).toContainText('werf stage');

    // Sorting by size, then grouping by werf image.
    await page.getByLabel('Filter tags').fill('');
    await page.getByLabel('Group by').selectOption('image');
    await expect(table.locator('.inv-group').filter({ hasText: 'backend' })).toContainText('42 tags');
    // Sizes sort biggest first; a second click turns the order round.
    const size = table.getByRole('columnheader', { name: /Size/ });
    await table.getByRole('button', { name: /^Size/ }).click();
    await expect(size).toHaveAttribute('aria-sort', 'descending');
    await table.getByRole('button', { name: /^Size/ }).click();
    await expect(size).toHaveAttribute('aria-sort', 'ascending');
  } finally {
    stopStowage(stowage);
  }
});

test('a long listing can be cancelled and keeps what arrived', async ({ page }) => {
  const proxy = await startSlowProxy(registry.url, 15);
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: proxy.host, plainHttp: true }] });
  try {
    await listInventory(page, stowage.url, `${proxy.host}/shop/slow`, 'repository');
    await expect(page.getByRole('status').filter({ hasText: 'tags listed' })).toBeVisible();
    // Rows are on screen while the listing goes on.
    const table = page.getByRole('table', { name: 'Tags' });
    await expect(table.locator('[data-tag^="build-"]').first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('alert')).toContainText('cancelled');
    await expect(page.getByRole('button', { name: 'List tags' })).toBeEnabled();
    // What arrived stays.
    await expect(table.locator('[data-tag^="build-"]').first()).toBeVisible();
    await expect(page.getByTestId('inventory-totals')).not.toContainText(/^0 tags/);
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
