import { digest, isIndexMediaType, isoTime, platformChild, record, size, str, type NativeTag } from './common';
import type { PlatformChild } from '../../../../shared/inventory/types';

/**
 * Docker Hub `GET /v2/namespaces/<ns>/repositories/<repo>/tags` → rows and the `next` URL. A tag
 * has its digest (the index digest for multi-arch), media type, `full_size`, push and pull times,
 * and `images[]`: the platforms, each with its own digest and size.
 */
export function dockerhubTagRows(repository: string, body: unknown): { rows: NativeTag[]; next: string | null; count: number | null; skipped: string[] } {
  const root = record(body);
  const results = Array.isArray(root?.results) ? root.results : [];
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  for (const item of results) {
    const t = record(item);
    const name = str(t?.name);
    if (!t || !name) {
      skipped.push(`${repository}: a tag entry without a name`);
      continue;
    }
    const images = Array.isArray(t.images) ? t.images : [];
    let mediaType = str(t.media_type) ?? null;
    let dg = digest(t.digest);
    // Old single-platform tags may lack the tag-level digest; the one image then is the manifest.
    if (!dg && images.length === 1 && !isIndexMediaType(mediaType)) dg = digest(record(images[0])?.digest);
    const index = isIndexMediaType(mediaType) || images.length > 1;
    if (index && mediaType === null) mediaType = null;
    const row: NativeTag = { repository, tag: name, digest: dg, mediaType, size: size(t.full_size) };
    const pushed = isoTime(t.tag_last_pushed) ?? isoTime(t.last_updated);
    const pulled = isoTime(t.tag_last_pulled);
    if (pushed) row.pushed = pushed;
    if (pulled) row.pulled = pulled;
    if (index) {
      row.index = true;
      const children = images.map((i) => platformChild(i)).filter((c): c is PlatformChild => c !== null);
      if (children.length > 0) row.platforms = children;
    }
    rows.push(row);
  }
  const next = str(root?.next) ?? null;
  const count = typeof root?.count === 'number' ? root.count : null;
  return { rows, next, count, skipped };
}
