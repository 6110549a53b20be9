// Issue #14: the inventory says only what its facts support (items 5 and 7).
import { seedImage, seedImages, startDistribution, type DistributionHandle } from '../services/distribution';
import { startSlowProxy } from '../services/slow-proxy';
import { listInventory } from '../fixtures/inventory';
import { expect, screenshotPath, startStowage, stopStowage, test } from '../fixtures/stowage';

let registry: DistributionHandle;
const SLOW_TAGS = 240;

test.beforeAll(async () => {
  registry = await startDistribution();
  // One manifest under three tags (a release re-tagged), and two manifests of their own.
  await seedImages(registry.url, 'truth/app', ['v1', 'latest', 'stable'], { distinct: false, created: '2024-01-01T00:00:00Z' });
  await seedImage(registry.url, 'truth/app', 'v2', { created: new Date(Date.now() - 3 * 86_400_000).toISOString(), layers: 2 });
  await seedImage(registry.url, 'truth/app', 'v3', { created: new Date(Date.now() - 3_600_000).toISOString(), layers: 3 });
  // Many tags on one digest, listed through a slow proxy so the listing can be stopped half-way.
  await seedImages(registry.url, 'truth/slow', Array.from({ length: SLOW_TAGS }, (_, i) => `build-${i}`), { distinct: false });
});
test.afterAll(async () => {
  await registry?.stop();
});

/** The manifests the bars count, summed from what the chart shows. */
async function barManifests(page: import('@playwright/test').Page): Promise<number> {
  const values = await page.locator('.age-chart .bar-value').allInnerTexts();
  return values.reduce((n, v) => n + Number(v.split('·')[0]!.trim()), 0);
}

test('the age chart counts what the totals count, says so, and asks for dates only when they were not read', async ({ page }) => {
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    // Listed without image configs: no dates, and the chart says how to get them.
    await listInventoryWithoutDates(page, stowage.url);
    await expect(page.getByTestId('inventory-totals')).toContainText('5 tags');
    await expect(page.getByTestId('inventory-totals')).toContainText('3 distinct manifests');
    await expect(page.getByTestId('age-chart-undated')).toContainText('3 manifests (5 tags');
    await expect(page.getByTestId('age-chart-undated')).toContainText('list with “Created dates and labels”');

    // With dates: every manifest in a bar, once, however many tags it has.
    await page.getByLabel('Created dates and labels (one request per distinct image)').check();
    await page.getByRole('button', { name: 'List tags' }).click();
    await expect(page.getByTestId('age-chart-undated')).toHaveCount(0);
    await expect.poll(() => barManifests(page)).toBe(3);
    await expect(page.getByTestId('age-chart-caption')).toContainText('a manifest shared by several tags is counted once, with its size once, as in the totals');
    await expect(page.locator('.age-chart')).not.toContainText('list with created dates');
    // The 3-tag manifest is one manifest in "older"; the two new ones sit in their own buckets.
    await expect(page.locator('.age-chart .bar-row').filter({ hasText: 'older' }).locator('.bar-value')).toHaveText(/^1 · /);
    await expect(page.locator('.age-chart .bar-row').filter({ hasText: '< 1 week' }).locator('.bar-value')).toHaveText(/^1 · /);
    for (const [width, height] of [[1024, 700], [1440, 900]] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: screenshotPath(`truth-inventory-chart-${width}.png`), fullPage: true });
    }
  } finally {
    stopStowage(stowage);
  }
});

async function listInventoryWithoutDates(page: import('@playwright/test').Page, url: string): Promise<void> {
  // The first listing reads dates (the default); the one shown here does not.
  await listInventory(page, url, `${registry.host}/truth/app`, 'repository');
  await expect(page.getByRole('button', { name: 'List tags' })).toBeEnabled();
  await page.getByLabel('Created dates and labels (one request per distinct image)').uncheck();
  await page.getByRole('button', { name: 'List tags' }).click();
  await expect(page.getByRole('button', { name: 'List tags' })).toBeEnabled();
}

test('the tag detail says pending, or "so far", until every tag is inspected, and states deletions only then', async ({ page }) => {
  const proxy = await startSlowProxy(registry.url, 300);
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: proxy.host, plainHttp: true }, { registry: registry.host, plainHttp: true }] });
  try {
    await listInventory(page, stowage.url, `${proxy.host}/truth/slow`, 'repository');
    const table = page.getByRole('table', { name: 'Tags' });
    // Stop once some tags are inspected and most are not.
    await expect(table.locator('.col-digest code').filter({ hasNotText: /^—$/ }).first()).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('alert')).toContainText('cancelled');

    const detail = page.getByRole('complementary', { name: 'Tag details' });
    const shared = page.getByTestId('shared-digest');
    const digestSort = table.getByRole('button', { name: /^Digest/ });

    // Tags without a digest sort first: one not inspected yet.
    await digestSort.click();
    await table.locator('[data-tag]').first().click();
    await expect(shared).toHaveAttribute('data-state', 'pending');
    await expect(shared).toContainText('Pending: this tag is not inspected yet');
    await expect(detail).not.toContainText('None: deleting this manifest removes only this tag');
    await expect(detail).not.toContainText('Tags on the same digest (0)');
    await expect(detail).toContainText('pending: not inspected yet');
    await expect(page.getByTestId('age-chart-pending')).toContainText('not inspected (the listing stopped first): in no bar');
    await page.screenshot({ path: screenshotPath('truth-tag-pending.png') });

    // An inspected tag among uninspected ones: a count so far, no statement about deleting.
    await digestSort.click();
    await table.locator('[data-tag]').first().click();
    await expect(shared).toHaveAttribute('data-state', 'incomplete');
    await expect(shared).toContainText('so far');
    await expect(shared).toContainText('not inspected yet');
    await expect(detail).not.toContainText('None: deleting');
    await expect(detail).not.toContainText('removes all of these too');

    // The whole repository, read to its end: now the statement is made.
    await page.getByLabel('Images repo or repository').fill(`${registry.host}/truth/slow`);
    await page.getByRole('button', { name: 'List tags' }).click();
    await expect(page.getByRole('button', { name: 'List tags' })).toBeEnabled({ timeout: 30_000 });
    await page.getByLabel('Filter tags').fill('build-7');
    await table.locator('[data-tag="build-7"]').click();
    await expect(shared).toHaveAttribute('data-state', 'complete');
    await expect(shared).toContainText(`Tags on the same digest (${SLOW_TAGS - 1})`);
    await expect(shared).toContainText('Deleting by digest removes all of these too.');
  } finally {
    stopStowage(stowage);
    await proxy.stop();
  }
});
