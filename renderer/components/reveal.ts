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

/** How much of an element that just appeared is brought on screen: its start, not all of it. */
const REVEALED_PX = 240;

/**
 * Scrolls an element that just appeared (connection steps, final names) up until its first
 * lines are on screen, once, when `shown` turns true; and no further, so the field being typed in
 * above it stays in view whenever the window is tall enough for both.
 */
export function useRevealWhenShown(ref: RefObject<HTMLElement | null>, shown: boolean): void {
  useEffect(() => {
    const el = ref.current;
    if (!shown || el === null) return;
    const box = el.getBoundingClientRect();
    const below = box.top + Math.min(box.height, REVEALED_PX) - window.innerHeight;
    if (below > 0) window.scrollBy({ top: below + 16, behavior: 'smooth' });
  }, [ref, shown]);
}
