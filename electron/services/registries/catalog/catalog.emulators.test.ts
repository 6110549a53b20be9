import { afterAll, describe, expect, test } from 'vitest';
import type { CatalogRepository } from '../../../../shared/api/registries';
import { UserError } from '../../../../shared/api/result';
import type { DriverFailure } from '../../inventory/types';
import { startAcrEmulator } from '../../../../e2e/emulators/acr';
import { startDockerHubEmulator } from '../../../../e2e/emulators/dockerhub';
import { ECR_DEFAULT_KEYS, startEcrEmulator } from '../../../../e2e/emulators/ecr';
import { startGcrEmulator } from '../../../../e2e/emulators/gcr';
import { startGitHubEmulator } from '../../../../e2e/emulators/github';
import { startGitLabEmulator } from '../../../../e2e/emulators/gitlab';
import { startHarborEmulator } from '../../../../e2e/emulators/harbor';
import { startQuayEmulator } from '../../../../e2e/emulators/quay';
import { testRun, type TestRun } from '../../inventory/drivers/testing';
import { awsCredential, azureCredential, basicCredential, bearerTokenCredential, googleTokenCredential } from '../../registry/testing/credentials';
import { registryDriver } from '..';
import { listCatalog } from './service';
import type { Implementation } from '../../../../shared/registry/implementations';

/**
 * Every driver's catalog member against its registry's emulator (e2e/emulators), with the list
 * endpoint the registry really has and its real paging: how many requests, which endpoint, what
 * a refusal says.
 */

interface Listed {
  rows: CatalogRepository[];
  failure: DriverFailure | null;
  source: string | null;
  pages: number;
}

async function catalogOf(run: TestRun, implementation: Implementation, namespace?: string): Promise<Listed> {
  const out: Listed = { rows: [], failure: null, source: null, pages: 0 };
  for await (const e of registryDriver(implementation).catalog.list(run.ctx, namespace)) {
    if (e.type === 'source') out.source = e.source;
    else if (e.type === 'failed') out.failure = e.failure;
    else if (e.type === 'repositories') {
      out.rows.push(...e.repositories);
      out.pages++;
    }
  }
  return out;
}

const pad = (i: number) => String(i).padStart(4, '0');
const stops: (() => unknown)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

describe('catalog members against the emulators', () => {
  test('Harbor: projects, then each project’s repositories, 100 a page through Link', async () => {
    const harbor = await startHarborEmulator();
    stops.push(() => harbor.stop());
    for (let i = 0; i < 150; i++) harbor.state.registry.addImage(`team/svc-${pad(i)}`, { tags: ['v1'] });
    harbor.state.registry.addImage('library/base', { tags: ['v1'] });
    const r = await testRun({ registry: harbor.host, implementation: 'harbor', credential: basicCredential(harbor.host, 'admin', 'Harbor12345') });
    try {
      const all = await catalogOf(r, 'harbor');
      expect(all.failure).toBeNull();
      expect(all.rows.map((x) => x.name)).toEqual(['library/base', ...Array.from({ length: 150 }, (_, i) => `team/svc-${pad(i)}`)]);
      const native = r.calls.filter((c) => c.via === 'native').map((c) => new URL(c.url));
      expect(native.map((u) => u.pathname)).toEqual(['/api/v2.0/projects', '/api/v2.0/projects/library/repositories', '/api/v2.0/projects/team/repositories', '/api/v2.0/projects/team/repositories']);
      expect(native.every((u) => u.searchParams.get('page_size') === '100')).toBe(true);
      // A namespace lists that project only.
      const team = await catalogOf(r, 'harbor', 'team');
      expect(team.rows).toHaveLength(150);
    } finally {
      await r.close();
    }
    const guest = await testRun({ registry: harbor.host, implementation: 'harbor', credential: basicCredential(harbor.host, 'nobody', 'wrong') });
    try {
      const refused = await catalogOf(guest, 'harbor');
      expect(refused.failure?.status).toBe(401);
      expect(refused.failure?.hint).toContain('Harbor refused the login');
    } finally {
      await guest.close();
    }
  });

  test('Quay: /api/v1/repository?namespace= continued by next_page; a robot lists what it may see through /v2/_catalog', async () => {
    const quay = await startQuayEmulator();
    stops.push(() => quay.stop());
    for (let i = 0; i < 150; i++) quay.state.registry.addImage(`ana/img-${pad(i)}`, { tags: ['v1'] });
    quay.state.registry.addImage('acme/app', { tags: ['v1'] });
    const r = await testRun({ registry: quay.host, implementation: 'quay', credential: bearerTokenCredential(quay.host, 'quay-oauth-ana-read') });
    try {
      const listed = await catalogOf(r, 'quay', 'ana');
      expect(listed.failure).toBeNull();
      expect(listed.source).toBe('GET /api/v1/repository?namespace=ana');
      expect(listed.rows).toHaveLength(150);
      expect(listed.pages).toBe(2);
      const native = r.calls.filter((c) => c.via === 'native').map((c) => new URL(c.url));
      expect(native).toHaveLength(2);
      expect(native[1]!.searchParams.get('next_page')).not.toBeNull();
      const none = await catalogOf(r, 'quay');
      expect(none.failure?.hint).toContain('namespace');
    } finally {
      await r.close();
    }
    const robot = await testRun({ registry: quay.host, implementation: 'quay', credential: basicCredential(quay.host, 'acme+deployer', 'ROBOT-DEPLOYER-TOKEN') });
    try {
      // Robots cannot call /api/v1: the Registry API catalog lists what the robot may see.
      const listed = await catalogOf(robot, 'quay');
      expect(listed.source).toBe('GET /v2/_catalog');
      expect(listed.failure).toBeNull();
      expect(listed.rows.map((x) => x.name)).toEqual(['acme/app']);
    } finally {
      await robot.close();
    }
  });

  test('GitLab: a project’s registry repositories with tags_count, 100 a page', async () => {
    const gl = await startGitLabEmulator();
    stops.push(() => gl.stop());
    gl.state.registry.addImage('group/app', { tags: ['a', 'b', 'c'] });
    for (let i = 0; i < 120; i++) gl.state.registry.addImage(`group/app/mod-${pad(i)}`, { tags: i === 7 ? ['x', 'y'] : ['x'] });
    const r = await testRun({ registry: gl.host, implementation: 'gitlab', credential: bearerTokenCredential(gl.host, 'glpat-dev-readapi', 'dev') });
    try {
      const listed = await catalogOf(r, 'gitlab', 'group/app');
      expect(listed.failure).toBeNull();
      expect(listed.rows).toHaveLength(121);
      expect(listed.rows.find((x) => x.name === 'group/app')?.tagCount).toBe(3);
      expect(listed.rows.find((x) => x.name === 'group/app/mod-0007')?.tagCount).toBe(2);
      const native = r.calls.filter((c) => c.via === 'native').map((c) => new URL(c.url));
      expect(native.map((u) => u.pathname)).toEqual(['/api/v4/projects/group%2Fapp/registry/repositories', '/api/v4/projects/group%2Fapp/registry/repositories']);
      expect(native[0]!.searchParams.get('tags_count')).toBe('true');
      const missing = await catalogOf(r, 'gitlab', 'group/nothing');
      expect(missing.failure?.message).toContain('no project group/nothing');
    } finally {
      await r.close();
    }
  });

  test('GitHub: an organization’s container packages through Link; a user’s after /orgs says 404', async () => {
    const gh = await startGitHubEmulator();
    stops.push(() => gh.stop());
    for (let i = 0; i < 130; i++) gh.state.registry.addImage(`acme/pkg-${pad(i)}`, { tags: ['v1'] });
    gh.state.registry.addImage('octo/tool', { tags: ['v1'] });
    const r = await testRun({ registry: gh.host, implementation: 'github', credential: basicCredential(gh.host, 'octo', 'ghp_octo_read'), settings: { registry: gh.host, plainHttp: true, apiBaseUrl: gh.apiUrl } });
    try {
      const org = await catalogOf(r, 'github', 'acme');
      expect(org.failure).toBeNull();
      expect(org.source).toBe('GET /orgs/acme/packages?package_type=container');
      expect(org.rows).toHaveLength(130);
      expect(org.pages).toBe(2);
      const user = await catalogOf(r, 'github', 'octo');
      expect(user.rows.map((x) => x.name)).toEqual(['octo/tool']);
      expect(user.source).toBe('GET /users/octo/packages?package_type=container');
    } finally {
      await r.close();
    }
    const fine = await testRun({ registry: gh.host, implementation: 'github', credential: basicCredential(gh.host, 'octo', 'github_pat_octo_finegrained'), settings: { registry: gh.host, plainHttp: true, apiBaseUrl: gh.apiUrl } });
    try {
      const refused = await catalogOf(fine, 'github', 'acme');
      expect(refused.failure?.hint).toContain('classic personal access token');
    } finally {
      await fine.close();
    }
  });

  test('Docker Hub: a namespace’s repositories, 100 a page following next', async () => {
    const hub = await startDockerHubEmulator();
    stops.push(() => hub.stop());
    for (let i = 0; i < 120; i++) hub.state.registry.addImage(`alice/app-${pad(i)}`, { tags: ['v1'] });
    const r = await testRun({ registry: hub.registryHost, implementation: 'dockerhub', credential: basicCredential(hub.registryHost, 'alice', 'dckr_pat_alice_read'), settings: { registry: hub.registryHost, plainHttp: true, apiBaseUrl: hub.url } });
    try {
      const listed = await catalogOf(r, 'dockerhub', 'alice');
      expect(listed.failure).toBeNull();
      expect(listed.rows).toHaveLength(120);
      expect(listed.pages).toBe(2);
      expect(r.calls.filter((c) => c.via === 'native' && c.url.includes('/repositories'))).toHaveLength(2);
    } finally {
      await r.close();
    }
    // Through the service, without a namespace: the recent images repo says where to start (its
    // namespace), and every repository of that namespace is listed, not only the recent one.
    const rows: CatalogRepository[] = [];
    const result = await listCatalog(
      { registry: hub.registryHost, implementation: 'dockerhub', credential: basicCredential(hub.registryHost, 'alice', 'dckr_pat_alice_read'), settings: { registry: hub.registryHost, plainHttp: true, apiBaseUrl: hub.url } },
      { signal: new AbortController().signal, recentRepos: [`${hub.registryHost}/alice/app-0003`], onRepositories: (r) => rows.push(...r) },
    );
    expect(rows).toHaveLength(120);
    expect(result).toMatchObject({ source: 'GET /v2/namespaces/alice/repositories', complete: true });
    expect(result.warnings[0]).toContain('Listed from alice/app-0003, the recent images repo');
  });

  test('Harbor: a project that cannot be listed makes the listing incomplete; every project failing is a refusal', async () => {
    // limitedGuest reads a project but may not list its repositories: Harbor answers 403 there.
    const harbor = await startHarborEmulator({
      projects: [
        { name: 'ops', id: 2 },
        { name: 'team', id: 3 },
        { name: 'vault', id: 4 },
      ],
      users: [
        { username: 'mixed', password: 'mixed-pw', roles: { ops: 'limitedGuest', team: 'developer' } },
        { username: 'closed', password: 'closed-pw', roles: { ops: 'limitedGuest', vault: 'limitedGuest' } },
      ],
    });
    stops.push(() => harbor.stop());
    harbor.state.registry.addImage('team/api', { tags: ['v1'] });
    harbor.state.registry.addImage('ops/secret', { tags: ['v1'] });
    harbor.state.registry.addImage('vault/keys', { tags: ['v1'] });
    const target = (username: string, password: string) => ({ registry: harbor.host, implementation: 'harbor' as const, credential: basicCredential(harbor.host, username, password), settings: { registry: harbor.host, plainHttp: true } });
    const options = (rows: CatalogRepository[]) => ({ signal: new AbortController().signal, onRepositories: (r: CatalogRepository[]) => rows.push(...r) });

    // ops (403) sits before team in the list: team's rows still come, and the result says ops is missing.
    const rows: CatalogRepository[] = [];
    const mixed = await listCatalog(target('mixed', 'mixed-pw'), options(rows));
    expect(rows.map((r) => r.name)).toEqual(['team/api']);
    expect(mixed.complete).toBe(false);
    expect(mixed.repositories).toBe(1);
    const warning = mixed.warnings.find((w) => w.includes('ops'));
    expect(warning).toContain('403');
    expect(warning).toContain('repository:list');

    // Every visible project refuses: no quiet "0 repositories, complete", but the first refusal.
    const error = await listCatalog(target('closed', 'closed-pw'), options([])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const refusal = error as UserError;
    expect(refusal.message).toContain('ops');
    expect(refusal.hint).toContain('repository:list');
    expect(refusal.details).toMatchObject({ status: 403 });

    // A project listed empty is no failure: the other project's refusal still only makes it incomplete.
    harbor.state.registry.deleteRepo('team/api');
    const empty = await listCatalog(target('mixed', 'mixed-pw'), options([]));
    expect(empty).toMatchObject({ repositories: 0, complete: false });
    expect(empty.warnings.some((w) => w.includes('ops') && w.includes('403'))).toBe(true);
  });

  test('ACR: /acr/v1/_catalog with the catalog scope, paged by Link past 1,000', async () => {
    const ADMIN = { username: 'stowageacr', password: 'admin-password' };
    const acr = await startAcrEmulator({ admin: ADMIN });
    stops.push(() => acr.stop());
    for (let i = 0; i < 1100; i++) acr.state.registry.addImage(`team/r-${pad(i)}`, { tags: ['v1'] });
    const r = await testRun({ registry: acr.host, implementation: 'acr', credential: basicCredential(acr.host, ADMIN.username, ADMIN.password) });
    try {
      const before = acr.requests().filter((q) => q.path.startsWith('/acr/v1/_catalog')).length;
      const listed = await catalogOf(r, 'acr');
      expect(listed.failure).toBeNull();
      expect(listed.source).toBe('GET /acr/v1/_catalog');
      expect(listed.rows).toHaveLength(1100);
      expect(listed.pages).toBe(2);
      const pages = acr.requests().filter((q) => q.path.startsWith('/acr/v1/_catalog') && q.status === 200).length;
      expect(pages - before).toBeGreaterThanOrEqual(2);
    } finally {
      await r.close();
    }
  });

  test('ACR with ABAC repository permissions: without the Catalog Lister role the catalog is refused, with a hint naming it', async () => {
    const acr = await startAcrEmulator({
      roleAssignmentMode: 'rbac-abac',
      principals: [
        { name: 'abac-reader', aadToken: 'aad-abac-reader', roles: ['Container Registry Repository Reader'] },
        { name: 'abac-lister', aadToken: 'aad-abac-lister', roles: ['Container Registry Repository Reader', 'Container Registry Repository Catalog Lister'] },
        { name: 'legacy-pull', aadToken: 'aad-acrpull', roles: ['AcrPull'] },
      ],
    });
    stops.push(() => acr.stop());
    acr.state.registry.addImage('team/app', { tags: ['v1'] });
    acr.state.registry.addImage('team/api', { tags: ['v1'] });
    const as = (aadToken: string) => testRun({ registry: acr.host, implementation: 'acr', credential: azureCredential(acr.host, aadToken) });
    const catalogAnswers = () => acr.requests().filter((q) => q.path.startsWith('/acr/v1/_catalog')).map((q) => q.status);
    for (const token of ['aad-abac-reader', 'aad-acrpull']) {
      const r = await as(token);
      try {
        const before = catalogAnswers().length;
        const refused = await catalogOf(r, 'acr');
        expect(refused.rows).toEqual([]);
        expect(refused.failure?.status).toBe(401);
        expect(refused.failure?.hint).toContain('Container Registry Repository Catalog Lister');
        // The registry itself refused (an error body), not the driver ahead of it.
        expect(catalogAnswers().slice(before)).toContain(401);
      } finally {
        await r.close();
      }
    }
    const lister = await as('aad-abac-lister');
    try {
      const listed = await catalogOf(lister, 'acr');
      expect(listed.failure).toBeNull();
      expect(listed.rows.map((x) => x.name)).toEqual(['team/api', 'team/app']);
    } finally {
      await lister.close();
    }
    // A login the token endpoint refuses is said as such, not as a missing role.
    const wrong = await testRun({ registry: acr.host, implementation: 'acr', credential: basicCredential(acr.host, 'nobody', 'wrong') });
    try {
      const refused = await catalogOf(wrong, 'acr');
      expect(refused.failure?.message).toContain('/oauth2/token');
      expect(refused.failure?.hint).not.toContain('Catalog Lister');
    } finally {
      await wrong.close();
    }
    // Through the service: refusal data (code catalog-refused) with the role in the hint.
    const error = await listCatalog({ registry: acr.host, implementation: 'acr', credential: azureCredential(acr.host, 'aad-abac-reader'), settings: undefined }, { signal: new AbortController().signal, onRepositories: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'catalog-refused', hint: expect.stringContaining('Container Registry Repository Catalog Lister'), details: { status: 401 } });
  });

  test('ECR: DescribeRepositories, 1000 a page by nextToken', async () => {
    const ecr = await startEcrEmulator({ repositories: Array.from({ length: 2100 }, (_, i) => `team/r-${pad(i)}`) });
    stops.push(() => ecr.stop());
    const [, , READ] = ECR_DEFAULT_KEYS;
    const r = await testRun({ registry: ecr.host, implementation: 'ecr', credential: awsCredential(ecr.host, READ!.accessKeyId, READ!.secretAccessKey), settings: { registry: ecr.host, plainHttp: true, sdkEndpoint: ecr.url } });
    try {
      const before = ecr.requests().filter((q) => q.headers['x-amz-target']?.endsWith('.DescribeRepositories')).length;
      const listed = await catalogOf(r, 'ecr');
      expect(listed.failure).toBeNull();
      expect(listed.source).toMatch(/^ECR DescribeRepositories/);
      expect(listed.rows).toHaveLength(2100);
      expect(ecr.requests().filter((q) => q.headers['x-amz-target']?.endsWith('.DescribeRepositories')).length - before).toBe(3);
    } finally {
      await r.close();
    }
  });

  test('Artifact Registry: dockerImages.list pages grouped into images with their tag counts', async () => {
    const gcr = await startGcrEmulator({ hostName: 'us-docker.pkg.dev' });
    stops.push(() => gcr.stop());
    for (let i = 0; i < 1200; i++) gcr.state.registry.addImage(`proj/repo/img-${i % 3}`, { tags: [`t${pad(i)}`] });
    gcr.state.registry.addImage('proj/other/x', { tags: ['v1'] });
    const registry = `us-docker.pkg.dev:${new URL(gcr.url).port}`;
    const r = await testRun({ registry, implementation: 'gcr', credential: googleTokenCredential(registry, 'ya29.reader'), settings: { registry, plainHttp: true, apiBaseUrl: gcr.url }, resolveHost: async () => ['127.0.0.1'] });
    try {
      const listed = await catalogOf(r, 'gcr', 'proj/repo');
      expect(listed.failure).toBeNull();
      expect(listed.rows).toEqual([
        { name: 'proj/repo/img-0', tagCount: 400 },
        { name: 'proj/repo/img-1', tagCount: 400 },
        { name: 'proj/repo/img-2', tagCount: 400 },
      ]);
      expect(r.calls.filter((c) => c.url.includes('/dockerImages'))).toHaveLength(2);
    } finally {
      await r.close();
    }
  });

  test('Artifact Registry without a project/repository: refused with the namespace to give, never /v2/_catalog', async () => {
    const gcr = await startGcrEmulator({ hostName: 'europe-west1-docker.pkg.dev' });
    stops.push(() => gcr.stop());
    gcr.state.registry.addImage('proj/repo/app', { tags: ['v1'] });
    const registry = `europe-west1-docker.pkg.dev:${new URL(gcr.url).port}`;
    const credential = googleTokenCredential(registry, 'ya29.reader');
    const settings = { registry, plainHttp: true, apiBaseUrl: gcr.url };
    const r = await testRun({ registry, implementation: 'gcr', credential, settings, resolveHost: async () => ['127.0.0.1'] });
    try {
      const catalogCalls = () => gcr.requests().filter((q) => q.path.startsWith('/v2/_catalog')).length;
      const none = await catalogOf(r, 'gcr');
      expect(none.rows).toEqual([]);
      expect(none.failure?.message).toContain('project and repository');
      expect(none.failure?.hint).toContain('--namespace PROJECT/REPOSITORY');
      expect(none.failure?.hint).toContain('Namespace');
      // A project alone names no repository to list either.
      const project = await catalogOf(r, 'gcr', 'proj');
      expect(project.failure?.message).toContain('proj');
      expect(project.failure?.hint).toContain('--namespace proj/REPOSITORY');
      expect(catalogCalls()).toBe(0);
      expect(r.calls.filter((c) => c.url.includes('/dockerImages'))).toHaveLength(0);
      // The service starts from a recent images repo on this host when none is typed.
      const needs = registryDriver('gcr').catalog.needsNamespace;
      expect(typeof needs === 'function' ? needs(r.ctx) : needs).toBe(true);
    } finally {
      await r.close();
    }
    // A login that is not a Google access token cannot call the REST API: said, not passed to /v2/_catalog.
    const keyed = await testRun({ registry, implementation: 'gcr', credential: basicCredential(registry, '_json_key', '{"type":"service_account"}'), settings, resolveHost: async () => ['127.0.0.1'] });
    try {
      const listed = await catalogOf(keyed, 'gcr', 'proj/repo');
      expect(listed.failure?.message).toContain('OAuth access token');
      expect(listed.failure?.hint).toContain('gcloud auth print-access-token');
      expect(gcr.requests().filter((q) => q.path.startsWith('/v2/_catalog'))).toHaveLength(0);
    } finally {
      await keyed.close();
    }
  });
});
