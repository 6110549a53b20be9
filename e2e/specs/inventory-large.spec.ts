import { fakeImage, startFakeRegistry, type FakeImage, type FakeRegistry } from '../../electron/services/inventory/testing/fake-registry';
import { listInventory } from '../fixtures/inventory';
import { expect, startStowage, stopStowage, test } from '../fixtures/stowage';

const TAGS = 20_000;
let registry: FakeRegistry;

test.beforeAll(async () => {
  // 20,000 tags over 40 images: the registry part is cheap, the table is what is tested.
  const images = Array.from({ length: 40 }, (_, i) => fakeImage({ salt: `img-${i}`, created: new Date(Date.UTC(2025, 0, 1 + i)).toISOString() }));
  const tags: Record<string, FakeImage> = {};
  for (let i = 0; i < TAGS; i++) tags[`build-${i}`] = images[i % images.length]!;
  registry = await startFakeRegistry({ repositories: { 'big/app': tags } });
});
test.afterAll(async () => {
  await registry?.close();
});

test('a 20,000-tag inventory stays a small DOM that scrolls, sorts and filters the whole list', async ({ page }) => {
  test.setTimeout(120_000);
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await listInventory(page, stowage.url, `${registry.host}/big/app`, 'repository');

    // Every tag is counted as soon as it is listed; the run is over when List tags comes back.
    // 20,000 manifest requests take 15–30 s on a busy two-core machine.
    await expect(page.getByRole('button', { name: 'List tags' })).toBeEnabled({ timeout: 60_000 });
    await expect(page.getByTestId('inventory-totals')).toContainText(`${TAGS} tags`);
    await expect(page.getByTestId('inventory-totals')).toContainText('40 distinct manifests');
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
    await expect(table.locator('[data-tag="build-19999"]')).toBeVisible();
    expect(await rowsInDom()).toBeLessThan(100);

    // Sorting turns the whole list round, not just what is on screen.
    await page.locator('.inv-scroll').evaluate((el) => {
      el.scrollTop = 0;
    });
    await table.getByRole('button', { name: /^Tag/ }).click();
    await expect(table.getByRole('columnheader', { name: /Tag/ })).toHaveAttribute('aria-sort', 'descending');
    await expect(table.locator('[data-tag]').first()).toHaveAttribute('data-tag', 'build-19999');

    await page.getByLabel('Filter tags').fill('build-1999');
    await expect(page.getByTestId('visible-count')).toHaveText('11 shown');

    // Every tag shares its digest with 499 others: grouping by digest gives 40 groups.
    await page.getByLabel('Filter tags').fill('');
    await page.getByLabel('Group by').selectOption('digest');
    await expect(table.locator('.inv-group').first()).toContainText('500 tags');
    expect(await rowsInDom()).toBeLessThan(100);
  } finally {
    stopStowage(stowage);
  }
});
