import { createContext, useContext } from 'react';
import { api } from '../api';
import { createInventoryStore, useInventoryStore } from './inventory-store';

export type InventoryStore = ReturnType<typeof createInventoryStore>;

/**
 * Which inventory listing the table and detail below read: the open project's (the default) or
 * one of their own. A repository opened from a registry's catalog is listed in its own store, so
 * browsing a registry leaves the project's Inventory tab (and what Publish compares) as it was.
 */
export const InventoryScope = createContext<InventoryStore>(useInventoryStore);

/** The inventory store of the view this component sits in. */
export function useScopedInventoryStore(): InventoryStore {
  return useContext(InventoryScope);
}

/** The listing of a repository opened from a registry's catalog, apart from the project's. */
export const useCatalogInventoryStore = createInventoryStore(api);
