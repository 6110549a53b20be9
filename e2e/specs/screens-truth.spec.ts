import type { Locator, Page } from '@playwright/test';
import { seedImages, seedIndex, startDistribution, type DistributionHandle } from '../services/distribution';
import { copyProject, expect, openProject, startStowage, stopStowage, test, screenshotPath } from '../fixtures/stowage';
import { clippedHeaders } from '../fixtures/layout';

// Issue #14, items 4, 12, 13, 15 and 16: what the screens show, measured in a real Chromium at the
// sizes a laptop has. The `truth` fixture defines awkward names on purpose (Backend, api gateway,
// a duplicate backend, a long name, a Stapel image on an artifact).

const SMALL = { width: 1024, height: 700 };

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not rendered');
  return b;
}


/**
 * The badges of a cell that are not shown whole: a badge ending past the cell's content edge is cut
 * by the cell's overflow (and its ellipsis may stand in for it), however far it reaches into the padding.
 */
async function clippedBadges(cell: Locator): Promise<string[]> {
  return cell.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const right = box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
    const problems = [...el.querySelectorAll<HTMLElement>('.badge')].flatMap((badge) => {
      const b = badge.getBoundingClientRect();
      const cut = b.right > right + 0.5 || badge.scrollWidth > badge.clientWidth || b.width === 0;
      return cut ? [`${(badge.textContent ?? '').trim()} ends at ${Math.round(b.right)}, cell content ends at ${Math.round(right)}`] : [];
    });
    if (el.scrollWidth > el.clientWidth) problems.push(`cell scrolls: ${el.scrollWidth} > ${el.clientWidth}`);
    return problems;
  });
}

/**
 * Where a row's Copy button stands against its tag: the tag text's own box (a Range over the text
 * node, so text hidden under the button still counts), the tag element's visible box, the button's
 * box and the tag cell's content edge.
 */
async function copyBesideTag(row: Locator) {
  return row.locator('.col-tag').evaluate((cell) => {
    const code = cell.querySelector('code')!;
    const range = document.createRange();
    range.selectNodeContents(code.firstChild!);
    const text = range.getBoundingClientRect();
    const shown = code.getBoundingClientRect();
    const button = cell.querySelector('.copy-menu-button')!.getBoundingClientRect();
    const box = cell.getBoundingClientRect();
    const style = getComputedStyle(cell);
    const overlaps = (a: DOMRect, b: DOMRect) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom && b.top < a.bottom;
    return {
      textOverButton: overlaps(text, button),
      shownOverButton: overlaps(shown, button),
      textCut: code.scrollWidth > code.clientWidth,
      buttonPastCell: button.right > box.right - parseFloat(style.borderRightWidth) + 0.5,
    };
  });
}

/** Hovers a row once the page has stopped moving it (the warnings and age chart fill in late). */
async function hoverSettled(row: Locator) {
  await expect(async () => {
    await row.hover();
    expect(await row.evaluate((el) => el.matches(':hover'))).toBe(true);
  }).toPass();
}

async function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

async function openTruth(page: Page, url: string) {
  await openProject(page, url, copyProject('truth', { branch: 'main' }));
  await expect(page.getByTestId('image-count')).toHaveText('7');
}

test('invalid final names are marked with their reasons and offer no copy; valid ones do', async ({ page, stowage }) => {
  await page.setViewportSize(SMALL);
  await openTruth(page, stowage.url);
  await page.getByRole('tab', { name: 'Final names' }).click();
  await page.getByRole('checkbox', { name: 'Use git branch' }).uncheck();
  await page.getByRole('textbox', { name: 'Images repo', exact: true }).fill('registry.example.com/team');
  const names = page.getByRole('table', { name: 'Final image names' });
  // The names arrive below the form on a 700 px window: their start is scrolled on screen.
  await expect.poll(async () => { const c = await box(names.locator('caption')); return c.y >= 0 && c.y + c.height <= SMALL.height; }).toBe(true);

  // One group per image, the duplicate definition listed and marked instead of missing.
  const groups = names.locator('tbody.image-group');
  await expect(groups).toHaveCount(6);
  await expect(groups.nth(4)).toHaveAttribute('data-duplicate', 'true');
  await expect(groups.nth(4)).toContainText('duplicate definition');

  const valid = names.locator('tbody[data-image="frontend-with-a-really-long-descriptive-name"] tr[data-invalid]');
  await expect(valid).toHaveCount(0);
  await expect(names.getByRole('button', { name: 'Copy registry.example.com/team/frontend-with-a-really-long-descriptive-name:latest' })).toBeVisible();

  for (const [image, why] of [['Backend', /uppercase/], ['api gateway', /not a valid repository path/]] as const) {
    const row = names.locator(`tbody[data-image="${image}"] tr[data-invalid="true"]`);
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('invalid');
    await expect(names.locator(`tbody[data-image="${image}"]`)).toContainText(why);
    await expect(row.getByRole('button', { name: /^Copy/ })).toHaveCount(0);
  }
  // Both definitions of backend are refused by werf.
  await expect(names.locator('tbody[data-image="backend"] tr[data-invalid="true"]')).toHaveCount(2);
  await expect(names.getByRole('button', { name: /^Copy registry\.example\.com\/team\/backend:/ })).toHaveCount(0);
  await expect(names.locator('caption')).toContainText('4 invalid');

  // A space in the address is kept, and every name says why it is invalid: once, above the table.
  await page.getByRole('textbox', { name: 'Images repo', exact: true }).fill('myreg.azurecr.io/shop app');
  await expect(names.getByTestId('final-name').first()).toHaveText('myreg.azurecr.io/shop app/backend:latest');
  await expect(names).not.toContainText('shopapp');
  await expect(page.getByTestId('resolved-implementation')).toHaveText('Azure Container Registry');
  await expect(names.locator('caption')).toContainText('contains spaces');
  await expect(names.getByRole('button', { name: /^Copy/ })).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('final-names-invalid-1024.png') });
});

test('final names show the real monorepo tag, break only at / : -, and warn about a contradicting implementation', async ({ page, stowage }) => {
  await page.setViewportSize(SMALL);
  await openTruth(page, stowage.url);
  await page.getByRole('tab', { name: 'Final names' }).click();
  await page.getByRole('checkbox', { name: 'Use git branch' }).uncheck();
  await page.getByRole('textbox', { name: 'Images repo', exact: true }).fill('registry.example.com/team/app');
  await page.getByLabel('Repo mode').selectOption('monorepo');
  const names = page.getByRole('table', { name: 'Final image names' });
  const frontend = names.locator('tbody[data-image="frontend-with-a-really-long-descriptive-name"]');
  await expect(frontend.getByTestId('final-tag')).toHaveText('frontend-with-a-really-long-descriptive-name-latest');
  await expect(names.locator('tbody[data-image="worker"]').getByTestId('final-tag')).toHaveText('worker-latest');

  // The long name wraps, at its separators: every line of it ends at "/", ":" or "-" (or is the last).
  await page.getByLabel('Repo mode').selectOption('multirepo');
  await page.getByRole('textbox', { name: 'Images repo', exact: true }).fill('europe-west1-docker.pkg.dev/my-project-with-a-long-id/container-images/team');
  const longName = frontend.getByTestId('final-name');
  await expect(longName).toContainText('frontend-with-a-really-long-descriptive-name:latest');
  const lines = await longName.evaluate((el) => {
    const range = document.createRange();
    const text = el.textContent ?? '';
    const out: string[] = [];
    let top = -1;
    let current = '';
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < (node.textContent ?? '').length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const y = Math.round(range.getBoundingClientRect().top);
        if (top !== -1 && y > top + 2) {
          out.push(current);
          current = '';
        }
        top = y;
        current += node.textContent![i];
      }
    }
    out.push(current);
    return { lines: out, text };
  });
  expect(lines.lines.length).toBeGreaterThan(1);
  for (const line of lines.lines.slice(0, -1)) expect(line).toMatch(/[/:-]$/);
  expect(await pageWidth(page)).toBeLessThanOrEqual(SMALL.width);

  // Row borders line up: every cell of a row has the same bottom edge.
  const row = frontend.locator('tr').nth(1);
  const bottoms = await row.locator('td').evaluateAll((cells) => cells.map((c) => Math.round(c.getBoundingClientRect().bottom)));
  expect(new Set(bottoms).size).toBe(1);

  await page.getByRole('textbox', { name: 'Images repo', exact: true }).fill('quay.io/org/app');
  await page.getByLabel('Repo mode').selectOption('auto');
  await page.getByLabel('Implementation').selectOption('ecr');
  await expect(page.getByRole('region', { name: 'Naming problems' })).toContainText('quay.io is Quay, but the implementation is set to Amazon Elastic Container Registry');
  await page.screenshot({ path: screenshotPath('final-names-1024.png') });
});

test('a 130-character tag and long registry notes stay inside the page at 1024×700', async ({ page, stowage }) => {
  await page.setViewportSize(SMALL);
  await openTruth(page, stowage.url);
  await page.getByRole('tab', { name: 'Final names' }).click();
  await page.getByRole('textbox', { name: 'Images repo', exact: true }).fill('europe-west1-docker.pkg.dev/proj/repo');
  await page.getByRole('textbox', { name: 'Custom tags', exact: true }).fill('x'.repeat(130));
  const card = page.getByRole('complementary', { name: /^About Google/ });
  await expect(card).toBeVisible();
  const problems = page.getByRole('region', { name: 'Naming problems' });
  await expect(problems).toContainText('bad --tag-custom parameter');
  // The problem list ends before the side card starts; nothing widens the page.
  expect((await box(problems)).x + (await box(problems)).width).toBeLessThanOrEqual((await box(card)).x);
  expect(await pageWidth(page)).toBeLessThanOrEqual(SMALL.width);
  const cardBox = await box(card);
  const overflowing = await card.evaluate((el) => [...el.querySelectorAll('li, p, dd, a')].filter((c) => c.scrollWidth > c.clientWidth + 1 || c.getBoundingClientRect().right > el.getBoundingClientRect().right + 1).length);
  expect(overflowing).toBe(0);
  expect(cardBox.x + cardBox.width).toBeLessThanOrEqual(SMALL.width);
  // The refused value has its row, marked, without a Copy button.
  const names = page.getByRole('table', { name: 'Final image names' });
  await expect(names.locator('tbody[data-image="worker"] tr[data-invalid="true"]')).toHaveCount(1);
  const reasons = names.locator('.invalid-reasons').first();
  const wrap = page.locator('.names-wrap');
  expect((await box(reasons)).x + (await box(reasons)).width).toBeLessThanOrEqual((await box(wrap)).x + (await box(wrap)).width);
});

test('problem hints show backtick spans as code, never raw backticks', async ({ page, stowage }) => {
  await openTruth(page, stowage.url);
  const problems = page.getByRole('region', { name: 'Problems in the config' });
  await expect(problems).toContainText('is already defined at werf.yaml:5');
  await expect(problems).not.toContainText('`');
  await expect(problems.locator('.hint code', { hasText: 'backend' })).toBeVisible();
});

test('the images table filters with a no-matches state, and the dependency graph explains itself and links to the table', async ({ page, stowage }) => {
  await page.setViewportSize(SMALL);
  await openTruth(page, stowage.url);
  const images = page.getByRole('table', { name: 'Images' });
  // Both definitions of backend are rows; the second is marked.
  await expect(images.locator('tr[data-image="backend"]')).toHaveCount(2);
  await expect(images.locator('tr[data-image="backend"]').nth(1)).toContainText('duplicate name');

  await page.getByLabel('Filter images').fill('nothing-like-this');
  await expect(page.getByTestId('no-matches')).toContainText('No image matches');
  await expect(images).toHaveCount(0);
  await page.getByTestId('no-matches').getByRole('button', { name: 'Clear the filter' }).click();
  await expect(images.locator('tbody tr')).toHaveCount(7);

  const graph = page.getByRole('region', { name: 'Image dependencies' });
  const legend = graph.getByRole('list', { name: 'Legend' });
  await expect(legend).toContainText('Dockerfile image');
  await expect(legend).toContainText('Stapel image');
  await expect(legend).toContainText('Stapel artifact');
  // Drawn icons, not emoji: every node carries an SVG icon and no character outside Latin-1 but the ellipsis.
  const node = graph.locator('[data-node="frontend-with-a-really-long-descriptive-name"]');
  await expect(node.locator('svg.kind-icon')).toHaveCount(1);
  await expect(node.locator('title')).toHaveText('frontend-with-a-really-long-descriptive-name (Dockerfile image)');
  expect(await node.locator('text').textContent()).toMatch(/…$/);
  const labels = await graph.locator('g.node > text').allTextContents();
  for (const label of labels) expect(label).toMatch(/^[\x20-\xff…]+$/);

  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await graph.locator('[data-node="worker"]').click();
  const worker = images.locator('tr[data-image="worker"]');
  await expect(worker).toHaveAttribute('aria-selected', 'true');
  await expect.poll(async () => { const b = await box(worker); return b.y >= 0 && b.y + b.height <= SMALL.height; }).toBe(true);
  await graph.locator('[data-node="assets"]').focus();
  await page.keyboard.press('Enter');
  await expect(images.locator('tr[data-image="assets"]')).toHaveAttribute('aria-selected', 'true');
});

test.describe('inventory at 1024×700', () => {
  let registry: DistributionHandle;
  test.beforeAll(async () => {
    registry = await startDistribution();
    const labels = { 'werf-image': 'true', 'werf-image-name': 'backend' };
    await seedImages(registry.url, 'truth/backend', ['1f3c9a0', '10ab4e2', '0a9b8c7', 'a0b1c2d', '9e8d7c6', 'v1.2', 'v1.10'], { distinct: true, labels });
    await seedImages(registry.url, 'truth/backend', ['latest', 'stable'], { distinct: false, labels: { ...labels, 'org.opencontainers.image.source': `https://ci.example.com/${'very-long-path-segment/'.repeat(12)}` } });
    await seedIndex(registry.url, 'truth/frontend-with-a-really-long-descriptive-name', 'multiarch');
    await seedIndex(registry.url, 'truth/frontend-with-a-really-long-descriptive-name', 'multiarch-again');
  });
  test.afterAll(async () => registry?.stop());

  test('commit tags sort by hash, badges fit, the table and the detail are visible together, nothing widens the page', async ({ page }) => {
    const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
    try {
      await page.setViewportSize(SMALL);
      await openTruth(page, stowage.url);
      await page.getByRole('tab', { name: 'Inventory' }).click();
      await page.getByLabel('Images repo or repository').fill(`${registry.host}/truth`);
      await page.getByRole('button', { name: 'List tags' }).click();
      await expect(page.getByTestId('inventory-totals')).toContainText('11 tags');
      const table = page.getByRole('table', { name: 'Tags' });
      const order = await table.locator('[role="row"][data-tag]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag')));
      expect(order.slice(0, 5)).toEqual(['0a9b8c7', '10ab4e2', '1f3c9a0', '9e8d7c6', 'a0b1c2d']);

      // "index · 2" and "shared ×2" both fit in the Kind cell of an index row.
      const kind = table.locator('[data-tag="multiarch"] .col-kind');
      await expect(kind).toContainText('shared ×2');
      expect(await clippedBadges(kind)).toEqual([]);

      await table.locator('[data-tag="latest"]').click();
      const detail = page.getByRole('complementary', { name: 'Tag details' });
      await expect(detail).toContainText('org.opencontainers.image.source');
      // Table and detail side by side, both on screen.
      await expect.poll(async () => (await box(detail)).y < SMALL.height - 200).toBe(true);
      const d = await box(detail);
      const t = await box(table);
      expect(d.x).toBeGreaterThanOrEqual(t.x + t.width);
      expect(d.y).toBeLessThan(SMALL.height - 200);
      const selected = await box(table.locator('[data-tag="latest"]'));
      expect(selected.y).toBeGreaterThanOrEqual(0);
      expect(selected.y + selected.height).toBeLessThanOrEqual(SMALL.height);
      // The long label wraps inside the panel.
      expect(d.x + d.width).toBeLessThanOrEqual(SMALL.width);
      expect(await pageWidth(page)).toBeLessThanOrEqual(SMALL.width);

      await page.getByLabel('Filter tags').fill('no-such-tag');
      await expect(page.getByTestId('no-matches')).toContainText('No tag matches');
      await page.getByTestId('no-matches').getByRole('button', { name: 'Clear the filter' }).click();
      await expect(page.getByTestId('visible-count')).toHaveText('11 shown');
      await page.screenshot({ path: screenshotPath('inventory-1024.png') });

      // Every column header reads in full, here and on a wide screen, sorted on it or not.
      expect(await table.getByRole('columnheader').count()).toBe(7);
      expect(await clippedHeaders(table)).toEqual([]);
      for (const name of ['Image', 'Digest', 'Kind', 'Size', 'Created', 'Pushed', 'Tag']) {
        const header = table.getByRole('columnheader', { name, exact: true });
        await header.getByRole('button').click();
        await expect(header).not.toHaveAttribute('aria-sort', 'none');
        expect(await clippedHeaders(table)).toEqual([]);
      }
      await page.setViewportSize({ width: 1440, height: 900 });
      expect(await clippedHeaders(table)).toEqual([]);
      expect(await clippedBadges(kind)).toEqual([]);
      expect(await pageWidth(page)).toBeLessThanOrEqual(1440);
      await page.screenshot({ path: screenshotPath('inventory-1440.png') });
    } finally {
      stopStowage(stowage);
    }
  });

  test('the Copy button of a row stands beside a short tag, never over it, and opens from the keyboard', async ({ page }) => {
    const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
    try {
      await page.setViewportSize(SMALL);
      await openTruth(page, stowage.url);
      await page.getByRole('tab', { name: 'Inventory' }).click();
      await page.getByLabel('Images repo or repository').fill(`${registry.host}/truth`);
      await page.getByRole('button', { name: 'List tags' }).click();
      await expect(page.getByTestId('inventory-totals')).toContainText('11 tags');
      const table = page.getByRole('table', { name: 'Tags' });
      // The listing's warnings come last and push the table down: hover once they are in.
      await expect(page.getByText('truth/worker does not exist')).toBeVisible();

      for (const size of [SMALL, { width: 1440, height: 900 }]) {
        await page.setViewportSize(size);
        // A 7-character commit tag reads whole beside its Copy button.
        const short = table.locator('[data-tag="0a9b8c7"]');
        await hoverSettled(short);
        await expect(short.getByRole('button', { name: 'Copy 0a9b8c7' })).toBeVisible();
        expect(await copyBesideTag(short)).toEqual({ textOverButton: false, shownOverButton: false, textCut: false, buttonPastCell: false });
        await page.screenshot({ path: screenshotPath(`inventory-copy-hover-${size.width}.png`) });
        // A tag longer than its cell gives way: it ends in an ellipsis before the button, not under it.
        const long = table.locator('[data-tag="multiarch-again"]');
        await hoverSettled(long);
        await expect(long.getByRole('button', { name: 'Copy multiarch-again' })).toBeVisible();
        const beside = await copyBesideTag(long);
        expect(beside.shownOverButton).toBe(false);
        expect(beside.buttonPastCell).toBe(false);
      }

      // From the keyboard: the selected row's button takes focus with Tab, shows, and Enter opens the menu.
      await page.setViewportSize(SMALL);
      await page.mouse.move(0, 0);
      const rows = page.getByLabel('Tag rows (arrow keys move the selection)');
      await rows.focus();
      await page.keyboard.press('ArrowDown');
      const first = table.locator('[data-tag="0a9b8c7"]');
      await expect(first).toHaveAttribute('aria-selected', 'true');
      await page.keyboard.press('Tab');
      const button = first.getByRole('button', { name: 'Copy 0a9b8c7' });
      await expect(button).toBeFocused();
      await expect(button).toBeVisible();
      expect(await copyBesideTag(first)).toMatchObject({ textOverButton: false, textCut: false });
      await page.keyboard.press('Enter');
      const menu = page.getByRole('group', { name: 'Copy 0a9b8c7' });
      await expect(menu).toBeVisible();
      await expect(menu.getByRole('button', { name: 'Copy tag' })).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(menu).toHaveCount(0);
      await expect(button).toBeFocused();
    } finally {
      stopStowage(stowage);
    }
  });
});
