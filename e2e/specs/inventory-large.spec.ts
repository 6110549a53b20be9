import { startDistribution, type DistributionHandle } from '../services/distribution';
import { seedImage, seedTagsOnDisk } from '../services/seed';
import { listInventory } from '../fixtures/inventory';
import { expect, startStowage, stopStowage, test } from '../fixtures/stowage';

const TAGS = 20_000;
const IMAGES = 40;
let registry: DistributionHandle;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  // The real distribution registry: 40 images pushed over HTTP, then 20,000 tags over them written
  // straight into its storage (seedTagsOnDisk), which the registry serves like pushed tags.
  registry = await startDistribution();
  const digests: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    digests.push(await seedImage(registry.url, 'big/app', `seed-${i}`, { labels: { img: String(i) }, created: new Date(Date.UTC(2025, 0, 1 + i)).toISOString() }));
  }
  const tags = new Map<string, string>();
  for (let i = 0; i < TAGS - IMAGES; i++) tags.set(`build-${i}`, digests[i % IMAGES]!);
  await seedTagsOnDisk(registry.dataDir, 'big/app', tags);
});
test.afterAll(async () => {
  await registry?.stop();
});

test('a 20,000-tag inventory stays a small DOM that scrolls, sorts and filters the whole list', async ({ page }) => {
  test.setTimeout(300_000);
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await listInventory(page, stowage.url, `${registry.host}/big/app`, 'repository');

    // Every tag is counted as soon as it is listed; the run is over when List tags comes back.
    // 20,000 manifest requests to the real registry take a while on a busy two-core machine.
    await expect(page.getByRole('button', { name: 'List tags' })).toBeEnabled({ timeout: 240_000 });
    await expect(page.getByTestId('inventory-totals')).toContainText(`${TAGS} tags`);
    await expect(page.getByTestId('inventory-totals')).toContainText(`${IMAGES} distinct manifests`);
    await expect(page.getByTestId('visible-count')).toHaveText(`${TAGS} shown`);

    const table = page.getByRole('table', { name: 'Tags' });
    const rowsInDom = () => table.locator('[data-tag]').count();
    expect(await rowsInDom()).toBeLessThan(100);
    // Tags sort the way people number builds: build-2 before build-10.
    await expect(table.locator('[data-tag]').first()).toHaveAttribute('data-tag', 'build-0');
    await expect(table.locator('[data-tag]').nth(2)).toHaveAttribute('data-tag', 'build-2');

    // Scrolled to the end, the last tag is there and the DOM is still small.
    await page.locator('.inv-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect(table.locator('[data-tag="seed-39"]')).toBeVisible();
    expect(await rowsInDom()).toBeLessThan(100);

    // Sorting turns the whole list round, not just what is on screen.
    await page.locator('.inv-scroll').evaluate((el) => {
      el.scrollTop = 0;
    });
    await table.getByRole('button', { name: /^Tag/ }).click();
    await expect(table.getByRole('columnheader', { name: /Tag/ })).toHaveAttribute('aria-sort', 'descending');
    await expect(table.locator('[data-tag]').first()).toHaveAttribute('data-tag', 'seed-39');

    await page.getByLabel('Filter tags').fill('build-1995');
    // build-1995 and build-19950 … build-19959.
    await expect(page.getByTestId('visible-count')).toHaveText('11 shown');

    // Every image carries 500 tags (499 builds + its seed tag): grouping by digest gives 40 groups.
    await page.getByLabel('Filter tags').fill('');
    await page.getByLabel('Group by').selectOption('digest');
    await expect(table.locator('.inv-group').first()).toContainText('500 tags');
    expect(await rowsInDom()).toBeLessThan(100);
  } finally {
    stopStowage(stowage);
  }
});
