import { describe, expect, it } from 'vitest';
import { catalogRow, catalogRows } from './common';

describe('catalogRows', () => {
  it('keeps the rows an item makes and counts the items that make none', () => {
    const items: unknown[] = [{ name: 'team/a', n: 3 }, { name: '../etc' }, 'not a record', { name: 'team/b' }];
    const out = catalogRows(items, (item) => {
      const r = typeof item === 'object' && item !== null ? (item as { name?: unknown; n?: unknown }) : undefined;
      return catalogRow(typeof r?.name === 'string' ? r.name : '', r?.n);
    });
    expect(out.repositories).toEqual([{ name: 'team/a', tagCount: 3 }, { name: 'team/b' }]);
    expect(out.dropped).toBe(2);
  });
});
