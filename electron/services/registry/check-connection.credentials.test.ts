import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport, CheckStep, CheckStepName } from '../../../shared/credentials/types';
import { seedImage, startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { createCredentialResolver } from '../credentials/resolver';
import { b64, cleanupTempDirs, tempDir, writeDockerConfig, writeHelper } from '../credentials/test-fixtures';
import { checkConnection } from './check-connection';

/**
 * "Test connection" with what the resolver really finds in a docker config (real helper scripts on
 * a PATH of their own) against a real local registry: a source that exists but cannot be used is
 * reported with its fix, not hidden behind "no credential found".
 */

function step(report: CheckReport, name: CheckStepName): CheckStep {
  const s = report.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
}

const SECRET = `pw-${randomBytes(12).toString('hex')}`;

/** A home with this docker config and a PATH holding only these helper scripts. */
function machine(config: unknown, helpers: Record<string, string> = {}) {
  const home = tempDir('stowage-home-');
  const bin = tempDir('stowage-bin-');
  writeDockerConfig(join(home, '.docker'), config);
  for (const [name, body] of Object.entries(helpers)) writeHelper(bin, name, body);
  return createCredentialResolver({ env: { PATH: bin, HOME: home, AWS_EC2_METADATA_DISABLED: 'true' }, homeDir: home, savedStore: null, helperTimeoutMs: 2000 });
}

const NOT_FOUND_HELPER = `/bin/cat >/dev/null; echo "credentials not found in native keychain"; exit 1`;

describe('credentials step with sources that cannot be used (Debian docker-registry 2.8)', () => {
  let secured: DistributionHandle;
  let open: DistributionHandle;
  beforeAll(async () => {
    [secured, open] = await Promise.all([startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'ci', password: SECRET }] } }), startDistribution()]);
    await seedImage(secured.url, 'team/app', 'v1', { auth: { username: 'ci', password: SECRET } });
    await seedImage(open.url, 'team/app', 'v1');
  });
  afterAll(async () => {
    await secured?.stop();
    await open?.stop();
    cleanupTempDirs();
  });

  const check = async (reg: DistributionHandle, resolver: ReturnType<typeof machine>) => {
    const { credential, unusable } = await resolver.resolveWithProblems(reg.host, 'default');
    return checkConnection({ imagesRepo: `${reg.host}/team/app`, settings: { registry: reg.host, plainHttp: true }, credential, unusable });
  };

  it('credsStore names a helper that is not installed: the step fails with "not installed" and how to fix it', async () => {
    const report = await check(secured, machine({ credsStore: 'desktop' }));
    const c = step(report, 'credentials');
    expect(c.status).toBe('fail');
    expect(c.detail).toContain(`No usable credential for ${secured.host}: docker-credential-desktop (credsStore in ~/.docker/config.json): docker-credential-desktop is not installed`);
    expect(c.detail).toContain('anonymous access is refused (401)');
    expect(c.detail).not.toContain('No credential found');
    expect(c.httpStatus).toBe(401);
    expect(c.hint).toContain('Install docker-credential-desktop so that it is on PATH, or remove "desktop" from credsStore in ~/.docker/config.json');
    expect(report.credentialSource).toBeNull();
    expect(step(report, 'list-tags').status).toBe('skip');
    expect(report.readOk).toBe(false);
  });

  it('a credHelpers helper answers "credentials not found": the step fails with "no login" and the docker login hint', async () => {
    const report = await check(secured, machine({ credHelpers: { [secured.host]: 'empty' } }, { empty: NOT_FOUND_HELPER }));
    const c = step(report, 'credentials');
    expect(c.status).toBe('fail');
    expect(c.detail).toContain(`docker-credential-empty has no login for ${secured.host}`);
    expect(c.detail).not.toContain('No credential found');
    expect(c.hint).toContain(`docker login ${secured.host}`);
    expect(c.hint).toContain('docker-credential-empty');
    expect(report.readOk).toBe(false);
  });

  it('an expired registry token is named as such', async () => {
    const expired = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: 1_600_000_000 })).toString('base64url')}.c2ln`;
    const report = await check(secured, machine({ auths: { [secured.host]: { registrytoken: expired } } }));
    const c = step(report, 'credentials');
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('the token expired at 2020-09-13T12:26:40.000Z');
    expect(c.hint).toBe(`Log in again with docker login ${secured.host} (it rewrites the entry).`);
  });

  it('where anonymous access works, the broken source is a warning with its fix and reading goes on', async () => {
    const report = await check(open, machine({ credsStore: 'desktop' }));
    const c = step(report, 'credentials');
    expect(c.status).toBe('warn');
    expect(c.detail).toContain('docker-credential-desktop is not installed');
    expect(c.detail).toContain('the registry needs no credential');
    expect(c.hint).toContain('Install docker-credential-desktop');
    expect(step(report, 'list-tags').status).toBe('pass');
    expect(report.readOk).toBe(true);
  });

  it('a usable credential after the broken store is used, and the step passes', async () => {
    const report = await check(secured, machine({ credsStore: 'desktop', auths: { [secured.host]: { auth: b64(`ci:${SECRET}`) } } }));
    expect(step(report, 'credentials').status).toBe('pass');
    expect(report.credentialSource).toMatchObject({ source: 'docker-config', username: 'ci', usable: true });
    expect(step(report, 'list-tags').detail).toContain('1 tag: v1');
    expect(JSON.stringify(report)).not.toContain(SECRET);
  });
});
