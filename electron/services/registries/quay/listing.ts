import { apiToken, apiUrl, bearer } from '../api-auth';
import { quayApiBase } from './api';
import { quayCredentialKind } from './credential';
import { notVisibleMessage, quayRepositoryVisibility } from './visibility';
import { listTagsViaRegistryApi } from '../../inventory/registry-api';
import type { DriverContext, DriverFailure, InventoryDriver, ListEvent } from '../../inventory/types';
import { digest, ANY_404_MISSING, followPages, isoTime, namedEntries, nativeRequest, pageEvents, record, size, str, type NativeTag } from '../../inventory/drivers/common';

/** Quay's largest `limit`. */
export const QUAY_PAGE_SIZE = 100;

/**
 * Quay `GET /api/v1/repository/<ns>/<repo>/tag/?onlyActiveTags=true&limit=&page=` → rows and
 * whether more pages exist (`has_additional`). A tag has its manifest digest, `start_ts` (push,
 * epoch seconds), `is_manifest_list` and `size` (compressed layers; absent for manifest lists).
 * Tags with an `end_ts` in the past are history, not live tags.
 */
export function quayTagRows(repository: string, body: unknown, nowMs: number): { rows: NativeTag[]; hasAdditional: boolean; page: number | null; skipped: string[] } {
  const root = record(body);
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  for (const { entry: t, name } of namedEntries(repository, root?.tags, skipped)) {
    if (typeof t.end_ts === 'number' && t.end_ts * 1000 <= nowMs) continue;
    const row: NativeTag = { repository, tag: name, digest: digest(t.manifest_digest), mediaType: null, size: size(t.size) };
    const pushed = isoTime(t.start_ts, 's') ?? isoTime(t.last_modified);
    if (pushed) row.pushed = pushed;
    if (t.is_manifest_list === true) row.index = true;
    rows.push(row);
  }
  return { rows, hasAdditional: root?.has_additional === true, page: typeof root?.page === 'number' ? root.page : null, skipped };
}

/**
 * The Registry API listing, where Quay's registry grants no pull on a repository that does not
 * exist or that the account may not read, so tags/list answers 401 for both after a login that
 * worked (a bad password fails at the token server instead). That is said as such, not as "check
 * the password".
 */
async function* viaRegistryApi(ctx: DriverContext, repository: string): AsyncGenerator<ListEvent> {
  let listed = false;
  for await (const e of listTagsViaRegistryApi(ctx, repository)) {
    if (e.type === 'tags') listed = true;
    const status = e.type === 'failed' ? e.failure.status : undefined;
    if (e.type === 'failed' && !listed && (status === 401 || status === 403) && e.failure.message.includes(`/v2/${repository}/tags/list`)) {
      yield { type: 'missing', message: notVisibleMessage(repository, ctx.credential === null, status) };
      return;
    }
    yield e;
  }
}

const ROBOT_NOTE = 'Quay robot accounts and passwords work only on the registry (/v2), not on Quay\'s API';

/**
 * Quay through `/api/v1` on the registry's host (or the configured API base): active tags with
 * digest, push time and size, 100 per page (`page` + `has_additional`). Only OAuth application
 * tokens work there, so robot accounts and passwords list through the Registry API instead; with
 * no credential at all, the API answers for public repositories.
 */
export const quayDriver: InventoryDriver = {
  id: 'quay',
  async *listTags(ctx, repository) {
    const c = ctx.credential;
    const oauth = quayCredentialKind(c) === 'oauth';
    const slash = repository.indexOf('/');
    if ((c !== null && !oauth) || slash <= 0) {
      if (c !== null && !oauth) ctx.warn(`${repository}: ${ROBOT_NOTE}, so tags are listed through the Registry API (digests and dates then cost a request per tag).`);
      yield* viaRegistryApi(ctx, repository);
      return;
    }
    const token = oauth ? apiToken(c) : null;
    const authorization = token ? bearer(token) : undefined;
    const api = quayApiBase(ctx.baseUrl, ctx.settings?.apiBaseUrl);
    const ns = repository.slice(0, slash);
    const name = repository.slice(slash + 1);
    const base = apiUrl(api, `/repository/${encodeURIComponent(ns)}/${name.split('/').map(encodeURIComponent).join('/')}/tag/`);
    const first = new URL(base.href);
    first.searchParams.set('onlyActiveTags', 'true');
    first.searchParams.set('limit', String(QUAY_PAGE_SIZE));
    first.searchParams.set('page', '1');
    const now = Date.now();
    // The refused first answer, kept for the visibility check that decides what it meant.
    let pendingFailure: DriverFailure | null = null;
    yield* followPages({
      repository,
      first,
      // Only a caller who may read the repository anyway (a user in their own namespace) gets a 404.
      missing: { rule: ANY_404_MISSING, message: (failure) => `${repository} does not exist on Quay (${failure.message})` },
      hint: (res) =>
        res.status === 401
          ? `Quay refused the token: ${ROBOT_NOTE}; use an OAuth application token with repo:read.`
          : res.status === 403
            ? authorization
              ? `The OAuth token needs the repo:read scope and its user read permission on ${repository}.`
              : `${repository} is not public: log in with an OAuth application token (repo:read), or a robot account for the Registry API.`
            : undefined,
      // Quay names the error in error_type (insufficient_scope, invalid_token, …).
      vendorCode: (res) => str(record(res.json())?.error_type),
      // Quay checks permission before it looks the repository up: a missing repository answers 401/403
      // like a hidden one. The namespace's repository list tells them apart where the token may read it.
      fallback: {
        when: (res, failure) => {
          if (res.status !== 401 && res.status !== 403) return null;
          pendingFailure = failure;
          return 'visibility';
        },
        warn: () => undefined,
        async *list(): AsyncGenerator<ListEvent> {
          const failure = pendingFailure!;
          const seen = await quayRepositoryVisibility(api, repository, (u) => nativeRequest(ctx, { url: u, ...(authorization ? { authorization } : {}) }));
          if (seen === 'not-visible') {
            yield { type: 'missing', message: notVisibleMessage(repository, authorization === undefined) };
            return;
          }
          if (seen === 'unknown') {
            failure.hint = `Quay answers ${failure.status ?? 'this'} both for a repository that does not exist and for one you may not read, and this token could not list the namespace's repositories to tell: it needs the repo:read scope (and read permission on ${repository}).`;
          }
          yield { type: 'failed', failure };
        },
      },
      fetch: (url) => nativeRequest(ctx, { url, ...(authorization ? { authorization } : {}) }),
      async *page(res, pagesRead, url) {
        const parsed = quayTagRows(repository, res.json(), now);
        // Quay's size counts layers only (no config) and Quay does not say the media type, so the
        // engine reads each distinct manifest anyway: its exact config + layers size is used instead.
        yield* pageEvents(ctx, { rows: parsed.rows.map((row) => ({ ...row, size: null })), skipped: parsed.skipped });
        if (!parsed.hasAdditional) return 'last';
        // Pages are numbered (`page` + `has_additional`), not linked.
        const next = new URL(url.href);
        next.searchParams.set('page', String(pagesRead + 2));
        return next;
      },
    });
  },
};
