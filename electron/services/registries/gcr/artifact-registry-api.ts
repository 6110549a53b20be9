import { apiToken, apiUrl, apiUsername, bearer } from '../api-auth';
import { digest, isoTime, nativeRequest, pageEvents, record, size, str, strings, type NativeTag } from '../../inventory/drivers/common';
import type { DriverContext, ListEvent } from '../../inventory/types';

/**
 * Artifact Registry quotas page: the `tags/list` extension "returns an incomplete list if a
 * repository has more than 10,000 images or tags". A list that reaches this many is taken as cut.
 */
export const GOOGLE_TAGS_LIST_CAP = 10_000;
export const ARTIFACT_REGISTRY_API = 'https://artifactregistry.googleapis.com';
/** dockerImages.list page size asked for (the API documents `pageSize`, not its ceiling). */
const PAGE_SIZE = 1000;
const MAX_PAGES = 1000;

/** The Artifact Registry resource behind a Docker path: `projects/<p>/locations/<l>/repositories/<r>` and the image inside. */
export interface ArRepository {
  project: string;
  location: string;
  repository: string;
}

/** Which gcr.io host is served by which multi-region's `gcr.io`-named AR repository (AR "gcr.io repositories"). */
const GCR_HOSTS: Record<string, string> = { 'gcr.io': 'us', 'us.gcr.io': 'us', 'eu.gcr.io': 'europe', 'asia.gcr.io': 'asia' };

/**
 * `<location>-docker.pkg.dev/<project>/<repository>/<image…>` or `[<region>.]gcr.io/<project>/<image…>`
 * → the AR repository; null for any other host (the location cannot be told from it).
 */
export function artifactRegistryRepository(registry: string, repository: string): ArRepository | null {
  const host = registry.toLowerCase().replace(/:\d+$/, '');
  const parts = repository.split('/');
  const pkg = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host);
  if (pkg && parts.length >= 3) return { project: parts[0]!, location: pkg[1]!, repository: parts[1]! };
  const gcr = GCR_HOSTS[host];
  if (gcr && parts.length >= 2) return { project: parts[0]!, location: gcr, repository: host };
  return null;
}

/** The OAuth access token the REST API takes as Bearer: Google's token, or the password of `oauth2accesstoken` / `_token`. */
function accessToken(ctx: DriverContext): ReturnType<typeof apiToken> {
  if (ctx.credential?.secret.kind === 'google-token') return apiToken(ctx.credential);
  const user = apiUsername(ctx.credential);
  return user === 'oauth2accesstoken' || user === '_token' ? apiToken(ctx.credential) : null;
}

/** The image path of a dockerImage's `uri` (`host/proj/repo/img@sha256:…` → `proj/repo/img`). */
function imagePath(uri: string): string | null {
  const slash = uri.indexOf('/');
  const at = uri.lastIndexOf('@');
  return slash < 0 || at < slash ? null : uri.slice(slash + 1, at);
}

/**
 * Lists one image's tags through `dockerImages.list`, which pages and is complete, where `tags/list`
 * was cut. Yields tag events as pages arrive; returns null when it read every page, or why it could
 * not (the caller then keeps the cut list and marks the listing incomplete).
 */
export async function* listViaDockerImages(ctx: DriverContext, repository: string): AsyncGenerator<ListEvent, string | null> {
  const ar = artifactRegistryRepository(ctx.registry, repository);
  if (!ar) return `${ctx.registry} does not name an Artifact Registry location (<location>-docker.pkg.dev or gcr.io), so the complete REST listing could not be asked for`;
  const token = accessToken(ctx);
  if (!token) return 'the credential is not a Google OAuth access token, which the Artifact Registry REST API needs';
  const base = ctx.settings?.apiBaseUrl ?? ARTIFACT_REGISTRY_API;
  const path = `/v1/projects/${encodeURIComponent(ar.project)}/locations/${encodeURIComponent(ar.location)}/repositories/${encodeURIComponent(ar.repository)}/dockerImages`;
  let pageToken: string | null = null;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const url = apiUrl(base, path);
    url.searchParams.set('pageSize', String(PAGE_SIZE));
    if (pageToken) url.searchParams.set('pageToken', pageToken);
    const out = await nativeRequest(ctx, { url, authorization: bearer(token) });
    if (!out.ok) return `the Artifact Registry REST API could not be reached (${out.error.message})`;
    const res = out.response;
    const body = record(res.json());
    if (res.status !== 200 || !body) {
      const err = record(body?.error);
      const said = str(err?.message) ?? `HTTP ${res.status}`;
      const why = res.status === 403 ? ' (listing images needs artifactregistry.dockerimages.list, part of roles/artifactregistry.reader)' : '';
      return `the Artifact Registry REST API refused the listing: ${said}${why}`;
    }
    const rows: NativeTag[] = [];
    for (const item of Array.isArray(body.dockerImages) ? body.dockerImages : []) {
      const image = record(item);
      const uri = str(image?.uri);
      if (!image || !uri || imagePath(uri) !== repository) continue;
      const dg = digest(uri.slice(uri.lastIndexOf('@') + 1));
      const pushed = isoTime(image.uploadTime);
      const created = isoTime(image.buildTime);
      for (const tag of strings(image.tags)) {
        const row: NativeTag = { repository, tag, digest: dg, mediaType: str(image.mediaType) ?? null, size: size(image.imageSizeBytes) };
        if (pushed) row.pushed = pushed;
        if (created) row.created = created;
        rows.push(row);
      }
    }
    yield* pageEvents(ctx, { rows, skipped: [] });
    pageToken = str(body.nextPageToken) ?? null;
    if (pageToken === null) return null;
  }
  return `the Artifact Registry REST API sent more than ${MAX_PAGES} pages`;
}
