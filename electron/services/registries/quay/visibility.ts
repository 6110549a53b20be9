import type { HttpOutcome } from '../../registry/http';
import { apiUrl } from '../api-auth';
import { record, str } from '../../inventory/drivers/common';

/** Pages of a namespace's repository list read before giving up (100 repositories each). */
const MAX_PAGES = 50;

export type QuayVisibility = 'visible' | 'not-visible' | 'unknown';

/**
 * Quay checks permission before it looks a repository up, so a repository that does not exist and
 * one the caller may not read both answer 403 (401 anonymous) on every repository endpoint. The
 * namespace's repository list (`GET /api/v1/repository?namespace=<ns>`) shows every repository the
 * caller can see: if `repository` is there, the refusal was about rights; if not, Quay cannot tell
 * us whether it exists. `unknown` when that list itself is refused or fails.
 */
export async function quayRepositoryVisibility(api: string, repository: string, get: (url: URL) => Promise<HttpOutcome>): Promise<QuayVisibility> {
  const slash = repository.indexOf('/');
  if (slash <= 0) return 'unknown';
  const ns = repository.slice(0, slash);
  const name = repository.slice(slash + 1);
  let nextPage: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = apiUrl(api, '/repository');
    url.searchParams.set('namespace', ns);
    if (nextPage !== undefined) url.searchParams.set('next_page', nextPage);
    const out = await get(url);
    if (!out.ok || out.response.status !== 200) return 'unknown';
    const body = record(out.response.json());
    const repos = Array.isArray(body?.repositories) ? body.repositories : [];
    if (repos.some((r) => str(record(r)?.name) === name && (str(record(r)?.namespace) ?? ns) === ns)) return 'visible';
    nextPage = str(body?.next_page);
    if (nextPage === undefined) return 'not-visible';
  }
  return 'unknown';
}

/** The sentence for a repository Quay will not describe; `status` is what Quay answered (401 anonymous or on /v2, else 403). */
export function notVisibleMessage(repository: string, anonymous: boolean, status: number = anonymous ? 401 : 403): string {
  return `${repository} does not exist, or you cannot see it: Quay answers ${status} for both${anonymous ? ' (log in with an OAuth application token with repo:read, or a robot account, to see private repositories)' : ''}`;
}
