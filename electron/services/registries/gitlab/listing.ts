import type { Secret } from '../../credentials/secret';
import { apiToken, apiUrl, bearer } from '../api-auth';
import { gitlabApiBase, isJobToken, type GitlabApiAuth } from './api';
import { listTagsViaRegistryApi } from '../../inventory/registry-api';
import type { DriverContext, DriverFailure, InventoryDriver, ListEvent } from '../../inventory/types';
import { answerFailure, digest, failureFrom, followPages, isoTime, judgeAnswer, MAX_NATIVE_PAGES, nameEvents, nativeRequest, nextLink, pageEvents, perRun, record, size, str, type AnswerPolicy, type NativeTag } from '../../inventory/drivers/common';

const REPORTER_ROLE = 'Reading the container registry needs the Reporter role or higher in the project, and a token with read_api or api.';

/** Tag fields asked from GitLab GraphQL; `mediaType`/`publishedAt` exist only with the metadata-database registry. */
export const GITLAB_TAG_FIELDS_FULL = ['name', 'digest', 'revision', 'mediaType', 'totalSize', 'createdAt', 'publishedAt'] as const;
export const GITLAB_TAG_FIELDS_LEGACY = ['name', 'digest', 'revision', 'totalSize', 'createdAt'] as const;

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
 * last push and `createdAt` when the tag was first recorded; without it `publishedAt` and
 * `mediaType` are null (or, on old GitLab, not in the schema) and `createdAt` is the image config's
 * creation time.
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
    // `revision` is the hex of the image config's digest.
    const revision = str(n.revision);
    if (revision !== undefined && /^[a-f0-9]{64}$/.test(revision)) row.configDigest = `sha256:${revision}`;
    // A value, not the field's presence, says which registry answered: without the metadata
    // database `publishedAt` exists in the schema but is null, and `createdAt` is the config's time.
    const pushed = isoTime(n.publishedAt);
    if (pushed) row.pushed = pushed;
    else {
      const created = isoTime(n.createdAt);
      if (created) row.created = created;
    }
    out.rows.push(row);
  }
  const info = record(tags.pageInfo);
  if (info?.hasNextPage === true) out.next = str(info.endCursor) ?? null;
  return out;
}

/** REST `GET …/registry/repositories` entries: repository path → id. */
export function gitlabRepositoryIds(body: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!Array.isArray(body)) return out;
  for (const item of body) {
    const r = record(item);
    if (r && typeof r.path === 'string' && typeof r.id === 'number') out.set(r.path, r.id);
  }
  return out;
}

/** REST `GET …/registry/repositories/:id/tags` entries (names only). */
export function gitlabTagNames(body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  return body.map((t) => str(record(t)?.name)).filter((n): n is string => n !== undefined);
}

/** GitLab's maximum page size, for REST and GraphQL alike. */
export const GITLAB_PAGE_SIZE = 100;

interface GitlabRunState {
  /** Project path → its container repositories (path → id), from one REST listing per project and run. */
  projects: Map<string, Promise<Step<Map<string, number> | null>>>;
  legacyFields: boolean;
}

export type Step<T> = { ok: true; value: T } | { ok: false; failure: DriverFailure; fallback?: string };

const gitlabState = perRun<GitlabRunState>(() => ({ projects: new Map(), legacyFields: false }));

/** The project is a prefix of the image path (images may add up to two components below it). */
function projectCandidates(repository: string): string[] {
  const parts = repository.split('/');
  const out: string[] = [];
  for (let n = parts.length; n >= 2 && n >= parts.length - 2; n--) out.push(parts.slice(0, n).join('/'));
  return out;
}

/** All container repositories of a project (REST, 100 a page following X-Next-Page): path → id; null when the project is not there. */
async function projectRepositories(ctx: DriverContext, api: string, project: string, auth: GitlabApiAuth): Promise<Step<Map<string, number> | null>> {
  const out = new Map<string, number>();
  for (let page = 1; page <= MAX_NATIVE_PAGES; page++) {
    const url = apiUrl(api, `/projects/${encodeURIComponent(project)}/registry/repositories`);
    url.searchParams.set('per_page', String(GITLAB_PAGE_SIZE));
    url.searchParams.set('page', String(page));
    const r = await nativeRequest(ctx, { url, ...auth });
    if (!r.ok) return { ok: false, failure: failureFrom(r.error) };
    const res = r.response;
    if (res.status === 404) return { ok: true, value: null };
    if (res.status === 401) return { ok: false, failure: answerFailure(res), fallback: 'GitLab refused the token for its API (a deploy token or a password cannot use the API)' };
    if (res.status !== 200) return { ok: false, failure: answerFailure(res, { hint: res.status === 403 ? REPORTER_ROLE : undefined }) };
    for (const [path, id] of gitlabRepositoryIds(res.json())) out.set(path, id);
    const next = res.headers.get('x-next-page');
    if (next === undefined || next.trim() === '') return { ok: true, value: out };
  }
  return { ok: true, value: out };
}

/** The repository's id and the project that owns it; null when no project holds this path (or, for a job token, none of its own). */
export async function repositoryId(ctx: DriverContext, api: string, repository: string, auth: GitlabApiAuth): Promise<Step<{ id: number; project: string } | null>> {
  const state = gitlabState(ctx);
  for (const project of projectCandidates(repository)) {
    let listing = state.projects.get(project);
    if (!listing) {
      listing = projectRepositories(ctx, api, project, auth);
      state.projects.set(project, listing);
    }
    const step = await listing;
    if (!step.ok) {
      state.projects.delete(project);
      return step;
    }
    const id = step.value?.get(repository);
    if (id !== undefined) return { ok: true, value: { id, project } };
    // A project exists but has no repository at this path: no deeper project can own it.
    if (step.value) return { ok: true, value: null };
  }
  return { ok: true, value: null };
}

/** `…/api/v4` → `…/api/graphql`. */
function graphqlUrl(api: string): URL {
  const u = new URL(api);
  u.pathname = u.pathname.replace(/\/v4\/?$/, '/graphql');
  u.search = '';
  return u;
}

/**
 * GitLab through GraphQL: `containerRepository(id).tags` 100 a page with digest, media type, size,
 * config digest and push time, so a 10,000-tag repository costs 100 requests instead of one per
 * tag (REST only lists names). The repository id comes from one REST listing per project. Old
 * GitLab without `mediaType`/`publishedAt` gets the older field set; without GraphQL at all, the
 * REST tag list (keyset, `Link`) gives names and the engine inspects them. Job tokens, deploy
 * tokens and passwords cannot use the API: the Registry API lists for them.
 */
export const gitlabDriver: InventoryDriver = {
  id: 'gitlab',
  async *listTags(ctx, repository) {
    const token = apiToken(ctx.credential);
    const jobToken = isJobToken(ctx.credential);
    const api = gitlabApiBase({ registry: ctx.registry, settings: ctx.settings, scheme: ctx.auth.scheme ?? { kind: 'none' } });
    if (!token || jobToken || api === null) {
      // A job token reaches its project's container registry REST API (names only) but not
      // GraphQL, so the Registry API, which costs the same, lists for it.
      if (api !== null && ctx.credential !== null) ctx.warn(`${repository}: ${jobToken ? "a CI job token cannot use GitLab's GraphQL API" : 'no GitLab API token'}, so tags are listed through the Registry API.`);
      yield* listTagsViaRegistryApi(ctx, repository);
      return;
    }
    const authorization = bearer(token);
    const found = await repositoryId(ctx, api, repository, { authorization, jobToken: false });
    if (!found.ok) {
      if (found.fallback) {
        ctx.warn(`${repository}: ${found.fallback}; tags are listed through the Registry API.`);
        yield* listTagsViaRegistryApi(ctx, repository);
      } else yield { type: 'failed', failure: found.failure };
      return;
    }
    if (found.value === null) {
      yield { type: 'missing', message: `${repository}: GitLab has no container repository at this path (projects tried: ${projectCandidates(repository).join(', ')})` };
      return;
    }
    const { id, project } = found.value;
    const state = gitlabState(ctx);
    const url = graphqlUrl(api);
    let after: string | null = null;
    const cursors = new Set<string>();
    // GitLab without GraphQL answers 404, or 405 to the POST: the REST tag names list instead.
    const graphqlPolicy: AnswerPolicy = {
      fallback: {
        when: (res) => (res.status === 404 || res.status === 405 ? `${ctx.registry}: GitLab's GraphQL API is not available (HTTP ${res.status}); tag names come from the REST API and each tag is inspected.` : null),
        warn: (message) => ctx.warn(message),
        list: () => restTagNames(ctx, api, repository, project, id, authorization),
      },
      hint: (res) => (res.status === 429 ? "GitLab's rate limit was hit: wait a minute and list again." : undefined),
    };
    for (let pages = 0; ; ) {
      const fields = state.legacyFields ? GITLAB_TAG_FIELDS_LEGACY : GITLAB_TAG_FIELDS_FULL;
      const body = JSON.stringify({ query: gitlabTagsQuery(fields), variables: { id: `gid://gitlab/ContainerRepository/${id}`, first: GITLAB_PAGE_SIZE, after } });
      const out = await nativeRequest(ctx, { method: 'POST', url, authorization, headers: { 'content-type': 'application/json' }, body });
      if (!out.ok) {
        yield { type: 'failed', failure: failureFrom(out.error) };
        return;
      }
      const res = out.response;
      if ((yield* judgeAnswer(res, graphqlPolicy, pages === 0, 'POST')) === 'ended') return;
      const page = gitlabTagRows(repository, res.json());
      if (page.errors.length > 0) {
        if (!state.legacyFields && page.errors.some((e) => /doesn't exist on type 'ContainerRepositoryTag'/.test(e))) {
          // An older GitLab (legacy registry): ask again without the newer fields.
          state.legacyFields = true;
          continue;
        }
        if (pages === 0) {
          ctx.warn(`${repository}: GitLab's GraphQL API answered with errors (${page.errors[0]}); tag names come from the REST API and each tag is inspected.`);
          yield* restTagNames(ctx, api, repository, project, id, authorization);
          return;
        }
        yield { type: 'failed', failure: { message: `${repository}: GitLab GraphQL: ${page.errors.join('; ')}`, hint: 'The tags read so far are shown.' } };
        return;
      }
      if (page.missing) {
        yield { type: 'failed', failure: { message: `${repository}: GitLab's GraphQL API does not show container repository ${id} to this token`, hint: REPORTER_ROLE } };
        return;
      }
      pages++;
      yield* pageEvents(ctx, page);
      if (page.next === null) return;
      if (cursors.has(page.next) || pages >= MAX_NATIVE_PAGES) {
        yield { type: 'failed', failure: { message: `${repository}: GitLab's GraphQL pagination repeated a cursor; listing stopped`, hint: 'The tags read so far are shown.' } };
        return;
      }
      cursors.add(page.next);
      after = page.next;
    }
  },
};

/**
 * Tag names from REST `…/registry/repositories/:id/tags`: keyset pagination (`Link`) where GitLab
 * has it, the older `page`/`X-Next-Page` otherwise (GitLab ignores an unknown `pagination`).
 */
async function* restTagNames(ctx: DriverContext, api: string, repository: string, project: string, id: number, authorization: Secret): AsyncGenerator<ListEvent> {
  const first = apiUrl(api, `/projects/${encodeURIComponent(project)}/registry/repositories/${id}/tags`);
  first.searchParams.set('pagination', 'keyset');
  first.searchParams.set('per_page', String(GITLAB_PAGE_SIZE));
  yield* followPages({
    repository,
    first,
    fetch: (url) => nativeRequest(ctx, { url, authorization }),
    async *page(res, _pagesRead, url) {
      yield* nameEvents(gitlabTagNames(res.json()));
      const next = nextLink(res.headers.all('link'), res.url);
      if (next !== null) return next;
      const nextPage = res.headers.get('x-next-page');
      if (nextPage === undefined || !/^\d+$/.test(nextPage.trim())) return 'last';
      const numbered = new URL(url.href);
      numbered.searchParams.set('page', nextPage.trim());
      return numbered;
    },
  });
}
