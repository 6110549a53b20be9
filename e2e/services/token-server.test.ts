import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChallenge } from './challenge';
import { seedImage } from './distribution';
import { decodeJwtPart } from './jwt';
import { ACCEPT_ALL, basicHeader, type TokenResponse } from './registry-client';
import { startTokenAuthRegistry, startTokenServer, type TokenAuthRegistry, type TokenUser } from './token-server';

const users: TokenUser[] = [
  { username: 'admin', password: 'admin-pw', grants: { '*': ['*'] }, catalog: true },
  { username: 'reader', password: 'reader-pw', grants: { 'team/*': ['pull'] } },
  { username: 'pusher', password: 'pusher-pw', grants: { 'team/*': ['pull', 'push'] } },
];
const ADMIN = { username: 'admin', password: 'admin-pw' };

async function token(env: TokenAuthRegistry, scopes: string[], auth?: { username: string; password: string }, extra: Record<string, string> = {}): Promise<{ status: number; body: TokenResponse }> {
  const u = new URL(env.tokenServer.realm);
  u.searchParams.set('service', env.tokenServer.service);
  for (const s of scopes) u.searchParams.append('scope', s);
  for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
  const res = await fetch(u, { headers: auth ? { authorization: basicHeader(auth.username, auth.password) } : {} });
  return { status: res.status, body: (await res.json()) as TokenResponse };
}

async function oauth(env: TokenAuthRegistry, form: Record<string, string>): Promise<{ status: number; body: TokenResponse & { error?: string; scope?: string } }> {
  const res = await fetch(env.tokenServer.realm, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ service: env.tokenServer.service, ...form }).toString(),
  });
  return { status: res.status, body: (await res.json()) as TokenResponse & { error?: string; scope?: string } };
}

function reg(env: TokenAuthRegistry, path: string, method: string, bearer?: string): Promise<import('undici').Response> {
  return fetch(`${env.registry.url}${path}`, { method, headers: { accept: ACCEPT_ALL, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } });
}

describe('token auth against the real registry (x5c header)', () => {
  let env: TokenAuthRegistry;
  let digest: string;
  beforeAll(async () => {
    env = await startTokenAuthRegistry(users, { anonymous: { 'public/*': ['pull'] } });
    digest = await seedImage(env.registry.url, 'team/app', 'v1', { auth: ADMIN });
    await seedImage(env.registry.url, 'public/app', 'v1', { auth: ADMIN });
  });
  afterAll(() => env?.stop());

  test('challenge → token → list', async () => {
    const anon = await reg(env, '/v2/team/app/tags/list', 'GET');
    expect(anon.status).toBe(401);
    const ch = findChallenge(anon.headers.get('www-authenticate'), 'bearer');
    expect(ch?.params).toMatchObject({ realm: env.tokenServer.realm, service: env.tokenServer.service, scope: 'repository:team/app:pull' });

    const t = await token(env, [ch?.params.scope ?? ''], { username: 'reader', password: 'reader-pw' });
    expect(t.status).toBe(200);
    expect(t.body.token).toBe(t.body.access_token);
    expect(t.body.expires_in).toBe(300);
    const header = decodeJwtPart<{ alg: string; x5c?: string[]; kid?: string }>(t.body.token ?? '', 0);
    expect(header.alg).toBe('ES256');
    expect(header.x5c).toHaveLength(1);

    const list = await reg(env, '/v2/team/app/tags/list', 'GET', t.body.token);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ name: 'team/app', tags: ['v1'] });
    expect(env.tokenServer.issued().at(-1)).toMatchObject({ username: 'reader', scopes: ['repository:team/app:pull'] });
  });

  test('a pull-only user gets a 200 token that cannot delete', async () => {
    const t = await token(env, ['repository:team/app:pull,delete'], { username: 'reader', password: 'reader-pw' });
    expect(t.status).toBe(200);
    const claims = decodeJwtPart<{ access: { name: string; actions: string[] }[] }>(t.body.token ?? '', 1);
    expect(claims.access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    expect(env.tokenServer.issued().at(-1)).toMatchObject({ scopes: ['repository:team/app:pull'], requested: ['repository:team/app:pull,delete'] });

    const del = await reg(env, `/v2/team/app/manifests/${digest}`, 'DELETE', t.body.token);
    expect(del.status).toBe(401);
    expect(findChallenge(del.headers.get('www-authenticate'), 'bearer')?.params).toMatchObject({
      error: 'insufficient_scope',
      scope: 'repository:team/app:delete',
    });
    const still = await reg(env, `/v2/team/app/manifests/${digest}`, 'HEAD', t.body.token);
    expect(still.status).toBe(200);
  });

  test('a push user cannot delete either, and cannot reach other repositories', async () => {
    const auth = { username: 'pusher', password: 'pusher-pw' };
    const t = await token(env, ['repository:team/app:delete', 'repository:other/app:pull'], auth);
    expect(t.status).toBe(200);
    expect(decodeJwtPart<{ access: unknown[] }>(t.body.token ?? '', 1).access).toEqual([]);
    await expect(seedImage(env.registry.url, 'team/pushed', 'v1', { auth })).resolves.toMatch(/^sha256:/);
    await expect(seedImage(env.registry.url, 'other/pushed', 'v1', { auth })).rejects.toThrow(/401/);
  });

  test('bad credentials get 401 from the token server; anonymous pull only where configured', async () => {
    const bad = await token(env, ['repository:team/app:pull'], { username: 'reader', password: 'wrong' });
    expect(bad.status).toBe(401);
    const anonPublic = await token(env, ['repository:public/app:pull']);
    expect(anonPublic.status).toBe(200);
    expect((await reg(env, '/v2/public/app/tags/list', 'GET', anonPublic.body.token)).status).toBe(200);
    const anonPrivate = await token(env, ['repository:team/app:pull']);
    expect(anonPrivate.status).toBe(200);
    expect((await reg(env, '/v2/team/app/tags/list', 'GET', anonPrivate.body.token)).status).toBe(401);
    // Other tests share this token server, so look for this request rather than the last one issued.
    const anonymous = env.tokenServer.issued().filter((i) => i.username === null && i.requested.includes('repository:team/app:pull'));
    expect(anonymous.length).toBeGreaterThan(0);
    expect(anonymous.every((i) => i.scopes.length === 0)).toBe(true);
  });

  test('a user with delete removes by digest', async () => {
    const d = await seedImage(env.registry.url, 'team/del', 'v1', { auth: ADMIN, labels: { x: 'del' } });
    const t = await token(env, ['repository:team/del:delete'], ADMIN);
    expect((await reg(env, `/v2/team/del/manifests/${d}`, 'DELETE', t.body.token)).status).toBe(202);
  });

  test('catalog needs registry:catalog:*', async () => {
    const admin = await token(env, ['registry:catalog:*'], ADMIN);
    const res = await reg(env, '/v2/_catalog', 'GET', admin.body.token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { repositories: string[] }).repositories).toContain('team/app');
    const reader = await token(env, ['registry:catalog:*'], { username: 'reader', password: 'reader-pw' });
    expect((await reg(env, '/v2/_catalog', 'GET', reader.body.token)).status).toBe(401);
  });

  test('OAuth2 POST: password grant with offline access, then refresh_token grant', async () => {
    const noClient = await oauth(env, { grant_type: 'password', username: 'reader', password: 'reader-pw', scope: 'repository:team/app:pull' });
    expect(noClient.status).toBe(400);
    const badPw = await oauth(env, { grant_type: 'password', client_id: 'stowage', username: 'reader', password: 'x' });
    expect(badPw.status).toBe(401);

    const first = await oauth(env, { grant_type: 'password', client_id: 'stowage', access_type: 'offline', username: 'reader', password: 'reader-pw', scope: 'repository:team/app:pull repository:team/app:delete' });
    expect(first.status).toBe(200);
    expect(first.body.scope).toBe('repository:team/app:pull');
    expect(first.body.refresh_token).toBeTruthy();

    const refreshed = await oauth(env, { grant_type: 'refresh_token', client_id: 'stowage', refresh_token: first.body.refresh_token ?? '', scope: 'repository:team/app:pull' });
    expect(refreshed.status).toBe(200);
    expect((await reg(env, '/v2/team/app/tags/list', 'GET', refreshed.body.access_token)).status).toBe(200);

    const offlineGet = await token(env, ['repository:team/app:pull'], { username: 'reader', password: 'reader-pw' }, { offline_token: 'true', client_id: 'stowage' });
    expect(offlineGet.body.refresh_token).toBeTruthy();

    env.tokenServer.revokeRefreshTokens();
    const revoked = await oauth(env, { grant_type: 'refresh_token', client_id: 'stowage', refresh_token: first.body.refresh_token ?? '' });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toBe('invalid_grant');
  });

  test('an expired token is refused by the registry', async () => {
    env.tokenServer.setClockSkew(-3600);
    try {
      const t = await token(env, ['repository:team/app:pull'], ADMIN);
      expect(t.status).toBe(200);
      const res = await reg(env, '/v2/team/app/tags/list', 'GET', t.body.token);
      expect(res.status).toBe(401);
      expect(findChallenge(res.headers.get('www-authenticate'), 'bearer')?.params.error).toBe('invalid_token');
    } finally {
      env.tokenServer.setClockSkew(0);
    }
  });

  test('a token signed by another issuer key is refused', async () => {
    const rogue = await startTokenServer({ users, service: env.tokenServer.service, issuer: env.tokenServer.issuer });
    try {
      const u = new URL(rogue.realm);
      u.searchParams.set('scope', 'repository:team/app:pull');
      const res = await fetch(u, { headers: { authorization: basicHeader('admin', 'admin-pw') } });
      const body = (await res.json()) as TokenResponse;
      expect((await reg(env, '/v2/team/app/tags/list', 'GET', body.token)).status).toBe(401);
    } finally {
      await rogue.stop();
    }
  });
});

describe('token auth with a libtrust kid header', () => {
  let env: TokenAuthRegistry;
  beforeAll(async () => {
    env = await startTokenAuthRegistry(users, { keyHint: 'kid', expiresIn: 90 });
  });
  afterAll(() => env?.stop());

  test('the registry accepts kid-signed tokens', async () => {
    const digest = await seedImage(env.registry.url, 'team/app', 'v1', { auth: ADMIN });
    const t = await token(env, ['repository:team/app:pull'], { username: 'reader', password: 'reader-pw' });
    expect(t.body.expires_in).toBe(90);
    const header = decodeJwtPart<{ kid?: string; x5c?: unknown }>(t.body.token ?? '', 0);
    expect(header.kid).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    expect(header.x5c).toBeUndefined();
    const res = await reg(env, `/v2/team/app/manifests/v1`, 'HEAD', t.body.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    const anon = await token(env, ['repository:team/app:pull']);
    expect(anon.status).toBe(401);
  });
});
