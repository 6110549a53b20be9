import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { copyProject, expect, openProject, repoRoot, screenshotPath, test } from '../fixtures/stowage';

// Issue #14, items 3 and 8-11 and two of item 16: what the project screen and the open screen say
// must follow the disk and git, and must say where things are.

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
] as const;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=e2e@stowage.test', '-c', 'user.name=e2e', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' }).trim();
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.screenshot({ path: screenshotPath(`${name}-${size.width}x${size.height}.png`) });
  }
}

test('a commit made in a terminal clears "uncommitted" and updates the commit at once; Reload and Ctrl+R read again', async ({ page, stowage }) => {
  const project = copyProject('shop', { branch: 'main' });
  writeFileSync(join(project, 'Dockerfile'), 'FROM scratch AS backend\nFROM scratch AS frontend\n# edited\n');
  await openProject(page, stowage.url, project);
  await expect(page.getByTestId('image-count')).toHaveText('3');

  const problems = page.getByRole('region', { name: 'Problems in the config' });
  // The edited Dockerfile is flagged: werf reads Dockerfiles from the commit.
  await expect(problems.locator('[data-code="giterminism-uncommitted"]')).toContainText('Dockerfile has uncommitted changes');
  const firstCommit = git(project, 'rev-parse', 'HEAD');
  await expect(page.locator('.project-header .meta')).toContainText(firstCommit.slice(0, 12));
  await shoot(page, 'truth-uncommitted');

  git(project, 'commit', '-q', '-am', 'edit the Dockerfile');
  const second = git(project, 'rev-parse', 'HEAD');
  await expect(page.locator('.project-header .meta')).toContainText(second.slice(0, 12));
  await expect(problems).toHaveCount(0);

  // A file read through .Files.Get: editing it re-renders the images.
  writeFileSync(join(project, 'base.txt'), 'alpine:3.19\n');
  writeFileSync(join(project, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: worker\nfrom: {{ .Files.Get "base.txt" | trim }}\n');
  git(project, 'add', '-A');
  git(project, 'commit', '-q', '-m', 'read base.txt');
  const images = page.getByRole('table', { name: 'Images' });
  await expect(images.locator('tr[data-image="worker"]')).toContainText('alpine:3.19');
  writeFileSync(join(project, 'base.txt'), 'alpine:3.20\n');
  await expect(images.locator('tr[data-image="worker"]')).toContainText('alpine:3.20');
  await expect(problems.locator('[data-code="giterminism-uncommitted"]')).toContainText('base.txt has uncommitted changes');

  // Reload is visible and says when it read; so does the keyboard shortcut, which must not reload the page.
  const reload = page.getByRole('button', { name: 'Reload' });
  await expect(reload).toBeVisible();
  const status = page.locator('.project-header [data-reloaded]');
  await reload.click();
  await expect(status).toHaveAttribute('data-reloaded', 'true');
  await expect(status).toContainText('reloaded');
  const before = await status.textContent();
  await page.waitForTimeout(1100);
  await page.keyboard.press('Control+r');
  await expect(status).not.toHaveText(before ?? '');
  await expect(page.getByTestId('image-count')).toHaveText('1');
});

test('a half-typed config keeps the last good images, marked stale, with the error first', async ({ page, stowage }) => {
  const project = copyProject('shop', { branch: 'main' });
  await openProject(page, stowage.url, project);
  await expect(page.getByTestId('image-count')).toHaveText('3');
  const images = page.getByRole('table', { name: 'Images' });

  writeFileSync(join(project, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: backend\ndockerfile: Dockerfile\nargs: {{ .Env.X \n');
  const banner = page.getByTestId('stale-banner');
  await expect(banner).toContainText('has a template error');
  await expect(page.getByTestId('image-count')).toHaveText('3');
  await expect(images.locator('tr[data-image="frontend"]')).toBeVisible();
  await expect(page.getByText('This config defines no images yet')).toHaveCount(0);
  const problems = page.getByRole('region', { name: 'Problems in the config' });
  await expect(problems.locator('li.problem').first()).toHaveClass(/error/);
  await shoot(page, 'truth-stale');

  writeFileSync(join(project, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: backend\nfrom: [alpine\n');
  await expect(banner).toContainText('has a YAML syntax error');
  await expect(page.getByTestId('image-count')).toHaveText('3');

  writeFileSync(join(project, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: backend\nfrom: alpine\n');
  await expect(page.getByTestId('image-count')).toHaveText('1');
  await expect(banner).toHaveCount(0);

  // A project that is broken when opened has no last good version: its own state, not "no images yet".
  await page.getByRole('button', { name: '← Projects' }).click();
  const broken = copyProject('shop');
  writeFileSync(join(broken, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: [\n');
  await page.getByLabel('Project folder').fill(broken);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('broken-config')).toContainText('The config is not valid YAML');
  await expect(page.getByText('This config defines no images yet')).toHaveCount(0);
});

test('a folder without werf.yaml is not opened, offers its subfolders that have one, and is not a recent project', async ({ page, stowage }) => {
  const root = mkdtempSync(join(tmpdir(), 'stowage-e2e-monorepo-'));
  cpSync(join(repoRoot, 'e2e/fixtures/projects/shop'), join(root, 'services', 'shop'), { recursive: true });
  mkdirSync(join(root, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'pkg', 'werf.yaml'), 'project: vendored\nconfigVersion: 1\n');
  await page.goto(stowage.url);
  await page.getByLabel('Project folder').fill(root);
  await page.keyboard.press('Enter');
  const alert = page.locator('.open-error');
  await expect(alert).toContainText(`There is no werf.yaml or werf.yml in ${root}`);
  await expect(page.getByTestId('image-count')).toHaveCount(0);
  const offers = alert.getByRole('list', { name: 'Subfolders with werf.yaml' });
  await expect(offers.getByRole('button')).toHaveText(['Open services/shop']);
  await expect(page.getByRole('region', { name: 'Recent projects' })).not.toContainText(root);
  await shoot(page, 'truth-no-werf-yaml');

  await offers.getByRole('button', { name: 'Open services/shop' }).click();
  await expect(page.getByTestId('image-count')).toHaveText('3');
  await page.getByRole('button', { name: '← Projects' }).click();
  const recent = page.getByRole('region', { name: 'Recent projects' });
  await expect(recent).toContainText(join(root, 'services', 'shop'));
  await expect(recent.locator('code', { hasText: new RegExp(`^${root}$`) })).toHaveCount(0);
});

test('~ and relative paths are in the home folder, and the field says where that is', async ({ page, stowage }) => {
  cpSync(join(repoRoot, 'e2e/fixtures/projects/shop'), join(stowage.home, 'src', 'shop'), { recursive: true });
  await page.goto(stowage.url);
  const field = page.getByLabel('Project folder');
  await field.fill('~/src/shop');
  await expect(page.getByTestId('resolved-path')).toContainText(`Opens ${join(stowage.home, 'src', 'shop')}`);
  await field.fill('src/nope');
  await expect(page.getByTestId('resolved-path')).toContainText(`Opens ${join(stowage.home, 'src', 'nope')} (relative paths start at your home folder)`);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toContainText(join(stowage.home, 'src', 'nope'));
  // ~NAME for the account Stowage runs as is its home folder; another name is refused, plainly.
  const me = userInfo().username;
  await field.fill(`~${me}/src/shop`);
  await expect(page.getByTestId('resolved-path')).toContainText(`Opens ${join(stowage.home, 'src', 'shop')}`);
  await field.fill('~zz-no-such-user/src/shop');
  await expect(page.getByTestId('resolved-path')).toContainText(`Stowage expands ~ only for your own account (${me}): ~zz-no-such-user is not expanded.`);
  await expect(page.getByTestId('resolved-path')).toContainText(`or ~/src/shop for a folder in your home folder (${stowage.home})`);
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('button', { name: 'Open', exact: true })).toBeDisabled();
  await shoot(page, 'truth-typed-path-refused');
  // Enter opens nothing: no folder named ~zz-no-such-user is tried (the alert is still the one for src/nope).
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toHaveCount(0);
  await expect(page.getByRole('alert')).toContainText(join(stowage.home, 'src', 'nope'));
  await expect(page.getByRole('alert')).not.toContainText('zz-no-such-user');
  await field.fill(`~${me}/src/shop`);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('image-count')).toHaveText('3');
  await expect(page.locator('.project-header .meta')).toContainText(join(stowage.home, 'src', 'shop'));
});

test('the folder browser starts at home, takes a typed path, shows breadcrumbs, keeps focus and moves with the keys', async ({ page, stowage }) => {
  for (const name of ['alpha', 'beta', 'gamma']) mkdirSync(join(stowage.home, 'work', name), { recursive: true });
  cpSync(join(repoRoot, 'e2e/fixtures/projects/shop'), join(stowage.home, 'work', 'beta'), { recursive: true });
  await page.goto(stowage.url);
  await page.getByRole('button', { name: 'Browse…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Choose a project folder' });
  const crumbs = dialog.getByRole('navigation', { name: 'Folder path' });
  await expect(crumbs.locator('[aria-current="location"]')).toHaveText(stowage.home.split('/').pop()!);
  await expect(dialog.getByLabel('Folder', { exact: true })).toHaveValue(stowage.home);

  // A typed path, with ~.
  await dialog.getByLabel('Folder', { exact: true }).fill('~/work');
  await dialog.getByLabel('Folder', { exact: true }).press('Enter');
  await expect(crumbs.locator('[aria-current="location"]')).toHaveText('work');
  const folders = dialog.getByRole('list', { name: 'Folders' });
  await expect(folders.getByRole('button')).toHaveText([/alpha/, /beta\s*werf project/, /gamma/]);

  // Arrows: into the list, down to beta, Enter opens it; Backspace goes back up with focus on beta.
  await folders.getByRole('button', { name: /alpha/ }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(folders.getByRole('button', { name: /beta/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(crumbs.locator('[aria-current="location"]')).toHaveText('beta');
  await expect(folders.getByRole('button').first()).toBeFocused();
  await page.keyboard.press('Backspace');
  await expect(crumbs.locator('[aria-current="location"]')).toHaveText('work');
  await expect(folders.getByRole('button', { name: /beta/ })).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(crumbs.locator('[aria-current="location"]')).toHaveText(stowage.home.split('/').pop()!);
  await shoot(page, 'truth-folder-browser');

  // Another account's ~name is refused with the reason, not listed as a folder named ~name.
  mkdirSync(join(stowage.home, '~zz-no-such-user'), { recursive: true });
  await dialog.getByLabel('Folder', { exact: true }).fill('~zz-no-such-user');
  await dialog.getByLabel('Folder', { exact: true }).press('Enter');
  await expect(dialog.getByRole('alert')).toContainText(`Stowage expands ~ only for your own account (${userInfo().username}): ~zz-no-such-user is not expanded.`);
  await shoot(page, 'truth-folder-browser-refused');
  await expect(crumbs.locator('[aria-current="location"]')).toHaveText(stowage.home.split('/').pop()!);

  // Breadcrumbs go to any folder above.
  await crumbs.getByRole('button', { name: '/' }).click();
  await expect(crumbs.locator('[aria-current="location"]')).toHaveText('/');
  await dialog.getByLabel('Folder', { exact: true }).fill(join(stowage.home, 'work'));
  await dialog.getByLabel('Folder', { exact: true }).press('Enter');
  await expect(crumbs.locator('[aria-current="location"]')).toHaveText('work');

  // Focus stays in the dialog: 30 Tabs forward and back never leave it.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press(i < 15 ? 'Tab' : 'Shift+Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Opened again after a project was open, it starts at that project's parent.
  await page.getByLabel('Project folder').fill(join(stowage.home, 'work', 'beta'));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('image-count')).toHaveText('3');
  await page.getByRole('button', { name: '← Projects' }).click();
  await page.getByLabel('Project folder').fill('');
  await page.getByRole('button', { name: 'Browse…' }).click();
  await expect(crumbs.locator('[aria-current="location"]')).toHaveText('work');
  await dialog.getByRole('button', { name: 'Open this folder' }).click();
  await expect(page.locator('.open-error')).toContainText('no werf.yaml');
  await expect(page.locator('.open-error').getByRole('button')).toContainText(['Open beta']);
});

test('without its token the browser host page shows only how to get the right address', async ({ page, stowage }) => {
  const origin = new URL(stowage.url).origin;
  await page.goto(`${origin}/`);
  const needed = page.getByTestId('address-needed');
  await expect(needed).toContainText('This address has no access token.');
  await expect(needed).toContainText(`${origin}/#token=…`);
  await expect(needed).toContainText('STOWAGE_URL=');
  await expect(page.getByLabel('Project folder')).toHaveCount(0);
  await expect(page.getByRole('button')).toHaveCount(0);
  await shoot(page, 'truth-no-token');

  // An old run's token: said as such.
  await page.goto(`${origin}/#token=from-an-earlier-run`);
  await page.reload();
  await expect(needed).toContainText('This address is from an earlier run of Stowage.');
  await expect(page.getByLabel('Project folder')).toHaveCount(0);
});

test('the page has a favicon and the "← Projects" hover is visible', async ({ page, stowage }) => {
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
  });
  await openProject(page, stowage.url, copyProject('shop'));
  await expect(page.getByTestId('image-count')).toHaveText('3');
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  const favicon = await page.request.get(new URL(icon!, new URL(stowage.url).origin + '/').toString());
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toBe('image/svg+xml');
  expect(missing).toEqual([]);

  const back = page.getByRole('button', { name: '← Projects' });
  await back.hover();
  const { color, background, bar } = await back.evaluate((b) => ({
    color: getComputedStyle(b).color,
    background: getComputedStyle(b).backgroundColor,
    bar: getComputedStyle(b.closest('.topbar')!).backgroundColor,
  }));
  // Light text on the dark bar, with a hover tint that is not the near-white page background.
  expect(color).toBe('rgb(255, 255, 255)');
  expect(background).not.toBe('rgb(249, 250, 252)');
  expect(background).not.toBe(bar);
  expect(contrast(color, blend(background, bar))).toBeGreaterThan(7);
});

function rgba(css: string): [number, number, number, number] {
  const m = /rgba?\(([^)]+)\)/.exec(css)!;
  const parts = m[1]!.split(',').map((p) => Number(p.trim()));
  return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
}

function blend(top: string, under: string): string {
  const [r, g, b, a] = rgba(top);
  const [r2, g2, b2] = rgba(under);
  return `rgb(${r * a + r2 * (1 - a)}, ${g * a + g2 * (1 - a)}, ${b * a + b2 * (1 - a)})`;
}

function contrast(a: string, b: string): number {
  const lum = (css: string) => {
    const [r, g, b2] = rgba(css).map((v) => v / 255) as [number, number, number, number];
    const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b2);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
