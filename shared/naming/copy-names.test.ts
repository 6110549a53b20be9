import { describe, expect, it } from 'vitest';
import { copyableNames } from './copy-names';
import { previewNames } from './preview';

const tags = [{ strategy: 'custom' as const, raw: 'latest' }, { strategy: 'custom' as const, raw: 'v1' }];

describe('copyableNames', () => {
  it('copies every final name of a clean preview, once each', () => {
    const p = previewNames({ images: [{ name: 'backend' }, { name: 'frontend' }], imagesRepo: 'registry.example.com/shop', mode: 'multirepo', implementation: 'auto', tags });
    expect(copyableNames(p)).toEqual([
      'registry.example.com/shop/backend:latest',
      'registry.example.com/shop/backend:v1',
      'registry.example.com/shop/frontend:latest',
      'registry.example.com/shop/frontend:v1',
    ]);
  });

  it('leaves out the names of an image werf refuses', () => {
    const p = previewNames({ images: [{ name: 'Backend' }, { name: 'frontend' }], imagesRepo: 'registry.example.com/shop', mode: 'multirepo', implementation: 'auto', tags });
    expect(p.problems.some((x) => x.severity === 'error' && x.image === 'Backend')).toBe(true);
    expect(copyableNames(p)).toEqual(['registry.example.com/shop/frontend:latest', 'registry.example.com/shop/frontend:v1']);
  });

  it('leaves out names the preview marks invalid', () => {
    const marked = { images: [{ name: 'a', tags: [{ strategy: 'custom' as const, value: 'x', tag: 'x', reference: 'r/a:x', invalid: ['too long'] }, { strategy: 'custom' as const, value: 'y', tag: 'y', reference: 'r/a:y' }] }], problems: [] };
    expect(copyableNames(marked)).toEqual(['r/a:y']);
  });

  it('copies nothing when the address itself is refused', () => {
    const p = previewNames({ images: [{ name: 'backend' }], imagesRepo: 'Registry.Example.com/Shop', mode: 'multirepo', implementation: 'auto', tags });
    expect(p.problems.map((x) => [x.severity, x.scope])).toContainEqual(['error', 'preview']);
    expect(copyableNames(p)).toEqual([]);
  });
});
