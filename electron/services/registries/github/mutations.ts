import type { AppError } from '../../../../shared/api/result';
import type { Secret } from '../../credentials/secret';
import type { DriverContext } from '../../inventory/types';
import { defaultSleep, type RegistryResponse } from '../../registry/http';
import { apiToken, apiUrl, bearer } from '../api-auth';
import { CANCELLED, failedForAll, notRestored, rateLimitAnswer, rateLimitError, restored, sameForAll, saidText, statusCoded } from '../mutations-toolkit';
import type { DeleteGroup, MutationOutcome, RestoreEntry, TagDeleteResult } from '../types';
import { githubApiBase } from './api';
import { githubOwnerKinds, githubRateLimit, versionsUrl } from './listing';
import { MAX_NATIVE_PAGES, nativeRequest, nextLink, perRun, record, strings } from '../../inventory/drivers/common';

const HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
const TOKEN_HINT =
  'Use a classic personal access token with read:packages and delete:packages (restores also need write:packages), of a user who is admin of the package (and, for organization packages, of the organization). Fine-grained tokens are not accepted.';

interface Target {
  api: string;
  authorization: Secret;
  owner: string;
  pkg: string;
}

interface Budget {
  remaining?: number;
  /** ISO time the REST window resets. */
  resetAt?: string;
  /** When this run's recent DELETE/POST calls were sent (epoch ms), for the per-minute points budget. */
  mutations: number[];
}

/** The REST budget the last answer of this run showed (x-ratelimit-*), shared by every delete of the run. */
const budgetOf = perRun<Budget>(() => ({ mutations: [] }));

/**
 * GitHub's secondary rate limit (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api):
 * at most 900 points a minute on REST endpoints, and a DELETE or POST costs 5, so 180 mutations a
 * minute. The run waits for a free slot instead of provoking the 403/429 that would follow.
 */
export const GITHUB_MUTATIONS_PER_MINUTE = 180;

/** Test hook: this run's recent mutation times. */
export function githubMutationLog(ctx: DriverContext): number[] {
  return budgetOf(ctx).mutations;
}

async function paceMutation(ctx: DriverContext): Promise<AppError | null> {
  const log = budgetOf(ctx).mutations;
  const now = Date.now();
  while (log.length > 0 && log[0]! <= now - 60_000) log.shift();
  if (log.length >= GITHUB_MUTATIONS_PER_MINUTE) {
    try {
      await defaultSleep(log[0]! + 60_000 - now, ctx.signal);
    } catch {
      return { code: 'cancelled', message: 'Cancelled while waiting for GitHub\'s per-minute budget; nothing more was sent', hint: 'Run the cleanup again to finish: a rerun deletes nothing twice.' };
    }
    log.shift();
  }
  log.push(Date.now());
  return null;
}

function target(ctx: DriverContext, repository: string): { ok: true; value: Target } | { ok: false; error: AppError } {
  const api = githubApiBase(ctx.registry, ctx.settings?.apiBaseUrl);
  if (api === null) {
    return { ok: false, error: { code: 'no-api', message: `${ctx.registry} is not a GitHub registry host and no API base URL is set, so GitHub's packages API cannot be asked to delete`, hint: "For GitHub Enterprise, set this registry's API base URL (https://<host>/api/v3)." } };
  }
  const token = apiToken(ctx.credential);
  if (token === null) return { ok: false, error: { code: 'no-token', message: 'Deleting GitHub package versions needs a GitHub token', hint: TOKEN_HINT } };
  const slash = repository.indexOf('/');
  if (slash <= 0) return { ok: false, error: { code: 'bad-repository', message: `${repository} names no owner; GitHub packages live under <owner>/<package>`, hint: 'Check the images repo address.' } };
  return { ok: true, value: { api, authorization: bearer(token), owner: repository.slice(0, slash), pkg: repository.slice(slash + 1) } };
}

function versionUrl(t: Target, kind: 'orgs' | 'users', id: string, suffix = ''): URL {
  return apiUrl(t.api, `/${kind}/${encodeURIComponent(t.owner)}/packages/container/${encodeURIComponent(t.pkg)}/versions/${id}${suffix}`);
}

function call(method: string, kind: 'orgs' | 'users', t: Target, id: string, suffix = ''): string {
  return `GitHub REST ${method} /${kind}/${t.owner}/packages/container/${encodeURIComponent(t.pkg)}/versions/${id}${suffix}`;
}

function noteBudget(ctx: DriverContext, res: RegistryResponse): void {
  const b = githubRateLimit((n) => res.headers.get(n));
  if (!b) return;
  const budget = budgetOf(ctx);
  if (b.remaining !== undefined) budget.remaining = b.remaining;
  if (b.resetAt !== undefined) budget.resetAt = b.resetAt;
}

/** A budget the listing or an earlier delete saw used up: nothing is sent until it resets. */
function budgetSpent(ctx: DriverContext): AppError | null {
  const b = budgetOf(ctx);
  if (b.remaining !== 0 || b.resetAt === undefined || Date.parse(b.resetAt) <= Date.now()) return null;
  return rateLimitError(`GitHub's API rate limit is used up until ${b.resetAt}; no delete was sent`, b.resetAt);
}

const { appErrorFrom, responseAppError } = statusCoded;
const GITHUB_LIMIT = "GitHub's rate limit";

function rateLimited(res: RegistryResponse): boolean {
  return res.status === 429 || (res.status === 403 && (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.has('retry-after')));
}

type Found = { ok: true; value: { id: string; kind: 'orgs' | 'users' } | null } | { ok: false; error: AppError };
type VersionIndex = { ok: true; kind: 'orgs' | 'users' | null; ids: Map<string, string> } | { ok: false; error: AppError };

/** Package → its active versions (digest → id), read once per run: a 10,000-version package costs 100 requests, not 100 per delete. */
const versionIndexes = perRun<{ byPackage: Map<string, Promise<VersionIndex>> }>(() => ({ byPackage: new Map() }));

/**
 * The package version whose name is `digest` (GitHub names container versions by digest). The
 * run's index of the package's versions answers; a digest it lacks is looked up once more in a
 * fresh listing (a version pushed since) before it counts as gone.
 */
async function findVersion(ctx: DriverContext, t: Target, digest: string): Promise<Found> {
  const key = `${t.owner}/${t.pkg}`;
  const cache = versionIndexes(ctx).byPackage;
  for (const fresh of [false, true]) {
    let index = fresh ? undefined : cache.get(key);
    if (!index) {
      index = listVersions(ctx, t);
      cache.set(key, index);
    }
    const got = await index;
    if (!got.ok) {
      cache.delete(key);
      return got;
    }
    const id = got.ids.get(digest);
    if (id !== undefined && got.kind !== null) return { ok: true, value: { id, kind: got.kind } };
    if (got.kind === null) return { ok: true, value: null };
  }
  return { ok: true, value: null };
}

function forgetVersion(ctx: DriverContext, t: Target, digest: string): void {
  void versionIndexes(ctx)
    .byPackage.get(`${t.owner}/${t.pkg}`)
    ?.then((index) => {
      if (index.ok) index.ids.delete(digest);
    });
}

/**
 * Every active version of the package, 100 a page (`Link`), under /orgs first unless this run
 * already knows the owner is a user; a 404 there means "not an organization" as much as "no such
 * package". `kind` null: neither prefix has the package.
 */
async function listVersions(ctx: DriverContext, t: Target): Promise<VersionIndex> {
  const owners = githubOwnerKinds(ctx);
  const known = owners.get(t.owner);
  for (const kind of known ? [known] : (['orgs', 'users'] as const)) {
    const first = versionsUrl(t.api, kind, t.owner, t.pkg);
    const ids = new Map<string, string>();
    let url: URL | null = first;
    let found = false;
    for (let pages = 0; url !== null && pages < MAX_NATIVE_PAGES; pages++) {
      const out = await nativeRequest(ctx, { url, authorization: t.authorization, headers: HEADERS });
      if (!out.ok) return { ok: false, error: appErrorFrom(out.error) };
      const res = out.response;
      noteBudget(ctx, res);
      if (res.status === 404 && pages === 0) break;
      if (res.status !== 200) {
        const what = `GET ${url.pathname}`;
        if (rateLimited(res)) return { ok: false, error: rateLimitAnswer(what, res, GITHUB_LIMIT) };
        return { ok: false, error: responseAppError(res, 'GET', what, res.status === 401 || res.status === 403 ? TOKEN_HINT : undefined) };
      }
      found = true;
      owners.set(t.owner, kind);
      const body = res.json();
      for (const item of Array.isArray(body) ? body : []) {
        const v = record(item);
        if (v && typeof v.name === 'string' && (typeof v.id === 'number' || typeof v.id === 'string')) ids.set(v.name, String(v.id));
      }
      const next = nextLink(res.headers.all('link'), res.url);
      // A next page elsewhere is not followed with our token.
      url = next !== null && next.origin === first.origin && next.pathname === first.pathname ? next : null;
    }
    if (found) return { ok: true, kind, ids };
  }
  return { ok: true, kind: null, ids: new Map() };
}

/** Why a 400 came back, in the user's terms: the two refusals GitHub documents or has shown. */
function refusalHint(text: string): string {
  if (/last tagged version/i.test(text)) {
    return 'GitHub keeps the last tagged version of a package; only deleting the whole package removes it, which Stowage does not do (out of scope: delete the package on GitHub if that is what you want).';
  }
  if (/5,?000 downloads/i.test(text)) return 'GitHub does not delete public package versions with more than 5,000 downloads; only GitHub Support can.';
  return 'GitHub refused to delete this version; its message says why.';
}

/**
 * GitHub: a package version is one digest with all its tags, and there is no way to remove a
 * single tag from it (no documented re-point either: pushing another manifest under the tag would
 * create content, not remove it). So the version goes only when every tag on the digest goes; else
 * the tags stay and are `skipped` with why. The version id is kept for a restore.
 */
export async function githubDeleteTags(ctx: DriverContext, group: DeleteGroup): Promise<TagDeleteResult[]> {
  if (!group.digestGoes) {
    return sameForAll(group.tags, {
      outcome: 'skipped',
      method: 'none',
      detail: `GitHub deletes whole package versions: ${group.digest.slice(0, 19)}… also carries tags that stay, and removing only these tags is not possible (cannot untag)`,
    });
  }
  const tt = target(ctx, group.repository);
  if (!tt.ok) return failedForAll(group.tags, 'none', tt.error);
  const t = tt.value;
  const spent = budgetSpent(ctx);
  if (spent) return failedForAll(group.tags, 'none', spent);
  const found = await findVersion(ctx, t, group.digest);
  if (!found.ok) return failedForAll(group.tags, 'none', found.error);
  if (found.value === null) {
    return sameForAll(group.tags, { outcome: 'already-gone', method: 'none', detail: `GitHub has no active version ${group.digest} in ${group.repository}` });
  }
  const { id, kind } = found.value;
  const method = call('DELETE', kind, t, id);
  // The version's own tag list, read just before: a tag pushed onto this digest since the
  // executor's check would go with the version.
  const now = await versionTags(ctx, t, kind, id);
  if (!now.ok) return failedForAll(group.tags, 'none', now.error);
  if (now.tags === null) {
    forgetVersion(ctx, t, group.digest);
    return sameForAll(group.tags, { outcome: 'already-gone', method: 'none', detail: `package version ${id} is no longer active` });
  }
  const extra = now.tags.filter((x) => !group.tags.includes(x));
  if (extra.length > 0) {
    return sameForAll(group.tags, { outcome: 'skipped', method: 'none', detail: `GitHub's version ${id} now also carries ${extra.join(', ')}, which stay (a new sibling): nothing was deleted` });
  }
  const paced = await paceMutation(ctx);
  if (paced) return failedForAll(group.tags, 'none', paced);
  if (ctx.signal.aborted) return failedForAll(group.tags, 'none', CANCELLED);
  const out = await ctx.request({ method: 'DELETE', url: versionUrl(t, kind, id), authorization: t.authorization, headers: HEADERS, signal: ctx.signal, maxBytes: 64 * 1024 });
  if (!out.ok) return failedForAll(group.tags, method, appErrorFrom(out.error));
  const res = out.response;
  noteBudget(ctx, res);
  const restore = { versionId: id, ownerKind: kind, owner: t.owner, package: t.pkg };
  if (res.status === 204 || res.status === 200 || res.status === 404) forgetVersion(ctx, t, group.digest);
  if (res.status === 204 || res.status === 200) {
    return sameForAll(group.tags, { outcome: 'deleted', method, detail: `package version ${id} deleted (restorable for 30 days)`, restore });
  }
  if (res.status === 404) return sameForAll(group.tags, { outcome: 'already-gone', method, detail: `package version ${id} was already deleted` });
  const what = `DELETE ${versionUrl(t, kind, id).pathname}`;
  if (rateLimited(res)) {
    return failedForAll(group.tags, method, rateLimitAnswer(what, res, GITHUB_LIMIT));
  }
  const hint = res.status === 400 ? refusalHint(saidText(res)) : res.status === 401 || res.status === 403 ? TOKEN_HINT : undefined;
  return failedForAll(group.tags, method, responseAppError(res, 'DELETE', what, hint));
}

/**
 * GitHub's own restore (`POST …/versions/<id>/restore`, within 30 days of the delete): the
 * version comes back with its tags. A version that is already active again (another tag of the
 * same version was restored first) counts as restored.
 */
export async function githubRestoreTag(ctx: DriverContext, entry: RestoreEntry): Promise<MutationOutcome> {
  const tt = target(ctx, entry.repository);
  if (!tt.ok) return notRestored(tt.error);
  const t = tt.value;
  const id = entry.restore?.versionId;
  const kind = entry.restore?.ownerKind;
  if (id === undefined || !/^\d+$/.test(id) || (kind !== 'orgs' && kind !== 'users')) {
    return notRestored({ code: 'no-restore-facts', message: `The audit entry for ${entry.repository}:${entry.tag} has no GitHub package version id`, hint: 'Only versions deleted by Stowage (which records the id) can be restored from here; GitHub\'s package settings list deleted versions too.' });
  }
  const spent = budgetSpent(ctx);
  if (spent) return notRestored(spent);
  const url = versionUrl(t, kind, id, '/restore');
  const paced = await paceMutation(ctx);
  if (paced) return notRestored(paced);
  const out = await ctx.request({ method: 'POST', url, authorization: t.authorization, headers: HEADERS, signal: ctx.signal, maxBytes: 64 * 1024 });
  if (!out.ok) return notRestored(appErrorFrom(out.error));
  const res = out.response;
  noteBudget(ctx, res);
  if (res.status === 204 || res.status === 200 || res.status === 201) return restored(`package version ${id} restored with its tags`);
  if (res.status === 404 && (await activeWithTag(ctx, t, kind, id, entry.tag))) return restored(`package version ${id} is active again (restored with another tag of it)`);
  const what = `POST ${url.pathname}`;
  if (rateLimited(res)) {
    return notRestored(rateLimitAnswer(what, res, GITHUB_LIMIT));
  }
  const hint =
    res.status === 404
      ? 'GitHub restores a deleted version for 30 days after the delete; after that (or when the package itself was deleted) it is gone.'
      : res.status === 401 || res.status === 403
        ? TOKEN_HINT
        : undefined;
  return notRestored(responseAppError(res, 'POST', what, hint));
}

async function versionTags(ctx: DriverContext, t: Target, kind: 'orgs' | 'users', id: string): Promise<{ ok: true; tags: string[] | null } | { ok: false; error: AppError }> {
  const url = versionUrl(t, kind, id);
  const out = await nativeRequest(ctx, { url, authorization: t.authorization, headers: HEADERS });
  if (!out.ok) return { ok: false, error: appErrorFrom(out.error) };
  const res = out.response;
  noteBudget(ctx, res);
  if (res.status === 404) return { ok: true, tags: null };
  if (res.status !== 200) {
    const what = `GET ${url.pathname}`;
    if (rateLimited(res)) return { ok: false, error: rateLimitAnswer(what, res, GITHUB_LIMIT) };
    return { ok: false, error: responseAppError(res, 'GET', what, res.status === 401 || res.status === 403 ? TOKEN_HINT : undefined) };
  }
  return { ok: true, tags: strings(record(record(record(res.json())?.metadata)?.container)?.tags) };
}

async function activeWithTag(ctx: DriverContext, t: Target, kind: 'orgs' | 'users', id: string, tag: string): Promise<boolean> {
  const now = await versionTags(ctx, t, kind, id);
  return now.ok && now.tags !== null && now.tags.includes(tag);
}
