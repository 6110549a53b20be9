import { digest, isoTime, size, str, strings, type NativeTag } from './common';

/** The fields of an ECR `ImageDetail` we read (SDK objects carry Dates, recorded JSON epoch seconds). */
export interface EcrImageDetailLike {
  imageDigest?: unknown;
  imageTags?: unknown;
  imageSizeInBytes?: unknown;
  imagePushedAt?: unknown;
  lastRecordedPullTime?: unknown;
  imageManifestMediaType?: unknown;
  artifactMediaType?: unknown;
}

/**
 * ECR `DescribeImages` → one row per tag. ECR reports per image (manifest): digest, compressed
 * size, push time, last recorded pull (updated at most once a day) and the manifest media type.
 * Untagged images are counted, not listed: the inventory is of tags.
 */
export function ecrRows(repository: string, details: readonly EcrImageDetailLike[]): { rows: NativeTag[]; untagged: number; skipped: string[] } {
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  let untagged = 0;
  for (const d of details) {
    const tags = strings(d.imageTags);
    const dg = digest(d.imageDigest);
    if (tags.length === 0) {
      untagged++;
      continue;
    }
    if (!dg) skipped.push(`${repository}: image with tags ${tags.join(', ')} has no usable imageDigest`);
    // AWS SDK v3 turns epoch seconds into Date; recorded JSON keeps the seconds.
    const pushed = isoTime(d.imagePushedAt, 's');
    const pulled = isoTime(d.lastRecordedPullTime, 's');
    const mediaType = str(d.imageManifestMediaType) ?? null;
    for (const tag of tags) {
      const row: NativeTag = { repository, tag, digest: dg, mediaType, size: size(d.imageSizeInBytes) };
      if (pushed) row.pushed = pushed;
      if (pulled) row.pulled = pulled;
      rows.push(row);
    }
  }
  return { rows, untagged, skipped };
}
