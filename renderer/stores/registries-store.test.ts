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
        const repo = name === 'bad' && i === 1 ? `${name}/unreadable` : `${name}/repo-${i}`;
        ctx.emit('catalog.repositories', { repositories: [{ name: repo }], listed: i + 1 });
        await sleep(10);
      }
      return { registry, implementation: 'default', source: 'GET /v2/_catalog', repositories: n, complete: true, warnings: [], durationMs: 1 } satisfies CatalogResult;
    },
    'catalog.tagCounts': async ({ repositories }, ctx) => {
      asked.push([...repositories]);
      // A repository named …/unreadable cannot be counted: the main process answers null with why.
      const counts = repositories.map((repository, i) =>
        repository.endsWith('/unreadable') ? { repository, tags: null, error: 'denied: not allowed to list tags' } : { repository, tags: i + 1 },
      );
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

  it('a count that fails is kept on its row and never asked for again in that catalog', async () => {
    const { rpc, asked } = host();
    const store = createRegistriesStore(createClient(slowLink(fakeElectronIpc(rpc).transport)));
    await store.getState().listCatalog('bad.example', 'default', '');
    await sleep(LATENCY_MS * 2);
    const names = store.getState().catalog!.rows.map((r) => r.name);
    expect(names).toEqual(['bad/repo-0', 'bad/unreadable', 'bad/repo-2']);
    // CatalogView asks again for the rows in view each time the rows change; a failed row must stay put.
    for (let round = 0; round < 4; round++) {
      store.getState().countTags(names);
      while (store.getState().counting.size > 0) await sleep(5);
    }
    const timesAsked = asked.flat().filter((n) => n === 'bad/unreadable').length;
    expect(timesAsked).toBe(1);
    const failed = store.getState().catalog!.rows[1]!;
    expect(failed.tagCount).toBeUndefined();
    expect(failed.tagCountError).toBe('denied: not allowed to list tags');
    // A new listing of the catalog may ask again.
    await store.getState().listCatalog('bad.example', 'default', '');
    await sleep(LATENCY_MS * 2);
    store.getState().countTags(['bad/unreadable']);
    while (store.getState().counting.size > 0) await sleep(5);
    expect(asked.flat().filter((n) => n === 'bad/unreadable').length).toBe(2);
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
