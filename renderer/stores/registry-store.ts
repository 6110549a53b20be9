import { create } from 'zustand';
import type { AppError } from '../../shared/api/result';
import type { CheckReport, CheckStep, CredentialsState, RegistrySettings, SaveCredentialInput } from '../../shared/credentials/types';
import type { ImplementationChoice } from '../../shared/registry/implementations';
import { api, type ApiClient } from '../api';

interface RegistryState {
  credentials: CredentialsState | null;
  checking: boolean;
  steps: CheckStep[];
  report: CheckReport | null;
  error: AppError | null;
  saved: string | null;
  load(registry?: string): Promise<void>;
  save(input: SaveCredentialInput): Promise<boolean>;
  remove(registry: string): Promise<void>;
  saveSettings(settings: RegistrySettings): Promise<boolean>;
  check(imagesRepo: string, implementation: ImplementationChoice): Promise<void>;
  cancelCheck(): void;
}

/**
 * Credentials status and "Test connection". Secrets go to the main process once and never come back.
 * Only the steps of the check it is showing (its call id) are added: a check it replaced or
 * cancelled cannot add steps to the next one.
 */
export function createRegistryStore(client: ApiClient) {
  let checkController: AbortController | null = null;
  let subscribed = false;
  let showing: string | null = null;

  return create<RegistryState>((set) => {
    const listen = () => {
      if (subscribed) return;
      subscribed = true;
      client.on('check.step', ({ step }, { call }) => {
        if (call === showing) set((s) => ({ steps: [...s.steps, step] }));
      });
    };
    return {
      credentials: null,
      checking: false,
      steps: [],
      report: null,
      error: null,
      saved: null,

      async load(registry) {
        listen();
        const result = await client.call('credentials.state', registry ? { registries: [registry] } : {});
        if (result.ok) set({ credentials: result.value });
        else set({ error: result.error });
      },

      async save(input) {
        const result = await client.call('credentials.save', input);
        if (!result.ok) {
          set({ error: result.error });
          return false;
        }
        set({ credentials: result.value, error: null, saved: input.registry, report: null, steps: [] });
        return true;
      },

      async remove(registry) {
        const result = await client.call('credentials.remove', { registry });
        if (result.ok) set({ credentials: result.value, saved: null, report: null, steps: [] });
        else set({ error: result.error });
      },

      async saveSettings(settings) {
        const result = await client.call('registry.saveSettings', settings);
        if (!result.ok) {
          set({ error: result.error });
          return false;
        }
        set({ credentials: result.value, error: null });
        return true;
      },

      async check(imagesRepo, implementation) {
        checkController?.abort();
        const controller = new AbortController();
        checkController = controller;
        listen();
        set({ checking: true, steps: [], report: null, error: null });
        const pending = client.call('registry.check', { imagesRepo, implementation }, { signal: controller.signal });
        showing = pending.id;
        const result = await pending;
        if (checkController !== controller) return;
        checkController = null;
        if (result.ok) set({ checking: false, report: result.value, steps: result.value.steps });
        else set({ checking: false, error: result.error.code === 'cancelled' ? null : result.error });
      },

      cancelCheck() {
        checkController?.abort();
        checkController = null;
        showing = null;
        set({ checking: false });
      },
    };
  });
}

export const useRegistryStore = createRegistryStore(api);
