import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStevedoreEmulator, type StevedoreEmulator } from '../../../e2e/emulators/stevedore';
import { seedImages, startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { makeTempDir, removeDir } from '../../../e2e/services/util';
import { methods } from '../../../shared/api/contract';
import type { InventoryTag } from '../../../shared/inventory/types';
import { previewNames } from '../../../shared/naming/preview';
import { detectImplementation } from '../../../shared/registry/detect';
import { credentialGuide, implementationIds, implementationInfo, isImplementation, registerImplementation } from '../../../shared/registry/implementation-registry';
import { listInventory } from '../inventory/engine';
import { checkConnection } from '../registry/check-connection';
import { basicCredential } from '../registry/testing/credentials';
import { registerDriver, registryDriver } from '.';
import { STEVEDORE, STEVEDORE_HOST, STEVEDORE_TITLE, stevedoreDriver, stevedoreEntry } from './testing/stevedore';

/*
 * Done-means of one-driver-per-registry: a tenth implementation added from the test tree only —
 * one catalogue entry, one driver object, its emulator — works in detection, the preview, the
 * credential guide, the RPC contract, Test connection and the inventory, through the product's
 * own entry points. Nothing in a product file names it: if one had to, this test could not pass.
 */

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const TAGS = Array.from({ length: 25 }, (_, i) => `v${String(i).padStart(2, '0')}`);

let reg: DistributionHandle;
let emu: StevedoreEmulator;
let cacheDir: string;
const unregister: (() => void)[] = [];

beforeAll(async () => {
  unregister.push(registerImplementation(stevedoreEntry), registerDriver(stevedoreDriver));
  reg = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'sam', password: PASSWORD }] } });
  await seedImages(reg.url, 'team/app', TAGS, { auth: { username: 'sam', password: PASSWORD } });
  emu = await startStevedoreEmulator(reg.url);
  cacheDir = await makeTempDir('stevedore-cache');
}, 120_000);

afterAll(async () => {
  for (const u of unregister.reverse()) u();
  await emu?.stop();
  await reg?.stop();
  if (cacheDir) await removeDir(cacheDir);
});

const credential = () => basicCredential(emu.host, 'sam', PASSWORD);

describe('a tenth implementation registered from the test tree', () => {
  it('is one of the implementations, with its catalogue entry, guide and driver', () => {
    expect(implementationIds()).toContain(STEVEDORE);
    expect(implementationIds().slice(0, 9)).not.toContain(STEVEDORE);
    expect(isImplementation(STEVEDORE)).toBe(true);
    expect(implementationInfo(STEVEDORE).title).toBe(STEVEDORE_TITLE);
    expect(credentialGuide(STEVEDORE).form.username).toBe('Stevedore user');
    expect(registryDriver(STEVEDORE)).toBe(stevedoreDriver);
    expect(() => registerImplementation({ ...stevedoreEntry })).toThrow(/already registered/);
    expect(() => registerImplementation({ ...stevedoreEntry, id: 'dockerhub' })).toThrow(/already registered/);
  });

  it('detect: its host means it; werf would say default, and the reason says so', () => {
    const d = detectImplementation(`${STEVEDORE_HOST}/team/app`);
    expect(d.implementation).toBe(STEVEDORE);
    expect(d.reason).toContain('cr.stevedore.test is the Stevedore registry.');
    expect(d.werfWouldSay).toBe('default');
    // werf's own rules keep their order: a built-in host is not taken over.
    expect(detectImplementation('quay.io/org/app').implementation).toBe('quay');
  });

  it('preview: auto repo mode from its catalogue entry (no nesting, depth 2), names and limits', () => {
    const images = [{ name: 'api' }, { name: null }];
    const tags = [{ strategy: 'custom' as const, raw: 'v1' }];
    const mono = previewNames({ images, imagesRepo: `${STEVEDORE_HOST}/team/app`, mode: 'auto', implementation: 'auto', tags });
    expect(mono.implementation).toBe(STEVEDORE);
    expect(mono.mode).toBe('monorepo');
    expect(mono.images.flatMap((i) => i.tags.map((t) => t.reference))).toEqual([`${STEVEDORE_HOST}/team/app:api-v1`, `${STEVEDORE_HOST}/team/app:v1`]);
    const multi = previewNames({ images, imagesRepo: `${STEVEDORE_HOST}/team`, mode: 'auto', implementation: STEVEDORE, tags });
    expect(multi.mode).toBe('multirepo');
    expect(multi.implementationSource).toBe('override');
    expect(multi.images[0]?.tags[0]?.reference).toBe(`${STEVEDORE_HOST}/team/api:v1`);
    const deep = previewNames({ images, imagesRepo: `${STEVEDORE_HOST}/a/b/c`, mode: 'auto', implementation: 'auto', tags });
    expect(deep.mode).toBeNull();
    expect(deep.problems.map((p) => p.message).join('\n')).toContain('unexpected reference');
  });

  it('the RPC contract accepts it where it takes an implementation, and still refuses unknown ones', () => {
    const check = methods['registry.check'].args;
    expect(check.safeParse({ imagesRepo: `${STEVEDORE_HOST}/team/app`, implementation: STEVEDORE }).success).toBe(true);
    expect(check.safeParse({ imagesRepo: `${STEVEDORE_HOST}/team/app`, implementation: 'nonesuch' }).success).toBe(false);
  });

  it('Test connection: every step through its driver, delete probed on the real registry', async () => {
    const report = await checkConnection({ imagesRepo: `${emu.host}/team/app`, implementation: STEVEDORE, settings: { registry: emu.host, plainHttp: true }, credential: credential() });
    expect(report.implementation).toBe(STEVEDORE);
    expect(Object.fromEntries(report.steps.map((s) => [s.name, s.status]))).toEqual({
      resolve: 'pass',
      tls: 'skip',
      ping: 'pass',
      credentials: 'pass',
      'token-pull': 'skip',
      'token-push': 'skip',
      'token-delete': 'skip',
      'list-tags': 'pass',
      'delete-permission': 'pass',
    });
    expect(report.readOk).toBe(true);
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
  });

  it('Test connection of a repository that does not exist: its catalogue says pushes do not create it, its driver says what to do', async () => {
    const report = await checkConnection({ imagesRepo: `${emu.host}/team/nothing`, implementation: STEVEDORE, settings: { registry: emu.host, plainHttp: true }, credential: credential() });
    const list = report.steps.find((s) => s.name === 'list-tags');
    expect(list?.status).toBe('fail');
    expect(list?.detail).toContain(`${STEVEDORE_TITLE} does not create repositories on push`);
    expect(list?.hint).toBe('Create team/nothing in the Stevedore console before publishing.');
  });

  it('inventory: listed through its native API page by page, digests from it, then inspected by the engine', async () => {
    const rows = new Map<string, InventoryTag>();
    const before = emu.nativeCalls.length;
    const stats = await listInventory(
      { imagesRepo: `${emu.host}/team/app`, implementation: STEVEDORE, mode: 'monorepo', images: [], withConfig: false },
      {
        credential: credential(),
        settings: { registry: emu.host, plainHttp: true },
        cacheDir,
        signal: new AbortController().signal,
        onRows: (batch) => {
          for (const r of batch) rows.set(r.tag, r);
        },
        onProgress: () => undefined,
      },
    );
    expect(stats.tags).toBe(TAGS.length);
    expect([...rows.keys()].sort()).toEqual(TAGS);
    expect([...rows.values()].every((r) => r.digest?.startsWith('sha256:'))).toBe(true);
    expect(rows.get('v03')?.pushed).toBe('2024-06-01T12:00:00.000Z');
    // 25 tags at 20 a page: two native pages.
    expect(emu.nativeCalls.slice(before)).toHaveLength(2);
  });

  it('inventory of a missing repository: its declared rule (any 404) makes it a missing repository, not a failure', async () => {
    const stats = await listInventory(
      { imagesRepo: `${emu.host}/team/nothing`, implementation: STEVEDORE, mode: 'monorepo', images: [], withConfig: false },
      { credential: credential(), settings: { registry: emu.host, plainHttp: true }, cacheDir, signal: new AbortController().signal, onRows: () => undefined, onProgress: () => undefined },
    );
    expect(stats.missingRepositories).toEqual(['team/nothing']);
  });
});

describe('no product file names the tenth implementation', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  function walk(dir: string, out: string[]): string[] {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (entry !== 'testing' && entry !== 'node_modules') walk(path, out);
      } else if (/\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry)) out.push(relative(root, path));
    }
    return out;
  }

  it('holds for electron/, shared/ and renderer/', () => {
    const files = ['electron', 'shared', 'renderer'].flatMap((d) => walk(join(root, d), []));
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => /stevedore/i.test(readFileSync(join(root, f), 'utf8')))).toEqual([]);
  });
});
