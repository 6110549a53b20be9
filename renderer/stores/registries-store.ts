import { create } from 'zustand';
import type { CatalogRepository, CatalogResult, RegistriesView } from '../../shared/api/registries';
import type { AppError } from '../../shared/api/result';
import type { CheckStep, RegistrySettings } from '../../shared/credentials/types';
import type { Implementation } from '../../shared/registry/implementations';
import { api, type ApiClient } from '../api';

/** A catalog row as the page keeps it: the registry's answer plus why its tags could not be counted. */
export interface CatalogRow extends CatalogRepository {
  /** Set once counting its tags failed; such a row is not asked for again in this catalog. */
  tagCountError?: string;
}

export interface CatalogState {
  registry: string;
  implementation: Implementation;
  namespace: string;
  rows: CatalogRow[];
  result: CatalogResult | null;
  running: boolean;
  error: AppError | null;
}

interface RegistriesState {
  /** The page is showing (a top-level view, reachable without a project). */
  open: boolean;
  view: RegistriesView | null;
  loading: boolean;
  error: AppError | null;
  selected: string | null;
  /** The registry being tested from the page, its steps so far. */
  testing: string | null;
  testSteps: CheckStep[];
  catalog: CatalogState | null;
  filter: string;
  /** Repositories whose tag count is being asked for. */
  counting: ReadonlySet<string>;
  show(open: boolean): void;
  load(): Promise<void>;
  select(registry: string | null): void;
  add(registry: string, implementation?: Implementation): Promise<boolean>;
  remove(registry: string): Promise<void>;
  saveSettings(settings: RegistrySettings): Promise<boolean>;
  test(registry: string, imagesRepo: string, implementation: Implementation): Promise<void>;
  cancelTest(): void;
  listCatalog(registry: string, implementation: Implementation, namespace: string): Promise<void>;
  cancelCatalog(): void;
  /** Asks for the counts of these rows (the ones in view); rows counted, being counted or failed are skipped. */
  countTags(names: readonly string[]): void;
  setFilter(filter: string): void;
}

/** How many rows one count request carries (the contract's maximum is 200). */
const COUNT_BATCH = 50;

/**
 * The Registries page's own store: the registries the main process knows of, a test started from
 * the page, and one registry's catalog with lazily counted tags. Only events of the call it shows
 * (its call id) change it.
 */
export function createRegistriesStore(client: ApiClient) {
  let subscribed = false;
  let catalogController: AbortController | null = null;
  let countController: AbortController | null = null;
  let testController: AbortController | null = null;
  let showingCatalog: string | null = null;
  const showingCounts = new Set<string>();
  let showingTest: string | null = null;
  /** Row index by name, for the current catalog's rows. */
  let index = new Map<string, number>();

  return create<RegistriesState>((set, get) => {
    const listen = () => {
      if (subscribed) return;
      subscribed = true;
      client.on('catalog.repositories', ({ repositories }, { call }) => {
        const c = get().catalog;
        if (call !== showingCatalog || !c) return;
        const rows = c.rows.slice();
        for (const r of repositories) {
          if (index.has(r.name)) continue;
          index.set(r.name, rows.length);
          rows.push(r);
        }
        set({ catalog: { ...c, rows } });
      });
      client.on('catalog.tagCounts', ({ counts }, { call }) => {
        const c = get().catalog;
        if (!showingCounts.has(call) || !c) return;
        const rows = c.rows.slice();
        const counting = new Set(get().counting);
        for (const count of counts) {
          counting.delete(count.repository);
          const i = index.get(count.repository);
          if (i === undefined) continue;
          const row: CatalogRow = { ...rows[i]! };
          if (count.tags !== null) row.tagCount = count.tags;
          else row.tagCountError = count.error ?? 'The tags could not be counted.';
          rows[i] = row;
        }
        set({ catalog: { ...c, rows }, counting });
      });
      client.on('check.step', ({ step }, { call }) => {
        if (call === showingTest) set((s) => ({ testSteps: [...s.testSteps, step] }));
      });
    };

    return {
      open: false,
      view: null,
      loading: false,
      error: null,
      selected: null,
      testing: null,
      testSteps: [],
      catalog: null,
      filter: '',
      counting: new Set(),

      show(open) {
        set({ open });
        if (open) void get().load();
      },

      async load() {
        listen();
        set({ loading: true });
        const result = await client.call('registries.list', {});
        if (result.ok) set({ view: result.value, loading: false, error: null });
        else set({ loading: false, error: result.error });
      },

      select(registry) {
        set({ selected: registry });
      },

      async add(registry, implementation) {
        const result = await client.call('registries.add', { registry, ...(implementation ? { implementation } : {}) });
        if (!result.ok) {
          set({ error: result.error });
          return false;
        }
        set({ view: result.value, error: null, selected: registry.trim().toLowerCase() });
        return true;
      },

      async remove(registry) {
        const result = await client.call('registries.remove', { registry });
        if (!result.ok) {
          set({ error: result.error });
          return;
        }
        const still = result.value.registries.some((r) => r.registry === registry);
        set({ view: result.value, error: null, ...(still ? {} : { selected: null }), ...(get().catalog?.registry === registry ? { catalog: null } : {}) });
      },

      async saveSettings(settings) {
        const result = await client.call('registry.saveSettings', settings);
        if (!result.ok) {
          set({ error: result.error });
          return false;
        }
        await get().load();
        return true;
      },

      async test(registry, imagesRepo, implementation) {
        listen();
        testController?.abort();
        const controller = new AbortController();
        testController = controller;
        set({ testing: registry, testSteps: [], error: null });
        const pending = client.call('registry.check', { imagesRepo, implementation }, { signal: controller.signal });
        showingTest = pending.id;
        const result = await pending;
        if (testController !== controller) return;
        testController = null;
        showingTest = null;
        set({ testing: null });
        if (!result.ok && result.error.code !== 'cancelled') set({ error: result.error });
        // The host remembered the result by registry; the list shows it with its time.
        await get().load();
      },

      cancelTest() {
        testController?.abort();
        testController = null;
        showingTest = null;
        set({ testing: null });
      },

      async listCatalog(registry, implementation, namespace) {
        listen();
        catalogController?.abort();
        // A fresh controller for the new catalog's counts: reusing the aborted one would cancel them all.
        countController?.abort();
        countController = null;
        showingCounts.clear();
        const controller = new AbortController();
        catalogController = controller;
        index = new Map();
        set({ catalog: { registry, implementation, namespace, rows: [], result: null, running: true, error: null }, counting: new Set(), filter: '' });
        const ns = namespace.trim();
        const pending = client.call('catalog.list', { registry, implementation, ...(ns ? { namespace: ns } : {}) }, { signal: controller.signal });
        showingCatalog = pending.id;
        const result = await pending;
        if (catalogController !== controller) return;
        catalogController = null;
        const c = get().catalog;
        if (!c) return;
        if (result.ok) set({ catalog: { ...c, running: false, result: result.value } });
        else set({ catalog: { ...c, running: false, error: result.error } });
      },

      cancelCatalog() {
        catalogController?.abort();
        catalogController = null;
        countController?.abort();
        countController = null;
        const c = get().catalog;
        set({ counting: new Set(), ...(c ? { catalog: { ...c, running: false, error: { code: 'cancelled', message: 'Catalog listing cancelled.' } } } : {}) });
      },

      countTags(names) {
        const c = get().catalog;
        if (!c) return;
        const counting = get().counting;
        const wanted = names.filter((n) => {
          const i = index.get(n);
          // A row with the registry's own artifact count (Harbor) is not counted again through tags/list;
          // one whose count failed keeps its error (asking again would fail again, every time the rows change).
          const row = i === undefined ? undefined : c.rows[i]!;
          return row !== undefined && row.tagCount === undefined && row.artifactCount === undefined && row.tagCountError === undefined && !counting.has(n);
        });
        if (wanted.length === 0) return;
        listen();
        countController ??= new AbortController();
        const signal = countController.signal;
        set({ counting: new Set([...counting, ...wanted]) });
        for (let i = 0; i < wanted.length; i += COUNT_BATCH) {
          const batch = wanted.slice(i, i + COUNT_BATCH);
          const pending = client.call('catalog.tagCounts', { registry: c.registry, implementation: c.implementation, repositories: batch }, { signal });
          showingCounts.add(pending.id);
          void pending.then((result) => {
            // A new listing forgets the old catalog's requests: their answers change nothing of the new one.
            const current = showingCounts.delete(pending.id);
            if (result.ok || !current) return;
            // Rows of a failed request stop showing "counting…". A cancelled one can be asked for again;
            // any other failure is kept on the rows still uncounted, so they are not asked for again.
            const left = new Set(get().counting);
            for (const n of batch) left.delete(n);
            const now = get().catalog;
            if (result.error.code === 'cancelled' || !now) {
              set({ counting: left });
              return;
            }
            const rows = now.rows.slice();
            for (const n of batch) {
              const at = index.get(n);
              if (at === undefined || rows[at]!.tagCount !== undefined) continue;
              rows[at] = { ...rows[at]!, tagCountError: result.error.message };
            }
            set({ counting: left, catalog: { ...now, rows } });
          });
        }
      },

      setFilter(filter) {
        set({ filter });
      },
    };
  });
}

export const useRegistriesStore = createRegistriesStore(api);
