import type { CatalogRepository } from '../../../../shared/api/registries';
import type { DriverFailure } from '../../inventory/types';
import { isoTime, nativeRequest, nextLink, record, str } from '../../inventory/drivers/common';
import { apiToken, apiUrl, apiUsername, basic } from '../api-auth';
import { catalogRow, catalogRows, followCatalogPages } from '../catalog/common';
import type { CatalogLister } from '../catalog/types';
import { harborApiBase } from './api';
import { HARBOR_PAGE_SIZE } from './listing';

/** Harbor's list answers: 401 is the login, 403 the role (repository:list on the project). */
function harborHint(res: { status: number }): string | undefined {
  if (res.status === 401) return 'Harbor refused the login: check the user name and password (robot accounts: robot$<project>+<name> and its secret).';
  if (res.status === 403) return 'Listing repositories needs repository:list on the project (guest or higher; robot accounts: the "repository list" permission).';
  return undefined;
}

function firstPage(api: string, path: string): URL {
  const url = apiUrl(api, path);
  url.searchParams.set('page', '1');
  url.searchParams.set('page_size', String(HARBOR_PAGE_SIZE));
  return url;
}

/**
 * Harbor has no usable `/v2/_catalog` for users (registry-apis.md §8): its API lists the projects
 * the login can see, then each project's repositories (`page`/`page_size` ≤ 100, `Link`,
 * `X-Total-Count`); names come with the project prefix, and each with its `artifact_count`. A
 * namespace lists that project only.
 */
export const harborCatalog: CatalogLister = {
  needsNamespace: false,
  async *list(ctx, namespace) {
    const api = harborApiBase(ctx.baseUrl, ctx.settings?.apiBaseUrl);
    const username = apiUsername(ctx.credential);
    const secret = apiToken(ctx.credential);
    const authorization = username && secret ? basic(username, secret) : undefined;
    const fetch = (url: URL) => nativeRequest(ctx, { url, headers: { 'x-is-resource-name': 'true' }, ...(authorization ? { authorization } : {}) });
    yield { type: 'source', source: 'Harbor API: projects, then each project’s repositories' };
    const projects: string[] = [];
    if (namespace) projects.push(namespace.split('/')[0]!);
    else {
      for await (const e of followCatalogPages(ctx, {
        what: 'GET /api/v2.0/projects',
        first: firstPage(api, '/projects'),
        hint: harborHint,
        fetch,
        page: (res) => {
          const body = res.json();
          if (!Array.isArray(body)) return 'the answer is not a list of projects';
          for (const p of body) {
            const name = str(record(p)?.name);
            if (name) projects.push(name);
          }
          return { repositories: [], next: nextLink(res.headers.all('link'), res.url) };
        },
      })) {
        if (e.type === 'failed') {
          yield e;
          return;
        }
      }
    }
    const failed: { project: string; failure: DriverFailure }[] = [];
    for (const project of projects) {
      for await (const e of followCatalogPages(ctx, {
        what: `GET /api/v2.0/projects/${project}/repositories`,
        first: firstPage(api, `/projects/${encodeURIComponent(project)}/repositories`),
        hint: harborHint,
        fetch,
        page: (res) => {
          const body = res.json();
          if (!Array.isArray(body)) return 'the answer is not a list of repositories';
          // artifact_count counts artifacts, not tags: kept as what it is, and the row needs no tags/list.
          const { repositories, dropped } = catalogRows(body, (item) => {
            const r = record(item);
            return catalogRow(str(r?.name) ?? '', undefined, isoTime(r?.update_time), r?.artifact_count);
          });
          return { repositories, dropped, next: nextLink(res.headers.all('link'), res.url) };
        },
      })) {
        // One project closed to this login does not hide the others; it is reported once all are read.
        if (e.type === 'failed') failed.push({ project, failure: e.failure });
        else yield e;
      }
    }
    const first = failed[0];
    if (first === undefined) return;
    if (failed.length === projects.length) {
      // Nothing could be listed: a failure with the first refusal's words and hint, not an empty catalog.
      const message = projects.length === 1 ? first.failure.message : `none of the ${projects.length} projects could be listed; ${first.project}: ${first.failure.message}`;
      yield { type: 'failed', failure: { ...first.failure, message }, refused: first.failure.status === 403 };
      return;
    }
    const which = failed.map(({ project, failure }) => `${project}: ${failure.message}${failure.hint ? ` — ${failure.hint}` : ''}`).join('; ');
    yield { type: 'incomplete', warning: `${failed.length} of ${projects.length} Harbor projects could not be listed, so their repositories are missing: ${which}` };
  },
};
