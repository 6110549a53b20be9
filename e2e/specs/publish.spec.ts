import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDockerEngine, type DockerEngineHandle } from '../services/docker-engine';
import { startDistribution, type DistributionHandle } from '../services/distribution';
import { expect, openProject, startStowage, stopStowage, test } from '../fixtures/stowage';

/**
 * Publish, clicked through in Chromium against the browser host, with the real Docker engine
 * (started here on its own socket; the spec fails when it cannot start) and a real registry with
 * htpasswd. The names pushed are the ones the view listed before the click.
 */

let engine: DockerEngineHandle;
let registry: DistributionHandle;
let project: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  [engine, registry] = await Promise.all([startDockerEngine(), startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'e2e', password: 'e2e-publish-pw' }] } })]);
  project = mkdtempSync(join(tmpdir(), 'stowage-e2e-publish-'));
  mkdirSync(join(project, 'web'));
  writeFileSync(join(project, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: api\ndockerfile: Dockerfile\ntarget: api\n---\nimage: web\ndockerfile: Dockerfile\ntarget: web\n---\nimage: tools\nfrom: alpine:3.19\n');
  writeFileSync(join(project, 'Dockerfile'), 'FROM scratch AS api\nCOPY api.txt /api.txt\n\nFROM scratch AS web\nCOPY web /web\n');
  writeFileSync(join(project, 'api.txt'), 'api\n');
  writeFileSync(join(project, 'web', 'index.html'), '<h1>web</h1>\n');
});

test.afterAll(async () => {
  await Promise.all([engine?.stop(), registry?.stop()]);
  if (project) rmSync(project, { recursive: true, force: true });
});

test('build and push from the Publish view, then open the pushed tags in the inventory', async ({ page }) => {
  test.setTimeout(180_000);
  const auth = Buffer.from('e2e:e2e-publish-pw').toString('base64');
  const stowage = await startStowage([], { DOCKER_HOST: engine.host, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [registry.host]: { auth } } }) }, { registrySettings: [{ registry: registry.host, plainHttp: true }] });
  try {
    await openProject(page, stowage.url, project);
    await page.getByRole('tab', { name: 'Publish' }).click();

    const card = page.getByTestId('engine-card');
    await expect(card).toContainText('vfs');
    // Debian's engine offers BuildKit (API 1.41 on Linux); the card says which builder and why.
    await expect(card.getByTestId('engine-builder')).toHaveAttribute('data-builder', 'buildkit');
    await expect(card.getByTestId('engine-builder')).toContainText(/BuildKit.*offers it \(API 1\.\d+ on linux\)/);
    await expect(card).toContainText(engine.host);

    await page.getByLabel('Images repo').fill(`${registry.host}/shop`);
    await page.getByLabel('Repo mode').selectOption('multirepo');
    await page.getByLabel('Custom tags').fill('e2e1');
    const images = page.getByRole('table', { name: 'Images to publish' });
    await expect(images.getByTestId('publish-row-api')).toContainText(`${registry.host}/shop/api:e2e1`);
    await expect(images.getByTestId('publish-row-tools')).toContainText('werf build');

    // An invalid name refuses the run before anything is built.
    await page.getByLabel('Custom tags').fill('bad tag!');
    await expect(page.getByRole('button', { name: 'Build and push' })).toBeDisabled();
    await page.getByLabel('Custom tags').fill('e2e1');

    await page.getByRole('button', { name: 'Build and push' }).click();
    await expect(images.getByTestId('publish-row-api')).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
    await expect(images.getByTestId('publish-row-web')).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
    await expect(images.getByTestId('publish-row-tools')).toHaveAttribute('data-phase', 'skipped');
    await images.getByTestId('publish-row-web').getByText(/Build log/).click();
    // BuildKit's progress, decoded, in the same log: its step and the plain-progress lines.
    await expect(images.getByTestId('publish-row-web')).toContainText('COPY web /web');
    await expect(images.getByTestId('publish-row-web')).toContainText(/#\d+ (DONE \d+\.\ds|CACHED)/);

    const pushed = page.getByRole('region', { name: 'Pushed' });
    await expect(pushed.getByTestId('pushed-name')).toHaveCount(2);
    await expect(pushed).toContainText(`${registry.host}/shop/api:e2e1`);
    await expect(pushed).toContainText(`${registry.host}/shop/web:e2e1`);
    await expect(pushed.getByRole('button', { name: `Copy ${registry.host}/shop/web:e2e1 by digest` })).toBeVisible();

    await pushed.getByRole('button', { name: 'Open in Inventory' }).click();
    const table = page.getByRole('table', { name: 'Tags' });
    await expect(table.locator('[data-tag="e2e1"]')).toHaveCount(2);
    await expect(table.locator('[data-tag="e2e1"]').first()).toContainText(/api|web/);
    expect(stowage.output()).not.toContain('e2e-publish-pw');
  } finally {
    stopStowage(stowage);
  }
});
