import { describe, expect, it } from 'vitest';
import { compareNatural, compareTags } from './order';

const sorted = (tags: string[]) => [...tags].sort(compareTags);

describe('compareTags', () => {
  it('sorts commit hashes lexically, where natural order scrambles them', () => {
    const hashes = ['1f3c9a0', '10ab4e2', '0a9b8c7', 'a0b1c2d', '9e8d7c6', '2b3c4d5'];
    // The defect: natural order reads "10" in 10ab4e2 as ten and puts it after 1f3c9a0 and 9e8d7c6.
    expect([...hashes].sort(compareNatural)).not.toEqual([...hashes].sort());
    expect(sorted(hashes)).toEqual(['0a9b8c7', '10ab4e2', '1f3c9a0', '2b3c4d5', '9e8d7c6', 'a0b1c2d']);
  });

  it('sorts full 40-character commit tags lexically', () => {
    const a = '1000000000000000000000000000000000000abc';
    const b = '2fffffffffffffffffffffffffffffffffffffff';
    const c = '9a00000000000000000000000000000000000000';
    expect(sorted([c, a, b])).toEqual([a, b, c]);
  });

  it('sorts the hash after a monorepo image prefix lexically, grouped by the prefix', () => {
    expect(sorted(['backend-1f3c9a0', 'frontend-0a9b8c7', 'backend-10ab4e2', 'backend-latest'])).toEqual([
      'backend-10ab4e2',
      'backend-1f3c9a0',
      'backend-latest',
      'frontend-0a9b8c7',
    ]);
  });

  it('keeps versions and numbers natural', () => {
    expect(sorted(['v10', 'v2', 'v1.10.0', 'v1.9.0', '20240110', '20231201', 'build-12', 'build-9'])).toEqual([
      '20231201',
      '20240110',
      'build-9',
      'build-12',
      'v1.9.0',
      'v1.10.0',
      'v2',
      'v10',
    ]);
  });

  it('is a consistent total order over a mixed list', () => {
    const tags = ['1f3c9a0', 'v2', '10ab4e2', 'main', 'main-0a9b8c7', 'main-1234567', 'deadbeef', '1234567', 'latest', 'v10', 'a0b1c2d'];
    const once = sorted(tags);
    for (let i = 0; i < tags.length; i++) {
      const rotated = [...tags.slice(i), ...tags.slice(0, i)].reverse();
      expect(sorted(rotated)).toEqual(once);
    }
    for (const a of tags) for (const b of tags) expect(Math.sign(compareTags(a, b))).toBe(-Math.sign(compareTags(b, a)) || 0);
  });

  it('sorts 100,000 tags at the cost of a natural sort, give or take', () => {
    // Relative to the natural sort on the same machine: the CPU this runs on is shared.
    const make = () => Array.from({ length: 100_000 }, (_, i) => (i % 2 ? ((i * 2654435761) >>> 0).toString(16).padStart(8, '0') + 'a1' : `v1.${i}.0`));
    const natural = make();
    let start = performance.now();
    natural.sort(compareNatural);
    const naturalMs = performance.now() - start;
    const tags = make();
    start = performance.now();
    tags.sort(compareTags);
    expect(performance.now() - start).toBeLessThan(3 * naturalMs + 200);
  });
});
