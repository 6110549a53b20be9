import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedImage, startDistribution, type DistributionHandle } from '../services/distribution';
import { copyProject, expect, openProject, repoRoot, startStowage, stopStowage, type StowageHost, test, screenshotPath } from '../fixtures/stowage';

const RIGHT = `right-${Date.now().toString(36)}-Zq8x`;
const WRONG = `wrong-${Date.now().toString(36)}-Kp3v`;
let registry: DistributionHandle;

test.beforeAll(async () => {
  registry = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'alice', password: RIGHT }] } });
  await seedImage(registry.url, 'team/app', 'v1', { auth: { username: 'alice', password: RIGHT } });
});
test.afterAll(async () => {
  await registry?.stop();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

test('Test connection fails with a wrong password, says so, and passes with the right one; no secret leaks', async ({ page }) => {
  const stowage: StowageHost = await startStowage();
  const received: string[] = [];
  const sent: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => received.push(String(f.payload)));
    ws.on('framesent', (f) => sent.push(String(f.payload)));
  });
  try {
    await openProject(page, stowage.url, copyProject('shop'));
    await page.getByRole('tab', { name: 'Registry access' }).click();
    await page.getByRole('textbox', { name: 'Images repo', exact: true }).fill(`${registry.host}/team/app`);
    await expect(page.getByTestId('registry-implementation')).toContainText('Generic registry');
    await expect(page.getByRole('region', { name: 'What you need' })).toContainText('storage.delete.enabled');

    // The local registry speaks plain HTTP: an explicit per-registry opt-in, as a user would set it.
    const settings = page.getByRole('region', { name: 'Connection settings' });
    await settings.getByRole('button', { name: /Connection settings/ }).click();
    await settings.getByLabel('Plain HTTP (no TLS) for this registry only').check();
    await settings.getByRole('button', { name: 'Save settings' }).click();

    const credentials = page.getByRole('region', { name: 'Credentials in use' });
    await credentials.getByLabel('User name').fill('alice');
    await credentials.getByLabel('Password or token').fill(WRONG);
    await credentials.getByRole('button', { name: 'Save credentials' }).click();
    await expect(credentials.getByLabel('Password or token')).toHaveValue('');
    await expect(credentials).toContainText('Entered for this session');

    const check = page.getByRole('region', { name: 'Test connection' });
    await check.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('check-verdict')).toContainText('Read access does not work');
    const failed = check.locator('.check-step[data-status="fail"]').first();
    await expect(failed).toContainText('401');
    await expect(failed).toContainText(/wrong user name or password/i);

    await credentials.getByLabel('Password or token').fill(RIGHT);
    await credentials.getByRole('button', { name: 'Save credentials' }).click();
    await check.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('check-verdict')).toContainText('Read access works');
    await expect(check.locator('.check-step[data-step="list-tags"]')).toHaveAttribute('data-status', 'pass');
    await expect(check.locator('.check-step[data-step="delete-permission"]')).toHaveAttribute('data-status', 'pass');
    await page.screenshot({ path: screenshotPath('registry-access.png'), fullPage: true });

    // Nothing secret comes back from the main process, sits in the page, or reaches the logs.
    for (const secret of [RIGHT, WRONG]) {
      expect(received.filter((f) => f.includes(secret))).toEqual([]);
      expect(sent.filter((f) => f.includes(secret)).every((f) => f.includes('"credentials.save"'))).toBe(true);
      expect(await page.content()).not.toContain(secret);
      const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      expect(storage).not.toContain(secret);
      expect(stowage.output()).not.toContain(secret);
      for (const file of filesUnder(stowage.home)) expect(readFileSync(file, 'utf8')).not.toContain(secret);
    }

    // Nor anywhere in the page's memory: after a garbage collection, a heap snapshot of the
    // renderer holds neither password (the form lets go of it once it is sent).
    const cdp = await page.context().newCDPSession(page);
    const chunks: string[] = [];
    cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => chunks.push(e.chunk));
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    const heap = chunks.join('');
    expect(heap.length).toBeGreaterThan(100_000);
    expect(heap).toContain('alice');
    for (const secret of [RIGHT, WRONG]) expect(heap.includes(secret), `${secret === RIGHT ? 'right' : 'wrong'} password in the renderer heap`).toBe(false);
    await cdp.detach();

    // The CLI, reading the same secret from a Docker config, prints it nowhere either.
    const dockerDir = join(stowage.home, 'cli-docker');
    mkdirSync(dockerDir, { recursive: true });
    writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`alice:${RIGHT}`).toString('base64') } } }));
    const env = { ...process.env, HOME: stowage.home, DOCKER_CONFIG: dockerDir, STOWAGE_HOME: join(stowage.home, 'stowage') };
    const listed = execFileSync(process.execPath, [join(repoRoot, 'bin/stowage.mjs'), 'credentials', registry.host, '--json'], { env, encoding: 'utf8' });
    expect(JSON.parse(listed).registries[0].sources[0]).toMatchObject({ source: 'docker-config', username: 'alice', usable: true });
    const checked = execFileSync(process.execPath, [join(repoRoot, 'bin/stowage.mjs'), 'check', `${registry.host}/team/app`, '--json'], { env, encoding: 'utf8' });
    expect(JSON.parse(checked).steps.find((s: { name: string }) => s.name === 'list-tags').status).toBe('pass');
    for (const out of [listed, checked]) expect(out).not.toContain(RIGHT);
  } finally {
    stopStowage(stowage);
  }
});
