import type { CatalogRepository } from '../../../../shared/api/registries';
import { isValidRepository } from '../../../../shared/inventory/classify';
import { answerFailure, checkNext, failureFrom, judgeAnswer, nextLink, NATIVE_PAGE_MAX_BYTES, type AnswerPolicy } from '../../inventory/drivers/common';
import type { DriverContext, DriverFailure } from '../../inventory/types';
import type { HttpOutcome, RegistryResponse } from '../../registry/http';
import type { CatalogEvent, CatalogLister } from './types';

/** What to do when a registry will not list its catalog: the repository can still be typed. */
export const CATALOG_REFUSED_HINT = 'This registry does not let you list its catalog (or not with this login); type a repository instead.';

/** The Registry API catalog needs this token scope (distribution token spec: `registry:catalog:*`). */
const CATALOG_SCOPE = 'registry:catalog:*';

/** Rows one catalog may hold: past it the listing stops, marked incomplete. A registry's answers are untrusted. */
export const MAX_CATALOG_REPOSITORIES = 100_000;

/** distribution's `catalog.maxentries` defaults to 1000, and a larger `n` is refused (400 PAGINATION_NUMBER_INVALID). */
const CATALOG_PAGE_SIZE = 1000;

/** One page's answer read: its repositories and where the next page is (null on the last). */
export interface CatalogPage {
  repositories: CatalogRepository[];
  next: URL | null;
  /** Entries dropped (not repository names): counted in a warning, never requested. */
  dropped?: number;
}

export interface CatalogPaging extends AnswerPolicy {
  what: string;
  first: URL;
  fetch(url: URL): Promise<HttpOutcome>;
  /** Reads a 200 answer; a string is why it is not a page (the listing fails with it). */
  page(res: RegistryResponse, url: URL): CatalogPage | string;
}

/**
 * Every catalog read page by page: a transport failure or a refused answer ends it as `failed`
 * (the policy's hint on top of the registry's words), and each next page must stay on the first
 * page's origin and path and never repeat (`checkNext`, the same guard as tag listings).
 */
export async function* followCatalogPages(ctx: DriverContext, paging: CatalogPaging): AsyncGenerator<CatalogEvent> {
  const visited = new Set<string>();
  let url = paging.first;
  let dropped = 0;
  for (let pages = 0; ; ) {
    visited.add(url.href);
    const out = await paging.fetch(url);
    if (!out.ok) {
      yield { type: 'failed', failure: failureFrom(out.error) };
      return;
    }
    const res = out.response;
    if (res.status !== 200) {
      for await (const e of judgeAnswer(res, paging, pages === 0)) {
        if (e.type === 'failed') yield { type: 'failed', failure: e.failure };
        else if (e.type === 'missing') yield { type: 'failed', failure: { message: e.message, hint: CATALOG_REFUSED_HINT, status: res.status } };
      }
      return;
    }
    const page = paging.page(res, url);
    if (typeof page === 'string') {
      yield { type: 'failed', failure: { message: `${paging.what} → 200, but ${page}`, hint: 'Check the registry address and the API base URL in its settings.', status: 200 } };
      return;
    }
    dropped += page.dropped ?? 0;
    if (page.repositories.length > 0) yield { type: 'repositories', repositories: page.repositories };
    if (page.next === null) break;
    pages++;
    const bad = checkNext(page.next, paging.first, visited, ctx.registry, pages);
    if (bad) {
      yield { type: 'failed', failure: bad };
      return;
    }
    url = page.next;
  }
  if (dropped > 0) ctx.warn(`${ctx.registry}: the catalog named ${dropped} entr${dropped === 1 ? 'y' : 'ies'} that are not repository names; they were skipped.`);
}

/** Names from a list, keeping only valid repository names (a name becomes a request path later). */
export function repositoryNames(list: unknown): { repositories: CatalogRepository[]; dropped: number } {
  const repositories: CatalogRepository[] = [];
  let dropped = 0;
  for (const item of Array.isArray(list) ? list : []) {
    if (typeof item === 'string' && isValidRepository(item)) repositories.push({ name: item });
    else dropped++;
  }
  return { repositories, dropped };
}

/** Rows from a vendor's list, one `toRow` per item; items that make no row (null) are counted as dropped. */
export function catalogRows(items: readonly unknown[], toRow: (item: unknown) => CatalogRepository | null): { repositories: CatalogRepository[]; dropped: number } {
  const repositories: CatalogRepository[] = [];
  let dropped = 0;
  for (const item of items) {
    const row = toRow(item);
    if (row) repositories.push(row);
    else dropped++;
  }
  return { repositories, dropped };
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** A repository row with the optional facts a vendor list carries; null when the name is not a repository. */
export function catalogRow(name: string, tagCount?: unknown, updated?: string, artifactCount?: unknown): CatalogRepository | null {
  if (!isValidRepository(name)) return null;
  const row: CatalogRepository = { name };
  if (isCount(tagCount)) row.tagCount = tagCount;
  if (isCount(artifactCount)) row.artifactCount = artifactCount;
  if (updated !== undefined) row.updated = updated;
  return row;
}

/** A Registry API call with the catalog scope (the inventory context asks for repository scopes only). */
async function catalogRequest(ctx: DriverContext, url: URL): Promise<HttpOutcome> {
  const res = await ctx.auth.request({ method: 'GET', path: `${url.pathname}${url.search}`, scopes: [CATALOG_SCOPE], headers: { accept: 'application/json' }, signal: ctx.signal, maxBytes: NATIVE_PAGE_MAX_BYTES });
  return res.outcome;
}

/** 401/403/404 from a catalog endpoint: closed to this login, or not served at all. */
function catalogClosedHint(res: RegistryResponse): string | undefined {
  return res.status === 401 || res.status === 403 || res.status === 404 || res.status === 405 ? CATALOG_REFUSED_HINT : undefined;
}

/**
 * `GET /v2/_catalog?n=` following `Link` (distribution answers `</v2/_catalog?last=…&n=…>; rel="next"`).
 * Distribution refuses an `n` above its `catalog.maxentries` with 400 PAGINATION_NUMBER_INVALID:
 * asked once more without `n`, which pages by that maximum. `path` lets ACR use the same loop for
 * `/acr/v1/_catalog`, and `hint` say what its refusal needs (the answer's only, not the login's).
 */
export async function* listRegistryCatalog(ctx: DriverContext, path = '/v2/_catalog', what = 'GET /v2/_catalog', hint: (res: RegistryResponse) => string | undefined = catalogClosedHint): AsyncGenerator<CatalogEvent> {
  yield { type: 'source', source: what };
  let first = new URL(`${path}?n=${CATALOG_PAGE_SIZE}`, ctx.baseUrl);
  const probe = await catalogRequest(ctx, first);
  let prefetched: HttpOutcome | null = probe;
  if (probe.ok && probe.response.status === 400 && answerFailure(probe.response).code === 'PAGINATION_NUMBER_INVALID') {
    first = new URL(path, ctx.baseUrl);
    prefetched = null;
  }
  yield* followCatalogPages(ctx, {
    what,
    first,
    hint,
    fetch: async (url) => {
      if (prefetched) {
        const p = prefetched;
        prefetched = null;
        return p;
      }
      return catalogRequest(ctx, url);
    },
    page: (res) => {
      const body = res.json() as { repositories?: unknown } | undefined;
      if (typeof body !== 'object' || body === null || !('repositories' in body)) return 'the answer has no "repositories" list';
      const { repositories, dropped } = repositoryNames(body.repositories ?? []);
      return { repositories, dropped, next: nextLink(res.headers.all('link'), res.url) };
    },
  });
}

/** The Registry API's catalog as a driver member (default, Quay's fallback, GitLab admins, gcr.io). */
export const registryApiCatalog: CatalogLister = {
  needsNamespace: false,
  list: (ctx) => listRegistryCatalog(ctx),
};

/** A failure that says the namespace is missing, for lists that cannot start without one. */
export function namespaceNeeded(what: string, example: string): CatalogEvent {
  const failure: DriverFailure = { message: `${what} lists repositories per ${example}; none was given.`, hint: `Type the ${example} to list (or a repository to open).` };
  return { type: 'failed', failure };
}
