import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarborEmulator, type HarborEmulator } from '../emulators/harbor';
import { expect, screenshotPath, startStowage, stopStowage, test } from '../fixtures/stowage';

/*
 * A Harbor catalog on the Registries page, in Chromium against the browser host and the Harbor
 * emulator: each row shows Harbor's own artifact count, said as artifacts (not tags), and the
 * page asks the registry for no tag counts (no tags/list reaches the emulator).
 */

let harbor: HarborEmulator;

test.beforeAll(async () => {
  harbor = await startHarborEmulator();
  harbor.state.registry.addImage('team/api', { tags: ['v1', 'v2'] });
  harbor.state.registry.addImage('team/api', { tags: ['v3'] });
  harbor.state.registry.addImage('team/api', { tags: [] });
  harbor.state.registry.addImage('library/base', { tags: ['latest'] });
});
test.afterAll(async () => {
  await harbor?.stop();
});

for (const viewport of [{ width: 1024, height: 700 }, { width: 1440, height: 900 }]) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test('a Harbor catalog shows Harbor’s artifact counts and asks for no tag counts', async ({ page }) => {
      const docker = mkdtempSync(join(tmpdir(), 'stowage-e2e-docker-harbor-'));
      writeFileSync(join(docker, 'config.json'), JSON.stringify({ auths: { [harbor.host]: { auth: Buffer.from('admin:Harbor12345').toString('base64') } } }));
      const stowage = await startStowage([], { DOCKER_CONFIG: docker }, { registrySettings: [{ registry: harbor.host, plainHttp: true }] });
      try {
        await page.goto(stowage.url);
        await page.getByRole('button', { name: 'Registries' }).click();
        // The loopback host is a distribution registry by its address: say it is Harbor.
        await page.getByLabel('Registry host').fill(harbor.host);
        await page.getByLabel('Implementation', { exact: true }).selectOption('harbor');
        await page.getByRole('button', { name: 'Add registry' }).click();
        await page.getByTestId(`registry-${harbor.host}`).click();
        const detail = page.getByRole('region', { name: `Registry ${harbor.host}` });
        await expect(detail.getByTestId('registry-implementation')).toContainText('Harbor');
        await detail.getByRole('button', { name: 'Browse catalog' }).click();
        const status = page.getByTestId('catalog-status');
        await expect(status).toContainText('2 repositories', { timeout: 20_000 });
        await expect(status).toContainText('Harbor API');
        const grid = page.getByRole('grid', { name: 'Repositories' });
        const api = grid.getByRole('row').filter({ hasText: 'team/api' });
        await expect(api.getByTestId('tag-count')).toHaveText('3 artifacts');
        await expect(api.getByTestId('tag-count')).toHaveAttribute('title', /not of tags/);
        await expect(grid.getByRole('row').filter({ hasText: 'library/base' }).getByTestId('tag-count')).toHaveText('1 artifact');
        await expect(status).toContainText('2 counted');
        // Longer than the page waits before asking for the counts of the rows in view.
        await page.waitForTimeout(1000);
        await expect(status).not.toContainText('counting');
        expect(harbor.requests().filter((q) => q.path.includes('/tags/list'))).toHaveLength(0);
        await grid.scrollIntoViewIfNeeded();
        await page.screenshot({ path: screenshotPath(`registries-harbor-catalog-${viewport.width}.png`) });
      } finally {
        stopStowage(stowage);
        rmSync(docker, { recursive: true, force: true });
      }
    });
  });
}
