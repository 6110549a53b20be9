import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitFixture } from '../../electron/services/cleanup/testing/git-fixture';
import { seedImage, seedImages, startDistribution, type DistributionHandle } from '../services/distribution';
import { startSlowProxy } from '../services/slow-proxy';
import { sampleWorkloads, startFakeKubeApi, unreachableKubeUrl, writeKubeconfig, type FakeKubeHandle } from '../services/fake-kube-api';
import { makeTempDir, removeDir } from '../services/util';
import { copyProject, expect, openProject, repoRoot, startStowage, stopStowage, test, type StowageHost, screenshotPath } from '../fixtures/stowage';
import type { Page } from '@playwright/test';

/**
 * The Cleanup view end to end: a real git repository with a bare origin (a branch deleted, a tag
 * gone), a real distribution registry holding werf v1.1 tag-strategy images, the app in Chromium
 * through the browser host, and the CLI on the same inputs.
 */

const run = promisify(execFile);
const OLD = '2024-03-01T00:00:00Z';
const werfLabels = (strategy: string, tag: string) => ({ 'werf-image': 'true', 'werf-image-name': 'app', 'werf-tag-strategy': strategy, 'werf-image-tag': tag });

let registry: DistributionHandle;
let git: GitFixture;
let kube: FakeKubeHandle;
let kubeDir: string;
let kubeconfig: string;

test.beforeAll(async () => {
  registry = await startDistribution();
  git = new GitFixture();
  writeFileSync(
    join(git.work, 'werf.yaml'),
    'project: cleanshop\nconfigVersion: 1\ncleanup:\n  keepPolicies:\n  - references:\n      branch: /.*/\n    imagesPerReference:\n      last: 2\n---\nimage: app\ndockerfile: Dockerfile\n',
  );
  writeFileSync(join(git.work, 'Dockerfile'), 'FROM scratch\n');
  git.git(git.work, ['add', '-A']);
  const c1 = git.commit('2024-02-01T10:00:00Z', 'first');
  git.pushBranch('main');
  git.checkout('feature/login', c1);
  const c2 = git.commit('2024-02-02T10:00:00Z', 'login');
  git.pushBranch('feature/login');
  git.tag('v1.0', c1);
  git.tag('v0.9', c1);
  // The branch was merged and deleted on origin, the old tag removed: their images are stale.
  git.deleteRemoteBranch('feature/login');
  git.deleteTag('v0.9');
  git.checkout('main');
  git.fetch();
  expect(c2).toMatch(/^[0-9a-f]{40}$/);

  const repo = 'cleanshop/app';
  await Promise.all([
    seedImage(registry.url, repo, 'main', { created: OLD, labels: werfLabels('git-branch', 'main') }),
    seedImage(registry.url, repo, 'feature-login', { created: OLD, labels: werfLabels('git-branch', 'feature-login') }),
    seedImage(registry.url, repo, 'v1.0', { created: OLD, labels: werfLabels('git-tag', 'v1.0') }),
    seedImage(registry.url, repo, 'v0.9', { created: OLD, labels: werfLabels('git-tag', 'v0.9') }),
    seedImage(registry.url, repo, 'hotfix-7', { created: OLD, labels: werfLabels('git-branch', 'hotfix-7') }),
    seedImage(registry.url, repo, 'latest', { created: OLD, labels: werfLabels('custom', 'latest') }),
    seedImage(registry.url, repo, 'managed-image-app', { created: OLD }),
  ]);
  // `stable` is a re-tag of `main` (equal options make an equal digest): one manifest, two tags.
  await seedImage(registry.url, repo, 'stable', { created: OLD, labels: werfLabels('git-branch', 'main') });
  // Enough tags behind a slow proxy to watch the inputs load and cancel them.
  await seedImages(registry.url, 'slowshop/app', Array.from({ length: 200 }, (_, i) => `build-${i}`), { distinct: true, created: OLD });

  kube = await startFakeKubeApi({ workloads: sampleWorkloads(registry.host), token: 't' });
  kubeDir = await makeTempDir('e2e-kube');
  kubeconfig = await writeKubeconfig(kubeDir, [
    { name: 'prod', server: kube.url, token: 't' },
    { name: 'lab', server: await unreachableKubeUrl() },
  ]);
});

test.afterAll(async () => {
  await registry?.stop();
  await kube?.stop();
  if (kubeDir) await removeDir(kubeDir);
  git?.remove();
});

async function makePlan(page: Page, stowage: StowageHost, kubeSource: 'off' | 'all' = 'off'): Promise<void> {
  await openProject(page, stowage.url, git.work);
  await page.getByRole('tab', { name: 'Cleanup' }).click();
  await expect(page.getByText('Nothing is deleted until you confirm', { exact: false })).toBeVisible();
  await page.getByLabel('Images repo').fill(`${registry.host}/cleanshop`);
  await page.getByLabel('Kubernetes').selectOption(kubeSource);
  await page.getByRole('button', { name: 'Make a plan' }).click();
}

async function exportPlan(page: Page): Promise<Record<string, unknown> & { now: string; planId: string; tags: { tag: string; action: string; reasons: { rule: string; text: string }[] }[] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export plan' }).click()]);
  return JSON.parse(readFileSync((await download.path())!, 'utf8'));
}

test('a werf tag-strategy plan: reasons on every row, an override, and an export equal to the CLI', async ({ page }) => {
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await makePlan(page, stowage);
    // Automatic: the werf-tag-strategy labels decide, and the plan says so.
    await expect(page.getByTestId('plan-policy')).toHaveText('werf-tag-strategy');
    // werf git history: werf.yaml's keepPolicies are preloaded into the editor; without werf's
    // commit metadata in the registry nothing is deleted on a guess.
    await page.getByRole('radio', { name: 'werf git history' }).check();
    await expect(page.getByText('keepPolicies from werf.yaml', { exact: false })).toBeVisible();
    await expect(page.getByTestId('keep-policy')).toHaveCount(1);
    await expect(page.getByLabel('Policy 1 branch')).toHaveValue('/.*/');
    await expect(page.getByTestId('plan-policy')).toHaveText('werf-git-history');
    await expect(page.getByTestId('plan-delete')).toHaveText('0');
    // An edit werf would reject is shown with werf's own error, and no plan is guessed.
    await page.getByLabel('Policy 1 branch').fill('/(unclosed/');
    await expect(page.locator('[data-code="keep-policy-bad-regex"]')).toContainText('invalid value');
    await page.getByLabel('Policy 1 branch').fill('/.*/');

    await page.getByRole('radio', { name: 'werf v1.1 tag strategy' }).check();
    const table = page.getByRole('table', { name: 'Cleanup plan' });
    await expect(page.getByTestId('plan-policy')).toHaveText('werf-tag-strategy');

    const row = (tag: string) => table.locator(`[data-tag="${tag}"]`);
    await expect(row('feature-login')).toHaveAttribute('data-action', 'delete');
    await expect(row('feature-login')).toContainText('feature');
    await expect(row('v0.9')).toHaveAttribute('data-action', 'delete');
    await expect(row('main')).toHaveAttribute('data-action', 'keep');
    await expect(row('v1.0')).toHaveAttribute('data-action', 'keep');
    await expect(row('latest')).toHaveAttribute('data-action', 'keep');
    await expect(row('managed-image-app')).toContainText('protected');
    await expect(row('hotfix-7')).toHaveAttribute('data-action', 'delete');
    await expect(row('stable')).toHaveAttribute('data-action', 'keep');
    await expect(page.getByTestId('plan-delete')).toHaveText('3');

    // Every row carries a reason.
    for (const tag of ['feature-login', 'v0.9', 'main', 'stable', 'v1.0', 'latest', 'managed-image-app', 'hotfix-7']) {
      await expect(row(tag).locator('.reason')).not.toBeEmpty();
    }

    // "Why is this kept?"
    await row('latest').click();
    const why = page.getByRole('complementary', { name: /Why latest is kept/ });
    await expect(why.getByTestId('why-reasons')).not.toBeEmpty();

    // The export equals the CLI's --json for the same inputs and time.
    const exported = await exportPlan(page);
    const cli = await run(
      process.execPath,
      [join(repoRoot, 'out/cli.mjs'), 'cleanup', `${registry.host}/cleanshop`, '--dry-run', '--project', git.work, '--policy', 'werf-tag-strategy', '--now', exported.now, '--without-kube', '--insecure-registry', '--json'],
      { env: { ...process.env, HOME: stowage.home, DOCKER_CONFIG: join(stowage.home, '.docker'), STOWAGE_HOME: join(stowage.home, 'stowage') }, maxBuffer: 32 * 1024 * 1024 },
    );
    expect(JSON.parse(cli.stdout)).toEqual(exported);

    // Keep a tag the policy would delete: the plan records it and its id changes.
    const before = await page.getByTestId('plan-id').textContent();
    await row('feature-login').click();
    const whyDelete = page.getByRole('complementary', { name: /Why feature-login is deleted/ });
    await whyDelete.getByRole('button', { name: 'Keep this' }).click();
    await expect(row('feature-login')).toHaveAttribute('data-action', 'keep');
    await expect(row('feature-login')).toContainText('kept by you');
    await expect(page.getByTestId('plan-id')).not.toHaveText(before ?? '');
    const overridden = await exportPlan(page);
    const fl = overridden.tags.find((t) => t.tag === 'feature-login')!;
    expect(fl.action).toBe('keep');
    expect(fl.reasons.map((r) => r.rule)).toContain('override');
    expect(overridden.planId).not.toBe(exported.planId);

    // Keyboard: K keeps the selected row and gives it back to the policy; arrows move the selection.
    await row('v0.9').click();
    const rows = page.getByLabel(/^Plan rows/);
    await rows.focus();
    await page.keyboard.press('k');
    await expect(row('v0.9')).toContainText('kept by you');
    await page.keyboard.press('k');
    await expect(row('v0.9')).toHaveAttribute('data-action', 'delete');
    await page.keyboard.press('ArrowDown');
    await expect(row('v0.9')).toHaveAttribute('aria-selected', 'false');

    // Filters: only the deletes, then by text.
    await page.getByLabel('Show').selectOption('delete');
    await expect(page.getByTestId('plan-visible')).toHaveText('2 shown');
    await page.getByLabel('Show').selectOption('all');
    await page.getByLabel('Group plan by').selectOption('digest');
    await expect(table.locator('.inv-group').filter({ hasText: '2 tags' })).toHaveCount(1);
    await page.screenshot({ path: screenshotPath('cleanup.png') });
  } finally {
    stopStowage(stowage);
  }
});

test('an unreachable cluster: the user chooses to plan without its protection', async ({ page }) => {
  const stowage = await startStowage([], { KUBECONFIG: kubeconfig }, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await makePlan(page, stowage, 'all');
    const decision = page.getByRole('alert', { name: 'Unreachable clusters' });
    await expect(decision).toContainText('lab');
    await page.getByRole('radio', { name: 'werf v1.1 tag strategy' }).check();
    // Until the user decides, nothing the cluster could have protected is deleted.
    await expect(page.getByTestId('plan-delete')).toHaveText('0');
    await decision.getByRole('button', { name: 'Plan without that protection' }).click();
    await expect(page.getByTestId('plan-delete')).not.toHaveText('0');
    const table = page.getByRole('table', { name: 'Cleanup plan' });
    await table.locator('[data-tag="feature-login"]').click();
    await expect(page.getByTestId('why-reasons')).toContainText('lab');
  } finally {
    stopStowage(stowage);
  }
});

test('a project that is no git repository: the plan is refused with the fix', async ({ page }) => {
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await openProject(page, stowage.url, copyProject('platform'));
    await page.getByRole('tab', { name: 'Cleanup' }).click();
    await expect(page.getByText('Make a plan to see', { exact: false })).toBeVisible();
    await page.getByLabel('Images repo').fill(`${registry.host}/cleanshop`);
    await page.getByRole('button', { name: 'Make a plan' }).click();
    const alert = page.locator('[data-code="git-unreadable"]');
    await expect(alert).toContainText('git repository could not be read');
    await expect(alert).toContainText('Open the folder of a git repository');
    await expect(page.getByRole('table', { name: 'Cleanup plan' })).toHaveCount(0);
  } finally {
    stopStowage(stowage);
  }
});

test('gathering the inputs shows its progress and can be cancelled', async ({ page }) => {
  const proxy = await startSlowProxy(registry.url, 40);
  const stowage = await startStowage([], {}, { registrySettings: [{ registry: proxy.host, plainHttp: true }] });
  try {
    await openProject(page, stowage.url, git.work);
    await page.getByRole('tab', { name: 'Cleanup' }).click();
    await page.getByLabel('Images repo').fill(`${proxy.host}/slowshop`);
    await page.getByRole('button', { name: 'Make a plan' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Listing every tag of the images repo' })).toBeVisible();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('alert')).toContainText('cancelled');
    await expect(page.getByRole('button', { name: 'Make a plan' })).toBeEnabled();
    await expect(page.getByRole('table', { name: 'Cleanup plan' })).toHaveCount(0);
    const after = proxy.requests();
    await page.waitForTimeout(500);
    expect(proxy.requests() - after).toBeLessThanOrEqual(8);
  } finally {
    stopStowage(stowage);
    await proxy.stop();
  }
});
