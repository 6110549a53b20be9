import { registryApiCatalog } from '../catalog/common';
import type { ImplementationEntry } from '../../../../shared/registry/implementation-registry';
import { ANY_404_MISSING, digest, followPages, isoTime, nativeRequest, pageEvents, record, str, type NativeTag } from '../../inventory/drivers/common';
import type { InventoryDriver } from '../../inventory/types';
import { registryDeleteProbe } from '../../registry/permissions/registry-delete';
import { apiToken, apiUrl, apiUsername, basic } from '../api-auth';
import { namedOr, notImplementedYet } from '../pending';
import type { RegistryDriver } from '../types';

/*
 * The fake tenth implementation: everything a new registry brings, in the test tree only — one
 * catalogue entry (with its credential guide and the hosts that mean it) and one driver object.
 * Its emulator is e2e/emulators/stevedore.ts. No product file may need to know it exists.
 */

export const STEVEDORE = 'stevedore';
export const STEVEDORE_TITLE = 'Stevedore Registry';
export const STEVEDORE_HOST = 'cr.stevedore.test';

export const stevedoreEntry: ImplementationEntry = {
  id: STEVEDORE,
  info: {
    title: STEVEDORE_TITLE,
    capabilities: { deleteManifestByDigest: true, deleteTagWithoutDigest: false, meteredManifestGets: false, listsDigestsInOneCall: true },
    settings: { apiBaseUrl: null, sdkEndpoint: null },
    accountAddresses: 'never',
    nestsRepositories: false,
    createsRepositoriesOnPush: false,
    tagDeletion: { api: 'Registry API DELETE /v2/<name>/manifests/<digest>', deletesSharedDigestTags: true, singleTagDelete: false },
    deletion: { digest: { call: 'DELETE /v2/<name>/manifests/<digest>', effect: 'removes the manifest and every tag on it', undo: 'reput' }, untag: null },
    cleanupCredentials: 'A Stevedore user with delete rights.',
    notes: ['Repositories are created in the Stevedore console before the first push.'],
    docs: [],
    maxRepositoryDepth: 2,
  },
  guide: {
    read: 'A Stevedore user with read access.',
    push: 'A Stevedore user with write access.',
    delete: 'A Stevedore user with delete access.',
    createAt: { label: 'Stevedore console', url: 'https://docs.docker.com/' },
    scopes: ['stevedore:read', 'stevedore:write', 'stevedore:delete'],
    ambient: ['docker login (~/.docker/config.json, credential helpers)'],
    pitfalls: ['Repositories must exist before the first push.'],
    form: { username: 'Stevedore user', secret: 'Password' },
    docs: [],
  },
  hosts: [{ pattern: /^cr\.stevedore\.test$/, reason: 'cr.stevedore.test is the Stevedore registry.' }],
};

const PER_PAGE = 20;

/** Tags with digests from the native API, 20 a page (`page` + `next_page`); a 404 there has no registry code. */
const stevedoreListing: InventoryDriver = {
  id: STEVEDORE,
  async *listTags(ctx, repository) {
    const user = apiUsername(ctx.credential);
    const password = apiToken(ctx.credential);
    const authorization = user && password ? basic(user, password) : undefined;
    const first = apiUrl(ctx.baseUrl.origin, `/api/stevedore/v1/repositories/${encodeURIComponent(repository)}/tags`);
    first.searchParams.set('per_page', String(PER_PAGE));
    yield* followPages({
      repository,
      first,
      missing: { rule: ANY_404_MISSING, message: (failure) => `${repository} does not exist on Stevedore (${failure.message})` },
      hint: (res) => (res.status === 401 ? 'Stevedore refused the login: check the user name and password.' : undefined),
      fetch: (url) => nativeRequest(ctx, { url, ...(authorization ? { authorization } : {}) }),
      async *page(res, _pagesRead, url) {
        const body = record(res.json());
        const rows: NativeTag[] = [];
        const skipped: string[] = [];
        for (const item of Array.isArray(body?.tags) ? body.tags : []) {
          const entry = record(item);
          const name = str(entry?.name);
          if (!entry || !name) {
            skipped.push(`${repository}: a tag entry without a name`);
            continue;
          }
          const row: NativeTag = { repository, tag: name, digest: digest(entry.digest), mediaType: null, size: null };
          const pushed = isoTime(entry.pushed);
          if (pushed) row.pushed = pushed;
          rows.push(row);
        }
        yield* pageEvents(ctx, { rows, skipped });
        const next = body?.next_page;
        if (typeof next !== 'number') return 'last';
        const nextUrl = new URL(url.href);
        nextUrl.searchParams.set('page', String(next));
        return nextUrl;
      },
    });
  },
};

export const stevedoreDriver: RegistryDriver = {
  implementation: STEVEDORE,
  info: stevedoreEntry.info,
  apiHost: (registry) => registry,
  tokenRealmHosts: () => [],
  tokenUser: namedOr('stevedore'),
  listing: stevedoreListing,
  catalog: registryApiCatalog,
  deleteProbe: {
    method: 'DELETE /v2/<repo>/manifests/sha256:<64 zeros>',
    probe: (ctx) => registryDeleteProbe(ctx, { actions: ['delete'], deniedHint: `Give the Stevedore user delete rights on ${ctx.repository}.` }),
  },
  missingRepositoryHint: (repository) => `Create ${repository} in the Stevedore console before publishing.`,
  ...notImplementedYet(STEVEDORE_TITLE),
};
