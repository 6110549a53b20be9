import { isoFromMs } from '../../../../shared/inventory/rate-limit';
import type { RegistryResponse } from '../../registry/http';
import { apiToken, apiUrl, bearer } from '../api-auth';
import { CLASSIC_PAT, githubApiBase } from './api';
import { listTagsViaRegistryApi, registryApiFallback } from '../../inventory/registry-api';
import type { DriverContext, InventoryDriver } from '../../inventory/types';
import { ANY_404_MISSING, digest, failureFrom, followPages, isoTime, nativeRequest, nextLink, pageEvents, perRun, record, strings, type NativeTag } from '../../inventory/drivers/common';

/**
 * GitHub `GET …/packages/container/<name>/versions` → rows. A version is one manifest: its `name`
 * is the digest and its tags are in `metadata.container.tags`. GitHub gives no size and no media
 * type (left to the generic driver). Untagged versions (platform children of an index, or
 * orphans) are counted, not listed.
 */
export function githubVersionRows(repository: string, body: unknown): { rows: NativeTag[]; untagged: number; skipped: string[] } {
  const versions = Array.isArray(body) ? body : [];
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  let untagged = 0;
  for (const item of versions) {
    const v = record(item);
    if (!v) continue;
    const container = record(record(v.metadata)?.container);
    const tags = strings(container?.tags);
    if (tags.length === 0) {
      untagged++;
      continue;
    }
    const dg = digest(v.name);
    if (!dg) skipped.push(`${repository}: version ${String(v.id ?? '?')} (tags ${tags.join(', ')}) has no digest name`);
    // updated_at moves when a tag is pushed onto an existing version; created_at is the first push.
    const pushed = isoTime(v.updated_at) ?? isoTime(v.created_at);
    for (const tag of tags) {
      const row: NativeTag = { repository, tag, digest: dg, mediaType: null, size: null };
      if (pushed) row.pushed = pushed;
      rows.push(row);
    }
  }
  return { rows, untagged, skipped };
}

/** `x-ratelimit-*` of a GitHub REST answer. */
export function githubRateLimit(get: (name: string) => string | undefined): { limit?: number; remaining?: number; resetAt?: string } | undefined {
  const num = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined);
  const limit = num(get('x-ratelimit-limit'));
  const remaining = num(get('x-ratelimit-remaining'));
  const reset = num(get('x-ratelimit-reset'));
  if (limit === undefined && remaining === undefined) return undefined;
  const out: { limit?: number; remaining?: number; resetAt?: string } = {};
  if (limit !== undefined) out.limit = limit;
  if (remaining !== undefined) out.remaining = remaining;
  const resetAt = reset === undefined ? undefined : isoFromMs(reset * 1000);
  if (resetAt !== undefined) out.resetAt = resetAt;
  return out;
}

/** GitHub's largest `per_page`. */
export const GITHUB_PAGE_SIZE = 100;

interface GithubRunState {
  /** Owner → which REST prefix its packages live under. */
  owners: Map<string, 'orgs' | 'users'>;
  lowBudgetWarned: boolean;
}

const githubState = perRun<GithubRunState>(() => ({ owners: new Map(), lowBudgetWarned: false }));

/** Owner → REST prefix learnt this run (listing and deletes share it, so neither asks twice). */
export function githubOwnerKinds(ctx: DriverContext): Map<string, 'orgs' | 'users'> {
  return githubState(ctx).owners;
}

export function versionsUrl(api: string, kind: 'orgs' | 'users', owner: string, pkg: string): URL {
  const u = apiUrl(api, `/${kind}/${encodeURIComponent(owner)}/packages/container/${encodeURIComponent(pkg)}/versions`);
  u.searchParams.set('per_page', String(GITHUB_PAGE_SIZE));
  u.searchParams.set('state', 'active');
  return u;
}

function rateLimited(res: RegistryResponse): boolean {
  return res.status === 429 || (res.status === 403 && (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.has('retry-after')));
}

/**
 * GHCR through the GitHub REST API (api.github.com for ghcr.io, `<host>/api/v3` for GHES
 * `containers.<host>`, or the configured base; never for other hosts): package versions, 100 per
 * page via `Link`, each version one digest with its tags. GitHub reports no sizes or media types;
 * those come from the Registry API. Without a usable token the generic driver lists.
 */
export const githubDriver: InventoryDriver = {
  id: 'github',
  async *listTags(ctx, repository) {
    const api = githubApiBase(ctx.registry, ctx.settings?.apiBaseUrl);
    const token = apiToken(ctx.credential);
    const slash = repository.indexOf('/');
    if (api === null || token === null || slash <= 0) {
      if (api !== null && token === null) ctx.warn(`${repository}: the GitHub packages API needs a token, so tags are listed through the Registry API.`);
      yield* listTagsViaRegistryApi(ctx, repository);
      return;
    }
    const owner = repository.slice(0, slash);
    const pkg = repository.slice(slash + 1);
    const state = githubState(ctx);
    const authorization = bearer(token);
    const headers = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    const known = state.owners.get(owner);
    const kinds: ('orgs' | 'users')[] = known ? [known] : ['orgs', 'users'];
    let first: URL | null = null;
    let firstResponse: RegistryResponse | null = null;
    for (const kind of kinds) {
      const url = versionsUrl(api, kind, owner, pkg);
      const out = await nativeRequest(ctx, { url, authorization, headers });
      if (!out.ok) {
        yield { type: 'failed', failure: failureFrom(out.error) };
        return;
      }
      // 404 under /orgs means "not an organization" as much as "no such package": try the user.
      if (out.response.status === 404 && kind === 'orgs' && !known) continue;
      first = url;
      firstResponse = out.response;
      if (firstResponse.status === 200) state.owners.set(owner, kind);
      break;
    }
    if (first === null || firstResponse === null) return;
    yield* followPages({
      repository,
      first,
      missing: { rule: ANY_404_MISSING, message: (failure) => `${repository}: GitHub has no container package ${pkg} owned by ${owner} that this token can read (${failure.message})` },
      fallback: registryApiFallback(ctx, repository, (res, failure) =>
        res.status === 403 && !rateLimited(res) ? `${repository}: GitHub's packages API refused the token (${failure.message}). ${CLASSIC_PAT}; tags are listed through the Registry API instead.` : null,
      ),
      hint: (res) => {
        if (rateLimited(res)) {
          const reset = githubRateLimit((n) => res.headers.get(n))?.resetAt;
          return `GitHub's API rate limit is used up${reset ? ` until ${reset}` : ''}: wait and list again (authenticated tokens get 5,000 requests an hour).`;
        }
        return res.status === 401 ? `GitHub refused the token (wrong, expired or revoked). ${CLASSIC_PAT}.` : undefined;
      },
      firstResponse,
      fetch: (url) => nativeRequest(ctx, { url, authorization, headers }),
      async *page(res) {
        const budget = githubRateLimit((n) => res.headers.get(n));
        if (budget?.remaining !== undefined && budget.remaining < 100 && !state.lowBudgetWarned) {
          state.lowBudgetWarned = true;
          ctx.warn(`GitHub API budget is low: ${budget.remaining} requests left${budget.resetAt ? ` until ${budget.resetAt}` : ''}.`);
        }
        yield* pageEvents(ctx, githubVersionRows(repository, res.json()));
        return nextLink(res.headers.all('link'), res.url) ?? 'last';
      },
    });
  },
};
