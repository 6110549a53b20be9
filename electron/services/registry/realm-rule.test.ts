import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../credentials/secret';
import { registryDriver } from '../registries';
import { RegistryHttp } from './http';
import { prepareLogin } from './logins';
import { realmRefusal } from './realm-rule';
import { RegistryAuth } from './registry-auth';
import { azureCredential } from './testing/credentials';
import { fakeJwt, sendJson, startLocalServer, type LocalServer } from './testing/local-server';

const AAD = 'aad-token-that-opens-every-registry-of-the-tenant';

describe('realmRefusal: one rule for every exchange that sends a secret to a token realm', () => {
  const base = new URL('https://cr.example.com');
  const rule = (realm: string, allowedHosts: readonly string[] | 'any' = [], o: { baseUrl?: URL; realmPlainHttpAllowed?: boolean } = {}) =>
    realmRefusal({ registry: 'cr.example.com', baseUrl: o.baseUrl ?? base, realm: new URL(realm), allowedHosts, realmPlainHttpAllowed: o.realmPlainHttpAllowed ?? false });

  it('allows the registry\'s own host, any port, and the hosts the driver allowlists', () => {
    expect(rule('https://cr.example.com/oauth2/token')).toBeNull();
    expect(rule('https://cr.example.com:8443/token')).toBeNull();
    expect(rule('https://auth.example.net/token', ['auth.example.net'])).toBeNull();
    expect(rule('https://anywhere.example.org/jwt/auth', 'any')).toBeNull();
  });

  it('refuses another host unless allowlisted', () => {
    expect(rule('https://evil.example.org/oauth2/token')?.message).toMatch(/token server on another host \(evil\.example\.org\)/);
    expect(rule('https://cr.example.com.evil.example.org/token')?.message).toMatch(/another host/);
    expect(rule('https://evil.example.org/token', ['auth.example.net'])?.hint).toMatch(/auth\.example\.net/);
  });

  it('refuses a plain-HTTP realm for an https registry, even an allowlisted or "any" one, unless the user allowed plain HTTP there', () => {
    expect(rule('http://cr.example.com/token')?.message).toMatch(/plain-HTTP token server/);
    expect(rule('http://auth.example.net/token', 'any')?.message).toMatch(/plain-HTTP/);
    expect(rule('http://cr.example.com/token', [], { realmPlainHttpAllowed: true })).toBeNull();
    expect(rule('http://cr.example.com/token', [], { baseUrl: new URL('http://cr.example.com') })).toBeNull();
  });

  it('refuses realms that are not http(s)', () => {
    expect(rule('file:///etc/passwd')?.message).toMatch(/not an http\(s\) URL/);
  });
});

describe('ACR AAD exchange and token realms against local servers', () => {
  const servers: LocalServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  /** A registry on 127.0.0.1 whose challenge names `realm`; it answers the exchange on its own origin. */
  async function registryNaming(realm: (registry: LocalServer) => string): Promise<LocalServer> {
    const registry: LocalServer = await startLocalServer((req, res) => {
      if (req.url === '/v2/') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm(registry)}",service="acr.test"` });
        res.end();
        return;
      }
      if (req.method === 'POST' && req.url === '/oauth2/exchange') return sendJson(res, 200, { refresh_token: fakeJwt({ sub: 'acr' }) });
      sendJson(res, 404, {});
    });
    servers.push(registry);
    return registry;
  }

  async function tokenServer(): Promise<LocalServer> {
    const s = await startLocalServer((req, res) => sendJson(res, 200, { refresh_token: fakeJwt({ sub: 'stolen' }), token: fakeJwt({ sub: 'x' }) }));
    servers.push(s);
    return s;
  }

  /** Every name resolves to 127.0.0.1: "other hosts" are other names for a local server. */
  const http = () => new RegistryHttp({ settings: () => ({ registry: 'x', plainHttp: true }), resolveHost: async () => ['127.0.0.1'], sleep: async () => undefined });

  async function acrLogin(registry: LocalServer) {
    const client = http();
    const baseUrl = new URL(registry.url);
    const auth = new RegistryAuth({ http: client, registry: registry.host, baseUrl, login: { kind: 'anonymous' } });
    const ping = await auth.ping();
    if (!ping.ok) throw new Error(ping.error.message);
    const out = await prepareLogin({
      driver: registryDriver('acr'),
      registry: registry.host,
      baseUrl,
      credential: azureCredential(registry.host, AAD),
      settings: { registry: registry.host, plainHttp: true },
      http: client,
      scheme: ping.value.scheme,
      onSecret: () => undefined,
    });
    await client.close();
    return out;
  }

  it('the AAD token is POSTed to the registry\'s own origin, not to the realm\'s (a realm on another port of the same host)', async () => {
    const realm = await tokenServer();
    const registry = await registryNaming(() => `http://127.0.0.1:${realm.port}/oauth2/token`);
    const out = await acrLogin(registry);
    expect(out.ok).toBe(true);
    const exchange = registry.requests.find((r) => r.method === 'POST' && r.url === '/oauth2/exchange');
    expect(exchange?.body).toContain(`access_token=${AAD}`);
    expect(realm.requests.some((r) => r.body.includes(AAD))).toBe(false);
  });

  it('a realm on another host ends the login before the AAD token is sent anywhere', async () => {
    const realm = await tokenServer();
    const registry = await registryNaming(() => `http://acr-token.attacker.test:${realm.port}/oauth2/token`);
    const out = await acrLogin(registry);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error.message).toMatch(/token server on another host \(acr-token\.attacker\.test:\d+\).*Azure AD exchange did not run/);
    expect(realm.requests).toHaveLength(0);
    expect(registry.requests.some((r) => r.body.includes(AAD))).toBe(false);
  });

  it('RegistryAuth sends a password to a realm on another host only where the driver allows it', async () => {
    const realm = await tokenServer();
    const registry = await registryNaming(() => `http://auth.elsewhere.test:${realm.port}/token`);
    const login = { kind: 'basic' as const, username: 'u', password: new Secret('the-password') };
    for (const implementation of ['acr', 'github', 'quay', 'default'] as const) {
      const client = http();
      const auth = new RegistryAuth({ http: client, registry: registry.host, baseUrl: new URL(registry.url), login, tokenRealmHosts: registryDriver(implementation).tokenRealmHosts(registry.host) });
      const t = await auth.token(['repository:app:pull']);
      await client.close();
      if (implementation === 'default') {
        // A distribution registry names its own token server, wherever it runs: Docker does the same.
        expect(t.ok).toBe(true);
      } else {
        expect(t.ok, implementation).toBe(false);
        if (!t.ok) expect(t.error.message).toMatch(/another host/);
      }
    }
    // Only the default registry's request reached the token server.
    expect(realm.requests).toHaveLength(1);
  });
});
