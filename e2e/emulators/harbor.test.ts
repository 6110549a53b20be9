import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChallenge } from '../services/challenge';
import { seedImage, seedIndex } from '../services/distribution';
import { RegistryClient, basicHeader } from '../services/registry-client';
import { startHarborEmulator, type HarborEmulator } from './harbor';

interface Artifact {
  id: number;
  digest: string;
  size: number;
  tags: { name: string; immutable: boolean }[] | null;
  references: { child_digest: string; platform: { architecture: string } | null }[] | null;
  manifest_media_type: string;
}

describe('Harbor emulator', () => {
  let harbor: HarborEmulator;
  const admin = { username: 'admin', password: 'Harbor12345' };
  const call = (path: string, auth?: { username: string; password: string }, method = 'GET') =>
    fetch(`${harbor.apiUrl}${path}`, { method, headers: auth ? { authorization: basicHeader(auth.username, auth.password) } : {} });
  const ART = '/projects/team/repositories/sub%252Fapp/artifacts';

  beforeAll(async () => {
    harbor = await startHarborEmulator();
    for (let i = 1; i <= 4; i++) await seedImage(harbor.url, 'team/sub/app', `v${i}`, { auth: { username: 'robot$team+ci', password: 'ci-secret' }, labels: { i: String(i) } });
    await seedIndex(harbor.url, 'team/sub/app', 'multi', { auth: admin });
    await seedImage(harbor.url, 'library/base', 'v1', { auth: admin });
  });
  afterAll(() => harbor?.stop());

  test('systeminfo answers anonymously; version only when authenticated', async () => {
    const anon = (await (await call('/systeminfo')).json()) as Record<string, unknown>;
    expect(anon.auth_mode).toBe('db_auth');
    expect(anon.harbor_version).toBeUndefined();
    const authed = (await (await call('/systeminfo', admin)).json()) as Record<string, unknown>;
    expect(authed.harbor_version).toMatch(/^v2\./);
    const res = await fetch(`${harbor.url}/v2/`);
    expect(findChallenge(res.headers.get('www-authenticate'), 'bearer')?.params).toEqual({ realm: `${harbor.url}/service/token`, service: 'harbor-registry' });
  });

  test('users/current and relative permissions per role and robot', async () => {
    expect(((await (await call('/users/current', { username: 'maint', password: 'maint-pw' })).json()) as { username: string }).username).toBe('maint');
    expect((await call('/users/current', { username: 'maint', password: 'x' })).status).toBe(401);
    expect((await call('/users/current')).status).toBe(401);
    const permsOf = async (auth: { username: string; password: string }): Promise<string[]> =>
      ((await (await call('/users/current/permissions?scope=/project/2&relative=true', auth)).json()) as { resource: string; action: string }[]).map((p) => `${p.resource}:${p.action}`);
    expect(await permsOf({ username: 'maint', password: 'maint-pw' })).toEqual(expect.arrayContaining(['repository:delete', 'artifact:delete', 'tag:delete']));
    const dev = await permsOf({ username: 'dev', password: 'dev-pw' });
    expect(dev).toContain('repository:push');
    expect(dev).not.toContain('artifact:delete');
    expect(await permsOf({ username: 'guest', password: 'guest-pw' })).not.toContain('repository:push');
    expect(await permsOf({ username: 'robot$team+cleaner', password: 'cleaner-secret' })).toEqual(expect.arrayContaining(['artifact:delete', 'tag:delete']));
    const absolute = (await (await call('/users/current/permissions?scope=/project/2', { username: 'dev', password: 'dev-pw' })).json()) as { resource: string }[];
    expect(absolute[0].resource).toMatch(/^\/project\/2\//);
  });

  test('artifacts listing needs the repository name encoded twice', async () => {
    const res = await call(`${ART}?with_tag=true&page_size=2`, { username: 'guest', password: 'guest-pw' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe('7');
    expect(res.headers.get('link')).toContain('rel="next"');
    const page = (await res.json()) as Artifact[];
    expect(page).toHaveLength(2);
    const all = (await (await call(`${ART}?page_size=100`, { username: 'guest', password: 'guest-pw' })).json()) as Artifact[];
    const multi = all.find((a) => a.tags?.some((t) => t.name === 'multi'));
    expect(multi?.references?.map((r) => r.platform?.architecture)).toEqual(['amd64', 'arm64']);
    const untagged = (await (await call(`${ART}?q=${encodeURIComponent('tags=nil')}`, admin)).json()) as Artifact[];
    expect(untagged).toHaveLength(2);
    expect(untagged.every((a) => a.tags === null)).toBe(true);
    expect((await call('/projects/team/repositories/sub%2Fapp/artifacts', admin)).status).toBe(404);
    const repos = (await (await call('/projects/team/repositories', admin)).json()) as { name: string }[];
    expect(repos.map((r) => r.name)).toEqual(['team/sub/app']);
  });

  test('private projects: anonymous 401, outsiders 404; public project readable anonymously', async () => {
    expect((await call(ART)).status).toBe(401);
    expect((await call('/projects/library/repositories/base/artifacts')).status).toBe(200);
    const projects = (await (await call('/projects')).json()) as { name: string }[];
    expect(projects.map((p) => p.name)).toEqual(['library']);
  });

  test('deletes: developer and guest 403, tag delete and artifact delete with maintainer/robot', async () => {
    const dev = { username: 'dev', password: 'dev-pw' };
    expect((await call(`${ART}/v4/tags/v4`, dev, 'DELETE')).status).toBe(403);
    const guestDel = await call(`${ART}/v4`, { username: 'guest', password: 'guest-pw' }, 'DELETE');
    expect(guestDel.status).toBe(403);
    expect(await guestDel.json()).toEqual({ errors: [{ code: 'FORBIDDEN', message: 'forbidden', detail: null }] });
    expect((await call(`${ART}/v4`, { username: 'robot$team+ci', password: 'ci-secret' }, 'DELETE')).status).toBe(403);

    const cleaner = { username: 'robot$team+cleaner', password: 'cleaner-secret' };
    expect((await call(`${ART}/v4/tags/v4`, cleaner, 'DELETE')).status).toBe(200);
    expect(harbor.state.registry.listTags('team/sub/app')).not.toContain('v4');

    const tagRec = harbor.state.registry.repo('team/sub/app')?.tags.get('v3');
    if (tagRec) tagRec.immutable = true;
    const immutable = await call(`${ART}/v3`, cleaner, 'DELETE');
    expect(immutable.status).toBe(412);
    expect(((await immutable.json()) as { errors: { code: string }[] }).errors[0].code).toBe('PRECONDITION');

    const maint = { username: 'maint', password: 'maint-pw' };
    const before = harbor.state.registry.listManifests('team/sub/app').length;
    expect((await call(`${ART}/v2`, maint, 'DELETE')).status).toBe(200);
    expect(harbor.state.registry.listManifests('team/sub/app')).toHaveLength(before - 1);
    expect((await call(`${ART}/v2`, maint, 'DELETE')).status).toBe(404);
  });

  test('/service/token and /v2: delete by tag UNSUPPORTED, by digest needs delete permission', async () => {
    const cleaner = new RegistryClient(harbor.url, { auth: { username: 'robot$team+cleaner', password: 'cleaner-secret' } });
    const byTag = await cleaner.json<{ errors: { code: string }[] }>('DELETE', '/v2/team/sub/app/manifests/v1');
    expect(byTag.status).toBe(400);
    expect(byTag.body.errors[0].code).toBe('UNSUPPORTED');
    const digest = harbor.state.registry.resolve('team/sub/app', 'v1') ?? '';
    const devClient = new RegistryClient(harbor.url, { auth: { username: 'dev', password: 'dev-pw' } });
    expect((await devClient.request('DELETE', `/v2/team/sub/app/manifests/${digest}`)).status).toBe(401);
    expect((await cleaner.request('DELETE', `/v2/team/sub/app/manifests/${digest}`)).status).toBe(202);
    expect(harbor.state.registry.listTags('team/sub/app')).not.toContain('v1');
    const tok = await fetch(`${harbor.url}/service/token?service=harbor-registry&scope=repository:team/sub/app:pull`, { headers: { authorization: basicHeader('dev', 'wrong') } });
    expect(tok.status).toBe(401);
  });

  test('#18.7 an index child is refused (412 referenced by others); deleting the index takes its untagged children; immutable refuses on /v2 too', async () => {
    const maint = { username: 'maint', password: 'maint-pw' };
    const idx = await seedIndex(harbor.url, 'team/multi', 'm1', { auth: admin, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 's390x' }] });
    // One child also carries its own tag: it must survive the index.
    const reg = harbor.state.registry;
    reg.setTag('team/multi', 'amd64-only', idx.children[0].digest);
    const ARTM = '/projects/team/repositories/multi/artifacts';
    const child = await call(`${ARTM}/${idx.children[1].digest}`, maint, 'DELETE');
    expect(child.status).toBe(412);
    expect(((await child.json()) as { errors: { code: string; message: string }[] }).errors[0]).toMatchObject({ code: 'PRECONDITION', message: expect.stringContaining('referenced by others') });
    expect((await call(`${ARTM}/${idx.digest}`, maint, 'DELETE')).status).toBe(200);
    expect(reg.manifest('team/multi', idx.digest)).toBeUndefined();
    expect(reg.manifest('team/multi', idx.children[1].digest)).toBeUndefined();
    expect(reg.manifest('team/multi', idx.children[0].digest)).toBeDefined();

    const d = await seedImage(harbor.url, 'team/multi', 'frozen', { auth: admin, labels: { f: '1' } });
    const rec = reg.repo('team/multi')?.tags.get('frozen');
    if (rec) rec.immutable = true;
    const v2 = new RegistryClient(harbor.url, { auth: maint });
    const refused = await v2.json<{ errors: { code: string }[] }>('DELETE', `/v2/team/multi/manifests/${d}`);
    expect(refused.status).toBe(412);
    expect(refused.body.errors[0].code).toBe('PRECONDITION');
    expect((await call(`${ARTM}/${d}/tags/frozen`, maint, 'DELETE')).status).toBe(412);
    expect(reg.resolve('team/multi', 'frozen')).toBe(d);
  });
});

