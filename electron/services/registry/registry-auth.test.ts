import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../credentials/secret';
import { RegistryHttp } from './http';
import { RegistryAuth, type RegistryLogin } from './registry-auth';
import { makeTestPki } from './testing/certs';
import { fakeJwt, sendJson, startLocalServer, type LocalServer } from './testing/local-server';
import { compareGrant, inspectToken } from './token-claims';

const servers: LocalServer[] = [];
const clients: RegistryHttp[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function http(opts: ConstructorParameters<typeof RegistryHttp>[0] = {}): RegistryHttp {
  const c = new RegistryHttp({ sleep: async () => undefined, ...opts });
  clients.push(c);
  return c;
}

async function server(...args: Parameters<typeof startLocalServer>): Promise<LocalServer> {
  const s = await startLocalServer(...args);
  servers.push(s);
  return s;
}

/** A token server that grants, per user, the intersection of what was asked and what is allowed. */
async function tokenServer(allowed: Record<string, string[]>, opts: { oauth?: boolean; jwt?: boolean; expiresIn?: number } = {}): Promise<LocalServer> {
  return server((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let scopes: string[];
    let user: string | null = null;
    if (req.method === 'POST') {
      if (!opts.oauth) {
        sendJson(res, 404, { message: 'no oauth here' });
        return;
      }
      const form = new URLSearchParams(req.body);
      scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
      user = form.get('refresh_token') === 'refresh-abc' ? 'robot' : null;
      if (!user) {
        sendJson(res, 401, { error: 'invalid_grant' });
        return;
      }
    } else {
      scopes = url.searchParams.getAll('scope');
      const auth = req.headers.authorization;
      if (auth) {
        const [u, p] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':');
        if (p !== `${u}-pw`) {
          sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
          return;
        }
        user = u ?? null;
      }
    }
    const mine = allowed[user ?? ''] ?? [];
    const access = scopes.map((s) => {
      const [type, name, actions] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1, s.lastIndexOf(':')), s.slice(s.lastIndexOf(':') + 1)];
      return { type, name, actions: actions.split(',').filter((a) => mine.includes(a)) };
    });
    const token = opts.jwt === false ? `opaque-${user ?? 'anon'}-${scopes.join('+')}` : fakeJwt({ sub: user ?? '', access, exp: Math.floor(Date.now() / 1000) + 300 });
    sendJson(res, 200, { token, ...(opts.expiresIn !== undefined ? { expires_in: opts.expiresIn } : {}) });
  });
}

/** A registry whose /v2/ asks for Bearer auth at `realm` and whose operations check the token's access claim. */
async function bearerRegistry(realm: () => string, need: Record<string, string> = {}): Promise<LocalServer> {
  return server((req, res) => {
    const challenge = (scope?: string): string => `Bearer realm="${realm()}",service="test-registry"${scope ? `,scope="${scope}"` : ''}`;
    const auth = req.headers.authorization;
    if (req.url === '/v2/') {
      if (!auth) {
        sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'auth required' }] }, { 'www-authenticate': challenge() });
        return;
      }
      sendJson(res, 200, {});
      return;
    }
    const scope = need[`${req.method} ${req.url}`];
    if (scope) {
      const token = auth?.replace(/^Bearer /, '') ?? '';
      const grant = inspectToken(token);
      const ok = grant.inspectable && compareGrant([scope], grant).complete;
      if (!ok) {
        sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'insufficient scope' }] }, { 'www-authenticate': `${challenge(scope)},error="insufficient_scope"` });
        return;
      }
    }
    sendJson(res, req.method === 'DELETE' ? 202 : 200, { ok: true });
  });
}

function authFor(registry: LocalServer, login: RegistryLogin, client = http(), now?: () => number): RegistryAuth {
  return new RegistryAuth({ http: client, registry: registry.host, baseUrl: new URL(registry.url), login, ...(now ? { now } : {}) });
}

describe('JWT access claims (decoded, not verified)', () => {
  it('reads access, exp and sub', () => {
    const token = fakeJwt({ sub: 'reader', exp: 2_000_000_000, access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] });
    expect(inspectToken(token)).toEqual({ inspectable: true, access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }], expiresAt: 2_000_000_000_000, subject: 'reader' });
  });

  it('says why a token cannot be inspected', () => {
    expect(inspectToken('ghcr-opaque-token')).toMatchObject({ inspectable: false, reason: expect.stringContaining('opaque') });
    expect(inspectToken('a.b!c.d')).toMatchObject({ inspectable: false });
    expect(inspectToken(`x.${Buffer.from('not json').toString('base64url')}.y`)).toMatchObject({ inspectable: false, reason: expect.stringContaining('not JSON') });
    expect(inspectToken(fakeJwt({ sub: 'x' }))).toMatchObject({ inspectable: false, reason: expect.stringContaining('without an "access" claim') });
    expect(inspectToken(fakeJwt({ access: 'nope' }))).toMatchObject({ inspectable: false });
  });

  it('a null access claim means nothing granted', () => {
    expect(inspectToken(fakeJwt({ access: null }))).toEqual({ inspectable: true, access: [] });
  });

  it('compares what was asked with what was granted, wildcards included', () => {
    const grant = inspectToken(fakeJwt({ access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] }));
    expect(compareGrant(['repository:team/app:pull,push,delete'], grant)).toMatchObject({
      inspectable: true,
      complete: false,
      resources: [{ granted: ['pull'], missing: ['push', 'delete'] }],
    });
    const star = inspectToken(fakeJwt({ access: [{ type: 'repository', name: 'team/app', actions: ['*'] }] }));
    expect(compareGrant(['repository:team/app:pull,delete'], star).complete).toBe(true);
    const anyRepo = inspectToken(fakeJwt({ access: [{ type: 'repository', name: '*', actions: ['pull'] }] }));
    expect(compareGrant(['repository:x/y:pull'], anyRepo).complete).toBe(true);
    expect(compareGrant(['repository:x/y:pull'], { inspectable: false, reason: 'opaque' })).toMatchObject({ inspectable: false, complete: false, reason: 'opaque' });
  });
});

describe('RegistryAuth', () => {
  it('Basic registries get the Basic header on every request', async () => {
    const reg = await server((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="basic-realm"' });
        res.end();
        return;
      }
      sendJson(res, 200, { tags: ['v1'] });
    });
    const auth = authFor(reg, { kind: 'basic', username: 'u', password: new Secret('p') });
    const ping = await auth.ping();
    expect(ping.ok && ping.value.scheme).toEqual({ kind: 'basic', realm: 'basic-realm' });
    const r1 = await auth.request({ method: 'GET', path: '/v2/a/tags/list', scopes: ['repository:a:pull'] });
    const r2 = await auth.request({ method: 'HEAD', path: '/v2/a/manifests/v1', scopes: ['repository:a:pull'] });
    expect(r1.outcome.ok && r1.outcome.response.status).toBe(200);
    expect(r2.outcome.ok && r2.outcome.response.status).toBe(200);
    const expected = `Basic ${Buffer.from('u:p').toString('base64')}`;
    expect(reg.requests.slice(1).map((r) => r.headers.authorization)).toEqual([expected, expected]);
  });

  it('caches tokens per scope set until they expire', async () => {
    const ts = await tokenServer({ u: ['pull', 'push'] }, { expiresIn: 120 });
    const reg = await bearerRegistry(() => `${ts.url}/token`);
    let now = Date.now();
    const auth = authFor(reg, { kind: 'basic', username: 'u', password: new Secret('u-pw') }, http(), () => now);
    const a = await auth.token(['repository:a:pull', 'repository:b:pull']);
    const b = await auth.token(['repository:b:pull', 'repository:a:pull']);
    expect(a.ok && a.value.cached).toBe(false);
    expect(b.ok && b.value.cached).toBe(true);
    expect(ts.requests).toHaveLength(1);
    expect(new URL(ts.requests[0]!.url, 'http://x').searchParams.getAll('scope')).toEqual(['repository:a:pull', 'repository:b:pull']);
    expect(new URL(ts.requests[0]!.url, 'http://x').searchParams.get('service')).toBe('test-registry');
    await auth.token(['repository:a:pull,push']);
    expect(ts.requests).toHaveLength(2);
    now += 115_000; // inside the renewal margin of a 120 s token
    const c = await auth.token(['repository:a:pull', 'repository:b:pull']);
    expect(c.ok && c.value.cached).toBe(false);
    expect(ts.requests).toHaveLength(3);
  });

  it('assumes 60 s when the token server gives no lifetime', async () => {
    const ts = await tokenServer({ u: ['pull'] });
    const reg = await bearerRegistry(() => `${ts.url}/token`);
    const now = 1_000_000;
    const auth = authFor(reg, { kind: 'basic', username: 'u', password: new Secret('u-pw') }, http(), () => now);
    const t = await auth.token(['repository:a:pull']);
    expect(t.ok && t.value.expiresAt).toBe(now + 60_000);
  });

  it('on a 401 from an operation, fetches a token for the scope the challenge names and retries once', async () => {
    const ts = await tokenServer({ u: ['pull', 'push', 'delete'] });
    const reg = await bearerRegistry(() => `${ts.url}/token`, { 'DELETE /v2/a/manifests/sha256:1': 'repository:a:pull,push' });
    const auth = authFor(reg, { kind: 'basic', username: 'u', password: new Secret('u-pw') });
    const r = await auth.request({ method: 'DELETE', path: '/v2/a/manifests/sha256:1', scopes: ['repository:a:delete'] });
    expect(r.rechallenged).toBe(true);
    expect(r.outcome.ok && r.outcome.response.status).toBe(202);
    const asked = ts.requests.map((q) => new URL(q.url, 'http://x').searchParams.getAll('scope'));
    expect(asked).toEqual([['repository:a:delete'], ['repository:a:delete,pull,push']]);
  });

  it('a user the token server limits stays refused after the re-challenge, and the grant shows why', async () => {
    const ts = await tokenServer({ u: ['pull'] });
    const reg = await bearerRegistry(() => `${ts.url}/token`, { 'DELETE /v2/a/manifests/sha256:1': 'repository:a:delete' });
    const auth = authFor(reg, { kind: 'basic', username: 'u', password: new Secret('u-pw') });
    const r = await auth.request({ method: 'DELETE', path: '/v2/a/manifests/sha256:1', scopes: ['repository:a:delete'] });
    expect(r.outcome.ok && r.outcome.response.status).toBe(401);
    expect(r.token && compareGrant(r.token.scopes, r.token.grant)).toMatchObject({ complete: false, resources: [{ granted: [], missing: ['delete'] }] });
  });

  it('identity tokens use the OAuth2 refresh-token grant', async () => {
    const ts = await tokenServer({ robot: ['pull'] }, { oauth: true });
    const reg = await bearerRegistry(() => `${ts.url}/token`);
    const auth = authFor(reg, { kind: 'identity-token', username: '<token>', token: new Secret('refresh-abc') });
    const t = await auth.token(['repository:a:pull']);
    expect(t.ok && t.value.source).toBe('oauth2-refresh-token');
    const form = new URLSearchParams(ts.requests[0]!.body);
    expect(ts.requests[0]!.method).toBe('POST');
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'refresh_token', service: 'test-registry', client_id: 'stowage', scope: 'repository:a:pull', refresh_token: 'refresh-abc' });
  });

  it('falls back to GET when the token server has no OAuth2 endpoint (404)', async () => {
    const ts = await tokenServer({ '<token>': ['pull'] }, { oauth: false });
    const reg = await bearerRegistry(() => `${ts.url}/token`);
    const auth = authFor(reg, { kind: 'identity-token', username: '<token>', token: new Secret('<token>-pw') });
    const t = await auth.token(['repository:a:pull']);
    expect(t.ok && t.value.source).toBe('oauth2-fallback-get');
    expect(ts.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(ts.requests[1]!.headers.authorization).toBe(`Basic ${Buffer.from('<token>:<token>-pw').toString('base64')}`);
  });

  it('registry tokens go straight to the registry', async () => {
    const reg = await bearerRegistry(() => 'http://127.0.0.1:1/never');
    const token = fakeJwt({ access: [{ type: 'repository', name: 'a', actions: ['pull'] }] });
    const auth = authFor(reg, { kind: 'registry-token', token: new Secret(token) });
    const r = await auth.request({ method: 'GET', path: '/v2/a/tags/list', scopes: ['repository:a:pull'] });
    expect(r.outcome.ok && r.outcome.response.status).toBe(200);
    expect(reg.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
    const t = await auth.token(['repository:a:pull']);
    expect(t.ok && t.value.grant.inspectable).toBe(true);
  });

  it('opaque tokens are used but reported as not inspectable', async () => {
    const ts = await tokenServer({ u: ['pull'] }, { jwt: false });
    const reg = await bearerRegistry(() => `${ts.url}/token`);
    const auth = authFor(reg, { kind: 'basic', username: 'u', password: new Secret('u-pw') });
    const t = await auth.token(['repository:a:pull']);
    expect(t.ok && t.value.grant).toMatchObject({ inspectable: false, reason: expect.stringContaining('opaque') });
  });

  it('wrong password at the token server is a 401 that names the registry', async () => {
    const ts = await tokenServer({ u: ['pull'] });
    const reg = await bearerRegistry(() => `${ts.url}/token`);
    const auth = authFor(reg, { kind: 'basic', username: 'u', password: new Secret('wrong') });
    const v = await auth.verifyLogin();
    expect(v.ok).toBe(false);
    expect(!v.ok && v.error.status).toBe(401);
    expect(!v.ok && v.error.hint).toContain(`Wrong user name or password for ${reg.host}`);
  });

  it('refuses to send credentials to a plain-HTTP token server named by an HTTPS registry', async () => {
    const pki = makeTestPki();
    const ts = await tokenServer({ u: ['pull'] });
    const tlsReg = await server((req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${ts.url}/token",service="s"` });
      res.end();
    }, { key: pki.key, cert: pki.cert });
    const client = http({ settings: [{ registry: tlsReg.host, caFile: pki.caFile }] });
    const auth = new RegistryAuth({ http: client, registry: tlsReg.host, baseUrl: new URL(tlsReg.url), login: { kind: 'basic', username: 'u', password: new Secret('u-pw') } });
    const t = await auth.token(['repository:a:pull']);
    expect(t.ok).toBe(false);
    expect(!t.ok && t.error.message).toContain('plain-HTTP token server');
    expect(ts.requests).toHaveLength(0);
  });

  it('adopts the challenge of an operation when /v2/ itself was open', async () => {
    const ts = await tokenServer({ u: ['pull'] });
    const reg = await server((req, res) => {
      if (req.url === '/v2/') return sendJson(res, 200, {});
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${ts.url}/token",service="svc",scope="repository:a:pull"` });
        res.end();
        return;
      }
      sendJson(res, 200, { tags: [] });
    });
    const auth = authFor(reg, { kind: 'basic', username: 'u', password: new Secret('u-pw') });
    await auth.ping();
    const r = await auth.request({ method: 'GET', path: '/v2/a/tags/list', scopes: ['repository:a:pull'] });
    expect(r.outcome.ok && r.outcome.response.status).toBe(200);
    expect(auth.scheme?.kind).toBe('bearer');
  });
});
