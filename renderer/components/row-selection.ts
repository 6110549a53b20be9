import type { KeyboardEvent } from 'react';

/** A virtualized list's entry: data rows and the group headers between them. */
export interface ListedItem {
  key: string;
  type: string;
}

/**
 * ArrowDown / ArrowUp move the selection to the next data row (`type: 'row'`), skipping group
 * headers, and scroll it into view. False when the key is not an arrow, so the caller may handle it.
 */
export function moveRowSelection(
  e: KeyboardEvent,
  items: readonly ListedItem[],
  selectedIndex: number,
  select: (key: string) => void,
  scrollToIndex: (index: number) => void,
): boolean {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return false;
  e.preventDefault();
  let i = selectedIndex;
  do i += e.key === 'ArrowDown' ? 1 : -1;
  while (i >= 0 && i < items.length && items[i]!.type !== 'row');
  if (i >= 0 && i < items.length) {
    select(items[i]!.key);
    scrollToIndex(i);
  }
  return true;
}

/**
 * Enter on a selected row opens its detail: focus moves into the detail panel beside the table
 * (the `aside.tag-detail` of the same layout), so the keyboard continues there. False otherwise.
 */
export function openDetailOnEnter(e: KeyboardEvent, selectedIndex: number): boolean {
  if (e.key !== 'Enter' || selectedIndex < 0) return false;
  const layout = (e.currentTarget as HTMLElement).closest('.inv-layout');
  const detail = layout?.querySelector<HTMLElement>('aside.tag-detail[aria-label]');
  if (!detail) return false;
  e.preventDefault();
  if (!detail.hasAttribute('tabindex')) detail.tabIndex = -1;
  detail.focus();
  return true;
}
