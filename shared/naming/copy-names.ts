import type { PreviewResult } from './preview';

/**
 * The final names worth copying at once: only names nothing is known to be wrong with. A name the
 * preview marks invalid is left out, and so is every name of an image with an error, or of a
 * preview whose address or mode has one: werf would refuse them, so pasting them helps nobody.
 * Each name once, in table order, one per line.
 */
export function copyableNames(preview: Pick<PreviewResult, 'images' | 'problems'>): string[] {
  if (preview.problems.some((p) => p.severity === 'error' && p.scope === 'preview')) return [];
  const imagesWithErrors = new Set(preview.problems.filter((p) => p.severity === 'error' && p.scope === 'image').map((p) => p.image));
  const out = new Set<string>();
  for (const image of preview.images) {
    if (imagesWithErrors.has(image.name)) continue;
    for (const tag of image.tags) {
      if (tag.invalid && tag.invalid.length > 0) continue;
      out.add(tag.reference);
    }
  }
  return [...out];
}
