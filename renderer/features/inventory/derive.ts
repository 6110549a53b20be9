import { compareTags, compareText } from '../../../shared/inventory/order';
import { digestKey, groupByDigest } from '../../../shared/inventory/summarize';
import type { InventoryTag } from '../../../shared/inventory/types';
import type { GroupBy, SortKey } from '../../stores/inventory-store';

export type InventoryItem =
  | { type: 'group'; key: string; label: string; count: number }
  /** `digestGroup`: every tag on the row's manifest, itself included (one array shared by the group's rows). */
  | { type: 'row'; key: string; row: InventoryTag; digestGroup: readonly InventoryTag[] | null };

function compare(a: InventoryTag, b: InventoryTag, key: SortKey): number {
  switch (key) {
    case 'size':
      return (a.size ?? -1) - (b.size ?? -1);
    case 'created':
      return compareText(a.created ?? '', b.created ?? '');
    case 'pushed':
      return compareText(a.pushed ?? '', b.pushed ?? '');
    case 'image':
      return compareText(String(a.image ?? ''), String(b.image ?? ''));
    case 'digest':
      return compareText(a.digest ?? '', b.digest ?? '');
    case 'kind':
      return compareText(a.kind, b.kind);
    default:
      return compareTags(a.tag, b.tag);
  }
}

/** Filter, sort and group rows into the flat list the virtualized table renders. */
export function deriveItems(rows: Iterable<InventoryTag>, filter: string, sort: { key: SortKey; desc: boolean }, groupBy: GroupBy): { items: InventoryItem[]; groups: Map<string, InventoryTag[]>; visible: InventoryTag[] } {
  const all = [...rows];
  // Over all rows, not only the visible ones: a filtered-out tag on the same digest is still deleted with it.
  const groups = groupByDigest(all);
  const needle = filter.trim().toLowerCase();
  const visible = needle
    ? all.filter((t) => t.tag.toLowerCase().includes(needle) || (t.digest ?? '').includes(needle) || String(t.image ?? '').toLowerCase().includes(needle) || t.repository.toLowerCase().includes(needle) || (t.service ?? '').includes(needle))
    : all;
  const dir = sort.desc ? -1 : 1;
  visible.sort((a, b) => dir * compare(a, b, sort.key) || compareTags(a.tag, b.tag));
  const toRow = (row: InventoryTag): InventoryItem => {
    const key = digestKey(row);
    return { type: 'row', key: `${row.repository}:${row.tag}`, row, digestGroup: key === null ? null : (groups.get(key) ?? null) };
  };
  if (groupBy === 'none') return { items: visible.map(toRow), groups, visible };

  const sections = new Map<string, InventoryTag[]>();
  for (const row of visible) {
    const key = groupBy === 'image' ? (row.image === undefined ? '(not a werf image)' : row.image === null ? '(nameless image)' : row.image) : row.digest ? `${row.repository}@${row.digest}` : '(no digest)';
    const list = sections.get(key);
    if (list) list.push(row);
    else sections.set(key, [row]);
  }
  const items: InventoryItem[] = [];
  const ordered = [...sections.entries()].sort((a, b) => (groupBy === 'digest' ? b[1].length - a[1].length : 0) || compareText(a[0], b[0]));
  for (const [key, list] of ordered) {
    items.push({ type: 'group', key: `group:${key}`, label: groupBy === 'digest' ? key.split('@')[1]?.slice(0, 19) ?? key : key, count: list.length });
    for (const row of list) items.push(toRow(row));
  }
  return { items, groups, visible };
}
