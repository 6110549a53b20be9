import type { PreviewImage } from '../../../shared/naming/preview';

export interface PlacedReasons {
  /** Reasons every name shares (the address, the implementation): said once, above the table. */
  all: string[];
  /** Per image (by position): reasons all of that image's names share, said on its group row. */
  image: string[][];
  /** Per image, per tag: what is left for the row itself. */
  tag: string[][][];
}

function common(lists: readonly (readonly string[])[]): string[] {
  if (lists.length === 0) return [];
  return lists[0]!.filter((reason) => lists.every((list) => list.includes(reason)));
}

/**
 * Places each reason a name is invalid at the widest level it applies to, so "the address contains
 * spaces" is said once instead of on every row, and a row says only what is its own.
 */
export function placeReasons(images: readonly PreviewImage[]): PlacedReasons {
  const every = images.flatMap((image) => image.tags.map((tag) => tag.invalid ?? []));
  const all = images.length > 0 && every.length > 0 ? common(every) : [];
  const image: string[][] = [];
  const tag: string[][][] = [];
  for (const img of images) {
    const own = img.tags.map((t) => (t.invalid ?? []).filter((r) => !all.includes(r)));
    const shared = img.tags.length > 1 ? common(own) : [];
    image.push(shared);
    tag.push(own.map((list) => list.filter((r) => !shared.includes(r))));
  }
  return { all, image, tag };
}
