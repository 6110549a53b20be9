import { describe, expect, it } from 'vitest';
import { previewNames } from '../../../shared/naming/preview';
import { placeReasons } from './reasons';

const run = (imagesRepo: string, names: (string | null)[], tags: string[]) =>
  previewNames({ images: names.map((name) => ({ name })), imagesRepo, mode: 'auto', implementation: 'auto', tags: tags.map((raw) => ({ strategy: 'custom' as const, raw })) });

describe('placeReasons', () => {
  it('says an address problem once, an image problem on its group, a tag problem on its row', () => {
    const r = run('myreg.azurecr.io/shop app', ['backend', 'Backend'], ['latest', '-bad']);
    const placed = placeReasons(r.images);
    expect(placed.all).toEqual([expect.stringMatching(/contains spaces/)]);
    expect(placed.image[0]).toEqual([]);
    expect(placed.image[1]).toEqual([expect.stringMatching(/uppercase/)]);
    expect(placed.tag[0]).toEqual([[], [expect.stringMatching(/werf refuses the tag/)]]);
    expect(placed.tag[1]).toEqual([[], [expect.stringMatching(/werf refuses the tag/)]]);
  });

  it('places nothing when every name is valid', () => {
    const placed = placeReasons(run('flant', ['backend'], ['latest']).images);
    expect(placed).toEqual({ all: [], image: [[]], tag: [[[]]] });
  });

  it('keeps a single name\'s reasons on its row, not its group', () => {
    const placed = placeReasons(run('flant', ['backend', 'Backend'], ['latest']).images);
    expect(placed.all).toEqual([]);
    expect(placed.image[1]).toEqual([]);
    expect(placed.tag[1]).toEqual([[expect.stringMatching(/uppercase/)]]);
  });
});
