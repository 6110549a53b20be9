import { create } from 'zustand';
import type { AppError } from '../../shared/api/result';
import { checkTargetKey, type CheckTarget } from '../../shared/credentials/check-target';
import type { CheckReport, CheckStep, CredentialsState, RegistrySettings, SaveCredentialInput } from '../../shared/credentials/types';
import type { ImplementationChoice } from '../../shared/registry/implementations';
import { api, type ApiClient } from '../api';

/** One Test connection, kept under the target it tested (`checkTargetKey`). */
export interface CheckResult {
  key: string;
  target: CheckTarget;
  /** The images repo as typed when the check ran (its repository is the one whose tags were listed). */
  imagesRepo: string;
  running: boolean;
  steps: CheckStep[];
  report: CheckReport | null;
  error: AppError | null;
  /** Epoch ms when it ended; null while running. */
  finishedAt: number | null;
}

interface RegistryState {
  credentials: CredentialsState | null;
  /** Results by `checkTargetKey`: each stays with the registry, implementation and credential it tested. */
  results: Record<string, CheckResult>;
  /** Errors of loading and saving (a check's error is in its result). */
  error: AppError | null;
  saved: string | null;
  /** The registry whose connection settings were just saved, for the confirmation next to the button. */
  settingsSaved: string | null;
  load(registry?: string): Promise<void>;
  save(input: SaveCredentialInput): Promise<boolean>;
  remove(registry: string): Promise<void>;
  saveSettings(settings: RegistrySettings): Promise<boolean>;
  check(imagesRepo: string, implementation: ImplementationChoice, target: CheckTarget): Promise<void>;
  cancelCheck(): void;
  clearSettingsSaved(): void;
}

/** The result for exactly this target, or null: never another registry's, implementation's or credential's. */
export function selectCheckResult(state: Pick<RegistryState, 'results'>, target: CheckTarget): CheckResult | null {
  return state.results[checkTargetKey(target)] ?? null;
}

/** The newest finished result per registry host, newest first (for a page listing every registry). */
export function selectLastResultPerRegistry(state: Pick<RegistryState, 'results'>): CheckResult[] {
  const latest = new Map<string, CheckResult>();
  for (const r of Object.values(state.results)) {
    if (r.finishedAt === null) continue;
    const seen = latest.get(r.target.registry);
    if (!seen || (seen.finishedAt ?? 0) < r.finishedAt) latest.set(r.target.registry, r);
  }
  return [...latest.values()].sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0));
}

/** Results whose registry's credentials or settings changed no longer describe what a new check would do. */
function withoutRegistry(results: Record<string, CheckResult>, registry: string): Record<string, CheckResult> {
  return Object.fromEntries(Object.entries(results).filter(([, r]) => r.target.registry !== registry));
}

/**
 * Credentials status and "Test connection". Secrets go to the main process once and never come back.
 * Only the steps of the check it is showing (its call id) are added: a check it replaced or
 * cancelled cannot add steps to the next one.
 */
export function createRegistryStore(client: ApiClient) {
  let checkController: AbortController | null = null;
  let subscribed = false;
  let showing: { call: string; key: string } | null = null;

  return create<RegistryState>((set) => {
    const update = (key: string, change: Partial<CheckResult>) =>
      set((s) => {
        const current = s.results[key];
        return current ? { results: { ...s.results, [key]: { ...current, ...change } } } : {};
      });
    const drop = (key: string) =>
      set((s) => {
        const { [key]: _gone, ...rest } = s.results;
        return { results: rest };
      });
    const listen = () => {
      if (subscribed) return;
      subscribed = true;
      client.on('check.step', ({ step }, { call }) => {
        if (showing === null || call !== showing.call) return;
        const key = showing.key;
        set((s) => {
          const current = s.results[key];
          return current ? { results: { ...s.results, [key]: { ...current, steps: [...current.steps, step] } } } : {};
        });
      });
    };
    /** A replaced or cancelled check leaves no half result behind. */
    const abandon = () => {
      checkController?.abort();
      checkController = null;
      if (showing) drop(showing.key);
      showing = null;
    };
    return {
      credentials: null,
      results: {},
      error: null,
      saved: null,
      settingsSaved: null,

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
        set((s) => ({ credentials: result.value, error: null, saved: input.registry, results: withoutRegistry(s.results, input.registry) }));
        return true;
      },

      async remove(registry) {
        const result = await client.call('credentials.remove', { registry });
        if (result.ok) set((s) => ({ credentials: result.value, saved: null, results: withoutRegistry(s.results, registry) }));
        else set({ error: result.error });
      },

      async saveSettings(settings) {
        const result = await client.call('registry.saveSettings', settings);
        if (!result.ok) {
          set({ error: result.error, settingsSaved: null });
          return false;
        }
        set((s) => ({ credentials: result.value, error: null, settingsSaved: settings.registry, results: withoutRegistry(s.results, settings.registry) }));
        return true;
      },

      clearSettingsSaved() {
        set({ settingsSaved: null });
      },

      async check(imagesRepo, implementation, target) {
        abandon();
        const controller = new AbortController();
        checkController = controller;
        listen();
        const key = checkTargetKey(target);
        set((s) => ({ results: { ...s.results, [key]: { key, target, imagesRepo, running: true, steps: [], report: null, error: null, finishedAt: null } } }));
        const pending = client.call('registry.check', { imagesRepo, implementation }, { signal: controller.signal });
        showing = { call: pending.id, key };
        const result = await pending;
        if (checkController !== controller) return;
        checkController = null;
        showing = null;
        if (result.ok) update(key, { running: false, report: result.value, steps: result.value.steps, finishedAt: Date.now() });
        else if (result.error.code === 'cancelled') drop(key);
        else update(key, { running: false, error: result.error, finishedAt: Date.now() });
      },

      cancelCheck() {
        abandon();
      },
    };
  });
}

export const useRegistryStore = createRegistryStore(api);
