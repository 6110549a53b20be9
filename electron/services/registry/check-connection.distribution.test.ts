import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport, CheckStep, CheckStepName } from '../../../shared/credentials/types';
import { seedImage, startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { createTestCa } from '../../../e2e/services/tls';
import { startTokenAuthRegistry, type TokenAuthRegistry, type TokenUser } from '../../../e2e/services/token-server';
import { makeTempDir, removeDir } from '../../../e2e/services/util';
import { checkConnection } from './check-connection';
import { basicCredential, identityTokenCredential } from './testing/credentials';

function step(report: CheckReport, name: CheckStepName): CheckStep {
  const s = report.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name} in ${JSON.stringify(report.steps.map((x) => x.name))}`);
  return s;
}

function statuses(report: CheckReport): Record<string, string> {
  return Object.fromEntries(report.steps.map((s) => [s.name, s.status]));
}

const SECRET = `pw-${randomBytes(12).toString('hex')}`;

describe('htpasswd registry (Debian docker-registry 2.8)', () => {
  let reg: DistributionHandle;
  let noDelete: DistributionHandle;
  beforeAll(async () => {
    const users = [{ username: 'alice', password: SECRET }];
    [reg, noDelete] = await Promise.all([
      startDistribution({ auth: { kind: 'htpasswd', users } }),
      startDistribution({ auth: { kind: 'htpasswd', users }, deleteEnabled: false }),
    ]);
    await seedImage(reg.url, 'team/app', 'v1', { auth: { username: 'alice', password: SECRET } });
    await seedImage(reg.url, 'team/app', 'v2', { auth: { username: 'alice', password: SECRET }, labels: { v: '2' } });
    await seedImage(noDelete.url, 'team/app', 'v1', { auth: { username: 'alice', password: SECRET } });
  });
  afterAll(async () => {
    await reg?.stop();
    await noDelete?.stop();
  });

  it('wrong password: the credentials step fails with 401 and says so', async () => {
    const seen: CheckStep[] = [];
    const report = await checkConnection({
      imagesRepo: `${reg.host}/team/app`,
      settings: { registry: reg.host, plainHttp: true },
      credential: basicCredential(reg.host, 'alice', 'not-the-password'),
      onStep: (s) => seen.push(s),
    });
    expect(statuses(report)).toMatchObject({ resolve: 'pass', tls: 'skip', ping: 'pass', credentials: 'fail', 'list-tags': 'skip', 'delete-permission': 'skip' });
    const c = step(report, 'credentials');
    expect(c.httpStatus).toBe(401);
    expect(c.detail).toContain('401');
    expect(c.detail).toContain(`wrong user name or password for ${reg.host}`);
    expect(c.hint).toContain(`docker login ${reg.host}`);
    expect(step(report, 'ping').detail).toContain('Basic auth (realm "basic-realm")');
    expect(report.readOk).toBe(false);
    expect(seen.map((s) => s.name)).toEqual(report.steps.map((s) => s.name));
  });

  it('right password: every read step passes and deleting is allowed', async () => {
    const report = await checkConnection({
      imagesRepo: `${reg.host}/team/app`,
      settings: { registry: reg.host, plainHttp: true },
      credential: basicCredential(reg.host, 'alice', SECRET),
    });
    expect(report.implementation).toBe('default');
    expect(report.repository).toBe('team/app');
    expect(statuses(report)).toEqual({
      resolve: 'pass',
      tls: 'skip',
      ping: 'pass',
      credentials: 'pass',
      'token-pull': 'skip',
      'token-push': 'skip',
      'token-delete': 'skip',
      'list-tags': 'pass',
      'delete-permission': 'pass',
    });
    expect(step(report, 'credentials').detail).toContain('GET /v2/ with Basic auth as "alice" → 200');
    expect(step(report, 'token-pull').detail).toContain('Basic auth');
    expect(step(report, 'list-tags').detail).toContain('2 tags');
    expect(step(report, 'list-tags').detail).toMatch(/: (v1, v2|v2, v1)$/);
    const del = step(report, 'delete-permission');
    expect(del.detail).toContain('404');
    expect(del.detail).toContain('MANIFEST_UNKNOWN');
    expect(del.detail).toContain('deleting is allowed');
    expect(report.readOk).toBe(true);
    for (const s of report.steps) expect(s.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('delete disabled on the registry: 405 UNSUPPORTED is reported with the config fix', async () => {
    const report = await checkConnection({
      imagesRepo: `${noDelete.host}/team/app`,
      settings: { registry: noDelete.host, plainHttp: true },
      credential: basicCredential(noDelete.host, 'alice', SECRET),
    });
    expect(report.readOk).toBe(true);
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.httpStatus).toBe(405);
    expect(del.registryError).toContain('UNSUPPORTED');
    expect(del.detail).toContain('switched off');
    expect(del.hint).toContain('storage.delete.enabled');
  });

  it('a repository that does not exist yet is fine for the generic registry, a problem for ECR', async () => {
    const generic = await checkConnection({
      imagesRepo: `${reg.host}/team/new-app`,
      settings: { registry: reg.host, plainHttp: true },
      credential: basicCredential(reg.host, 'alice', SECRET),
    });
    const list = step(generic, 'list-tags');
    expect(list.status).toBe('pass');
    expect(list.httpStatus).toBe(404);
    expect(list.registryError).toContain('NAME_UNKNOWN');
    expect(list.detail).toContain('does not exist yet; the first push creates it');
    expect(generic.readOk).toBe(true);

    // ECR's /v2 is Basic auth too, so a forced "ecr" against distribution shows the ECR verdict on NAME_UNKNOWN.
    const ecr = await checkConnection({
      imagesRepo: `${reg.host}/team/new-app`,
      implementation: 'ecr',
      settings: { registry: reg.host, plainHttp: true },
      credential: basicCredential(reg.host, 'alice', SECRET),
    });
    const ecrList = step(ecr, 'list-tags');
    expect(ecrList.status).toBe('fail');
    expect(ecrList.detail).toContain('Amazon Elastic Container Registry does not create repositories on push');
    expect(ecrList.hint).toContain('aws ecr create-repository --repository-name team/new-app');
    expect(ecr.readOk).toBe(false);
    const ecrDelete = step(ecr, 'delete-permission');
    expect(ecrDelete.status).toBe('warn');
    expect(ecrDelete.detail).toContain('not from AWS credentials');
  });

  it('plain HTTP must be opted into for any host but loopback: without it the TLS step says how to fix it', async () => {
    // The same registry under a name that is not loopback (resolved to it): no https → http fallback.
    const named = `registry.stowage.test:${reg.port}`;
    const report = await checkConnection({ imagesRepo: `${named}/team/app`, credential: basicCredential(named, 'alice', SECRET), resolveHost: async () => ['127.0.0.1'] });
    const tls = step(report, 'tls');
    expect(tls.status).toBe('fail');
    expect(tls.hint).toContain('enable plain HTTP for this registry');
    expect(step(report, 'ping').status).toBe('skip');
  });

  it('on loopback, https is tried first and plain HTTP is used after it, said in the TLS step', async () => {
    const report = await checkConnection({ imagesRepo: `${reg.host}/team/app`, credential: basicCredential(reg.host, 'alice', SECRET) });
    const tls = step(report, 'tls');
    expect(tls.status).toBe('warn');
    expect(tls.detail).toContain('loopback address, so plain HTTP was used');
    expect(report.readOk).toBe(true);
  });

  it('DNS through the injected resolver, both ways', async () => {
    const resolveHost = async (host: string): Promise<string[]> => {
      if (host === 'registry.stowage.test') return ['127.0.0.1'];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    };
    const named = `registry.stowage.test:${reg.port}`;
    const ok = await checkConnection({
      imagesRepo: `${named}/team/app`,
      settings: { registry: named, plainHttp: true },
      credential: basicCredential(named, 'alice', SECRET),
      resolveHost,
    });
    expect(step(ok, 'resolve').detail).toBe('registry.stowage.test → 127.0.0.1');
    expect(ok.readOk).toBe(true);
    expect(step(ok, 'delete-permission').status).toBe('pass');

    const bad = await checkConnection({ imagesRepo: `nowhere.stowage.test:${reg.port}/team/app`, credential: null, resolveHost });
    expect(statuses(bad)).toMatchObject({ resolve: 'fail', tls: 'skip', ping: 'skip', credentials: 'skip' });
    expect(step(bad, 'resolve').hint).toContain('Check the spelling of');
  });

  it('never puts the secret into the report, step details, hints or errors', async () => {
    const seen: CheckStep[] = [];
    const reports = await Promise.all([
      checkConnection({ imagesRepo: `${reg.host}/team/app`, settings: { registry: reg.host, plainHttp: true }, credential: basicCredential(reg.host, 'alice', SECRET), onStep: (s) => seen.push(s) }),
      checkConnection({ imagesRepo: `${noDelete.host}/team/app`, settings: { registry: noDelete.host, plainHttp: true }, credential: basicCredential(noDelete.host, 'alice', SECRET), onStep: (s) => seen.push(s) }),
      checkConnection({ imagesRepo: `${reg.host}/team/app`, settings: { registry: reg.host, plainHttp: true }, credential: basicCredential(reg.host, 'mallory', SECRET), onStep: (s) => seen.push(s) }),
    ]);
    const text = JSON.stringify({ reports, seen });
    const b64 = (u: string): string => Buffer.from(`${u}:${SECRET}`).toString('base64');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(b64('alice'));
    expect(text).not.toContain(b64('mallory'));
    expect(text).toContain('alice');
  });
});

describe('token auth registry (distribution + token server)', () => {
  let env: TokenAuthRegistry;
  const users: TokenUser[] = [
    { username: 'admin', password: 'admin-pw', grants: { '*': ['*'] } },
    { username: 'reader', password: 'reader-pw', grants: { 'team/*': ['pull'] } },
    { username: 'pusher', password: 'pusher-pw', grants: { 'team/*': ['pull', 'push'] } },
  ];
  beforeAll(async () => {
    env = await startTokenAuthRegistry(users, { anonymous: { 'public/*': ['pull'] } });
    await seedImage(env.registry.url, 'team/app', 'v1', { auth: { username: 'admin', password: 'admin-pw' } });
    await seedImage(env.registry.url, 'public/app', 'v1', { auth: { username: 'admin', password: 'admin-pw' } });
  });
  afterAll(() => env?.stop());

  const run = (credential: Parameters<typeof checkConnection>[0]['credential'], repo = 'team/app'): Promise<CheckReport> =>
    checkConnection({ imagesRepo: `${env.registry.host}/${repo}`, settings: { registry: env.registry.host, plainHttp: true }, credential });

  it('pull-only user: token-delete shows fewer actions granted and the delete probe is denied', async () => {
    const report = await run(basicCredential(env.registry.host, 'reader', 'reader-pw'));
    expect(step(report, 'ping').detail).toContain(`token auth: realm ${env.tokenServer.realm}`);
    expect(step(report, 'credentials').status).toBe('pass');
    expect(step(report, 'credentials').detail).toContain('token server accepted user "reader"');
    expect(step(report, 'token-pull')).toMatchObject({ status: 'pass', detail: expect.stringContaining('granted pull') });
    const push = step(report, 'token-push');
    expect(push.status).toBe('warn');
    expect(push.detail).toContain('fewer actions than asked: push missing');
    const del = step(report, 'token-delete');
    expect(del.status).toBe('warn');
    expect(del.detail).toContain('Asked for repository:team/app:delete; the token server granted nothing');
    expect(del.detail).toContain('fewer actions than asked');
    expect(del.hint).toContain('may not delete');
    expect(step(report, 'list-tags').status).toBe('pass');
    const probe = step(report, 'delete-permission');
    expect(probe.status).toBe('fail');
    expect(probe.httpStatus).toBe(401);
    expect(probe.detail).toContain('may not delete');
    expect(probe.detail).toContain('after a second token');
    expect(report.readOk).toBe(true);
    // The re-challenge asked the token server for exactly what the registry's 401 named.
    expect(env.tokenServer.issued().some((t) => t.username === 'reader' && t.requested.includes('repository:team/app:delete'))).toBe(true);
  });

  it('admin: every token is complete and deleting is allowed', async () => {
    const report = await run(basicCredential(env.registry.host, 'admin', 'admin-pw'));
    expect(statuses(report)).toMatchObject({ 'token-pull': 'pass', 'token-push': 'pass', 'token-delete': 'pass', 'list-tags': 'pass', 'delete-permission': 'pass' });
    expect(step(report, 'token-push').detail).toContain('granted pull,push');
  });

  it('wrong password at the token server', async () => {
    const report = await run(basicCredential(env.registry.host, 'reader', 'nope'));
    const c = step(report, 'credentials');
    expect(c.status).toBe('fail');
    expect(c.httpStatus).toBe(401);
    expect(c.detail).toContain(`wrong user name or password for ${env.registry.host}`);
    expect(c.hint).toContain('Wrong user name or password');
  });

  it('identity token: spent with the OAuth2 refresh-token grant', async () => {
    const u = new URL(env.tokenServer.realm);
    u.searchParams.set('service', env.tokenServer.service);
    u.searchParams.set('offline_token', 'true');
    const res = await fetch(u, { headers: { authorization: `Basic ${Buffer.from('pusher:pusher-pw').toString('base64')}` } });
    const { refresh_token: refresh } = (await res.json()) as { refresh_token: string };
    expect(refresh).toBeTruthy();
    const report = await run(identityTokenCredential(env.registry.host, '<token>', refresh));
    expect(step(report, 'credentials').detail).toContain('OAuth2 refresh-token grant');
    expect(statuses(report)).toMatchObject({ credentials: 'pass', 'token-pull': 'pass', 'token-push': 'pass', 'token-delete': 'warn', 'list-tags': 'pass', 'delete-permission': 'fail' });
    expect(env.tokenServer.issued().some((t) => t.via === 'refresh_token' && t.username === 'pusher')).toBe(true);
    expect(JSON.stringify(report)).not.toContain(refresh);
  });

  it('anonymous: public repositories read, private ones do not', async () => {
    const pub = await run(null, 'public/app');
    expect(step(pub, 'credentials').status).toBe('warn');
    expect(step(pub, 'credentials').detail).toContain('anonymous access works');
    expect(step(pub, 'list-tags').status).toBe('pass');
    expect(pub.readOk).toBe(true);
    const priv = await run(null, 'team/app');
    expect(step(priv, 'token-pull').status).toBe('fail');
    expect(step(priv, 'list-tags').status).toBe('fail');
    expect(step(priv, 'list-tags').hint).toContain('log in');
    expect(priv.readOk).toBe(false);
  });
});

describe('TLS registry signed by a test CA', () => {
  let dir: string;
  let reg: DistributionHandle;
  let caFile: string;
  beforeAll(async () => {
    dir = await makeTempDir('check-tls');
    const ca = await createTestCa(dir);
    caFile = ca.caCert;
    const leaf = await ca.issue(['localhost'], ['127.0.0.1']);
    reg = await startDistribution({ tls: { certFile: leaf.certFile, keyFile: leaf.keyFile }, auth: { kind: 'htpasswd', users: [{ username: 'alice', password: SECRET }] } });
    await seedImage(reg.url, 'team/app', 'v1', { auth: { username: 'alice', password: SECRET }, ca: ca.caPem });
  });
  afterAll(async () => {
    await reg?.stop();
    if (dir) await removeDir(dir);
  });

  it('fails without the CA, with the per-registry fix in the hint', async () => {
    const report = await checkConnection({ imagesRepo: `${reg.host}/team/app`, credential: basicCredential(reg.host, 'alice', SECRET) });
    const tls = step(report, 'tls');
    expect(tls.status).toBe('fail');
    expect(tls.detail).toContain('issued by CN=Stowage Test CA');
    expect(tls.detail).toMatch(/not trusted: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
    expect(tls.hint).toContain("set this registry's CA file");
    expect(step(report, 'ping').status).toBe('skip');
    expect(report.readOk).toBe(false);
  });

  it('passes with the CA file, showing the certificate', async () => {
    const report = await checkConnection({
      imagesRepo: `${reg.host}/team/app`,
      settings: { registry: reg.host, caFile },
      credential: basicCredential(reg.host, 'alice', SECRET),
    });
    const tls = step(report, 'tls');
    expect(tls.status).toBe('warn'); // the test certificate lives 2 days: the expiry warning is real
    expect(tls.detail).toContain('certificate CN=localhost');
    expect(tls.detail).toContain('issued by CN=Stowage Test CA');
    expect(tls.detail).toContain('IP Address:127.0.0.1');
    expect(tls.detail).toContain(`trusted through the CA file ${caFile}`);
    expect(tls.hint).toContain('expires in');
    expect(statuses(report)).toMatchObject({ ping: 'pass', credentials: 'pass', 'list-tags': 'pass', 'delete-permission': 'pass' });
  });

  it('skipping verification works for this registry only, and is flagged', async () => {
    const report = await checkConnection({
      imagesRepo: `${reg.host}/team/app`,
      settings: { registry: reg.host, insecureSkipVerify: true },
      credential: basicCredential(reg.host, 'alice', SECRET),
    });
    const tls = step(report, 'tls');
    expect(tls.status).toBe('warn');
    expect(tls.detail).toContain('verification skipped for this registry');
    expect(tls.hint).toContain('CA file instead');
    expect(report.readOk).toBe(true);
  });
});
