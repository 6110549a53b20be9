import type { PlatformChild } from '../../../../shared/inventory/types';
import { repositoryScope } from '../../../../shared/registry/auth-challenge';
import { registryApiFallback } from '../../inventory/registry-api';
import type { InventoryDriver } from '../../inventory/types';
import { digest, followPages, isoTime, NATIVE_PAGE_MAX_BYTES, nextLink, pageEvents, platformChild, record, size, str, strings, type NativeTag } from '../../inventory/drivers/common';

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

/** Manifests per `_manifests` page: the documented default, accepted everywhere. (unverified: ACR's maximum) */
export const ACR_PAGE_SIZE = 100;
const ROLES = 'Listing needs AcrPull, Reader or higher on the registry (ABAC-mode registries: "Container Registry Repository Reader"); repository-scoped tokens need content/read and metadata/read.';

/**
 * Why not `@azure/container-registry`: its client accepts only an Azure AD TokenCredential (or
 * none), while most CI logins to ACR are admin users and repository-scoped tokens. Its
 * `listManifestProperties` calls this same endpoint, so one path serves every credential kind and
 * shares the engine's pool, limits and accounting.
 *
 * Azure Container Registry through `/acr/v1/<repo>/_manifests` on the registry's own host: each
 * manifest with its tags, size, push time, media type and index children, 100 per page following
 * `Link` (`last`, `n`). The token comes from the registry's own token flow (AAD exchange, admin
 * user, scoped token or refresh token, prepared by the login step) with `metadata_read` asked up
 * front, so a page costs one request.
 */
export const acrDriver: InventoryDriver = {
  id: 'acr',
  async *listTags(ctx, repository) {
    const first = new URL(`/acr/v1/${repository}/_manifests`, ctx.baseUrl);
    first.searchParams.set('n', String(ACR_PAGE_SIZE));
    const scopes = [repositoryScope(repository, ['pull', 'metadata_read'])];
    const seen = new Set<string>();
    yield* followPages({
      repository,
      first,
      missing: { rule: { kind: 'registry-code', codes: ['NAME_UNKNOWN'] }, message: (failure) => `${repository} does not exist in ${ctx.registry} (${failure.message})` },
      fallback: registryApiFallback(ctx, repository, (res, failure) =>
        res.status === 404
          ? // No /acr/v1 here: an ACR-compatible mirror, or not ACR at all.
            `${ctx.registry} has no ACR metadata API (${failure.message}); tags are listed through the Registry API.`
          : (res.status === 401 || res.status === 403) && ctx.auth.login.kind === 'anonymous'
            ? // Anonymous pull may be on, but the metadata API is never anonymous.
              `${repository}: ACR's metadata API needs a login; tags are listed through the Registry API.`
            : null,
      ),
      hint: (res) => (res.status === 401 || res.status === 403 ? ROLES : res.status === 429 ? 'ACR throttles per SKU: wait a little and list again (Premium registries have the highest limits).' : undefined),
      fetch: async (url) =>
        (await ctx.auth.request({ method: 'GET', path: `${url.pathname}${url.search}`, scopes, headers: { accept: 'application/json' }, signal: ctx.signal, maxBytes: NATIVE_PAGE_MAX_BYTES })).outcome,
      async *page(res, pagesRead) {
        const body = res.json();
        // Pages continue lexically after `last` (by digest), so a digest never comes twice; if it
        // does, the server restarted the listing (a `last` it no longer knew), and going on would
        // repeat tags or never end. Stop: the listing is incomplete, and cleanup will not plan from it.
        const digests = (Array.isArray(record(body)?.manifests) ? (record(body)?.manifests as unknown[]) : []).map((m) => digest(record(m)?.digest)).filter((d): d is string => d !== null);
        const repeated = digests.find((d) => seen.has(d));
        if (repeated !== undefined) {
          yield { type: 'failed', failure: { message: `${repository}: ACR listed manifest ${repeated} twice (page ${pagesRead + 1}): the listing restarted, so it stopped here`, hint: 'List again; if it repeats, the registry is changing quickly (a cleanup or a push running): wait for it to finish.' } };
          return 'stop';
        }
        for (const d of digests) seen.add(d);
        yield* pageEvents(ctx, acrManifestRows(repository, body));
        return nextLink(res.headers.all('link'), res.url) ?? 'last';
      },
    });
  },
};
