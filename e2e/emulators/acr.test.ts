import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChallenge } from '../services/challenge';
import { seedImage } from '../services/distribution';
import { decodeJwtPart } from '../services/jwt';
import { basicHeader } from '../services/registry-client';
import { ACR_NULL_GUID, startAcrEmulator, type AcrEmulator } from './acr';

const ADMIN = { username: 'stowageacr', password: 'admin-password' };

async function form(url: string, body: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('ACR emulator', () => {
  let emu: AcrEmulator;
  let digest: string;

  async function refreshFor(aadToken: string): Promise<string> {
    const r = await form(`${emu.url}/oauth2/exchange`, { grant_type: 'access_token', service: emu.host, access_token: aadToken });
    expect(r.status).toBe(200);
    return String(r.body.refresh_token);
  }
  async function accessFor(aadToken: string, scope: string): Promise<string> {
    const r = await form(`${emu.url}/oauth2/token`, { grant_type: 'refresh_token', service: emu.host, scope, refresh_token: await refreshFor(aadToken) });
    expect(r.status).toBe(200);
    return String(r.body.access_token);
  }
  const bearer = (path: string, token: string, method = 'GET') => fetch(`${emu.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    emu = await startAcrEmulator({
      admin: ADMIN,
      tokens: [{ name: 'ci-read', password: 'ci-read-pw', scopeMap: { 'team/*': ['content/read', 'metadata/read'] } }],
    });
    digest = await seedImage(emu.url, 'team/app', 'v1', { auth: ADMIN });
    for (const t of ['v2', 'v3', 'v4', 'v5']) await seedImage(emu.url, 'team/app', t, { auth: ADMIN, labels: { t } });
  });
  afterAll(() => emu?.stop());

  test('/v2/ challenges with the ACR realm and the login server as service', async () => {
    const res = await fetch(`${emu.url}/v2/`);
    expect(res.status).toBe(401);
    expect(findChallenge(res.headers.get('www-authenticate'), 'bearer')?.params).toEqual({ realm: `${emu.url}/oauth2/token`, service: emu.host });
  });

  test('AAD exchange → refresh token (JWT with exp) → access token → /v2', async () => {
    const refresh = await refreshFor('aad-acrpull');
    const claims = decodeJwtPart<{ exp: number; sub: string }>(refresh, 1);
    expect(claims.sub).toBe('pull-sp');
    expect(claims.exp * 1000).toBeGreaterThan(Date.now() + 2 * 3600_000);
    const access = await accessFor('aad-acrpull', 'repository:team/app:pull');
    const res = await bearer('/v2/team/app/tags/list', access);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { tags: string[] }).tags).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
  });

  test('exchange refuses unknown AAD tokens and other grant types', async () => {
    expect((await form(`${emu.url}/oauth2/exchange`, { grant_type: 'access_token', service: emu.host, access_token: 'forged' })).status).toBe(401);
    expect((await form(`${emu.url}/oauth2/exchange`, { grant_type: 'password', service: emu.host })).status).toBe(400);
    expect((await form(`${emu.url}/oauth2/token`, { grant_type: 'refresh_token', service: emu.host, scope: 'repository:team/app:pull', refresh_token: 'garbage' })).status).toBe(401);
  });

  test('AcrPull and Reader get pull/metadata_read only; their delete fails after a 200 token', async () => {
    for (const aad of ['aad-acrpull', 'aad-reader', 'aad-acrpush']) {
      const access = await accessFor(aad, 'repository:team/app:pull,delete,metadata_read');
      const granted = decodeJwtPart<{ access: { actions: string[] }[] }>(access, 1).access[0].actions;
      expect(granted).not.toContain('delete');
      const tags = await bearer('/acr/v1/team/app/_tags', access);
      expect(tags.status).toBe(200);
      const del = await bearer('/acr/v1/team/app/_tags/v5', access, 'DELETE');
      expect(del.status).toBe(401);
      expect(findChallenge(del.headers.get('www-authenticate'), 'bearer')?.params).toMatchObject({ error: 'insufficient_scope', scope: 'repository:team/app:delete' });
      const v2del = await bearer(`/v2/team/app/manifests/${digest}`, access, 'DELETE');
      expect(v2del.status).toBe(401);
    }
    expect(emu.state.registry.listTags('team/app')).toContain('v5');
  });

  test('AcrDelete, Contributor and Owner can delete tags', async () => {
    const cases: [string, string][] = [
      ['aad-acrpush-acrdelete', 'v5'],
      ['aad-contributor', 'v4'],
      ['aad-owner', 'v3'],
    ];
    for (const [aad, tag] of cases) {
      const access = await accessFor(aad, 'repository:team/app:delete');
      const del = await bearer(`/acr/v1/team/app/_tags/${tag}`, access, 'DELETE');
      expect(del.status).toBe(202);
      expect(emu.state.registry.listTags('team/app')).not.toContain(tag);
      const again = await bearer(`/acr/v1/team/app/_tags/${tag}`, access, 'DELETE');
      expect(again.status).toBe(404);
      expect(((await again.json()) as { errors: { code: string }[] }).errors[0].code).toBe('TAG_UNKNOWN');
    }
    // Untagging keeps the manifests (they show up untagged).
    const access = await accessFor('aad-reader', 'repository:team/app:metadata_read');
    const manifests = (await (await bearer('/acr/v1/team/app/_manifests', access)).json()) as { manifests: { tags: string[] }[] };
    expect(manifests.manifests.filter((m) => m.tags.length === 0)).toHaveLength(3);
  });

  test('_tags listing shape, pagination and ordering', async () => {
    const access = await accessFor('aad-reader', 'repository:team/app:metadata_read');
    const first = await bearer('/acr/v1/team/app/_tags?n=1&orderby=timedesc', access);
    const body = (await first.json()) as { registry: string; imageName: string; tags: Record<string, unknown>[] };
    expect(body.registry).toBe(emu.host);
    expect(body.imageName).toBe('team/app');
    expect(body.tags).toHaveLength(1);
    expect(Object.keys(body.tags[0]).sort()).toEqual(['changeableAttributes', 'createdTime', 'digest', 'lastUpdateTime', 'name', 'signed']);
    const link = first.headers.get('link') ?? '';
    expect(link).toMatch(/^<\/acr\/v1\/team\/app\/_tags\?last=v\d&n=1&orderby=timedesc>; rel="next"$/);
    const next = await bearer(/<([^>]+)>/.exec(link)?.[1] ?? '', access);
    expect(((await next.json()) as { tags: { name: string }[] }).tags).toHaveLength(1);
  });

  test('admin user and repository-scoped tokens work with Basic on /v2 and the token endpoint', async () => {
    const admin = await fetch(`${emu.url}/v2/team/app/tags/list`, { headers: { authorization: basicHeader(ADMIN.username, ADMIN.password) } });
    expect(admin.status).toBe(200);
    const wrong = await fetch(`${emu.url}/v2/`, { headers: { authorization: basicHeader(ADMIN.username, 'nope') } });
    expect(wrong.status).toBe(401);

    const scoped = basicHeader('ci-read', 'ci-read-pw');
    expect((await fetch(`${emu.url}/acr/v1/team/app/_tags`, { headers: { authorization: scoped } })).status).toBe(200);
    const del = await fetch(`${emu.url}/acr/v1/team/app/_tags/v1`, { method: 'DELETE', headers: { authorization: scoped } });
    expect(del.status).toBe(403);
    const tok = await fetch(`${emu.url}/oauth2/token?service=${emu.host}&scope=repository:team/app:pull,delete`, { headers: { authorization: scoped } });
    const granted = decodeJwtPart<{ access: { actions: string[] }[] }>(((await tok.json()) as { access_token: string }).access_token, 1);
    expect(granted.access[0].actions).toEqual(['pull']);
  });

  test('a refresh token works as a docker identity token (null GUID user)', async () => {
    const refresh = await refreshFor('aad-contributor');
    const res = await fetch(`${emu.url}/oauth2/token?service=${emu.host}&scope=repository:team/app:delete`, { headers: { authorization: basicHeader(ACR_NULL_GUID, refresh) } });
    expect(res.status).toBe(200);
    const claims = decodeJwtPart<{ access: { actions: string[] }[] }>(((await res.json()) as { access_token: string }).access_token, 1);
    expect(claims.access[0].actions).toEqual(['delete']);
  });

  test('a locked tag cannot be deleted', async () => {
    const owner = await accessFor('aad-owner', 'repository:team/app:delete,metadata_write');
    const lock = await fetch(`${emu.url}/acr/v1/team/app/_tags/v2`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ deleteEnabled: false }),
    });
    expect(lock.status).toBe(200);
    expect(((await lock.json()) as { tag: { changeableAttributes: { deleteEnabled: boolean } } }).tag.changeableAttributes.deleteEnabled).toBe(false);
    expect((await bearer('/acr/v1/team/app/_tags/v2', owner, 'DELETE')).status).toBe(405);
  });

  test('refresh tokens expire', async () => {
    const refresh = await refreshFor('aad-owner');
    emu.setClockSkew(4 * 3600);
    try {
      const r = await form(`${emu.url}/oauth2/token`, { grant_type: 'refresh_token', service: emu.host, scope: 'repository:team/app:pull', refresh_token: refresh });
      expect(r.status).toBe(401);
    } finally {
      emu.setClockSkew(0);
    }
  });

  test('delete by digest through /v2 with a Contributor token', async () => {
    const access = await accessFor('aad-contributor', 'repository:team/app:delete');
    const res = await bearer(`/v2/team/app/manifests/${digest}`, access, 'DELETE');
    expect(res.status).toBe(202);
    expect(emu.state.registry.listTags('team/app')).not.toContain('v1');
    expect(emu.requests().some((r) => r.path === '/oauth2/exchange' && r.method === 'POST')).toBe(true);
  });

  test('_manifests and _tags continue lexically after `last`, even when `last` was deleted in between', async () => {
    for (const t of ['k1', 'k2', 'k3', 'k4']) emu.state.registry.addImage('team/lex', { tags: [t] });
    const access = await accessFor('aad-reader', 'repository:team/lex:metadata_read');
    const first = (await (await bearer('/acr/v1/team/lex/_tags?n=2', access)).json()) as { tags: { name: string; digest: string }[] };
    expect(first.tags.map((t) => t.name)).toEqual(['k1', 'k2']);
    emu.state.registry.untag('team/lex', 'k2');
    const next = (await (await bearer('/acr/v1/team/lex/_tags?n=2&last=k2', access)).json()) as { tags: { name: string }[] };
    expect(next.tags.map((t) => t.name)).toEqual(['k3', 'k4']);
    const digests = emu.state.registry.listManifests('team/lex').map((m) => m.digest).sort();
    emu.state.registry.deleteManifest('team/lex', digests[1]!);
    const after = (await (await bearer(`/acr/v1/team/lex/_manifests?n=10&last=${digests[1]}`, access)).json()) as { manifests: { digest: string }[] };
    expect(after.manifests.map((m) => m.digest)).toEqual(digests.slice(2));
  });

  test('a locked manifest (PATCH writeEnabled false) or a locked tag on it refuses the /v2 delete; unlocked it goes', async () => {
    const d = await seedImage(emu.url, 'team/app', 'lockme', { auth: ADMIN, labels: { lock: 'me' } });
    const owner = await accessFor('aad-owner', 'repository:team/app:delete,metadata_write,metadata_read');
    const patch = (path: string, body: unknown) => fetch(`${emu.url}${path}`, { method: 'PATCH', headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch(`/acr/v1/team/app/_manifests/${d}`, { writeEnabled: false })).status).toBe(200);
    const listed = (await (await bearer('/acr/v1/team/app/_manifests', owner)).json()) as { manifests: { digest: string; changeableAttributes: { writeEnabled: boolean } }[] };
    expect(listed.manifests.find((m) => m.digest === d)?.changeableAttributes.writeEnabled).toBe(false);
    expect((await bearer(`/v2/team/app/manifests/${d}`, owner, 'DELETE')).status).toBe(405);
    expect((await patch(`/acr/v1/team/app/_manifests/${d}`, { writeEnabled: true })).status).toBe(200);
    expect((await patch('/acr/v1/team/app/_tags/lockme', { deleteEnabled: false })).status).toBe(200);
    expect((await bearer(`/v2/team/app/manifests/${d}`, owner, 'DELETE')).status).toBe(405);
    expect((await patch('/acr/v1/team/app/_tags/lockme', { deleteEnabled: true })).status).toBe(200);
    expect((await bearer(`/v2/team/app/manifests/${d}`, owner, 'DELETE')).status).toBe(202);
    expect(emu.state.registry.manifest('team/app', d)).toBeUndefined();
  });
});

