import { create } from 'zustand';
import type { AppError } from '../../shared/api/result';
import type { ImageConfigDocument, ImageConfigRequest } from '../../shared/inventory/image-config';
import { api, type ApiClient } from '../api';

export type ImageConfigState =
  | { status: 'idle' }
  | { status: 'loading'; key: string }
  | { status: 'done'; key: string; doc: ImageConfigDocument }
  | { status: 'error'; key: string; error: AppError };

interface ImageConfigStore {
  state: ImageConfigState;
  /** Fetches the image (config, layers, history) of a tag; a newer load cancels the one in flight. */
  load(request: ImageConfigRequest): Promise<void>;
}

export const imageConfigKey = (r: ImageConfigRequest): string => `${r.imagesRepo}|${r.repository}@${r.digest}|${r.platform ?? ''}`;

export function createImageConfigStore(client: ApiClient) {
  let controller: AbortController | null = null;
  return create<ImageConfigStore>((set) => ({
    state: { status: 'idle' },
    async load(request) {
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      const key = imageConfigKey(request);
      set({ state: { status: 'loading', key } });
      const result = await client.call('inventory.imageConfig', request, { signal: mine.signal });
      if (controller !== mine) return;
      controller = null;
      set({ state: result.ok ? { status: 'done', key, doc: result.value } : { status: 'error', key, error: result.error } });
    },
  }));
}

export const useImageConfigStore = createImageConfigStore(api);
