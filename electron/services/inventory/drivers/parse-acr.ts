import { digest, isoTime, platformChild, record, size, str, strings, type NativeTag } from './common';
import type { PlatformChild } from '../../../../shared/inventory/types';

/**
 * ACR `GET /acr/v1/<repo>/_manifests` → one row per tag. Each manifest carries its tags, size,
 * push time (`createdTime`), media type and, for an index, `references` with each child's platform.
 * Pagination is the `Link` header (`last`=digest, `n`), handled by the driver.
 */
export function acrManifestRows(repository: string, body: unknown): { rows: NativeTag[]; untagged: number; skipped: string[] } {
  const root = record(body);
  const manifests = Array.isArray(root?.manifests) ? root.manifests : [];
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  let untagged = 0;
  for (const item of manifests) {
    const m = record(item);
    if (!m) continue;
    const tags = strings(m.tags);
    if (tags.length === 0) {
      untagged++;
      continue;
    }
    const dg = digest(m.digest);
    if (!dg) skipped.push(`${repository}: manifest with tags ${tags.join(', ')} has no usable digest`);
    const mediaType = str(m.mediaType) ?? null;
    const pushed = isoTime(m.createdTime) ?? isoTime(m.lastUpdateTime);
    const refs = Array.isArray(m.references) ? m.references : [];
    const platforms = refs.map((r) => platformChild(r)).filter((c): c is PlatformChild => c !== null);
    for (const tag of tags) {
      const row: NativeTag = { repository, tag, digest: dg, mediaType, size: size(m.imageSize) };
      if (pushed) row.pushed = pushed;
      if (platforms.length > 0) row.platforms = platforms.map((p) => ({ ...p }));
      rows.push(row);
    }
  }
  return { rows, untagged, skipped };
}
