import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, expect, openProject, test } from '../fixtures/stowage';

test('a templated project renders, and an environment value set in the app changes the images', async ({ page, stowage }) => {
  const project = copyProject('platform');
  await openProject(page, stowage.url, project);

  const images = page.getByRole('table', { name: 'Images' });
  await expect(page.getByTestId('image-count')).toHaveText('3');
  await expect(images.locator('tr[data-image="api"]')).toBeVisible();
  await expect(images.locator('tr[data-image="web"]')).toBeVisible();
  await expect(images.locator('tr[data-image="migrations"]')).toContainText('alpine:3.20');

  await page.getByRole('tab', { name: 'Rendered' }).click();
  const env = page.getByRole('region', { name: 'Environment variables' });
  await expect(env).toContainText('SERVICES');
  await expect(page.getByRole('region', { name: 'Rendered werf.yaml' })).toContainText('image: web');
  await env.getByLabel('SERVICES').fill('api,web,admin');
  await env.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('image-count')).toHaveText('4');
  await expect(page.getByRole('region', { name: 'Rendered werf.yaml' })).toContainText('image: admin');

  await page.getByRole('tab', { name: 'Images' }).click();
  await expect(images.locator('tr[data-image="admin"]')).toContainText('admin');

  // A template error is shown at its line, in the file it comes from.
  writeFileSync(join(project, '.werf/jobs/migrations.tmpl'), '---\nimage: migrations\nfrom: {{ .Files.Get "base-image.txt" | nosuch }}\n');
  const problems = page.getByRole('region', { name: 'Problems in the config' });
  await expect(problems).toContainText('.werf/jobs/migrations.tmpl:3');
  await expect(problems).toContainText('nosuch');
  await page.getByRole('tab', { name: 'Rendered' }).click();
  await expect(page.locator('.code-view[data-file=".werf/jobs/migrations.tmpl"] .error-line')).toHaveAttribute('data-line', '3');

  // A problem found after rendering names the template line, and the rendered view marks the
  // rendered line it was found on.
  writeFileSync(join(project, '.werf/jobs/migrations.tmpl'), '---\nimage: migrations\nfrom: alpine\nbogus: 1\n');
  await page.getByRole('tab', { name: 'Images' }).click();
  await expect(problems).toContainText('.werf/jobs/migrations.tmpl:4');
  await expect(problems).toContainText('(rendered line');
  await page.getByRole('tab', { name: 'Rendered' }).click();
  const marked = page.locator('.code-view[data-file="werf.yaml"] .error-line');
  await expect(marked).toHaveCount(1);
  await expect(marked).toContainText('bogus: 1');
});

test('the project view draws the dependencies between images', async ({ page, stowage }) => {
  const project = copyProject('platform');
  // No image depends on another yet: no graph.
  await openProject(page, stowage.url, project);
  await expect(page.getByTestId('image-count')).toHaveText('3');
  await expect(page.getByRole('region', { name: 'Image dependencies' })).toHaveCount(0);

  writeFileSync(
    join(project, 'werf.yaml'),
    [
      'project: platform',
      'configVersion: 1',
      '---',
      'artifact: assets',
      'from: node:20-alpine',
      '---',
      'image: base',
      'from: alpine:3.20',
      '---',
      'image: api',
      'fromImage: base',
      'import:',
      '- artifact: assets',
      '  add: /dist',
      '  to: /srv',
      '  after: install',
      '---',
      'image: web',
      'fromImage: api',
      '',
    ].join('\n'),
  );
  await expect(page.getByTestId('image-count')).toHaveText('4');
  const graph = page.getByRole('region', { name: 'Image dependencies' });
  await expect(graph.getByRole('group', { name: '3 dependencies between 4 images' })).toBeVisible();
  for (const name of ['assets', 'base', 'api', 'web']) await expect(graph.locator(`[data-node="${name}"]`)).toBeVisible();
  // Built first sits to the left.
  const left = async (name: string) => (await graph.locator(`[data-node="${name}"]`).boundingBox())!.x;
  expect(await left('base')).toBeLessThan(await left('api'));
  expect(await left('api')).toBeLessThan(await left('web'));
});
