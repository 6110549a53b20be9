import type { CatalogRepository } from '../../../../shared/api/registries';
import { nativeRequest, record, str, strings } from '../../inventory/drivers/common';
import { apiToken, apiUrl, apiUsername, bearer } from '../api-auth';
import { catalogRow, followCatalogPages, listRegistryCatalog } from '../catalog/common';
import type { CatalogLister } from '../catalog/types';
import type { DriverContext } from '../../inventory/types';
import { ARTIFACT_REGISTRY_API, artifactRegistryRepository } from './artifact-registry-api';

function accessToken(ctx: DriverContext): ReturnType<typeof apiToken> {
  if (ctx.credential?.secret.kind === 'google-token') return apiToken(ctx.credential);
  const user = apiUsername(ctx.credential);
  return user === 'oauth2accesstoken' || user === '_token' ? apiToken(ctx.credential) : null;
}

/**
 * Google: an Artifact Registry repository (`<project>/<repository>` on `<location>-docker.pkg.dev`)
 * is listed through the REST `dockerImages.list` (`pageSize`/`pageToken`), whose images are grouped
 * by path into repositories with their tag counts. Without a namespace or a Google access token,
 * `/v2/_catalog` (project-wide on gcr.io).
 */
export const gcrCatalog: CatalogLister = {
  needsNamespace: false,
  async *list(ctx, namespace) {
    const token = accessToken(ctx);
    const parts = namespace?.split('/') ?? [];
    const ar = parts.length >= 2 ? artifactRegistryRepository(ctx.registry, `${parts[0]}/${parts[1]}/x`) : null;
    if (!ar || token === null) {
      yield* listRegistryCatalog(ctx);
      return;
    }
    const path = `/v1/projects/${encodeURIComponent(ar.project)}/locations/${encodeURIComponent(ar.location)}/repositories/${encodeURIComponent(ar.repository)}/dockerImages`;
    yield { type: 'source', source: `Artifact Registry dockerImages.list (${ar.project}/${ar.location}/${ar.repository})` };
    const first = apiUrl(ctx.settings?.apiBaseUrl ?? ARTIFACT_REGISTRY_API, path);
    first.searchParams.set('pageSize', '1000');
    const counts = new Map<string, number>();
    const authorization = bearer(token);
    for await (const e of followCatalogPages(ctx, {
      what: `GET ${path}`,
      first,
      hint: (res) => (res.status === 403 ? 'Listing images needs artifactregistry.dockerimages.list (roles/artifactregistry.reader).' : res.status === 401 ? 'Google refused the access token (expired? gcloud auth print-access-token gives a new one).' : undefined),
      fetch: (url) => nativeRequest(ctx, { url, authorization }),
      page: (res, url) => {
        const body = record(res.json());
        if (!body) return 'the answer is not a JSON object';
        for (const item of Array.isArray(body.dockerImages) ? body.dockerImages : []) {
          const uri = str(record(item)?.uri);
          if (!uri) continue;
          const slash = uri.indexOf('/');
          const at = uri.lastIndexOf('@');
          if (slash < 0 || at < slash) continue;
          const name = uri.slice(slash + 1, at);
          counts.set(name, (counts.get(name) ?? 0) + strings(record(item)?.tags).length);
        }
        const token = str(body.nextPageToken);
        let next: URL | null = null;
        if (token) {
          next = new URL(url.href);
          next.searchParams.set('pageToken', token);
        }
        return { repositories: [], next };
      },
    })) {
      if (e.type === 'failed') {
        yield e;
        return;
      }
    }
    const repositories: CatalogRepository[] = [];
    for (const [name, tags] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
      const row = catalogRow(name, tags);
      if (row) repositories.push(row);
    }
    if (repositories.length > 0) yield { type: 'repositories', repositories };
  },
};
