import { digest, isoTime, labels, platformChild, record, size, str, type NativeTag } from './common';
import type { PlatformChild } from '../../../../shared/inventory/types';

/**
 * Harbor addresses a repository as project + the rest of the path, and the rest must be
 * URL-encoded twice when it contains `/` (`team/sub/app` → project `team`, `sub%252Fapp`):
 * Harbor's router decodes once before matching. Encoding every name twice is harmless for names
 * without `/` (the repository name grammar has nothing else to escape).
 */
export function harborRepositoryPath(repository: string): { project: string; repositorySegment: string } | null {
  const i = repository.indexOf('/');
  if (i <= 0 || i === repository.length - 1) return null;
  const project = repository.slice(0, i);
  const rest = repository.slice(i + 1);
  return { project, repositorySegment: encodeURIComponent(encodeURIComponent(rest)) };
}

/** The inverse, for names seen in Harbor answers and Link URLs (`sub%252Fapp` → `sub/app`). */
export function harborDecodeSegment(segment: string): string {
  let s = segment;
  for (let i = 0; i < 2 && /%[0-9a-fA-F]{2}/.test(s); i++) s = decodeURIComponent(s);
  return s;
}

/**
 * Harbor `GET /api/v2.0/projects/<p>/repositories/<r>/artifacts?with_tag=true` → one row per tag.
 * An artifact has digest, manifest media type, size, push and pull times (Go's zero time
 * `0001-01-01T00:00:00Z` for never), `extra_attrs` parsed from the image config (created, labels),
 * `references` (index children with platform) and `tags[]` with their own push/pull times.
 */
export function harborArtifactRows(repository: string, body: unknown): { rows: NativeTag[]; untagged: number; skipped: string[] } {
  const artifacts = Array.isArray(body) ? body : [];
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  let untagged = 0;
  for (const item of artifacts) {
    const a = record(item);
    if (!a) continue;
    const tags = (Array.isArray(a.tags) ? a.tags : []).map(record).filter((t): t is Record<string, unknown> => t !== null && str(t.name) !== undefined);
    if (tags.length === 0) {
      untagged++;
      continue;
    }
    const dg = digest(a.digest);
    if (!dg) skipped.push(`${repository}: artifact ${String(a.id ?? '?')} has no usable digest`);
    const mediaType = str(a.manifest_media_type) ?? null;
    const extra = record(a.extra_attrs);
    const created = isoTime(extra?.created);
    const configLabels = labels(record(extra?.config)?.Labels);
    const refs = Array.isArray(a.references) ? a.references : [];
    const platforms = refs.map((r) => platformChild(r)).filter((c): c is PlatformChild => c !== null);
    const artifactPushed = isoTime(a.push_time);
    const artifactPulled = isoTime(a.pull_time);
    for (const t of tags) {
      const row: NativeTag = { repository, tag: str(t.name) as string, digest: dg, mediaType, size: size(a.size) };
      const pushed = isoTime(t.push_time) ?? artifactPushed;
      const pulled = isoTime(t.pull_time) ?? artifactPulled;
      if (pushed) row.pushed = pushed;
      if (pulled) row.pulled = pulled;
      if (created) row.created = created;
      if (configLabels) row.labels = { ...configLabels };
      if (platforms.length > 0) row.platforms = platforms.map((p) => ({ ...p }));
      rows.push(row);
    }
  }
  return { rows, untagged, skipped };
}
