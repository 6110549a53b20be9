// The Registries page's store over the real RPC host and client (the Electron IPC bridge in Node,
// with a slow link): a catalog that replaces another keeps none of the old one's rows, and tag
// counts are asked for once per row and land on their rows.
import { describe, expect, it } from 'vitest';
import { methods } from '../../shared/api/contract';
import type { CatalogResult, RegistriesView } from '../../shared/api/registries';
import { RpcHost } from '../../electron/rpc/host';
import { fakeElectronIpc } from '../../electron/rpc/test-transports';
import { createClient } from '../api/client';
import type { Transport } from '../api/transport';
import { createRegistriesStore } from './registries-store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LATENCY_MS = 60;

function slowLink(transport: Transport): Transport {
  return { ...transport, subscribe: (listener) => transport.subscribe((m) => void setTimeout(() => listener(m), LATENCY_MS)) };
}

function host() {
  const asked: string[][] = [];
  const spec = { 'catalog.list': methods['catalog.list'], 'catalog.tagCounts': methods['catalog.tagCounts'], 'registries.list': methods['registries.list'] };
  const rpc = new RpcHost(spec, {
    'registries.list': () => ({ registries: [], notes: [] }) satisfies RegistriesView,
    // old.example keeps streaming for 600 ms whatever happens; new.example sends three repositories.
    'catalog.list': async ({ registry }, ctx) => {
      const name = registry.split('.')[0]!;
      const n = name === 'old' ? 60 : 3;
      for (let i = 0; i < n; i++) {
        ctx.emit('catalog.repositories', { repositories: [{ name: `${name}/repo-${i}` }], listed: i + 1 });
        await sleep(10);
      }
      return { registry, implementation: 'default', source: 'GET /v2/_catalog', repositories: n, complete: true, warnings: [], durationMs: 1 } satisfies CatalogResult;
    },
    'catalog.tagCounts': async ({ repositories }, ctx) => {
      asked.push([...repositories]);
      const counts = repositories.map((repository, i) => ({ repository, tags: i + 1 }));
      for (const c of counts) ctx.emit('catalog.tagCounts', { counts: [c] });
      return counts;
    },
  });
  return { rpc, asked };
}

describe('registries store', () => {
  it('a new catalog replaces one still listing; the old one’s late rows are ignored', async () => {
    const { rpc } = host();
    const store = createRegistriesStore(createClient(slowLink(fakeElectronIpc(rpc).transport)));
    void store.getState().listCatalog('old.example', 'default', '');
    while ((store.getState().catalog?.rows.length ?? 0) < 2) await sleep(5);
    await store.getState().listCatalog('new.example', 'default', '');
    await sleep(LATENCY_MS * 2);
    const c = store.getState().catalog!;
    expect(c.rows.map((r) => r.name)).toEqual(['new/repo-0', 'new/repo-1', 'new/repo-2']);
    expect(c.running).toBe(false);
    expect(c.result?.repositories).toBe(3);
  });

  it('tag counts: asked once per row, landing on their rows', async () => {
    const { rpc, asked } = host();
    const store = createRegistriesStore(createClient(slowLink(fakeElectronIpc(rpc).transport)));
    await store.getState().listCatalog('new.example', 'default', '');
    await sleep(LATENCY_MS * 2);
    store.getState().countTags(['new/repo-0', 'new/repo-1']);
    // Rows being counted are not asked for again.
    store.getState().countTags(['new/repo-0', 'new/repo-1', 'nobody/else']);
    expect(store.getState().counting.size).toBe(2);
    while (store.getState().counting.size > 0) await sleep(5);
    expect(store.getState().catalog!.rows.map((r) => r.tagCount)).toEqual([1, 2, undefined]);
    store.getState().countTags(['new/repo-0', 'new/repo-2']);
    while (store.getState().counting.size > 0) await sleep(5);
    expect(asked).toEqual([['new/repo-0', 'new/repo-1'], ['new/repo-2']]);
    expect(store.getState().catalog!.rows[2]!.tagCount).toBe(1);
  });

  it('cancel: the listing stops and says so', async () => {
    const { rpc } = host();
    const store = createRegistriesStore(createClient(slowLink(fakeElectronIpc(rpc).transport)));
    const listing = store.getState().listCatalog('old.example', 'default', '');
    while ((store.getState().catalog?.rows.length ?? 0) < 1) await sleep(5);
    store.getState().cancelCatalog();
    await listing;
    const before = store.getState().catalog!.rows.length;
    await sleep(LATENCY_MS * 2);
    expect(store.getState().catalog!.rows.length).toBe(before);
    expect(store.getState().catalog).toMatchObject({ running: false, error: { code: 'cancelled' } });
  });
});
