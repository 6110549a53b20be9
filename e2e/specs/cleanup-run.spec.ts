import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { GitFixture } from '../../electron/services/cleanup/testing/git-fixture';
import { seedImage, startDistribution, type DistributionHandle } from '../services/distribution';
import { ACCEPT_ALL } from '../services/registry-client';
import { startSlowProxy } from '../services/slow-proxy';
import { expect, openProject, repoRoot, screenshotPath, startStowage, stopStowage, test } from '../fixtures/stowage';

/**
 * Carrying out a cleanup plan end to end: a real distribution registry (deletes enabled) behind a
 * slow loopback proxy (so the live progress can be watched), a real git repository, the app in
 * Chromium through the browser host. Plan → keep one row → confirm → progress → results → restore
 * one row → the tag resolves again to its old digest, checked on the registry itself; then the
 * untagged copy of the kept tag restored from History.
 */

const OLD = '2024-03-01T00:00:00Z';
const REPO = 'cleanrun/app';
const werfLabels = (strategy: string, tag: string) => ({ 'werf-image': 'true', 'werf-image-name': 'app', 'werf-tag-strategy': strategy, 'werf-image-tag': tag });
/** Branch tags whose branches never reached origin: werf's tag strategy deletes them. */
const STALE = ['feature-a', 'feature-b', 'feature-c', 'feature-d', 'feature-e', 'feature-f'];
const KEPT_BY_USER = 'feature-c';
/** A re-tag of feature-c (same digest): once the user keeps feature-c, only this tag may go (untag). */
const COPY = 'feature-c-copy';
const RESTORED = 'feature-a';

/** A second images repo for the cancelled run. */
const CANCEL_REPO = 'cancelrun/app';
const CANCEL_STALE = Array.from({ length: 8 }, (_, i) => `topic-${i}`);

/** A third images repo, behind a registry that asks the run to slow down. */
const LIMITED_REPO = 'limitrun/app';
const LIMITED_STALE = ['old-1', 'old-2', 'old-3'];
const RETRY_AFTER_S = 4;

let registry: DistributionHandle;
let git: GitFixture;
const digests = new Map<string, string>();

test.beforeAll(async () => {
  registry = await startDistribution({ deleteEnabled: true });
  git = new GitFixture();
  writeFileSync(join(git.work, 'werf.yaml'), 'project: cleanrun\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n');
  writeFileSync(join(git.work, 'Dockerfile'), 'FROM scratch\n');
  git.git(git.work, ['add', '-A']);
  git.commit('2024-02-01T10:00:00Z', 'first');
  git.pushBranch('main');
  git.fetch();
  for (const tag of ['main', ...STALE]) {
    digests.set(tag, await seedImage(registry.url, REPO, tag, { created: OLD, labels: werfLabels('git-branch', tag) }));
  }
  digests.set(COPY, await seedImage(registry.url, REPO, COPY, { created: OLD, labels: werfLabels('git-branch', KEPT_BY_USER) }));
  expect(digests.get(COPY)).toBe(digests.get(KEPT_BY_USER));
  for (const tag of ['main', ...CANCEL_STALE]) await seedImage(registry.url, CANCEL_REPO, tag, { created: OLD, labels: werfLabels('git-branch', tag) });
  for (const tag of ['main', ...LIMITED_STALE]) await seedImage(registry.url, LIMITED_REPO, tag, { created: OLD, labels: werfLabels('git-branch', tag) });
});

test.afterAll(async () => {
  await registry?.stop();
  git?.remove();
});

/**
 * A loopback proxy to the registry that answers the first DELETE with 429 and a Retry-After, as a
 * rate-limited registry does, and forwards everything else.
 */
async function startRateLimitProxy(target: string, retryAfterS: number): Promise<{ host: string; limited(): number; stop(): Promise<void> }> {
  const upstream = new URL(target);
  let limited = 0;
  const server = createServer((req, res) => {
    if (req.method === 'DELETE' && limited === 0) {
      limited++;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfterS) });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }));
      return;
    }
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    limited: () => limited,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** What the registry itself says a tag points at (null: no such tag). */
async function resolveTag(tag: string, repo = REPO): Promise<string | null> {
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${encodeURIComponent(tag)}`, { method: 'HEAD', headers: { Accept: ACCEPT_ALL } });
  if (res.status === 404) return null;
  expect(res.status).toBe(200);
  return res.headers.get('docker-content-digest');
}

async function planTagStrategy(page: Page, url: string, host: string, imagesRepo = 'cleanrun'): Promise<void> {
  await openProject(page, url, git.work);
  await page.getByRole('tab', { name: 'Cleanup' }).click();
  await page.getByLabel('Images repo').fill(`${host}/${imagesRepo}`);
  await page.getByLabel('Kubernetes').selectOption('off');
  await page.getByRole('button', { name: 'Make a plan' }).click();
  await page.getByRole('radio', { name: 'werf v1.1 tag strategy' }).check();
  await expect(page.getByTestId('plan-policy')).toHaveText('werf-tag-strategy');
}

test('delete the reviewed plan, watch it, restore one tag, find the run in History', async ({ page }) => {
  const proxy = await startSlowProxy(registry.url, 60);
  // One delete at a time (a user's own setting), so each tag's progress is its own moment.
  const settings = { registry: proxy.host, plainHttp: true, concurrency: 1 };
  const stowage = await startStowage([], {}, { registrySettings: [settings] });
  try {
    await page.setViewportSize({ width: 1024, height: 700 });
    await planTagStrategy(page, stowage.url, proxy.host);
    const table = page.getByRole('table', { name: 'Cleanup plan' });
    const row = (tag: string) => table.locator(`[data-tag="${tag}"]`);
    for (const tag of [...STALE, COPY]) await expect(row(tag)).toHaveAttribute('data-action', 'delete');
    await expect(row('main')).toHaveAttribute('data-action', 'keep');
    await expect(page.getByTestId('plan-delete')).toHaveText(String(STALE.length + 1));

    // Deselect one row: a keep override, which makes a new plan (its id changes).
    const planBefore = await page.getByTestId('plan-id').textContent();
    await row(KEPT_BY_USER).click();
    await page.getByRole('complementary', { name: `Why ${KEPT_BY_USER} is deleted` }).getByRole('button', { name: 'Keep this' }).click();
    await expect(row(KEPT_BY_USER)).toHaveAttribute('data-action', 'keep');
    await expect(page.getByTestId('plan-id')).not.toHaveText(planBefore ?? '');
    // Five tags go with their own digest; the copy shares its digest with the kept tag: untagged.
    const deleting = STALE.length;
    const byDigest = deleting - 1;
    await expect(page.getByTestId('plan-delete')).toHaveText(String(deleting));

    // The confirmation: counts, the registry's call, garbage collection; Cancel has the focus and
    // Escape closes it without deleting anything, giving the focus back.
    const open = page.getByRole('button', { name: `Delete ${deleting} tags` });
    await open.click();
    const dialog = page.getByRole('dialog', { name: `Delete ${deleting} tags from ${proxy.host}/cleanrun?` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expect(dialog.getByTestId('confirm-deleted')).toHaveText(String(byDigest));
    await expect(dialog.getByTestId('confirm-untagged')).toHaveText('1');
    await expect(dialog.getByTestId('confirm-manifests')).toHaveText(String(byDigest));
    await expect(dialog).toContainText('DELETE /v2/<name>/manifests/<digest>');
    await expect(dialog).toContainText('placeholder manifest');
    await expect(dialog.getByTestId('confirm-shared')).toContainText(`${COPY} goes; ${KEPT_BY_USER} stays`);
    await expect(dialog.getByTestId('confirm-storage')).toContainText('garbage collection');
    await expect(dialog.getByTestId('confirm-irreversible')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(open).toBeFocused();
    expect(await resolveTag('feature-a')).toBe(digests.get('feature-a'));

    await open.click();
    await expect(dialog.getByRole('button', { name: `Delete ${deleting} tags` })).toBeInViewport();
    await page.screenshot({ path: screenshotPath('cleanup-confirm.png') });
    // Every text the progress line shows, however briefly.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressTexts: string[] }).progressTexts = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="run-progress"]')?.textContent;
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await dialog.getByRole('button', { name: `Delete ${deleting} tags` }).click();

    // Live progress per tag, then the results.
    await expect(page.getByTestId('run-progress')).toBeVisible();
    await expect(page.getByTestId('run-deleted')).toHaveText(String(byDigest), { timeout: 30_000 });
    await expect(page.getByTestId('run-untagged')).toHaveText('1');
    const shown = await page.evaluate(() => (window as unknown as { progressTexts: string[] }).progressTexts);
    for (let i = 1; i < deleting; i++) expect(shown.some((t) => t.startsWith(`${i} of ${deleting} tags done — last: `))).toBe(true);
    await expect(page.getByTestId('run-failed')).toHaveText('0');
    const results = page.getByRole('table', { name: 'Cleanup results' });
    const result = (tag: string) => results.locator(`[data-tag="${tag}"]`);
    await expect(results.locator('[role="row"][data-outcome="deleted"]')).toHaveCount(byDigest);
    await expect(result(COPY)).toHaveAttribute('data-outcome', 'untagged');
    await expect(result(KEPT_BY_USER)).toHaveCount(0);

    // The registry agrees: the deleted tags are gone, the kept ones untouched (the kept tag's
    // manifest survived its copy's untag).
    for (const tag of [...STALE.filter((t) => t !== KEPT_BY_USER), COPY]) expect(await resolveTag(tag), tag).toBeNull();
    expect(await resolveTag(KEPT_BY_USER)).toBe(digests.get(KEPT_BY_USER));
    expect(await resolveTag('main')).toBe(digests.get('main'));

    // Filter by outcome.
    await page.getByLabel('Show outcome').selectOption('failed');
    await expect(page.getByText('No tag matches these filters.')).toBeVisible();
    await page.getByLabel('Show outcome').selectOption('deleted');
    await expect(page.getByTestId('results-visible')).toHaveText(`${byDigest} shown`);

    // Restore one row.
    await page.getByRole('checkbox', { name: `Select ${RESTORED} to restore` }).check();
    await page.getByRole('button', { name: 'Restore 1 selected' }).click();
    await expect(page.getByTestId('restore-restored')).toHaveText('1', { timeout: 20_000 });
    await expect(page.getByTestId('restore-failed')).toHaveText('0');
    await expect(result(RESTORED)).toHaveAttribute('data-restore', 'restored');
    // What came back is not offered again.
    await expect(page.getByRole('checkbox', { name: `Select ${RESTORED} to restore` })).toHaveCount(0);
    await expect(page.getByRole('button', { name: `Restore the run (${deleting - 1})` })).toBeEnabled();
    expect(await resolveTag(RESTORED)).toBe(digests.get(RESTORED));
    expect(await resolveTag('feature-b')).toBeNull();
    await page.setViewportSize({ width: 1440, height: 900 });
    await result(RESTORED).click();
    await page.screenshot({ path: screenshotPath('cleanup-run.png') });

    // History: the run, newest first, opens into the same table with Restore.
    await page.getByRole('tab', { name: 'History' }).click();
    const runs = page.getByRole('table', { name: 'Cleanup runs' });
    await expect(runs.locator('tbody tr')).toHaveCount(1);
    // The view does not take the focus from the tab the user is on.
    await expect(page.getByRole('tab', { name: 'History' })).toBeFocused();
    await expect(runs.locator('tbody tr').first()).toContainText(`${proxy.host}/cleanrun`);
    await runs.getByRole('button', { name: /^Open the run/ }).click();
    await expect(page.getByRole('button', { name: '← All runs' })).toBeFocused();
    const again = page.getByRole('table', { name: 'Cleanup results' });
    await expect(again.locator(`[data-tag="${RESTORED}"]`)).toHaveAttribute('data-restore', 'restored');
    await expect(page.getByRole('button', { name: /^Restore the run/ })).toBeEnabled();
    // Restore the untagged copy from History: its tag comes back on the digest that never left.
    await page.getByRole('checkbox', { name: `Select ${COPY} to restore` }).check();
    await page.getByRole('button', { name: 'Restore 1 selected' }).click();
    await expect(again.locator(`[data-tag="${COPY}"]`)).toHaveAttribute('data-restore', 'restored', { timeout: 20_000 });
    await expect(page.getByTestId('restore-restored')).toHaveText('2');
    expect(await resolveTag(COPY)).toBe(digests.get(KEPT_BY_USER));
    expect(await resolveTag(KEPT_BY_USER)).toBe(digests.get(KEPT_BY_USER));
  } finally {
    stopStowage(stowage);
    await proxy.stop();
  }
});

test('History is empty before any run, and says how to make one', async ({ page }) => {
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await openProject(page, stowage.url, git.work);
    await page.getByRole('tab', { name: 'History' }).click();
    await expect(page.getByText('No cleanup has run yet', { exact: false })).toBeVisible();
  } finally {
    stopStowage(stowage);
  }
});

test('a cancelled run says what it did: deleted before the stop, untouched after, as the registry shows', async ({ page }) => {
  const proxy = await startSlowProxy(registry.url, 250);
  const settings = { registry: proxy.host, plainHttp: true, concurrency: 1 };
  const stowage = await startStowage([], {}, { registrySettings: [settings] });
  try {
    await planTagStrategy(page, stowage.url, proxy.host, 'cancelrun');
    await expect(page.getByTestId('plan-delete')).toHaveText(String(CANCEL_STALE.length), { timeout: 30_000 });
    await page.getByRole('button', { name: `Delete ${CANCEL_STALE.length} tags` }).click();
    await page.getByRole('dialog').getByRole('button', { name: `Delete ${CANCEL_STALE.length} tags` }).click();
    await expect(page.getByTestId('run-progress')).toContainText(`1 of ${CANCEL_STALE.length} tags done`, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('heading', { name: 'Cleanup cancelled' })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('alert')).toContainText('Cancelled:');

    const results = page.getByRole('table', { name: 'Cleanup results' });
    await page.getByLabel('Show outcome').selectOption('all');
    const deleted = await results.locator('[role="row"][data-outcome="deleted"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag')!));
    const skipped = await results.locator('[role="row"][data-outcome="skipped"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag')!));
    expect(deleted.length).toBeGreaterThanOrEqual(1);
    expect(deleted.length).toBeLessThan(CANCEL_STALE.length);
    expect(deleted.length + skipped.length).toBe(CANCEL_STALE.length);
    await expect(page.getByTestId('run-deleted')).toHaveText(String(deleted.length));
    for (const tag of deleted) expect(await resolveTag(tag, CANCEL_REPO), tag).toBeNull();
    for (const tag of skipped) expect(await resolveTag(tag, CANCEL_REPO), tag).not.toBeNull();
  } finally {
    stopStowage(stowage);
    await proxy.stop();
  }
});

test('a registry that asks to slow down: the run shows the countdown, waits, and finishes', async ({ page }) => {
  const proxy = await startRateLimitProxy(registry.url, RETRY_AFTER_S);
  const settings = { registry: proxy.host, plainHttp: true, concurrency: 1 };
  const stowage = await startStowage([], {}, { registrySettings: [settings] });
  try {
    await planTagStrategy(page, stowage.url, proxy.host, 'limitrun');
    await expect(page.getByTestId('plan-delete')).toHaveText(String(LIMITED_STALE.length));
    await page.getByRole('button', { name: `Delete ${LIMITED_STALE.length} tags` }).click();
    await page.getByRole('dialog').getByRole('button', { name: `Delete ${LIMITED_STALE.length} tags` }).click();
    const wait = page.getByTestId('rate-limit-wait');
    await expect(wait).toContainText(/resumes in 0:0[1-4]/);
    await expect(wait).toHaveCount(0, { timeout: (RETRY_AFTER_S + 10) * 1000 });
    await expect(page.getByTestId('run-deleted')).toHaveText(String(LIMITED_STALE.length), { timeout: 30_000 });
    await expect(page.getByTestId('run-failed')).toHaveText('0');
    expect(proxy.limited()).toBe(1);
    for (const tag of LIMITED_STALE) expect(await resolveTag(tag, LIMITED_REPO), tag).toBeNull();
  } finally {
    stopStowage(stowage);
    await proxy.stop();
  }
});

test('a registry with deletes switched off: every tag failed, with its answer and the fix, and nothing to restore', async ({ page }) => {
  const locked = await startDistribution({ deleteEnabled: false });
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: locked.host, plainHttp: true }] });
  try {
    for (const tag of ['main', 'feature-x', 'feature-y']) await seedImage(locked.url, 'lockedrun/app', tag, { created: OLD, labels: werfLabels('git-branch', tag) });
    await planTagStrategy(page, stowage.url, locked.host, 'lockedrun');
    await expect(page.getByTestId('plan-delete')).toHaveText('2');
    await page.getByRole('button', { name: 'Delete 2 tags' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete 2 tags' }).click();
    await expect(page.getByRole('heading', { name: 'Cleanup finished: 2 of 2 failed' })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('run-failed')).toHaveText('2');
    await expect(page.getByTestId('run-deleted')).toHaveText('0');
    const results = page.getByRole('table', { name: 'Cleanup results' });
    const failed = results.locator('[data-tag="feature-x"]');
    await expect(failed).toHaveAttribute('data-outcome', 'failed');
    await expect(failed).toContainText('405');
    await failed.click();
    const detail = page.getByRole('complementary', { name: 'Result for feature-x' });
    await expect(detail).toContainText('Registry said');
    await expect(detail).toContainText('storage.delete.enabled');
    await expect(page.getByRole('button', { name: 'Restore the run (0)' })).toBeDisabled();
    await expect(page.getByRole('checkbox')).toHaveCount(0);
  } finally {
    stopStowage(stowage);
    await locked.stop();
  }
});
