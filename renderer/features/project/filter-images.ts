import type { ImageSummary } from '../../../shared/api/types';

/** Images whose name, kind, Dockerfile, context, target, base or dependencies contain the text (any case). */
export function filterImages(images: readonly ImageSummary[], filter: string): ImageSummary[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return [...images];
  return images.filter((image) =>
    [image.name ?? 'nameless', image.kind, image.dockerfile, image.context, image.target, image.from, image.fromImage, image.fromArtifact, ...image.dependsOn]
      .some((field) => field !== undefined && field.toLowerCase().includes(needle)),
  );
}
