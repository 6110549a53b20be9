import { digest, isoTime, record, size, str, type NativeTag } from './common';

/** Tag fields asked from GitLab GraphQL; `mediaType`/`publishedAt` exist only with the metadata-database registry. */
export const GITLAB_TAG_FIELDS_FULL = ['name', 'digest', 'mediaType', 'totalSize', 'createdAt', 'publishedAt'] as const;
export const GITLAB_TAG_FIELDS_LEGACY = ['name', 'digest', 'totalSize', 'createdAt'] as const;

export function gitlabTagsQuery(fields: readonly string[]): string {
  return `query($id: ContainerRepositoryID!, $first: Int!, $after: String) { containerRepository(id: $id) { tags(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${fields.join(' ')} } } } }`;
}

export interface GitlabTagsPage {
  rows: NativeTag[];
  /** The cursor for the next page, or null. */
  next: string | null;
  /** `containerRepository` was null: unknown id or not readable. */
  missing: boolean;
  /** GraphQL `errors[].message`, when the answer carried errors. */
  errors: string[];
  skipped: string[];
}

/**
 * GitLab GraphQL `containerRepository(id).tags` → rows. `totalSize` is a BigInt (sent as a string
 * by current GitLab, a number by old ones). With the metadata-database registry `publishedAt` is the
 * last push and `createdAt` when the tag was first recorded; on the legacy registry there is no
 * `publishedAt` and `createdAt` is the image config's creation time.
 */
export function gitlabTagRows(repository: string, body: unknown): GitlabTagsPage {
  const root = record(body);
  const errors = (Array.isArray(root?.errors) ? root.errors : []).map((e) => str(record(e)?.message) ?? 'unknown GraphQL error');
  const data = record(root?.data);
  const repo = data ? data.containerRepository : undefined;
  const out: GitlabTagsPage = { rows: [], next: null, missing: data !== null && data !== undefined && repo === null, errors, skipped: [] };
  const tags = record(record(repo)?.tags);
  if (!tags) return out;
  const nodes = Array.isArray(tags.nodes) ? tags.nodes : [];
  for (const item of nodes) {
    const n = record(item);
    const name = str(n?.name);
    if (!n || !name) {
      out.skipped.push(`${repository}: a tag node without a name`);
      continue;
    }
    const row: NativeTag = { repository, tag: name, digest: digest(n.digest), mediaType: str(n.mediaType) ?? null, size: size(n.totalSize) };
    if ('publishedAt' in n) {
      const pushed = isoTime(n.publishedAt);
      if (pushed) row.pushed = pushed;
    } else {
      const created = isoTime(n.createdAt);
      if (created) row.created = created;
    }
    out.rows.push(row);
  }
  const info = record(tags.pageInfo);
  if (info?.hasNextPage === true) out.next = str(info.endCursor) ?? null;
  return out;
}

/** REST `GET …/registry/repositories` entries: the id of the repository whose `path` matches. */
export function gitlabRepositoryId(body: unknown, path: string): number | null {
  if (!Array.isArray(body)) return null;
  for (const item of body) {
    const r = record(item);
    if (r && r.path === path && typeof r.id === 'number') return r.id;
  }
  return null;
}

/** REST `GET …/registry/repositories/:id/tags` entries (names only). */
export function gitlabTagNames(body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  return body.map((t) => str(record(t)?.name)).filter((n): n is string => n !== undefined);
}
