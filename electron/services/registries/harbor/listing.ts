import type { PlatformChild } from '../../../../shared/inventory/types';
import { apiToken, apiUrl, apiUsername, basic } from '../api-auth';
import { harborApiBase } from './api';
import { listTagsViaRegistryApi } from '../../inventory/registry-api';
import type { InventoryDriver } from '../../inventory/types';
import { digest, ANY_404_MISSING, followPages, getWhat, isoTime, labels, nativeRequest, nextLink, pageEvents, platformChild, record, size, str, type NativeTag } from '../../inventory/drivers/common';

/** Harbor's maximum page size. */
export const HARBOR_PAGE_SIZE = 100;

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
    // A parsed config with no labels is a fact too ("none"), which saves the engine a config fetch.
    const config = record(extra?.config);
    const configLabels = config ? (labels(config.Labels) ?? {}) : undefined;
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

const ROLE_HINT = 'Listing artifacts needs artifact:list on the project (guest or higher; robot accounts: the "artifact list" permission).';

/**
 * Harbor through its own API (`/api/v2.0` on the registry's host, or the configured API base):
 * artifacts with their tags, sizes, push/pull times, platforms and config facts, 100 per page,
 * following `Link`. HTTP Basic goes to that host only. Without a user name and password (a
 * registry token, say) the generic driver lists instead.
 */
export const harborDriver: InventoryDriver = {
  id: 'harbor',
  async *listTags(ctx, repository) {
    const username = apiUsername(ctx.credential);
    const secret = apiToken(ctx.credential);
    const path = harborRepositoryPath(repository);
    if (path === null || (ctx.credential !== null && (!username || !secret))) {
      if (path !== null) ctx.warn(`${repository}: Harbor's API takes a user name and password (or robot secret); this credential has none, so tags are listed through the Registry API.`);
      yield* listTagsViaRegistryApi(ctx, repository);
      return;
    }
    const api = harborApiBase(ctx.baseUrl, ctx.settings?.apiBaseUrl);
    const authorization = username && secret ? basic(username, secret) : undefined;
    // Path segments are built by hand: the repository part is already encoded twice.
    const first = apiUrl(api, `/projects/${encodeURIComponent(path.project)}/repositories/${path.repositorySegment}/artifacts`);
    const q = first.searchParams;
    q.set('with_tag', 'true');
    q.set('with_label', 'false');
    q.set('with_scan_overview', 'false');
    q.set('with_signature', 'false');
    q.set('with_immutable_status', 'false');
    q.set('with_accessory', 'false');
    // Only tagged artifacts: untagged ones (index children, leftovers) are not tags.
    q.set('q', 'tags=*');
    q.set('page', '1');
    q.set('page_size', String(HARBOR_PAGE_SIZE));
    let listed = 0;
    let total: number | null = null;
    yield* followPages({
      repository,
      first,
      missing: { rule: ANY_404_MISSING, message: (failure) => `${repository} does not exist in Harbor (${failure.message})` },
      hint: (res) =>
        res.status === 401
          ? `Harbor refused the login${username ? ` for "${username}"` : ''}: check the user name and password (robot accounts: robot$<project>+<name> and its secret).`
          : res.status === 403
            ? ROLE_HINT
            : undefined,
      fetch: (url) => nativeRequest(ctx, { url, headers: { 'x-is-resource-name': 'true' }, ...(authorization ? { authorization } : {}) }),
      async *page(res, pagesRead) {
        const what = getWhat(res);
        const body = res.json();
        if (!Array.isArray(body)) {
          yield { type: 'failed', failure: { message: `${what} → 200, but the answer is not a list of artifacts`, hint: 'Check that the API base URL points at Harbor (…/api/v2.0).', status: 200 } };
          return 'stop';
        }
        const totalHeader = res.headers.get('x-total-count');
        if (totalHeader !== undefined && /^\d+$/.test(totalHeader)) total = Number(totalHeader);
        const page = harborArtifactRows(repository, body);
        listed += body.length;
        yield* pageEvents(ctx, page);
        const next = nextLink(res.headers.all('link'), res.url);
        if (next) return next;
        if (total !== null && listed < total) ctx.warn(`${repository}: Harbor reported ${total} artifacts but listed ${listed}; artifacts may have changed during the listing.`);
        return 'last';
      },
    });
  },
};
