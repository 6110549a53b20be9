import { create } from 'zustand';
import type { Theme } from '../../shared/api/remembered';
import { api, type ApiClient } from '../api';

interface ThemeState {
  theme: Theme;
  load(): Promise<void>;
  choose(theme: Theme): Promise<void>;
}

/**
 * `system` leaves <html> without data-theme, so the stylesheet's prefers-color-scheme rule decides
 * (and follows the system live); light and dark pin it.
 */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
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
