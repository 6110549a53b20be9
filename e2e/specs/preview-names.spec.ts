import { appendFileSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyProject, expect, openProject, repoRoot, test, screenshotPath } from '../fixtures/stowage';

test('open a project, see its images, preview final names in a registry', async ({ page, stowage }) => {
  const project = copyProject('shop', { branch: 'feature/ABC_1' });
  await page.goto(stowage.url);
  await expect(page.getByRole('heading', { name: 'Open a werf project' })).toBeVisible();

  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();

  const images = page.getByRole('table', { name: 'Images' });
  await expect(images.locator('tbody tr')).toHaveCount(3);
  const backend = images.locator('tr[data-image="backend"]');
  await expect(backend).toContainText('Dockerfile');
  await expect(backend).toContainText('backend');
  await expect(backend).toContainText('werf.yaml:5');
  await expect(images.locator('tr[data-image="frontend"]')).toContainText('frontend');
  await expect(images.locator('tr[data-image="worker"]')).toContainText('Stapel image');

  await page.getByRole('tab', { name: 'Final names' }).click();
  await page.getByRole('textbox', { name: 'Custom tags', exact: true }).fill('tag');
  const repo = page.getByRole('textbox', { name: 'Images repo', exact: true });
  await repo.fill('flant');
  const names = page.getByRole('table', { name: 'Final image names' });
  await expect(names).toContainText('flant/frontend:tag');
  await expect(names).toContainText('flant/backend:tag');
  await expect(page.getByTestId('resolved-implementation')).toHaveText('Docker Hub');
  await expect(page.getByTestId('resolved-mode')).toHaveText('multirepo');
  // The branch comes from the project's git repository, slugged the way werf's ci-env does it.
  await expect(page.getByRole('textbox', { name: 'Git branch', exact: true })).toHaveValue('feature/ABC_1');
  await expect(names).toContainText(/flant\/frontend:feature-abc-1-[0-9a-f]{7,8}/);

  await repo.fill('flant/project');
  await expect(names).toContainText('flant/project:frontend-tag');
  await expect(page.getByTestId('resolved-mode')).toHaveText('monorepo');

  await page.getByLabel('Repo mode').selectOption('multirepo');
  const problems = page.getByRole('region', { name: 'Naming problems' });
  await expect(problems).toContainText('multirepo cannot be used with flant/project');
  await expect(problems).toContainText('exclude repository from address or use monorepo repo mode');

  await page.getByLabel('Repo mode').selectOption('auto');
  await repo.fill('quay.io/acme');
  await expect(page.getByTestId('resolved-implementation')).toHaveText('Quay');
  await expect(page.getByRole('complementary', { name: 'About Quay' })).toBeVisible();
  await repo.fill('flant');
  await expect(names).toContainText('flant/frontend:tag');
  await page.screenshot({ path: screenshotPath('screenshot.png') });

  // Copy puts the exact name on the clipboard.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await names.getByRole('button', { name: 'Copy flant/frontend:tag' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('flant/frontend:tag');
});

test('saving werf.yaml in an editor refreshes the view', async ({ page, stowage }) => {
  const project = copyProject('shop');
  await openProject(page, stowage.url, project);
  await expect(page.getByTestId('image-count')).toHaveText('3');
  appendFileSync(join(project, 'werf.yaml'), '---\nimage: cron\ndockerfile: Dockerfile\ntarget: backend\n');
  await expect(page.getByTestId('image-count')).toHaveText('4');
  await expect(page.locator('tr[data-image="cron"]')).toBeVisible();
  writeFileSync(join(project, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: backend\ndockerfile: Dockerfile\nbogus: 1\n');
  await expect(page.getByRole('region', { name: 'Problems in the config' })).toContainText('unknown fields');
  await expect(page.getByRole('region', { name: 'Problems in the config' })).toContainText('werf.yaml:6');
});

test('bad folders give a clear error and keep the app usable', async ({ page, stowage }) => {
  await page.goto(stowage.url);
  await page.getByLabel('Project folder').fill('/definitely/not/here');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('does not exist');

  const empty = mkdtempSync(join(tmpdir(), 'stowage-e2e-empty-'));
  await page.getByLabel('Project folder').fill(empty);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  // A folder without werf.yaml is not opened as a project (issue #14 item 8).
  await expect(page.getByRole('alert')).toContainText('There is no werf.yaml or werf.yml');
  await expect(page.getByTestId('image-count')).toHaveCount(0);

  const dirConfig = mkdtempSync(join(tmpdir(), 'stowage-e2e-dir-'));
  mkdirSync(join(dirConfig, 'werf.yaml'));
  await page.getByLabel('Project folder').fill(dirConfig);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Problems in the config' })).toContainText('is a folder, not a file');
});

test('the folder browser opens a project and recent projects remember it', async ({ page, stowage }) => {
  const project = copyProject('shop');
  await page.goto(stowage.url);
  await page.getByLabel('Project folder').fill(join(project, 'backend'));
  await page.getByRole('button', { name: 'Browse…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Choose a project folder' });
  await expect(dialog.getByLabel('Folder', { exact: true })).toHaveValue(join(project, 'backend'));
  await dialog.getByRole('button', { name: 'Up one folder' }).click();
  await expect(dialog.getByLabel('Folder', { exact: true })).toHaveValue(project);
  await dialog.getByRole('button', { name: 'Open this folder' }).click();
  await expect(page.getByTestId('image-count')).toHaveText('3');
  await page.getByRole('button', { name: '← Projects' }).click();
  await expect(page.getByRole('region', { name: 'Recent projects' })).toContainText(project);
  await page.getByRole('region', { name: 'Recent projects' }).getByRole('button', { name: /^shop/ }).click();
  await expect(page.getByTestId('image-count')).toHaveText('3');
});
