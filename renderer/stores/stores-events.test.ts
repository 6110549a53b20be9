// Stores keep only the events of the call they show. The host and client run for real (the Electron
// IPC bridge in Node, with a slow link), so a replaced call's events really are on their way when
// the next call starts.
import { describe, expect, it } from 'vitest';
import { methods } from '../../shared/api/contract';
import type { CheckReport, CheckStep } from '../../shared/credentials/types';
import type { InventoryStats, InventoryTag } from '../../shared/inventory/types';
import { RpcHost } from '../../electron/rpc/host';
import { fakeElectronIpc } from '../../electron/rpc/test-transports';
import { createClient } from '../api/client';
import type { Transport } from '../api/transport';
import { createInventoryStore } from './inventory-store';
import { createRegistryStore, selectCheckResult } from './registry-store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LATENCY_MS = 80;

/** Server messages reach the renderer LATENCY_MS after they were sent, in order. */
function slowLink(transport: Transport): Transport {
  return { ...transport, subscribe: (listener) => transport.subscribe((m) => void setTimeout(() => listener(m), LATENCY_MS)) };
}

const row = (repository: string, tag: string): InventoryTag => ({ repository, tag, digest: null, mediaType: null, kind: 'image', size: null, pending: true });
const step = (title: string): CheckStep => ({ name: 'ping', title, status: 'pass', detail: title, durationMs: 1 });

/**
 * A registry that is slow to notice a cancel: `old` keeps sending rows/steps for 600 ms whatever
 * happens, `new` sends three batches and answers.
 */
function slowHost() {
  const spec = { 'inventory.list': methods['inventory.list'], 'registry.check': methods['registry.check'] };
  return new RpcHost(spec, {
    'inventory.list': async ({ imagesRepo }, ctx) => {
      const name = imagesRepo.split('/').pop()!;
      const batches = name === 'old' ? 60 : 3;
      for (let i = 0; i < batches; i++) {
        ctx.emit('inventory.rows', { rows: [row(name, `${name}-${i}`)] });
        await sleep(10);
      }
      return { repositories: [name], registry: 'r.example', implementation: 'default', tags: batches, durationMs: 1, requests: 1, connections: 1, warnings: [], complete: true, truncated: [] } satisfies InventoryStats;
    },
    'registry.check': async ({ imagesRepo }, ctx) => {
      const name = imagesRepo.split('/').pop()!;
      const steps = name === 'old' ? 60 : 3;
      for (let i = 0; i < steps; i++) {
        ctx.emit('check.step', { step: step(`${name}-${i}`) });
        await sleep(10);
      }
      return { steps: [] } as unknown as CheckReport;
    },
  });
}

describe('stores filter events by call id', () => {
  it('inventory: a new listing replaces one still running; the old one’s late rows are ignored', async () => {
    const store = createInventoryStore(createClient(slowLink(fakeElectronIpc(slowHost()).transport)));
    const request = (name: string) => ({ imagesRepo: `r.example/${name}`, implementation: 'default' as const, mode: 'auto' as const, images: [], withConfig: false });
    void store.getState().start(request('old'));
    while (store.getState().rows.size < 2) await sleep(5);
    // The old listing's rows of the last LATENCY_MS are still on the wire.
    await store.getState().start(request('new'));
    await sleep(LATENCY_MS * 2);

    const tags = [...store.getState().rows.values()].map((r) => r.tag).sort();
    expect(tags).toEqual(['new-0', 'new-1', 'new-2']);
    expect(store.getState().stats?.repositories).toEqual(['new']);
    expect(store.getState().running).toBe(false);
  });

  it('registry: a new check replaces one still running; the old one’s late steps are ignored', async () => {
    const store = createRegistryStore(createClient(slowLink(fakeElectronIpc(slowHost()).transport)));
    const target = { registry: 'r.example', implementation: 'default' as const, credential: null };
    const shown = () => selectCheckResult(store.getState(), target);
    void store.getState().check('r.example/old', 'default', target);
    while ((shown()?.steps.length ?? 0) < 2) await sleep(5);
    const next = store.getState().check('r.example/new', 'default', target);
    // Steps stream in while the new check runs; none of them may be the old check's.
    const seen = new Set<string>();
    while (shown()?.running) {
      for (const s of shown()?.steps ?? []) seen.add(s.title);
      await sleep(5);
    }
    await next;
    expect([...seen].filter((t) => t.startsWith('old-'))).toEqual([]);
    expect([...seen].sort()).toEqual(['new-0', 'new-1', 'new-2']);
  });
});
