import { digest, isoTime, record, size, str, strings, type NativeTag } from './common';

/**
 * Google's `tags/list` extension (GCR and Artifact Registry) → rows, from one answer: `manifest`
 * maps each digest to `{mediaType, tag[], imageSizeBytes (string), timeCreatedMs (string, "0" when
 * the image has no creation time), timeUploadedMs (string on GCR, number on AR)}`. Tags listed in
 * `tags` but missing from the map come back with a null digest, for the generic driver to HEAD.
 */
export function googleTagRows(repository: string, body: unknown): { rows: NativeTag[]; untagged: number; children: string[]; skipped: string[] } {
  const root = record(body);
  const manifest = record(root?.manifest) ?? {};
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  let untagged = 0;
  for (const [key, value] of Object.entries(manifest)) {
    const m = record(value);
    if (!m) continue;
    const tags = strings(m.tag);
    if (tags.length === 0) {
      untagged++;
      continue;
    }
    const dg = digest(key);
    if (!dg) skipped.push(`${repository}: manifest key ${key.slice(0, 80)} is not a digest`);
    const pushed = isoTime(m.timeUploadedMs, 'ms');
    const created = isoTime(m.timeCreatedMs, 'ms');
    for (const tag of tags) {
      seen.add(tag);
      const row: NativeTag = { repository, tag, digest: dg, mediaType: str(m.mediaType) ?? null, size: size(m.imageSizeBytes) };
      if (pushed) row.pushed = pushed;
      if (created) row.created = created;
      rows.push(row);
    }
  }
  for (const tag of strings(root?.tags)) {
    if (!seen.has(tag)) rows.push({ repository, tag, digest: null, mediaType: null, size: null });
  }
  return { rows, untagged, children: strings(root?.child), skipped };
}
