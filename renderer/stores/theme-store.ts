import { create } from 'zustand';
import type { Theme } from '../../shared/api/remembered';
import { api, type ApiClient } from '../api';

interface ThemeState {
  theme: Theme;
  load(): Promise<void>;
  choose(theme: Theme): Promise<void>;
}

/** Where the page keeps the theme it last applied, for public/theme-boot.js to pin before the first paint. */
export const THEME_STORAGE_KEY = 'stowage.theme';

/**
 * `system` leaves <html> without data-theme, so the stylesheet's prefers-color-scheme rule decides
 * (and follows the system live); light and dark pin it. The choice is also kept in the page's own
 * storage: a display preference, not a secret, read synchronously at the next start.
 */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement, storage: Pick<Storage, 'setItem'> | null = pageStorage()): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    storage?.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Full or refused storage only costs the next start its pinned first frame.
  }
}

function pageStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function createThemeStore(client: ApiClient) {
  return create<ThemeState>((set) => ({
    theme: 'system',
    async load() {
      const result = await client.call('app.settings', {});
      if (!result.ok) return;
      const theme = result.value.theme ?? 'system';
      applyTheme(theme);
      set({ theme });
    },
    async choose(theme) {
      applyTheme(theme);
      set({ theme });
      // Not saved means only that the choice is not remembered next time.
      await client.call('app.saveSettings', { theme });
    },
  }));
}

export const useThemeStore = createThemeStore(api);
