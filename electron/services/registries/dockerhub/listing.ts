import { MANIFEST_ACCEPT } from '../../../../shared/inventory/classify';
import type { PlatformChild } from '../../../../shared/inventory/types';
import { Secret } from '../../credentials/secret';
import { apiToken, apiUrl, apiUsername, bearer } from '../api-auth';
import { dockerhubApiHost, hubApiBase, hubApiLogin } from './hub-api';
import { rateLimitMessage, rateLimitedUntil, withRateLimitWaits } from '../rate-limit-wait';
import { listTagsViaRegistryApi } from '../../inventory/registry-api';
import type { DriverContext, DriverFailure, InventoryDriver } from '../../inventory/types';
import { ANY_404_MISSING, answerFailure, digest, failureFrom, followPages, isIndexMediaType, isoTime, namedEntries, nativeRequest, pageEvents, perRun, platformChild, record, size, str, type NativeTag } from '../../inventory/drivers/common';

/**
 * Docker Hub `GET /v2/namespaces/<ns>/repositories/<repo>/tags` → rows and the `next` URL. A tag
 * has its digest (the index digest for multi-arch), media type, `full_size`, push and pull times,
 * and `images[]`: the platforms, each with its own digest and size.
 */
export function dockerhubTagRows(repository: string, body: unknown): { rows: NativeTag[]; next: string | null; count: number | null; skipped: string[] } {
  const root = record(body);
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  for (const { entry: t, name } of namedEntries(repository, root?.results, skipped)) {
    const images = Array.isArray(t.images) ? t.images : [];
    const mediaType = str(t.media_type) ?? null;
    let dg = digest(t.digest);
    // Old single-platform tags may lack the tag-level digest; the one image then is the manifest.
    if (!dg && images.length === 1 && !isIndexMediaType(mediaType)) dg = digest(record(images[0])?.digest);
    const index = isIndexMediaType(mediaType) || images.length > 1;
    const row: NativeTag = { repository, tag: name, digest: dg, mediaType, size: size(t.full_size) };
    const pushed = isoTime(t.tag_last_pushed) ?? isoTime(t.last_updated);
    const pulled = isoTime(t.tag_last_pulled);
    if (pushed) row.pushed = pushed;
    if (pulled) row.pulled = pulled;
    if (index) {
      row.index = true;
      const children = images.map((i) => platformChild(i)).filter((c): c is PlatformChild => c !== null);
      if (children.length > 0) row.platforms = children;
      // Hub's full_size of a multi-arch tag is one platform's; the inventory counts an index as its
      // children. Layers shared between platforms cannot be deduplicated from here (rare; an upper bound).
      if (children.length > 0 && children.length === images.length && children.every((c) => c.size !== undefined)) {
        row.size = children.reduce((sum, c) => sum + (c.size ?? 0), 0);
      }
    }
    rows.push(row);
  }
  const next = str(root?.next) ?? null;
  const count = typeof root?.count === 'number' ? root.count : null;
  return { rows, next, count, skipped };
}

/** Hub's largest `page_size`. */
export const HUB_PAGE_SIZE = 100;
const PAT_HINT = 'Log in with your Docker ID and a personal access token (Read-only is enough to list).';

interface HubRunState {
  /** The Hub API JWT for this run's credential; null = anonymous. Shared by all repositories. */
  login: Promise<{ ok: true; jwt: Secret | null } | { ok: false; failure: DriverFailure }> | null;
  budgetChecked: boolean;
  digests: Set<string>;
}

const hubState = perRun<HubRunState>(() => ({ login: null, budgetChecked: false, digests: new Set() }));

export async function listingLogin(ctx: DriverContext, api: string): Promise<{ ok: true; jwt: Secret | null } | { ok: false; failure: DriverFailure }> {
  const username = apiUsername(ctx.credential);
  const secret = apiToken(ctx.credential);
  if (!username || !secret) {
    if (ctx.credential !== null) ctx.warn(`Docker Hub's API takes a user name with a password or access token; this credential has none, so only public repositories can be listed there.`);
    return { ok: true, jwt: null };
  }
  const login = await hubApiLogin((url, body) => nativeRequest(ctx, { method: 'POST', url, headers: { 'content-type': 'application/json' }, body }), api, username, secret);
  if (login.ok) return { ok: true, jwt: login.jwt };
  if ('transport' in login) return { ok: false, failure: failureFrom(login.transport) };
  const res = login.response;
  if (res.status === 404 || res.status === 405) {
    return { ok: false, failure: { message: `${api} has no Docker Hub login endpoint (/v2/auth/token or /v2/users/login answered 404)`, hint: "Check this registry's API base URL." } };
  }
  return {
    ok: false,
    failure: answerFailure(res, {
      method: 'POST',
      what: `Docker Hub API login as "${username}" (${login.how})`,
      hint: login.sso ? 'The organization enforces SSO, so password logins fail: use a personal access token.' : `Docker Hub refused the login for "${username}". ${PAT_HINT}`,
    }),
  };
}

/**
 * Docker Hub through its web API (hub.docker.com, or the configured API base; never for another
 * registry's credential): 100 tags a page following `next`, each with digest, media type, size,
 * push and pull times and, for multi-arch tags, the platforms. Registry manifest GETs count as
 * pulls, so `meteredManifestGets` makes the engine HEAD; after listing, one HEAD (free) reads the
 * pull budget (`ratelimit-remaining`) so the run reports it and warns before configs eat it.
 */
export const dockerhubDriver: InventoryDriver = {
  id: 'dockerhub',
  meteredManifestGets: true,
  apiHost: dockerhubApiHost,
  async *listTags(ctx, repository) {
    const api = hubApiBase(ctx.registry, ctx.settings?.apiBaseUrl);
    const parts = repository.split('/');
    if (api === null || parts.length !== 2) {
      if (api === null) ctx.warn(`${ctx.registry} is not a Docker Hub host and no Hub API base URL is set: tags are listed through the Registry API (the credential is not sent to hub.docker.com).`);
      yield* listTagsViaRegistryApi(ctx, repository);
      return;
    }
    const [ns, name] = parts as [string, string];
    const state = hubState(ctx);
    state.login ??= listingLogin(ctx, api);
    const login = await state.login;
    if (!login.ok) {
      yield { type: 'failed', failure: login.failure };
      return;
    }
    const authorization = login.jwt ? bearer(login.jwt) : undefined;
    const first = apiUrl(api, `/v2/namespaces/${encodeURIComponent(ns)}/repositories/${encodeURIComponent(name)}/tags`);
    first.searchParams.set('page_size', String(HUB_PAGE_SIZE));
    first.searchParams.set('page', '1');
    let firstTag: string | null = null;
    const complete = yield* followPages({
      repository,
      first,
      missing: { rule: ANY_404_MISSING, message: () => `${repository} does not exist on Docker Hub${authorization ? '' : ', or it is private (log in to see private repositories)'}` },
      hint: (res) => (res.status === 401 || res.status === 403 ? `Docker Hub refused the listing. ${PAT_HINT}` : res.status === 429 ? rateLimitMessage('Docker Hub', rateLimitedUntil(res)) : undefined),
      // Hub's API windows last a minute or more, past what the HTTP client sleeps through itself.
      fetch: (url) => withRateLimitWaits(ctx, 'Docker Hub', () => nativeRequest(ctx, { url, ...(authorization ? { authorization } : {}) })),
      async *page(res) {
        const page = dockerhubTagRows(repository, res.json());
        for (const row of page.rows) {
          firstTag ??= row.tag;
          if (row.digest) state.digests.add(row.digest);
        }
        yield* pageEvents(ctx, page);
        if (page.next === null) return 'last';
        try {
          return new URL(page.next, res.url);
        } catch {
          yield { type: 'failed', failure: { message: `${repository}: Docker Hub sent an unusable "next" URL`, hint: 'The tags read so far are shown.' } };
          return 'stop';
        }
      },
    });
    if (!complete) return;
    if (firstTag !== null && !state.budgetChecked) {
      state.budgetChecked = true;
      await checkPullBudget(ctx, repository, firstTag, state);
    }
  },
};

/** One HEAD (not a pull) to learn the remaining pull budget before the engine spends it on manifest GETs. */
async function checkPullBudget(ctx: DriverContext, repository: string, tag: string, state: HubRunState): Promise<void> {
  const out = await ctx.registryRequest({ method: 'HEAD', repository, path: `/v2/${repository}/manifests/${encodeURIComponent(tag)}`, headers: { accept: MANIFEST_ACCEPT } });
  if (!out.ok || out.response.status !== 200) return;
  const remaining = out.response.rateLimit?.remaining;
  if (remaining === undefined || !ctx.withConfig) return;
  if (remaining < state.digests.size) {
    ctx.warn(
      `Docker Hub pull budget: ${remaining} manifest pulls left, and reading image configs needs up to ${state.digests.size} (one GET per distinct digest); some configs may fail with 429 until the window resets.`,
    );
  }
}
