import type { CatalogRepository } from '../../../../shared/api/registries';
import { nativeRequest, record, str, strings } from '../../inventory/drivers/common';
import { apiToken, apiUrl, apiUsername, bearer } from '../api-auth';
import { catalogRow, followCatalogPages, listRegistryCatalog } from '../catalog/common';
import type { CatalogEvent, CatalogLister } from '../catalog/types';
import type { DriverContext, DriverFailure } from '../../inventory/types';
import { ARTIFACT_REGISTRY_API, artifactRegistryRepository } from './artifact-registry-api';

function accessToken(ctx: DriverContext): ReturnType<typeof apiToken> {
  if (ctx.credential?.secret.kind === 'google-token') return apiToken(ctx.credential);
  const user = apiUsername(ctx.credential);
  return user === 'oauth2accesstoken' || user === '_token' ? apiToken(ctx.credential) : null;
}

/** `<location>-docker.pkg.dev`: an Artifact Registry host, whose images live under `<project>/<repository>/`. */
function isArtifactRegistryHost(registry: string): boolean {
  return /^[a-z0-9-]+-docker\.pkg\.dev$/.test(registry.toLowerCase().replace(/:\d+$/, ''));
}

/** Where to list from, said the same way in the window and the CLI. */
function namespaceHint(project: string): string {
  return `Give the project and repository to list: --namespace ${project}/REPOSITORY with stowage catalog, or type ${project}/REPOSITORY in the Namespace field (or type a repository to open).`;
}

/**
 * Artifact Registry has no registry-wide catalog for a `<location>-docker.pkg.dev` host alone
 * (registry-apis.md §9): its images are listed per repository, so a listing without one is refused
 * with what to type rather than passed to a `/v2/_catalog` that lists nothing useful.
 */
function artifactRegistryRefusal(namespace: string | undefined): CatalogEvent {
  const project = namespace?.split('/')[0];
  const failure: DriverFailure = project
    ? { message: `Artifact Registry lists images per repository; ${project} names a project but no repository in it.`, hint: namespaceHint(project) }
    : { message: 'Artifact Registry lists images per project and repository; none was given.', hint: namespaceHint('PROJECT') };
  return { type: 'failed', failure };
}

/**
 * Google: an Artifact Registry repository (`<project>/<repository>` on `<location>-docker.pkg.dev`)
 * is listed through the REST `dockerImages.list` (`pageSize`/`pageToken`), whose images are grouped
 * by path into repositories with their tag counts; a pkg.dev host needs that namespace (the recent
 * images repo when none is typed) and a Google access token. Other hosts (gcr.io) without them:
 * `/v2/_catalog` (project-wide on gcr.io).
 */
export const gcrCatalog: CatalogLister = {
  needsNamespace: (ctx) => isArtifactRegistryHost(ctx.registry),
  async *list(ctx, namespace) {
    const token = accessToken(ctx);
    const parts = namespace?.split('/').filter((p) => p !== '') ?? [];
    const ar = parts.length >= 2 ? artifactRegistryRepository(ctx.registry, `${parts[0]}/${parts[1]}/x`) : null;
    if (isArtifactRegistryHost(ctx.registry)) {
      if (!ar) {
        yield artifactRegistryRefusal(parts[0]);
        return;
      }
      if (token === null) {
        const failure: DriverFailure = {
          message: 'Artifact Registry lists a repository through its REST API, which takes a Google OAuth access token; this login is not one.',
          hint: 'Log in as oauth2accesstoken with the output of gcloud auth print-access-token (or use the Google credential chain), or type a repository to open.',
        };
        yield { type: 'failed', failure };
        return;
      }
    }
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
