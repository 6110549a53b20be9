import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChallenge } from '../services/challenge';
import { seedImage, seedIndex } from '../services/distribution';
import { ACCEPT_ALL, RegistryClient } from '../services/registry-client';
import { startGitHubEmulator, type GitHubEmulator } from './github';

interface Version {
  id: number;
  name: string;
  metadata: { package_type: string; container: { tags: string[] } };
}

describe('GitHub emulator', () => {
  let gh: GitHubEmulator;
  let index: { digest: string; children: { digest: string }[] };
  const octoWrite = { username: 'octo', password: 'ghp_octo_write' };
  const rest = (path: string, token?: string, method = 'GET') =>
    fetch(`${gh.apiUrl}${path}`, { method, headers: { accept: 'application/vnd.github+json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });

  beforeAll(async () => {
    gh = await startGitHubEmulator({ publicPackages: ['octo/public-app'] });
    for (let i = 1; i <= 5; i++) await seedImage(gh.url, 'acme/tools/cli', `v${i}`, { auth: octoWrite, labels: { i: String(i) } });
    index = await seedIndex(gh.url, 'octo/app', 'latest', { auth: octoWrite });
    await seedImage(gh.url, 'octo/public-app', 'v1', { auth: octoWrite });
  });
  afterAll(() => gh?.stop());

  test('package list: package_type=container required, paged by per_page with Link rel="next" to the last page', async () => {
    for (let i = 0; i < 3; i++) gh.state.registry.addImage(`acme/paged-${i}`, { tags: ['v1'] });
    expect((await rest('/orgs/acme/packages', 'ghp_octo_read')).status).toBe(422);
    const first = await rest('/orgs/acme/packages?package_type=container&per_page=2', 'ghp_octo_read');
    expect(first.status).toBe(200);
    expect(((await first.json()) as unknown[]).length).toBe(2);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(next).toContain('page=2');
    const names: string[] = [];
    for (let url: string | undefined = `${gh.apiUrl}/orgs/acme/packages?package_type=container&per_page=2`; url; ) {
      const res = await fetch(url, { headers: { authorization: 'Bearer ghp_octo_read' } });
      names.push(...((await res.json()) as { name: string }[]).map((p) => p.name));
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    expect(names).toEqual(expect.arrayContaining(['tools/cli', 'paged-0', 'paged-1', 'paged-2']));
    expect(new Set(names).size).toBe(names.length);
    // A user is not an organization: its packages are under /users.
    expect((await rest('/orgs/octo/packages?package_type=container', 'ghp_octo_read')).status).toBe(404);
  });

  test('GET /user: classic tokens expose X-OAuth-Scopes, fine-grained ones do not', async () => {
    const classic = await rest('/user', 'ghp_octo_delete');
    expect(classic.status).toBe(200);
    expect(classic.headers.get('x-oauth-scopes')).toBe('delete:packages, read:packages, write:packages');
    expect(((await classic.json()) as { login: string; type: string })).toMatchObject({ login: 'octo', type: 'User' });
    expect(classic.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(classic.headers.get('x-ratelimit-resource')).toBe('core');
    const fine = await rest('/user', 'github_pat_octo_finegrained');
    expect(fine.status).toBe(200);
    expect(fine.headers.get('x-oauth-scopes')).toBeNull();
    const bad = await rest('/user', 'ghp_nope');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ message: 'Bad credentials' });
    expect((await rest('/user')).status).toBe(401);
  });

  test('GET /users/<owner> tells users from organizations', async () => {
    expect(((await (await rest('/users/acme')).json()) as { type: string }).type).toBe('Organization');
    expect(((await (await rest('/users/octo')).json()) as { type: string }).type).toBe('User');
    expect((await rest('/users/ghost')).status).toBe(404);
  });

  test('org package versions with tags, pagination by Link, encoded package names', async () => {
    const first = await rest('/orgs/acme/packages/container/tools%2Fcli/versions?per_page=2', 'ghp_mona_delete');
    expect(first.status).toBe(200);
    const versions = (await first.json()) as Version[];
    expect(versions).toHaveLength(2);
    expect(versions[0].name).toMatch(/^sha256:/);
    expect(versions[0].metadata.package_type).toBe('container');
    expect(first.headers.get('link')).toContain('rel="next"');
    const all: Version[] = [...versions];
    let next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    while (next) {
      const res = await fetch(next, { headers: { authorization: 'Bearer ghp_mona_delete' } });
      all.push(...((await res.json()) as Version[]));
      next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    expect(all.flatMap((v) => v.metadata.container.tags).sort()).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    // An unencoded slash is a different route, as on GitHub.
    expect((await rest('/orgs/acme/packages/container/tools/cli/versions', 'ghp_mona_delete')).status).toBe(404);
    expect((await rest('/users/acme/packages/container/tools%2Fcli/versions', 'ghp_mona_delete')).status).toBe(404);
  });

  test('user package versions include untagged index children', async () => {
    const res = await rest('/user/packages/container/app/versions', 'ghp_octo_read');
    const versions = (await res.json()) as Version[];
    expect(versions).toHaveLength(3);
    expect(versions.find((v) => v.name === index.digest)?.metadata.container.tags).toEqual(['latest']);
    expect(versions.filter((v) => v.metadata.container.tags.length === 0).map((v) => v.name).sort()).toEqual(index.children.map((c) => c.digest).sort());
    const listing = (await (await rest('/user/packages?package_type=container', 'ghp_octo_read')).json()) as { name: string; visibility: string }[];
    expect(listing.map((p) => [p.name, p.visibility])).toEqual([
      ['app', 'private'],
      ['public-app', 'public'],
    ]);
  });

  test('packages API refuses tokens without read:packages and fine-grained PATs', async () => {
    const noScope = await rest('/user/packages/container/app/versions', 'ghp_octo_repo');
    expect(noScope.status).toBe(403);
    const fine = await rest('/user/packages/container/app/versions', 'github_pat_octo_finegrained');
    expect(fine.status).toBe(403);
    expect(((await fine.json()) as { message: string }).message).toContain('personal access token');
    expect((await rest('/users/octo/packages/container/app/versions', 'ghp_mona_delete')).status).toBe(404);
  });

  test('DELETE a version: 403 without delete:packages or org admin, 204 with both', async () => {
    const versions = (await (await rest('/orgs/acme/packages/container/tools%2Fcli/versions', 'ghp_octo_read')).json()) as Version[];
    const target = versions.find((v) => v.metadata.container.tags.includes('v1'));
    const path = `/orgs/acme/packages/container/tools%2Fcli/versions/${target?.id}`;
    const noDelete = await rest(path, 'ghp_octo_write', 'DELETE');
    expect(noDelete.status).toBe(403);
    expect(((await noDelete.json()) as { message: string }).message).toContain('delete:packages');
    const member = await rest(path, 'ghp_mona_delete', 'DELETE');
    expect(member.status).toBe(403);
    const admin = await rest(path, 'ghp_octo_delete', 'DELETE');
    expect(admin.status).toBe(204);
    expect(gh.state.registry.listTags('acme/tools/cli')).not.toContain('v1');
    expect((await rest(path, 'ghp_octo_delete', 'DELETE')).status).toBe(404);
  });

  test('ghcr-style /token takes the PAT as Basic password; /v2 deletes are UNSUPPORTED', async () => {
    const anon = await fetch(`${gh.url}/v2/octo/app/tags/list`);
    expect(anon.status).toBe(401);
    expect(findChallenge(anon.headers.get('www-authenticate'), 'bearer')?.params).toMatchObject({ realm: `${gh.url}/token`, service: gh.host });
    const client = new RegistryClient(gh.url, { auth: { username: 'anything', password: 'ghp_octo_delete' } });
    const tags = await client.json<{ tags: string[] }>('GET', '/v2/octo/app/tags/list');
    expect(tags.body.tags).toEqual(['latest']);
    const del = await client.json<{ errors: { code: string }[] }>('DELETE', `/v2/octo/app/manifests/${index.digest}`);
    expect(del.status).toBe(405);
    expect(del.body.errors[0].code).toBe('UNSUPPORTED');

    const publicPull = await new RegistryClient(gh.url).request('GET', '/v2/octo/public-app/manifests/v1', { headers: { accept: ACCEPT_ALL } });
    expect(publicPull.status).toBe(200);
    const privatePull = await new RegistryClient(gh.url).request('GET', '/v2/octo/app/manifests/latest', { headers: { accept: ACCEPT_ALL } });
    expect(privatePull.status).toBe(401);
    await expect(new RegistryClient(gh.url, { auth: { username: 'octo', password: 'github_pat_octo_finegrained' } }).request('GET', '/v2/octo/app/tags/list')).rejects.toThrow(/401/);
    expect((await fetch(`${gh.url}/v2/_catalog`)).status).toBe(404);
  });

  test('delete rules: the last tagged version is refused (400), deleted versions are listed with state=deleted and restored with their tags', async () => {
    gh.state.registry.addImage('octo/solo', { tags: [] });
    const only = gh.state.registry.addImage('octo/solo', { tags: ['v1', 'v1.0'] });
    const list = async (state: string) => (await (await rest(`/user/packages/container/solo/versions?state=${state}`, 'ghp_octo_delete')).json()) as Version[];
    const id = (await list('active')).find((v) => v.name === only.digest)?.id;
    const refused = await rest(`/users/octo/packages/container/solo/versions/${id}`, 'ghp_octo_delete', 'DELETE');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toBe('You cannot delete the last tagged version of a package. You must delete the package instead.');
    const other = gh.state.registry.addImage('octo/solo', { tags: ['v2'] });
    expect((await rest(`/users/octo/packages/container/solo/versions/${id}`, 'ghp_octo_delete', 'DELETE')).status).toBe(204);
    expect((await list('deleted')).map((v) => [v.id, v.metadata.container.tags])).toEqual([[id, ['v1', 'v1.0']]]);
    // A tag pushed elsewhere meanwhile stays there; the others come back.
    gh.state.registry.setTag('octo/solo', 'v1.0', other.digest);
    expect((await rest(`/users/octo/packages/container/solo/versions/${id}/restore`, 'ghp_octo_read', 'POST')).status).toBe(403);
    expect((await rest(`/users/octo/packages/container/solo/versions/${id}/restore`, 'ghp_octo_delete', 'POST')).status).toBe(204);
    expect(gh.state.registry.tagsOf('octo/solo', only.digest)).toEqual(['v1']);
    expect(gh.state.registry.tagsOf('octo/solo', other.digest)).toEqual(['v1.0', 'v2']);
    expect(await list('deleted')).toEqual([]);
    expect((await rest(`/users/octo/packages/container/solo/versions/${id}/restore`, 'ghp_octo_delete', 'POST')).status).toBe(404);
  });

  test('rate limit exhaustion answers 403 with x-ratelimit-remaining 0', async () => {
    const saved = gh.state.rate.remaining;
    gh.state.rate.remaining = 0;
    try {
      const res = await rest('/user', 'ghp_octo_read');
      expect(res.status).toBe(403);
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(((await res.json()) as { message: string }).message).toContain('API rate limit exceeded');
    } finally {
      gh.state.rate.remaining = saved;
    }
  });
});
