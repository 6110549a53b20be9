import type { TagStrategy } from '../naming/tags';

/** werf v1.1 `image.WerfImageVersion`: the version of the label scheme, not of werf. */
export const WERF_IMAGE_VERSION = '1';

/**
 * The labels werf puts on every published tag (werf.md §3.1, `publish_images_phase.go`), so the
 * inventory maps the tag to its image and cleanup's werf-tag-strategy policy treats Stowage's own
 * pushes as werf's. `werf-image-tag` is werf's "meta tag": the tag value without the monorepo
 * image prefix. werf's content signature is left out: Stowage does not compute werf's stages
 * signature, and a made-up one would mislead cleanup.
 */
export function werfPublishLabels(image: string | null, strategy: TagStrategy, tagValue: string): Record<string, string> {
  return {
    'werf-image': 'true',
    'werf-image-name': image ?? '',
    'werf-tag-strategy': strategy,
    'werf-image-tag': tagValue,
    'werf-image-version': WERF_IMAGE_VERSION,
  };
}
