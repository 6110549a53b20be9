import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { CheckReport, CredentialSummary } from '../../../../shared/credentials/types';
import { RegistryAccess } from '../../registry-access';
import { KnownRegistries } from './known-registries';
import { RegistryBook } from './registry-book';
import { loginOf } from './registries-view';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A machine of its own: a docker config, an empty PATH (no credential helper runs), no cloud metadata. */
function world(dockerConfig?: unknown) {
  const home = temp('stowage-known-home-');
  const settingsDir = temp('stowage-known-settings-');
  const docker = join(home, '.docker');
  mkdirSync(docker, { recursive: true });
  if (dockerConfig !== undefined) writeFileSync(join(docker, 'config.json'), JSON.stringify(dockerConfig));
  const environment = { HOME: home, DOCKER_CONFIG: docker, PATH: temp('stowage-known-bin-'), AWS_EC2_METADATA_DISABLED: 'true' };
  const access = new RegistryAccess({ settingsDir, environment, homeDir: home });
  let clock = Date.UTC(2026, 11, 7, 10, 0, 0);
  const known = new KnownRegistries(access, settingsDir, () => new Date(clock));
  return { access, known, docker, settingsDir, advance: (ms: number) => (clock += ms) };
}

const report = (imagesRepo: string, registry: string, failed: boolean): CheckReport => ({
  imagesRepo,
  implementation: 'default',
  registry,
  repository: null,
  credentialSource: null,
  readOk: !failed,
  steps: [
    { name: 'reach', title: 'Reach the registry', status: 'pass', detail: 'HTTP 200', durationMs: 3 },
    { name: 'list-tags', title: 'List tags', status: failed ? 'fail' : 'pass', detail: failed ? 'HTTP 401' : '3 tags', durationMs: 4 },
  ] as CheckReport['steps'],
});

describe('KnownRegistries: the Registries page over the real credential resolver', () => {
  test('nothing known: an empty list', async () => {
    const w = world();
    expect((await w.known.list()).registries).toEqual([]);
  });

  test('every source, one row per registry, with implementation, login, last test and settings', async () => {
    const w = world({ auths: { 'ghcr.io': { auth: Buffer.from('octo:ghp_x').toString('base64') } }, credHelpers: { 'helped.example.com': 'missing-helper' } });
    await w.access.saved.save({ registry: '127.0.0.1:5000', implementation: 'default', username: 'ana', secret: 'ana-secret' });
    await w.access.settings.save({ registry: '127.0.0.1:5000', plainHttp: true });
    await w.known.add('Harbor.Example.com', 'harbor');
    await w.known.noteRepo('quay.io/acme/app');
    await w.known.recordTest(report('127.0.0.1:5000/shop/backend', '127.0.0.1:5000', false));
    const view = await w.known.list();
    const by = Object.fromEntries(view.registries.map((r) => [r.registry, r]));
    expect(Object.keys(by)).toEqual(['127.0.0.1:5000', 'ghcr.io', 'harbor.example.com', 'helped.example.com', 'quay.io']);
    expect(by['ghcr.io']).toMatchObject({ implementation: 'github', implementationSource: 'detected', origins: ['docker-config'], login: { state: 'found', username: 'octo' }, removable: false });
    expect(by['harbor.example.com']).toMatchObject({ implementation: 'harbor', implementationSource: 'setting', origins: ['added'], login: { state: 'none' }, removable: true });
    expect(by['helped.example.com']?.login.state).toBe('unusable');
    expect(by['quay.io']).toMatchObject({ implementation: 'quay', recentRepos: ['quay.io/acme/app'], origins: ['recent'] });
    expect(by['127.0.0.1:5000']).toMatchObject({
      origins: ['recent', 'saved-credential', 'settings'],
      login: { state: 'found', source: 'session', username: 'ana' },
      settings: { registry: '127.0.0.1:5000', plainHttp: true },
      lastTest: { at: '2026-12-07T10:00:00.000Z', ok: true, readOk: true, imagesRepo: '127.0.0.1:5000/shop/backend', summary: 'List tags: 3 tags' },
      recentRepos: ['127.0.0.1:5000/shop/backend'],
    });
    // A newer test replaces the older one, and says which step failed.
    w.advance(60_000);
    await w.known.recordTest(report('127.0.0.1:5000/shop/backend', '127.0.0.1:5000', true));
    const again = (await w.known.list()).registries.find((r) => r.registry === '127.0.0.1:5000');
    expect(again?.lastTest).toMatchObject({ at: '2026-12-07T10:01:00.000Z', ok: false, summary: 'List tags: HTTP 401' });
  });

  test('remove forgets what Stowage keeps, never the docker config', async () => {
    const w = world({ auths: { 'ghcr.io': { auth: Buffer.from('octo:ghp_x').toString('base64') } } });
    const before = readFileSync(join(w.docker, 'config.json'));
    await w.access.saved.save({ registry: '127.0.0.1:5000', implementation: 'default', username: 'ana', secret: 'ana-secret' });
    await w.access.settings.save({ registry: '127.0.0.1:5000', plainHttp: true });
    await w.known.recordTest(report('127.0.0.1:5000/app', '127.0.0.1:5000', false));
    await w.known.recordTest(report('ghcr.io/octo/app', 'ghcr.io', false));
    let view = await w.known.remove('127.0.0.1:5000');
    expect(view.registries.map((r) => r.registry)).toEqual(['ghcr.io']);
    expect(await w.access.settings.get('127.0.0.1:5000')).toBeUndefined();
    expect((await w.access.resolver.list(undefined, { registries: ['127.0.0.1:5000'] })).filter((s) => s.registry === '127.0.0.1:5000')).toEqual([]);
    // The docker config's registry stays (its login is the user's), only Stowage's test of it goes.
    view = await w.known.remove('ghcr.io');
    expect(view.registries.map((r) => r.registry)).toEqual(['ghcr.io']);
    expect(view.registries[0]?.lastTest).toBeNull();
    expect(readFileSync(join(w.docker, 'config.json'))).toEqual(before);
  });

  test('the book survives a restart and a damaged file costs only the list', async () => {
    const dir = temp('stowage-book-');
    const book = new RegistryBook(dir);
    await book.add('registry.example.com');
    expect((await new RegistryBook(dir).read()).entries.map((e) => e.registry)).toEqual(['registry.example.com']);
    writeFileSync(join(dir, 'registries.json'), '{"entries": [{"registry": 1}], "tests": "no"');
    expect(await new RegistryBook(dir).read()).toEqual({ entries: [], recent: [], tests: {} });
  });
});

describe('loginOf', () => {
  const summary = (s: Partial<CredentialSummary>): CredentialSummary => ({ registry: 'r.example', source: 'docker-config', sourceDetail: 'config.json', kind: 'basic', usable: true, ...s });
  const now = Date.UTC(2026, 0, 1);
  test('the first usable credential, expired once its expiry passed, unusable when none gives a secret, none without any', () => {
    expect(loginOf([], now)).toEqual({ state: 'none' });
    expect(loginOf([summary({ usable: false, problem: 'helper missing' }), summary({ source: 'saved', username: 'ana' })], now)).toMatchObject({ state: 'found', source: 'saved', username: 'ana' });
    expect(loginOf([summary({ expiresAt: '2025-12-31T12:00:00Z' })], now)).toMatchObject({ state: 'expired', expiresAt: '2025-12-31T12:00:00Z' });
    expect(loginOf([summary({ expiresAt: '2026-01-01T12:00:00Z' })], now).state).toBe('found');
    expect(loginOf([summary({ usable: false, problem: 'helper missing', hint: 'install it' })], now)).toMatchObject({ state: 'unusable', problem: 'helper missing', hint: 'install it' });
  });
});
