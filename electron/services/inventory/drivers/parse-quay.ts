import { digest, isoTime, record, size, str, type NativeTag } from './common';

/**
 * Quay `GET /api/v1/repository/<ns>/<repo>/tag/?onlyActiveTags=true&limit=&page=` → rows and
 * whether more pages exist (`has_additional`). A tag has its manifest digest, `start_ts` (push,
 * epoch seconds), `is_manifest_list` and `size` (compressed layers; absent for manifest lists).
 * Tags with an `end_ts` in the past are history, not live tags.
 */
export function quayTagRows(repository: string, body: unknown, nowMs: number): { rows: NativeTag[]; hasAdditional: boolean; page: number | null; skipped: string[] } {
  const root = record(body);
  const tags = Array.isArray(root?.tags) ? root.tags : [];
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  for (const item of tags) {
    const t = record(item);
    const name = str(t?.name);
    if (!t || !name) {
      skipped.push(`${repository}: a tag entry without a name`);
      continue;
    }
    if (typeof t.end_ts === 'number' && t.end_ts * 1000 <= nowMs) continue;
    const row: NativeTag = { repository, tag: name, digest: digest(t.manifest_digest), mediaType: null, size: size(t.size) };
    const pushed = isoTime(t.start_ts, 's') ?? isoTime(t.last_modified);
    if (pushed) row.pushed = pushed;
    if (t.is_manifest_list === true) row.index = true;
    rows.push(row);
  }
  return { rows, hasAdditional: root?.has_additional === true, page: typeof root?.page === 'number' ? root.page : null, skipped };
}
