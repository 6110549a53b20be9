import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CatalogRepository, TagCount } from '../../../../shared/api/registries';
import { UserError } from '../../../../shared/api/result';
import { seedImage, startDistribution, type DistributionHandle } from '../../../../e2e/services/distribution';
import { basicCredential } from '../../registry/testing/credentials';
import { countTags, listCatalog, type CatalogTarget } from './service';

/** The Registry API catalog on a real distribution 2.8 (Debian's docker-registry). */
describe('catalog: /v2/_catalog on a real distribution registry', () => {
  let open: DistributionHandle;
  let locked: DistributionHandle;
  const repos = ['shop/backend', 'shop/frontend', 'shop/legacy-api', 'tools/ci', 'zeta'];
  beforeAll(async () => {
    // maxentries 2: `n=1000` is refused (PAGINATION_NUMBER_INVALID) and the catalog comes in pages of 2.
    open = await startDistribution({ catalogMaxEntries: 2 });
    locked = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'ana', password: 'ana-secret' }] } });
    for (const [i, r] of repos.entries()) {
      for (let t = 0; t <= i; t++) await seedImage(open.url, r, `v${t}`);
    }
    await seedImage(locked.url, 'team/app', 'v1', { auth: { username: 'ana', password: 'ana-secret' } });
  }, 60_000);
  afterAll(async () => {
    await open?.stop();
    await locked?.stop();
  });

  const target = (h: DistributionHandle, credential: CatalogTarget['credential'] = null): CatalogTarget => ({ registry: h.host, implementation: 'default', credential, settings: { registry: h.host, plainHttp: true } });

  async function list(t: CatalogTarget, namespace?: string) {
    const rows: CatalogRepository[] = [];
    const batches: number[] = [];
    const result = await listCatalog(t, { signal: new AbortController().signal, onRepositories: (r) => (rows.push(...r), batches.push(r.length)), ...(namespace ? { namespace } : {}) });
    return { rows, batches, result };
  }

  test('every repository, page by page through Link after the refused n (maxentries 2)', async () => {
    const { rows, batches, result } = await list(target(open));
    expect(rows.map((r) => r.name)).toEqual(repos);
    expect(batches).toEqual([2, 2, 1]);
    expect(result).toMatchObject({ registry: open.host, implementation: 'default', source: 'GET /v2/_catalog', repositories: 5, complete: true });
  });

  test('a namespace keeps its repositories only', async () => {
    const { rows } = await list(target(open), 'shop');
    expect(rows.map((r) => r.name)).toEqual(['shop/backend', 'shop/frontend', 'shop/legacy-api']);
  });

  test('tag counts through tags/list, as each finishes; an unknown repository is not found', async () => {
    const seen: TagCount[] = [];
    const counts = await countTags(target(open), ['shop/legacy-api', 'zeta', 'nope/none'], { signal: new AbortController().signal, onCounts: (c) => seen.push(...c) });
    const by = Object.fromEntries(counts.map((c) => [c.repository, c]));
    expect(by['shop/legacy-api']).toEqual({ repository: 'shop/legacy-api', tags: 3 });
    expect(by.zeta).toEqual({ repository: 'zeta', tags: 5 });
    expect(by['nope/none']).toMatchObject({ tags: null, error: 'not found' });
    expect(seen).toHaveLength(3);
  });

  test('htpasswd: with the login the catalog lists; without it, a refusal that says to type a repository', async () => {
    const { rows } = await list(target(locked, basicCredential(locked.host, 'ana', 'ana-secret')));
    expect(rows.map((r) => r.name)).toEqual(['team/app']);
    const refused = await list(target(locked)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect(refused).toMatchObject({ code: 'catalog-refused', hint: expect.stringContaining('type a repository') });
  });

  test('cancel: an aborted listing ends as cancelled', async () => {
    const controller = new AbortController();
    const out = listCatalog(target(open), { signal: controller.signal, onRepositories: () => controller.abort() });
    await expect(out).rejects.toMatchObject({ code: 'cancelled' });
  });
});
