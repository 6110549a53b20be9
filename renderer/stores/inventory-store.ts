import { create } from 'zustand';
import type { AppError } from '../../shared/api/result';
import type { InventoryProgress, InventoryRequest, InventoryStats, InventoryTag } from '../../shared/inventory/types';
import { api, type ApiClient } from '../api';

export type SortKey = 'tag' | 'image' | 'digest' | 'kind' | 'size' | 'created' | 'pushed';
export type GroupBy = 'none' | 'image' | 'digest';

interface InventoryState {
  /** Rows keyed by repository:tag; replaced as a new Map on each batch so selectors see a change. */
  rows: Map<string, InventoryTag>;
  stats: InventoryStats | null;
  progress: InventoryProgress | null;
  running: boolean;
  error: AppError | null;
  request: InventoryRequest | null;
  filter: string;
  sort: { key: SortKey; desc: boolean };
  groupBy: GroupBy;
  selected: string | null;
  start(request: InventoryRequest): Promise<void>;
  cancel(): void;
  setFilter(filter: string): void;
  setSort(key: SortKey): void;
  setGroupBy(groupBy: GroupBy): void;
  select(key: string | null): void;
}

export const rowKey = (t: Pick<InventoryTag, 'repository' | 'tag'>) => `${t.repository}:${t.tag}`;

/**
 * The store over a given client. Only events of the listing it is showing (its call id) change it:
 * rows of a listing it replaced that are still on their way are ignored.
 */
export function createInventoryStore(client: ApiClient) {
  let controller: AbortController | null = null;
  let subscribed = false;
  let showing: string | null = null;

  return create<InventoryState>((set, get) => ({
    rows: new Map(),
    stats: null,
    progress: null,
    running: false,
    error: null,
    request: null,
    filter: '',
    sort: { key: 'tag', desc: false },
    groupBy: 'none',
    selected: null,

    async start(request) {
      if (!subscribed) {
        subscribed = true;
        client.on('inventory.rows', ({ rows }, { call }) => {
          if (call !== showing) return;
          const next = new Map(get().rows);
          for (const row of rows) next.set(rowKey(row), row);
          set({ rows: next });
        });
        client.on('inventory.progress', ({ progress }, { call }) => {
          if (call === showing) set({ progress });
        });
      }
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      set({ running: true, rows: new Map(), stats: null, progress: null, error: null, request, selected: null });
      const pending = client.call('inventory.list', request, { signal: mine.signal });
      showing = pending.id;
      const result = await pending;
      if (controller !== mine) return;
      controller = null;
      if (result.ok) set({ running: false, stats: result.value });
      else set({ running: false, error: result.error.code === 'cancelled' ? { code: 'cancelled', message: 'Listing cancelled: the rows below are what had arrived.' } : result.error });
    },

    cancel() {
      controller?.abort();
    },

    setFilter: (filter) => set({ filter }),
    setSort: (key) => set((s) => ({ sort: { key, desc: s.sort.key === key ? !s.sort.desc : key === 'size' || key === 'created' || key === 'pushed' } })),
    setGroupBy: (groupBy) => set({ groupBy }),
    select: (selected) => set({ selected }),
  }));
}

export const useInventoryStore = createInventoryStore(api);
