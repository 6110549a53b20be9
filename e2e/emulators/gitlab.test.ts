import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChallenge } from '../services/challenge';
import { seedImage } from '../services/distribution';
import { decodeJwtPart } from '../services/jwt';
import { ACCEPT_ALL, RegistryClient, basicHeader } from '../services/registry-client';
import { startGitLabEmulator, type GitLabEmulator } from './gitlab';

describe('GitLab emulator', () => {
  let gl: GitLabEmulator;
  let appRepoId: number;
  const dev = { username: 'dev', password: 'glpat-dev-api' };
  const api = (path: string, token?: string, method = 'GET') => fetch(`${gl.apiUrl}${path}`, { method, headers: token ? { 'private-token': token } : {} });

  beforeAll(async () => {
    gl = await startGitLabEmulator();
    for (let i = 1; i <= 25; i++) await seedImage(gl.url, 'group/app', `v${i}`, { auth: dev, labels: { i: String(i) } });
    await seedImage(gl.url, 'group/app/worker', 'v1', { auth: dev });
    const repos = (await (await api('/projects/42/registry/repositories', 'glpat-dev-api')).json()) as { id: number; path: string }[];
    appRepoId = repos.find((r) => r.path === 'group/app')?.id ?? -1;
  });
  afterAll(() => gl?.stop());

  test('personal_access_tokens/self reports scopes; bad and expired tokens get 401', async () => {
    const self = await api('/personal_access_tokens/self', 'glpat-dev-readapi');
    expect(self.status).toBe(200);
    expect(await self.json()).toMatchObject({ name: 'read only', scopes: ['read_api', 'read_registry'], active: true, revoked: false });
    expect(self.headers.get('ratelimit-limit')).toBe('2000');
    const bearer = await fetch(`${gl.apiUrl}/personal_access_tokens/self`, { headers: { authorization: 'Bearer glpat-dev-api' } });
    expect(bearer.status).toBe(200);
    expect((await api('/personal_access_tokens/self', 'glpat-nope')).status).toBe(401);
    const expired = await api('/personal_access_tokens/self', 'glpat-dev-expired');
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: string }).error).toBe('invalid_token');
  });

  test('projects/:id by number or encoded path with project_access level', async () => {
    const byId = (await (await api('/projects/42', 'glpat-dev-api')).json()) as { path_with_namespace: string; permissions: { project_access: { access_level: number } } };
    expect(byId.path_with_namespace).toBe('group/app');
    expect(byId.permissions.project_access.access_level).toBe(30);
    const byPath = (await (await api('/projects/group%2Fapp', 'glpat-reporter-api')).json()) as { id: number; permissions: { project_access: { access_level: number } } };
    expect(byPath.id).toBe(42);
    expect(byPath.permissions.project_access.access_level).toBe(20);
    expect((await api('/projects/999', 'glpat-dev-api')).status).toBe(404);
    const registryOnly = await api('/projects/42', 'glpat-dev-registry');
    expect(registryOnly.status).toBe(403);
    expect(((await registryOnly.json()) as { error: string }).error).toBe('insufficient_scope');
  });

  test('registry repositories and tags with offset pagination headers', async () => {
    const repos = (await (await api('/projects/42/registry/repositories?tags_count=true', 'glpat-dev-readapi')).json()) as { name: string; path: string; tags_count: number; location: string }[];
    expect(repos.map((r) => [r.name, r.path, r.tags_count])).toEqual([
      ['', 'group/app', 25],
      ['worker', 'group/app/worker', 1],
    ]);
    expect(repos[0].location).toBe(`${gl.host}/group/app`);
    const first = await api(`/projects/42/registry/repositories/${appRepoId}/tags?per_page=10`, 'glpat-dev-readapi');
    expect(first.headers.get('x-total')).toBe('25');
    expect(first.headers.get('x-total-pages')).toBe('3');
    expect(first.headers.get('x-next-page')).toBe('2');
    expect(first.headers.get('link')).toContain('rel="next"');
    expect(((await first.json()) as unknown[]).length).toBe(10);
    const last = await api(`/projects/42/registry/repositories/${appRepoId}/tags?per_page=10&page=3`, 'glpat-dev-readapi');
    expect(last.headers.get('x-next-page')).toBe('');
    expect(((await last.json()) as unknown[]).length).toBe(5);
    const detail = (await (await api(`/projects/42/registry/repositories/${appRepoId}/tags/v1`, 'glpat-dev-readapi')).json()) as { digest: string; total_size: number; created_at: string };
    expect(detail.digest).toMatch(/^sha256:/);
    expect(detail.total_size).toBeGreaterThan(0);
  });

  test('tag delete needs the api scope and Developer or above', async () => {
    const path = `/projects/42/registry/repositories/${appRepoId}/tags/v25`;
    const readApi = await api(path, 'glpat-dev-readapi', 'DELETE');
    expect(readApi.status).toBe(403);
    expect(((await readApi.json()) as { error: string }).error).toBe('insufficient_scope');
    const reporter = await api(path, 'glpat-reporter-api', 'DELETE');
    expect(reporter.status).toBe(403);
    expect(await reporter.json()).toEqual({ message: '403 Forbidden' });
    const ok = await api(path, 'glpat-dev-api', 'DELETE');
    expect(ok.status).toBe(200);
    expect(gl.state.registry.listTags('group/app')).not.toContain('v25');
    expect((await api(path, 'glpat-dev-api', 'DELETE')).status).toBe(404);
  });

  test('/jwt/auth: challenge, intersected scopes, untag through /v2', async () => {
    const anon = await fetch(`${gl.url}/v2/group/app/tags/list`);
    expect(findChallenge(anon.headers.get('www-authenticate'), 'bearer')?.params).toMatchObject({ realm: `${gl.url}/jwt/auth`, service: 'container_registry', scope: 'repository:group/app:pull' });

    const tokenFor = async (user: string, secret: string, scope: string): Promise<{ status: number; token?: string }> => {
      const res = await fetch(`${gl.url}/jwt/auth?service=container_registry&scope=${encodeURIComponent(scope)}`, { headers: { authorization: basicHeader(user, secret) } });
      return { status: res.status, token: res.ok ? ((await res.json()) as { token: string }).token : undefined };
    };
    const reporter = await tokenFor('reporter', 'glpat-reporter-api', 'repository:group/app:pull,push,delete');
    expect(decodeJwtPart<{ access: { actions: string[] }[] }>(reporter.token ?? '', 1).access[0].actions).toEqual(['pull']);
    const readOnly = await tokenFor('dev', 'glpat-dev-readapi', 'repository:group/app:pull,delete');
    expect(decodeJwtPart<{ access: { actions: string[] }[] }>(readOnly.token ?? '', 1).access[0].actions).toEqual(['pull']);
    expect((await tokenFor('dev', 'wrong', 'repository:group/app:pull')).status).toBe(401);

    const devClient = new RegistryClient(gl.url, { auth: dev });
    const del = await devClient.request('DELETE', '/v2/group/app/manifests/v24');
    expect(del.status).toBe(202);
    expect(gl.state.registry.listTags('group/app')).not.toContain('v24');
    const readerDel = await new RegistryClient(gl.url, { auth: { username: 'reporter', password: 'glpat-reporter-api' } }).request('DELETE', '/v2/group/app/manifests/v23');
    expect(readerDel.status).toBe(401);
    const pub = await new RegistryClient(gl.url).request('HEAD', '/v2/group/public/manifests/x', { headers: { accept: ACCEPT_ALL } });
    expect(pub.status).toBe(404);
  });

  test('CI job token: the JOB-TOKEN header reaches its own project\'s container registry API only', async () => {
    gl.state.jobTokens.set('job-123', { token: 'job-123', project: 'group/app', user: 'dev' });
    const job = (path: string, method = 'GET') => fetch(`${gl.apiUrl}${path}`, { method, headers: { 'job-token': 'job-123' } });
    const repos = await job('/projects/group%2Fapp/registry/repositories');
    expect(repos.status).toBe(200);
    expect((await job('/projects/43/registry/repositories')).status).toBe(404);
    expect((await job('/projects/42')).status).toBe(401);
    expect((await job('/personal_access_tokens/self')).status).toBe(401);
    expect((await job(`/projects/42/registry/repositories/${appRepoId}/tags/v22`, 'DELETE')).status).toBe(200);
    expect(gl.state.registry.listTags('group/app')).not.toContain('v22');
    // On the registry: push and pull in its own project, no delete.
    const res = await fetch(`${gl.url}/jwt/auth?service=container_registry&scope=${encodeURIComponent('repository:group/app:pull,push,delete')}`, { headers: { authorization: basicHeader('gitlab-ci-token', 'job-123') } });
    expect(decodeJwtPart<{ access: { actions: string[] }[] }>(((await res.json()) as { token: string }).token, 1).access[0].actions).toEqual(['pull', 'push']);
  });

  test('protected tags: 403 on the API and on /v2 below the rule\'s role; bulk delete is async, skips them and latest, once an hour', async () => {
    await seedImage(gl.url, 'group/app', 'latest', { auth: dev });
    await seedImage(gl.url, 'group/app', 'release-1', { auth: dev, labels: { r: '1' } });
    gl.state.protectedTags.push({ projectId: 42, pattern: '^release-', minimumAccessLevelForDelete: 40 });
    try {
      const refused = await api(`/projects/42/registry/repositories/${appRepoId}/tags/release-1`, 'glpat-dev-api', 'DELETE');
      expect(refused.status).toBe(403);
      const v2 = await new RegistryClient(gl.url, { auth: dev }).request('DELETE', '/v2/group/app/manifests/release-1');
      expect(v2.status).toBe(403);
      expect(gl.state.registry.listTags('group/app')).toContain('release-1');
      // Bulk delete needs Maintainer.
      const bulkPath = `/projects/42/registry/repositories/${appRepoId}/tags?name_regex_delete=.*`;
      expect((await api(bulkPath, 'glpat-dev-api', 'DELETE')).status).toBe(403);
      gl.state.projects[0]!.members.dev = 40;
      const bulk = await api(bulkPath, 'glpat-dev-api', 'DELETE');
      expect(bulk.status).toBe(202);
      await new Promise((r) => setTimeout(r, 100));
      // Maintainer meets the rule's level, so release-1 goes too; latest never does.
      expect(gl.state.registry.listTags('group/app')).toEqual(['latest']);
      const again = await api(bulkPath, 'glpat-dev-api', 'DELETE');
      expect(again.status).toBe(400);
      expect(((await again.json()) as { message: string }).message).toContain('once an hour');
    } finally {
      gl.state.projects[0]!.members.dev = 30;
      gl.state.protectedTags.length = 0;
    }
  });

  test('429 with Retry-After when the API budget is spent', async () => {
    const saved = gl.state.rate.remaining;
    gl.state.rate.remaining = 0;
    try {
      const res = await api('/personal_access_tokens/self', 'glpat-dev-api');
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      gl.state.rate.remaining = saved;
    }
  });
});
