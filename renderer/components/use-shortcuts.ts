import { useEffect } from 'react';

function editable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** The filter box of the view on screen, if it has one (every view's filter is an `<input type="search">`). */
function visibleFilter(root: ParentNode = document): HTMLInputElement | null {
  for (const input of root.querySelectorAll<HTMLInputElement>('main input[type="search"]')) {
    if (input.offsetParent !== null && !input.disabled) return input;
  }
  return null;
}

/**
 * App-wide keys: "/" focuses the current view's filter (as in GitHub and Gmail), and so does
 * Ctrl/Cmd+F where the view has a filter; elsewhere Ctrl/Cmd+F stays the browser's find.
 */
export function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const slash = e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !editable(e.target);
      const find = (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'f';
      if (!slash && !find) return;
      const filter = visibleFilter();
      if (!filter) return;
      e.preventDefault();
      filter.focus();
      filter.select();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
