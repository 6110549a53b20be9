// A Test connection result belongs to what it tested. The store runs against the real RPC host and
// client (the Electron IPC bridge in Node); the main process side is a small stand-in.
import { describe, expect, it } from 'vitest';
import { methods } from '../../shared/api/contract';
import type { CheckTarget } from '../../shared/credentials/check-target';
import type { CheckReport, CredentialsState } from '../../shared/credentials/types';
import { RpcHost } from '../../electron/rpc/host';
import { fakeElectronIpc } from '../../electron/rpc/test-transports';
import { createClient } from '../api/client';
import { createRegistryStore, selectCheckResult, selectLastResultPerRegistry } from './registry-store';

const state: CredentialsState = { summaries: [], storage: { backend: 'memory', persistent: false }, settings: [] };

function host() {
  const spec = { 'registry.check': methods['registry.check'], 'credentials.save': methods['credentials.save'], 'registry.saveSettings': methods['registry.saveSettings'] };
  return new RpcHost(spec, {
    'registry.check': async ({ imagesRepo }) => {
      const registry = imagesRepo.split('/')[0]!;
      // The local registry lets us in, quay.io does not.
      const readOk = registry.startsWith('127.0.0.1');
      return { imagesRepo, implementation: readOk ? 'default' : 'quay', registry, repository: imagesRepo.slice(registry.length + 1), credentialSource: null, steps: [{ name: 'list-tags', title: 'List tags', status: readOk ? 'pass' : 'fail', detail: registry, durationMs: 3 }], readOk } satisfies CheckReport;
    },
    'credentials.save': async () => state,
    'registry.saveSettings': async () => state,
  });
}

const local: CheckTarget = { registry: '127.0.0.1:5055', implementation: 'default', credential: null };
const quay: CheckTarget = { registry: 'quay.io', implementation: 'quay', credential: null };

describe('registry store: results keyed by what they tested', () => {
  it("never shows one registry's result under another, and keeps each registry's own", async () => {
    const store = createRegistryStore(createClient(fakeElectronIpc(host()).transport));
    await store.getState().check('127.0.0.1:5055/team/app', 'auto', local);
    expect(selectCheckResult(store.getState(), local)?.report?.readOk).toBe(true);
    // The images repo now names quay.io: nothing from the local registry appears there.
    expect(selectCheckResult(store.getState(), quay)).toBeNull();

    await store.getState().check('quay.io/org/shop', 'auto', quay);
    expect(selectCheckResult(store.getState(), quay)?.report?.readOk).toBe(false);
    // Back on the local registry, its own result is still there, labelled with what it tested.
    const back = selectCheckResult(store.getState(), local);
    expect(back?.imagesRepo).toBe('127.0.0.1:5055/team/app');
    expect(back?.report?.readOk).toBe(true);

    // Same host, another implementation or another credential: not the same test.
    expect(selectCheckResult(store.getState(), { ...local, implementation: 'harbor' })).toBeNull();
    expect(selectCheckResult(store.getState(), { ...local, credential: { source: 'session', sourceDetail: 'memory', username: 'alice' } })).toBeNull();

    // One last result per registry, for a page listing every registry.
    expect(selectLastResultPerRegistry(store.getState()).map((r) => r.target.registry).sort()).toEqual(['127.0.0.1:5055', 'quay.io']);
  });

  it("saving credentials or settings for a registry drops that registry's results only", async () => {
    const store = createRegistryStore(createClient(fakeElectronIpc(host()).transport));
    await store.getState().check('127.0.0.1:5055/team/app', 'auto', local);
    await store.getState().check('quay.io/org/shop', 'auto', quay);
    await store.getState().save({ registry: '127.0.0.1:5055', implementation: 'default', username: 'alice', secret: 's3cret' });
    expect(selectCheckResult(store.getState(), local)).toBeNull();
    expect(selectCheckResult(store.getState(), quay)).not.toBeNull();
    expect(await store.getState().saveSettings({ registry: 'quay.io', plainHttp: true })).toBe(true);
    expect(selectCheckResult(store.getState(), quay)).toBeNull();
    // "Save settings" is confirmed for the registry it saved.
    expect(store.getState().settingsSaved).toBe('quay.io');
  });
});
