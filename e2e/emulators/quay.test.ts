import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseChallenges } from '../services/challenge';
import { seedImage } from '../services/distribution';
import { ACCEPT_ALL, RegistryClient, basicHeader } from '../services/registry-client';
import { startQuayEmulator, type QuayEmulator } from './quay';

interface TagPage {
  tags: { name: string; manifest_digest: string; start_ts: number; end_ts?: number; is_manifest_list: boolean; size: number }[];
  page: number;
  has_additional: boolean;
}

describe('Quay emulator', () => {
  let quay: QuayEmulator;
  const deployer = { username: 'acme+deployer', password: 'ROBOT-DEPLOYER-TOKEN' };
  const api = (path: string, token?: string, method = 'GET') => fetch(`${quay.url}/api/v1${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    quay = await startQuayEmulator();
    for (let i = 1; i <= 7; i++) await seedImage(quay.url, 'acme/app', `v${i}`, { auth: deployer, labels: { i: String(i) } });
  });
  afterAll(() => quay?.stop());

  test('/v2/ sends Basic and Bearer challenges in one header; Basic on /v2 is refused', async () => {
    const res = await fetch(`${quay.url}/v2/`);
    expect(res.status).toBe(401);
    const header = res.headers.get('www-authenticate') ?? '';
    expect(header).toMatch(/^Basic realm="[^"]+", Bearer realm=/);
    const challenges = parseChallenges(header);
    expect(challenges.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(challenges[1].params).toEqual({ realm: `${quay.url}/v2/auth`, service: quay.host });
    const basic = await fetch(`${quay.url}/v2/acme/app/tags/list`, { headers: { authorization: basicHeader(deployer.username, deployer.password) } });
    expect(basic.status).toBe(401);
  });

  test('robots, passwords and $oauthtoken all log in to the registry', async () => {
    for (const auth of [deployer, { username: 'ana', password: 'ana-password' }, { username: '$oauthtoken', password: 'quay-oauth-ben-write' }]) {
      const tags = await new RegistryClient(quay.url, { auth }).json<{ tags: string[] }>('GET', '/v2/acme/app/tags/list');
      expect(tags.status).toBe(200);
      expect(tags.body.tags).toContain('v1');
    }
    await expect(new RegistryClient(quay.url, { auth: { username: 'acme+deployer', password: 'wrong' } }).request('GET', '/v2/acme/app/tags/list')).rejects.toThrow(/401/);
  });

  test('/v2/_catalog lists what the login may see (registry-apis.md §7), paged by n/last and Link', async () => {
    quay.state.registry.addImage('ana/mine', { tags: ['v1'] });
    quay.state.registry.addImage('ana/other', { tags: ['v1'] });
    const robot = await new RegistryClient(quay.url, { auth: deployer }).json<{ repositories: string[] }>('GET', '/v2/_catalog');
    expect(robot.status).toBe(200);
    expect(robot.body.repositories).toEqual(['acme/app']);
    const ana = new RegistryClient(quay.url, { auth: { username: 'ana', password: 'ana-password' } });
    const first = await ana.json<{ repositories: string[] }>('GET', '/v2/_catalog?n=2');
    expect(first.body.repositories).toEqual(['acme/app', 'ana/mine']);
    expect(first.headers.get('link')).toContain('rel="next"');
    const rest = await ana.json<{ repositories: string[] }>('GET', '/v2/_catalog?n=2&last=ana/mine');
    expect(rest.body.repositories).toEqual(['ana/other']);
  });

  test('/v2 tags/list paginates with n/last and a relative Link', async () => {
    const client = new RegistryClient(quay.url, { auth: deployer });
    const first = await client.json<{ tags: string[] }>('GET', '/v2/acme/app/tags/list?n=3');
    expect(first.body.tags).toEqual(['v1', 'v2', 'v3']);
    expect(first.headers.get('link')).toBe('</v2/acme/app/tags/list?last=v3&n=3>; rel="next"');
    const rest = await client.json<{ tags: string[] }>('GET', '/v2/acme/app/tags/list?last=v6&n=3');
    expect(rest.body.tags).toEqual(['v7']);
    expect(rest.headers.get('link')).toBeNull();
    expect((await client.request('GET', '/v2/acme/app/tags/list?n=x')).status).toBe(400);
  });

  test('tag listing with limit/page/has_additional and onlyActiveTags', async () => {
    const first = (await (await api('/repository/acme/app/tag/?onlyActiveTags=true&limit=3&page=1', 'quay-oauth-ana-read')).json()) as TagPage;
    expect(first.tags).toHaveLength(3);
    expect(first.has_additional).toBe(true);
    expect(first.tags[0].manifest_digest).toMatch(/^sha256:/);
    expect(first.tags[0].is_manifest_list).toBe(false);
    const third = (await (await api('/repository/acme/app/tag/?onlyActiveTags=true&limit=3&page=3', 'quay-oauth-ana-read')).json()) as TagPage;
    expect(third.tags).toHaveLength(1);
    expect(third.has_additional).toBe(false);
    const specific = (await (await api('/repository/acme/app/tag/?onlyActiveTags=true&specificTag=v2', 'quay-oauth-ana-read')).json()) as TagPage;
    expect(specific.tags.map((t) => t.name)).toEqual(['v2']);
  });

  test('API refuses robots, anonymous access to private repos, and missing scopes', async () => {
    expect((await api('/repository/acme/app/tag/', 'ROBOT-DEPLOYER-TOKEN')).status).toBe(401);
    // Quay's Unauthorized error: 401 invalid_token for anonymous callers, 403 when authenticated.
    const anon = await api('/repository/acme/app/tag/');
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ error_type: 'invalid_token', status: 401 });
    expect((await api('/user/', 'quay-oauth-ana-read')).status).toBe(403);
    expect(((await (await api('/user/', 'quay-oauth-ana-write')).json()) as { username: string }).username).toBe('ana');
    expect((await api('/repository')).status).toBe(400);
    const repos = (await (await api('/repository?namespace=acme', 'quay-oauth-ana-read')).json()) as { repositories: { name: string }[] };
    expect(repos.repositories.map((r) => r.name)).toEqual(['app']);
  });

  test('tag DELETE needs repo:write and write permission; deleted tags stay in history', async () => {
    const readScope = await api('/repository/acme/app/tag/v7', 'quay-oauth-ana-read', 'DELETE');
    expect(readScope.status).toBe(403);
    const readRole = await api('/repository/acme/app/tag/v7', 'quay-oauth-ben-write', 'DELETE');
    expect(readRole.status).toBe(403);
    const ok = await api('/repository/acme/app/tag/v7', 'quay-oauth-ana-write', 'DELETE');
    expect(ok.status).toBe(204);
    expect((await api('/repository/acme/app/tag/v7', 'quay-oauth-ana-write', 'DELETE')).status).toBe(404);
    const history = (await (await api('/repository/acme/app/tag/?specificTag=v7', 'quay-oauth-ana-read')).json()) as TagPage;
    expect(history.tags).toHaveLength(1);
    expect(history.tags[0].end_ts).toBeGreaterThan(0);
    const active = (await (await api('/repository/acme/app/tag/?onlyActiveTags=true&specificTag=v7', 'quay-oauth-ana-read')).json()) as TagPage;
    expect(active.tags).toHaveLength(0);
  });

  test('/v2 delete needs push: write robots can untag, read robots cannot', async () => {
    const reader = new RegistryClient(quay.url, { auth: { username: 'acme+reader', password: 'ROBOT-READER-TOKEN' } });
    const denied = await reader.request('DELETE', '/v2/acme/app/manifests/v6');
    expect(denied.status).toBe(401);
    const challenge = parseChallenges(denied.headers.get('www-authenticate')).find((c) => c.scheme === 'bearer');
    expect(challenge?.params.scope).toBe('repository:acme/app:push');
    const writer = new RegistryClient(quay.url, { auth: deployer });
    expect((await writer.request('DELETE', '/v2/acme/app/manifests/v6')).status).toBe(202);
    expect(quay.state.registry.listTags('acme/app')).not.toContain('v6');
    const head = await writer.request('HEAD', '/v2/acme/app/manifests/v5', { headers: { accept: ACCEPT_ALL } });
    const digest = head.headers.get('docker-content-digest') ?? '';
    expect((await writer.request('DELETE', `/v2/acme/app/manifests/${digest}`)).status).toBe(202);
    expect(quay.state.registry.listTags('acme/app')).not.toContain('v5');
  });

  test('a missing repository answers like a hidden one (403 authenticated, 401 anonymous); only the namespace owner gets 404', async () => {
    for (const path of ['/repository/acme/nope/tag/', '/repository/acme/nope']) {
      const authed = await api(path, 'quay-oauth-ana-write');
      expect(authed.status).toBe(403);
      expect(await authed.json()).toMatchObject({ error_type: 'insufficient_scope' });
      expect((await api(path)).status).toBe(401);
    }
    expect((await api('/repository/acme/nope/tag/x', 'quay-oauth-ana-write', 'DELETE')).status).toBe(403);
    expect((await api('/repository/ana/nope/tag/', 'quay-oauth-ana-read')).status).toBe(404);
    expect((await api('/repository/acme/app', 'quay-oauth-ana-read')).status).toBe(200);
  });

  test('/v2 delete by digest ends every tag on it and keeps the manifest; 404 once it has no tag; both /v2 deletes keep history', async () => {
    await seedImage(quay.url, 'acme/app', 'shared-a', { auth: deployer, labels: { shared: 'yes' } });
    const writer = new RegistryClient(quay.url, { auth: deployer });
    const head = await writer.request('HEAD', '/v2/acme/app/manifests/shared-a', { headers: { accept: ACCEPT_ALL } });
    const digest = head.headers.get('docker-content-digest') ?? '';
    quay.state.registry.setTag('acme/app', 'shared-b', digest);
    expect((await writer.request('DELETE', `/v2/acme/app/manifests/${digest}`)).status).toBe(202);
    expect(quay.state.registry.tagsOf('acme/app', digest)).toEqual([]);
    expect(quay.state.registry.manifest('acme/app', digest)).toBeDefined();
    const again = await writer.request('DELETE', `/v2/acme/app/manifests/${digest}`);
    expect(again.status).toBe(404);
    const history = (await (await api('/repository/acme/app/tag/?specificTag=shared-b', 'quay-oauth-ana-read')).json()) as TagPage;
    expect(history.tags.map((t) => [t.manifest_digest, t.end_ts !== undefined])).toEqual([[digest, true]]);
  });

  test('tag restore moves the tag back to a manifest from its history inside the time-machine window, 404 after', async () => {
    await seedImage(quay.url, 'acme/app', 'back', { auth: deployer, labels: { back: 'yes' } });
    const digest = quay.state.registry.resolve('acme/app', 'back') ?? '';
    expect((await api('/repository/acme/app/tag/back', 'quay-oauth-ana-write', 'DELETE')).status).toBe(204);
    const restore = (token: string, body: unknown) => fetch(`${quay.url}/api/v1/repository/acme/app/tag/back/restore`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await restore('quay-oauth-ana-read', { manifest_digest: digest })).status).toBe(403);
    expect((await restore('quay-oauth-ana-write', { manifest_digest: `sha256:${'0'.repeat(64)}` })).status).toBe(404);
    const ok = await restore('quay-oauth-ana-write', { manifest_digest: digest });
    expect(ok.status).toBe(200);
    expect(quay.state.registry.resolve('acme/app', 'back')).toBe(digest);
    expect((await api('/repository/acme/app/tag/back', 'quay-oauth-ana-write', 'DELETE')).status).toBe(204);
    for (const d of quay.state.deletedTags) d.endTs -= quay.state.timeMachineSeconds;
    expect((await restore('quay-oauth-ana-write', { manifest_digest: digest })).status).toBe(404);
  });
});
