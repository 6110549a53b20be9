// The Registries page's catalog store over the real RPC host, the real catalog services and the
// Harbor emulator: Harbor's repository list says how many artifacts each repository holds, so the
// rows carry that count and the store asks the registry for no tag counts; a list that says
// nothing (the Registry API's /v2/_catalog) still has its rows' tags counted lazily.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods } from '../../shared/api/contract';
import { RpcHost } from '../../electron/rpc/host';
import { fakeElectronIpc } from '../../electron/rpc/test-transports';
import { RegistryAccess } from '../../electron/services/registry-access';
import { KnownRegistries } from '../../electron/services/registries/known/known-registries';
import { startHarborEmulator, type HarborEmulator } from './harbor';
import { createClient } from '../../renderer/api/client';
import { createRegistriesStore } from '../../renderer/stores/registries-store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('registries store: Harbor’s artifact_count', () => {
  let harbor: HarborEmulator;
  let home: string;
  let known: KnownRegistries;
  beforeAll(async () => {
    harbor = await startHarborEmulator();
    harbor.state.registry.addImage('team/api', { tags: ['v1', 'v2'] });
    harbor.state.registry.addImage('team/api', { tags: ['v3'] });
    harbor.state.registry.addImage('team/api', { tags: [] });
    harbor.state.registry.addImage('library/base', { tags: ['latest'] });
    home = await mkdtemp(join(tmpdir(), 'stowage-harbor-counts-'));
    const settingsDir = join(home, 'settings');
    const access = new RegistryAccess({ settingsDir, environment: {}, homeDir: home });
    await access.settings.save({ registry: harbor.host, plainHttp: true });
    await access.saved.save({ registry: harbor.host, implementation: 'harbor', username: 'admin', secret: 'Harbor12345' });
    known = new KnownRegistries(access, settingsDir);
  });
  afterAll(async () => {
    await harbor?.stop();
    await rm(home, { recursive: true, force: true });
  });

  function store() {
    const spec = { 'catalog.list': methods['catalog.list'], 'catalog.tagCounts': methods['catalog.tagCounts'] };
    const rpc = new RpcHost(spec, {
      'catalog.list': (request, ctx) => known.catalog(request, ctx.signal, (repositories, listed) => ctx.emit('catalog.repositories', { repositories, listed })),
      'catalog.tagCounts': ({ registry, implementation, repositories }, ctx) => known.tagCounts(registry, implementation, repositories, ctx.signal, (counts) => ctx.emit('catalog.tagCounts', { counts })),
    });
    return createRegistriesStore(createClient(fakeElectronIpc(rpc).transport));
  }
  const tagLists = () => harbor.requests().filter((q) => /^\/v2\/.+\/tags\/list/.test(q.path)).length;

  it('the rows carry Harbor’s artifact count and no tags/list is asked for', async () => {
    const s = store();
    const before = tagLists();
    await s.getState().listCatalog(harbor.host, 'harbor', '');
    const c = s.getState().catalog!;
    expect(c.error).toBeNull();
    expect(c.rows).toEqual([
      { name: 'library/base', artifactCount: 1, updated: expect.any(String) },
      { name: 'team/api', artifactCount: 3, updated: expect.any(String) },
    ]);
    // The rows in view: nothing left to count.
    s.getState().countTags(c.rows.map((r) => r.name));
    expect(s.getState().counting.size).toBe(0);
    await sleep(100);
    expect(tagLists()).toBe(before);
  });

  it('a list without counts (the Registry API’s catalog) still counts the tags of the rows in view', async () => {
    const s = store();
    await s.getState().listCatalog(harbor.host, 'default', '');
    const c = s.getState().catalog!;
    expect(c.rows.map((r) => r.name)).toEqual(['library/base', 'team/api']);
    expect(c.rows.every((r) => r.artifactCount === undefined)).toBe(true);
    const before = tagLists();
    s.getState().countTags(c.rows.map((r) => r.name));
    while (s.getState().counting.size > 0) await sleep(5);
    expect(s.getState().catalog!.rows.map((r) => r.tagCount)).toEqual([1, 3]);
    expect(tagLists() - before).toBe(2);
  });
});
