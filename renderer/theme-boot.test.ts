/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import bootSource from './public/theme-boot.js?raw';
import { applyTheme, THEME_STORAGE_KEY } from './stores/theme-store';

/** A page's storage and <html>, as much of them as the start-up script and applyTheme touch. */
function page(stored: Record<string, string> = {}, refuse = false) {
  const attributes: Record<string, string> = {};
  const dataset: Record<string, string> = {};
  const storage = {
    getItem: (k: string) => {
      if (refuse) throw new Error('SecurityError');
      return stored[k] ?? null;
    },
    setItem: (k: string, v: string) => {
      if (refuse) throw new Error('QuotaExceededError');
      stored[k] = v;
    },
  };
  const documentElement = { dataset, setAttribute: (k: string, v: string) => (attributes[k] = v) };
  const boot = () => new Function('window', 'document', bootSource)({ localStorage: storage }, { documentElement });
  return { stored, attributes, dataset, storage, boot, root: documentElement as unknown as HTMLElement };
}

describe('the theme at start-up', () => {
  it('pins the theme the page applied last, before anything else runs', () => {
    for (const theme of ['light', 'dark'] as const) {
      const p = page();
      applyTheme(theme, p.root, p.storage);
      expect(p.stored[THEME_STORAGE_KEY]).toBe(theme);
      const next = page({ ...p.stored });
      next.boot();
      expect(next.attributes['data-theme']).toBe(theme);
    }
  });

  it('leaves the system choice, nothing stored and anything else to the media query', () => {
    const p = page();
    applyTheme('system', p.root, p.storage);
    expect(p.stored[THEME_STORAGE_KEY]).toBe('system');
    for (const stored of [p.stored, {}, { [THEME_STORAGE_KEY]: 'purple' }, { [THEME_STORAGE_KEY]: 'light" onload="x' }]) {
      const next = page({ ...stored });
      next.boot();
      expect(next.attributes).toEqual({});
    }
  });

  it('a page whose storage is refused still starts and still applies the theme', () => {
    const p = page({}, true);
    expect(() => p.boot()).not.toThrow();
    expect(p.attributes).toEqual({});
    applyTheme('dark', p.root, p.storage);
    expect(p.dataset.theme).toBe('dark');
  });
});
