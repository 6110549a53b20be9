import { digest, isoTime, record, str, strings, type NativeTag } from './common';

/**
 * GitHub `GET …/packages/container/<name>/versions` → rows. A version is one manifest: its `name`
 * is the digest and its tags are in `metadata.container.tags`. GitHub gives no size and no media
 * type (left to the generic driver). Untagged versions (platform children of an index, or
 * orphans) are counted, not listed.
 */
export function githubVersionRows(repository: string, body: unknown): { rows: NativeTag[]; untagged: number; skipped: string[] } {
  const versions = Array.isArray(body) ? body : [];
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  let untagged = 0;
  for (const item of versions) {
    const v = record(item);
    if (!v) continue;
    const container = record(record(v.metadata)?.container);
    const tags = strings(container?.tags);
    if (tags.length === 0) {
      untagged++;
      continue;
    }
    const dg = digest(v.name);
    if (!dg) skipped.push(`${repository}: version ${String(v.id ?? '?')} (tags ${tags.join(', ')}) has no digest name`);
    // updated_at moves when a tag is pushed onto an existing version; created_at is the first push.
    const pushed = isoTime(v.updated_at) ?? isoTime(v.created_at);
    for (const tag of tags) {
      const row: NativeTag = { repository, tag, digest: dg, mediaType: null, size: null };
      if (pushed) row.pushed = pushed;
      rows.push(row);
    }
  }
  return { rows, untagged, skipped };
}

/** `x-ratelimit-*` of a GitHub REST answer. */
export function githubRateLimit(get: (name: string) => string | undefined): { limit?: number; remaining?: number; resetAt?: string } | undefined {
  const num = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined);
  const limit = num(get('x-ratelimit-limit'));
  const remaining = num(get('x-ratelimit-remaining'));
  const reset = num(get('x-ratelimit-reset'));
  if (limit === undefined && remaining === undefined) return undefined;
  const out: { limit?: number; remaining?: number; resetAt?: string } = {};
  if (limit !== undefined) out.limit = limit;
  if (remaining !== undefined) out.remaining = remaining;
  if (reset !== undefined) out.resetAt = new Date(reset * 1000).toISOString();
  return out;
}
