import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, expect, openProject, test } from '../fixtures/stowage';

test('the werf release is chosen per project, and a config that relies on newer rules says so', async ({ page, stowage }) => {
  const project = copyProject('platform');
  writeFileSync(join(project, 'werf.yaml'), 'project: platform\nconfigVersion: 1\n---\nimage: app\nfromImage: alpine:3.20\n');
  await openProject(page, stowage.url, project);
  const problems = page.getByRole('region', { name: 'Problems in the config' });
  await expect(page.getByTestId('image-count')).toHaveText('1');
  await expect(problems).toContainText('werf v2.47 and newer build on the external image');

  await page.getByRole('tab', { name: 'Rendered' }).click();
  const select = page.getByLabel('werf version');
  await expect(select).toHaveValue('2.47');
  await select.selectOption('2');
  await page.getByRole('tab', { name: 'Images' }).click();
  // The message's backtick span is shown as code, not as raw backticks.
  await expect(problems).toContainText('no such image alpine:3.20');
  await expect(problems.locator('.message code', { hasText: 'alpine:3.20' })).toBeVisible();

  // A saved config keeps the chosen rules.
  writeFileSync(join(project, 'werf.yaml'), 'project: platform\nconfigVersion: 1\n---\nimage: app\nfromImage: alpine:3.21\n');
  await expect(problems).toContainText('no such image alpine:3.21');
});
