import { useEffect, type RefObject } from 'react';

/**
 * When a selection changes and the element (a table with its detail panel) starts low in the
 * window, scrolls it up so the detail beside the table can be read. On a 700 px window the summary,
 * chart and warnings above the table left the detail below the fold: selecting seemed to do nothing.
 */
export function useRevealOnSelect(ref: RefObject<HTMLElement | null>, selected: string | null): void {
  useEffect(() => {
    const el = ref.current;
    if (selected === null || el === null) return;
    const top = el.getBoundingClientRect().top;
    if (top > window.innerHeight * 0.3) el.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [ref, selected]);
}

/** Scrolls an element that just appeared (a result, a list of names) into view, once, when `shown` turns true. */
export function useRevealWhenShown(ref: RefObject<HTMLElement | null>, shown: boolean): void {
  useEffect(() => {
    if (shown) ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [ref, shown]);
}
