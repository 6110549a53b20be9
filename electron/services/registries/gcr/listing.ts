import type { InventoryDriver } from '../../inventory/types';
import { GOOGLE_TAGS_LIST_CAP, listViaDockerImages } from './artifact-registry-api';
import { digest, followPages, isoTime, NATIVE_PAGE_MAX_BYTES, nameEvents, nextLink, pageEvents, record, REGISTRY_API_MISSING, size, str, strings, type NativeTag } from '../../inventory/drivers/common';

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

/**
 * Google Container Registry / Artifact Registry. One `GET /v2/<repo>/tags/list` answers with the
 * `manifest` map, so digest, size, media type, created and push time come without a request per
 * tag. Credentials stay with the registry host (the engine's Registry API call). A registry that
 * answers without the map (a mirror speaking plain distribution) is listed as the generic driver
 * would, and the engine inspects its tags.
 *
 * Google cuts `tags/list` above 10,000 images or tags without saying so: an answer that reaches the
 * cap is set aside and the image is listed through Artifact Registry's REST `dockerImages.list`
 * (paged, complete) when the host names a location and the credential is an access token; else
 * the cut list is used and the listing is marked incomplete, so cleanup never plans from it.
 */
export const gcrDriver: InventoryDriver = {
  id: 'gcr',
  async *listTags(ctx, repository) {
    const listPath = `/v2/${repository}/tags/list`;
    const first = new URL(listPath, ctx.baseUrl);
    let warnedPlain = false;
    let cutList: CutList | null = null;
    yield* followPages({
      repository,
      first,
      missing: { rule: REGISTRY_API_MISSING, message: (failure) => `${repository} does not exist (${failure.message})` },
      hint: (res) => googleHint(res.status),
      fetch: (url) => ctx.registryRequest({ method: 'GET', repository, path: `${url.pathname}${url.search}`, headers: { accept: 'application/json' }, maxBytes: NATIVE_PAGE_MAX_BYTES }),
      async *page(res, pagesRead) {
        const body = res.json();
        if (record(body)?.manifest === undefined) {
          // Not Google's extension: plain names, facts left to the engine.
          if (!warnedPlain) ctx.warn(`${repository}: the registry's tag list has no Google "manifest" map; tags are inspected one by one.`);
          warnedPlain = true;
          yield* nameEvents(strings(record(body)?.tags));
        } else {
          const rows = googleTagRows(repository, body);
          const tags = strings(record(body)?.tags).length;
          const manifests = Object.keys(record(record(body)?.manifest) ?? {}).length;
          if (tags >= GOOGLE_TAGS_LIST_CAP || manifests >= GOOGLE_TAGS_LIST_CAP) {
            cutList = { rows, tags, manifests };
            return 'stop';
          }
          yield* pageEvents(ctx, rows);
        }
        // Google answers in one piece; follow a Link anyway in case a mirror paginates.
        return nextLink(res.headers.all('link'), res.url) ?? 'last';
      },
    });
    // Set inside the page callback, which TypeScript's narrowing cannot see.
    const cut = cutList as CutList | null;
    if (cut === null) return;
    const counted = `${cut.tags} tags and ${cut.manifests} images`;
    const why = yield* listViaDockerImages(ctx, repository);
    if (why === null) {
      ctx.warn(`${repository}: Google's tags/list answered ${counted}, at its documented 10,000 cap, so the tags were listed through the Artifact Registry REST API instead.`);
      return;
    }
    yield* pageEvents(ctx, cut.rows);
    yield {
      type: 'incomplete',
      message: `${repository}: Google's tags/list answered ${counted}, at its documented 10,000 cap, so the list may be incomplete, and ${why}. Cleanup will not plan from it.`,
    };
  },
};

/** A tags/list answer that reached Google's cap, kept for when the complete listing cannot be had. */
interface CutList {
  rows: ReturnType<typeof googleTagRows>;
  tags: number;
  manifests: number;
}

function googleHint(status: number): string | undefined {
  if (status === 403) return 'Listing needs roles/artifactregistry.reader (or higher) on the repository: check the account behind the access token.';
  if (status === 401) return 'The Google access token was refused (they last about an hour): run `gcloud auth print-access-token` again or refresh the credential.';
  if (status === 429) return 'Artifact Registry quota exceeded: wait a minute and list again, or ask for a higher request quota for the project.';
  return undefined;
}
