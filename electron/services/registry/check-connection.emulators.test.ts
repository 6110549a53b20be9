import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { EcrSdkTimeouts } from './ecr-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport, CheckStep, CheckStepName, RegistrySettings } from '../../../shared/credentials/types';
import type { Implementation } from '../../../shared/registry/implementations';
import { seedImage } from '../../../e2e/services/distribution';
import { startAcrEmulator, type AcrEmulator } from '../../../e2e/emulators/acr';
import { startDockerHubEmulator, type HubEmulator } from '../../../e2e/emulators/dockerhub';
import { ECR_DEFAULT_KEYS, startEcrEmulator, type EcrEmulator } from '../../../e2e/emulators/ecr';
import { startGitHubEmulator, type GitHubEmulator } from '../../../e2e/emulators/github';
import { startGitLabEmulator, type GitLabEmulator } from '../../../e2e/emulators/gitlab';
import { startQuayEmulator, type QuayEmulator } from '../../../e2e/emulators/quay';
import { startHarborEmulator, type HarborEmulator } from '../../../e2e/emulators/harbor';
import { startGcrEmulator, type GcrEmulator } from '../../../e2e/emulators/gcr';
import type { ResolvedCredential } from '../credentials/types';
import { checkConnection } from './check-connection';
import { RegistryHttp } from './http';
import { registryDriver } from '../registries';
import type { PermissionProbeResult } from './permissions/types';
import { RegistryAuth } from './registry-auth';
import { awsCredential, azureCredential, basicCredential, bearerTokenCredential, googleTokenCredential } from './testing/credentials';
import { startLocalServer, type LocalServer } from './testing/local-server';

function step(report: CheckReport, name: CheckStepName): CheckStep {
  const s = report.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
}

function check(imagesRepo: string, implementation: Implementation | 'auto', settings: RegistrySettings, credential: ResolvedCredential | null, resolveHost?: (h: string) => Promise<string[]>): Promise<CheckReport> {
  return checkConnection({ imagesRepo, implementation, settings, credential, ...(resolveHost ? { resolveHost } : {}) });
}

/**
 * Calls one permission probe directly, for credentials the registry itself would refuse before
 * the check ever reached the probe (e.g. a fine-grained GitHub token on GHCR).
 */
async function probeDirectly(implementation: Implementation, baseUrl: string, repository: string, settings: RegistrySettings, credential: ResolvedCredential, sdkTimeouts?: EcrSdkTimeouts): Promise<PermissionProbeResult> {
  const http = new RegistryHttp({ settings: [settings] });
  const auth = new RegistryAuth({ http, registry: settings.registry, baseUrl: new URL(baseUrl), login: { kind: 'anonymous' } });
  try {
    const ping = await auth.ping();
    if (!ping.ok) throw new Error(ping.error.message);
    return await registryDriver(implementation).deleteProbe.probe({
      implementation,
      registry: settings.registry,
      repository,
      baseUrl: new URL(baseUrl),
      settings,
      credential,
      sdkTimeouts,
      login: auth.login,
      http,
      auth,
      scheme: ping.value.scheme,
      deleteToken: null,
      repositoryExists: true,
      redact: () => undefined,
    });
  } finally {
    await http.close();
  }
}

/** Secrets must never come back; the emulators' fixed secrets make that checkable. */
function expectNoSecrets(report: CheckReport, secrets: string[]): void {
  const text = JSON.stringify(report);
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('ECR emulator (AWS SDK endpoint + /v2)', () => {
  const [FULL, POWER] = ECR_DEFAULT_KEYS as [(typeof ECR_DEFAULT_KEYS)[number], (typeof ECR_DEFAULT_KEYS)[number]];
  let emu: EcrEmulator;
  let settings: RegistrySettings;
  beforeAll(async () => {
    emu = await startEcrEmulator({ repositories: ['team/app'] });
    const sdk = new ECRClient({ endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: FULL.accessKeyId, secretAccessKey: FULL.secretAccessKey } });
    const data = (await sdk.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
    const [username, password] = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8').split(':') as [string, string];
    await seedImage(emu.url, 'team/app', 'v1', { auth: { username, password } });
    sdk.destroy();
    settings = { registry: emu.host, plainHttp: true, sdkEndpoint: emu.url };
  });
  afterAll(() => emu?.stop());

  it('a FullAccess key: GetAuthorizationToken, tags listed, BatchDeleteImage allowed (ImageNotFound)', async () => {
    const report = await check(`${emu.host}/team/app`, 'ecr', settings, awsCredential(emu.host, FULL.accessKeyId, FULL.secretAccessKey));
    const creds = step(report, 'credentials');
    expect(creds.status).toBe('pass');
    expect(creds.detail).toContain('ECR GetAuthorizationToken');
    expect(creds.detail).toContain('Basic auth as "AWS"');
    expect(step(report, 'ping').detail).toContain('Basic auth');
    expect(step(report, 'list-tags')).toMatchObject({ status: 'pass', detail: expect.stringContaining('1 tag: v1') });
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('pass');
    expect(del.detail).toContain('ImageNotFound');
    expect(report.readOk).toBe(true);
    expect(emu.state.registry.resolve('team/app', 'v1')).toBeDefined();
    expectNoSecrets(report, [FULL.secretAccessKey]);
  });

  it('a PowerUser-like key reads but may not delete (AccessDeniedException)', async () => {
    const report = await check(`${emu.host}/team/app`, 'ecr', settings, awsCredential(emu.host, POWER.accessKeyId, POWER.secretAccessKey));
    expect(report.readOk).toBe(true);
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.registryError).toBe('AccessDeniedException');
    expect(del.detail).toContain('ecr:BatchDeleteImage');
    expect(del.hint).toContain('PowerUser');
  });

  it('the real ECR host name (region and account from it), resolved to 127.0.0.1', async () => {
    const host = `123456789012.dkr.ecr.us-east-1.amazonaws.com:${emu.host.split(':')[1]}`;
    const report = await check(`${host}/team/app`, 'auto', { registry: host, plainHttp: true, sdkEndpoint: emu.url }, awsCredential(host, FULL.accessKeyId, FULL.secretAccessKey), async () => ['127.0.0.1']);
    expect(report.implementation).toBe('ecr');
    expect(step(report, 'resolve').detail).toContain('→ 127.0.0.1');
    expect(step(report, 'credentials').detail).not.toContain('AWS_REGION');
    expect(step(report, 'delete-permission').detail).toContain('for account 123456789012');
    expect(step(report, 'delete-permission').status).toBe('pass');
  });

  it('a missing repository is a problem on ECR', async () => {
    const report = await check(`${emu.host}/team/missing`, 'ecr', settings, awsCredential(emu.host, FULL.accessKeyId, FULL.secretAccessKey));
    const list = step(report, 'list-tags');
    expect(list.status).toBe('fail');
    expect(list.detail).toContain('does not create repositories on push');
    expect(list.hint).toContain('aws ecr create-repository --repository-name team/missing');
    expect(report.readOk).toBe(false);
    expect(step(report, 'delete-permission')).toMatchObject({ status: 'warn', undetermined: true, registryError: 'RepositoryNotFoundException' });
  });

  it('a wrong secret key fails the credentials step with the AWS error', async () => {
    const report = await check(`${emu.host}/team/app`, 'ecr', settings, awsCredential(emu.host, FULL.accessKeyId, 'not-the-secret-key'));
    const creds = step(report, 'credentials');
    expect(creds.status).toBe('fail');
    expect(creds.registryError).toBe('InvalidSignatureException');
    expect(creds.hint).toContain('AWS rejected the credentials');
    expectNoSecrets(report, ['not-the-secret-key']);
  });

  describe('an SDK endpoint that accepts connections and never answers (request timeout shortened to 0.3 s)', () => {
    let silent: LocalServer;
    const sdkTimeouts = { connectionTimeoutMs: 10_000, requestTimeoutMs: 300 };
    beforeAll(async () => {
      silent = await startLocalServer(() => undefined); // accepts, never answers
    });
    afterAll(async () => {
      await silent?.close();
    });

    it('GetAuthorizationToken fails the credentials step with a timeout instead of hanging the check', async () => {
      const before = silent.connections;
      const t0 = Date.now();
      const report = await checkConnection({ imagesRepo: `${emu.host}/team/app`, implementation: 'ecr', settings: { ...settings, sdkEndpoint: silent.url }, credential: awsCredential(emu.host, FULL.accessKeyId, FULL.secretAccessKey), sdkTimeouts });
      expect(Date.now() - t0).toBeLessThan(5_000);
      const creds = step(report, 'credentials');
      expect(creds.status).toBe('fail');
      expect(creds.detail).toContain(`ECR GetAuthorizationToken in us-east-1 via ${silent.url}/ failed: TimeoutError`);
      expect(creds.detail).toContain('did not answer within 0.3 s (request timeout)');
      expect(creds.registryError).toBe('TimeoutError');
      expect(creds.hint).toContain('SDK endpoint');
      expect(report.readOk).toBe(false);
      // maxAttempts 2: one retry, then it gives up.
      expect(silent.connections - before).toBe(2);
    }, 15_000);

    it('the BatchDeleteImage probe times out too: verdict unknown, with the timeout and a hint', async () => {
      const t0 = Date.now();
      const r = await probeDirectly('ecr', emu.url, 'team/app', { ...settings, sdkEndpoint: silent.url }, awsCredential(emu.host, FULL.accessKeyId, FULL.secretAccessKey), sdkTimeouts);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(r).toMatchObject({ verdict: 'unknown', registryError: 'TimeoutError' });
      expect(r.detail).toContain('did not answer within 0.3 s (request timeout)');
      expect(r.hint).toContain('SDK endpoint');
    }, 15_000);
  });
});

describe('ACR emulator (AAD exchange, tokens with access claims)', () => {
  let emu: AcrEmulator;
  let settings: RegistrySettings;
  const ADMIN = { username: 'stowageacr', password: 'admin-password-acr' };
  beforeAll(async () => {
    emu = await startAcrEmulator({ admin: ADMIN });
    await seedImage(emu.url, 'team/app', 'v1', { auth: ADMIN });
    settings = { registry: emu.host, plainHttp: true };
  });
  afterAll(() => emu?.stop());

  it('Owner through DefaultAzureCredential: AAD exchange, all tokens complete, delete allowed', async () => {
    const report = await check(`${emu.host}/team/app`, 'acr', settings, azureCredential(emu.host, 'aad-owner'));
    const creds = step(report, 'credentials');
    expect(creds.status).toBe('pass');
    expect(creds.detail).toContain('/oauth2/exchange → ACR refresh token');
    expect(creds.detail).toContain('OAuth2 refresh-token grant');
    expect(step(report, 'token-delete')).toMatchObject({ status: 'pass', detail: expect.stringContaining('granted delete') });
    expect(step(report, 'list-tags').status).toBe('pass');
    expect(step(report, 'delete-permission')).toMatchObject({ status: 'pass', detail: expect.stringContaining('ACR granted delete') });
    expectNoSecrets(report, ['aad-owner']);
  });

  it('AcrPush: push granted, delete missing from the access claim, roles explained', async () => {
    const report = await check(`${emu.host}/team/app`, 'acr', settings, azureCredential(emu.host, 'aad-acrpush'));
    expect(step(report, 'token-push').status).toBe('pass');
    expect(step(report, 'token-delete')).toMatchObject({ status: 'warn', detail: expect.stringContaining('fewer actions than asked') });
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.hint).toContain('AcrDelete, Contributor or Owner');
    expect(del.hint).toContain('Container Registry Repository Contributor');
  });

  it('an unknown AAD identity fails at the exchange with a role hint', async () => {
    const report = await check(`${emu.host}/team/app`, 'acr', settings, azureCredential(emu.host, 'aad-forged'));
    const creds = step(report, 'credentials');
    expect(creds.status).toBe('fail');
    expect(creds.httpStatus).toBe(401);
    expect(creds.hint).toContain('needs a role on this registry');
  });

  it('the admin user over Basic at the token realm', async () => {
    const report = await check(`${emu.host}/team/app`, 'acr', settings, basicCredential(emu.host, ADMIN.username, ADMIN.password));
    expect(step(report, 'credentials').status).toBe('pass');
    expect(step(report, 'delete-permission').status).toBe('pass');
    expectNoSecrets(report, [ADMIN.password]);
  });
});

describe('Docker Hub emulator (registry + Hub API)', () => {
  let hub: HubEmulator;
  let settings: RegistrySettings;
  beforeAll(async () => {
    hub = await startDockerHubEmulator({});
    await seedImage(hub.registryUrl, 'alice/app', 'v1', { auth: { username: 'alice', password: 'alice-password' } });
    settings = { registry: hub.registryHost, plainHttp: true, apiBaseUrl: hub.url };
  });
  afterAll(() => hub?.stop());

  const run = (credential: ResolvedCredential | null, repo = 'alice/app'): Promise<CheckReport> => check(`${hub.registryHost}/${repo}`, 'dockerhub', settings, credential);

  it('a Read, Write, Delete PAT may delete (404 for a tag that does not exist)', async () => {
    const report = await run(basicCredential(hub.registryHost, 'alice', 'dckr_pat_alice_admin'));
    expect(step(report, 'list-tags').status).toBe('pass');
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('pass');
    expect(del.httpStatus).toBe(404);
    expect(del.detail).toContain('Logged in to the Hub API as "alice"');
    expect(hub.state.registry.resolve('alice/app', 'v1')).toBeDefined();
    expectNoSecrets(report, ['dckr_pat_alice_admin']);
  });

  it('a Read & Write PAT cannot delete: 403 insufficient scope', async () => {
    const report = await run(basicCredential(hub.registryHost, 'alice', 'dckr_pat_alice_write'));
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.httpStatus).toBe(403);
    expect(del.hint).toContain('Read, Write, Delete');
  });

  it('an organization access token cannot delete', async () => {
    const report = await run(basicCredential(hub.registryHost, 'acme', 'dckr_oat_acme_pushpull'), 'acme/web');
    expect(step(report, 'delete-permission').status).toBe('fail');
    expect(step(report, 'delete-permission').hint).toContain('organization access tokens cannot delete');
  });

  it('a wrong password fails at the token server', async () => {
    const report = await run(basicCredential(hub.registryHost, 'alice', 'not-alice-password'));
    expect(step(report, 'credentials')).toMatchObject({ status: 'fail', httpStatus: 401 });
    expect(step(report, 'credentials').detail).toContain(`wrong user name or password for ${hub.registryHost}`);
  });

  it('does not send the credential to hub.docker.com for a registry that is not Docker Hub', async () => {
    const apiCalls = (): number => hub.requests().filter((r) => /^\/v2\/(auth|users|repositories|namespaces)\//.test(r.path)).length;
    const before = apiCalls();
    expect(before).toBeGreaterThan(0);
    const report = await check(`${hub.registryHost}/alice/app`, 'dockerhub', { registry: hub.registryHost, plainHttp: true }, basicCredential(hub.registryHost, 'alice', 'dckr_pat_alice_admin'));
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('warn');
    expect(del.detail).toContain('not a Docker Hub host');
    expect(step(report, 'list-tags').status).toBe('pass');
    expect(apiCalls()).toBe(before);
  });

  it('an account-only address lists nothing and probes nothing, but still checks the login', async () => {
    const report = await check(`${hub.registryHost}/alice`, 'dockerhub', settings, basicCredential(hub.registryHost, 'alice', 'dckr_pat_alice_admin'));
    expect(report.repository).toBeNull();
    expect(step(report, 'credentials').status).toBe('pass');
    expect(step(report, 'list-tags')).toMatchObject({ status: 'skip', detail: expect.stringContaining('alice is an account') });
    expect(report.readOk).toBe(true);
  });
});

describe('GitHub emulator (GHCR + REST at a GitHub Enterprise-style /api/v3)', () => {
  let gh: GitHubEmulator;
  let settings: RegistrySettings;
  beforeAll(async () => {
    gh = await startGitHubEmulator({});
    await seedImage(gh.url, 'octo/app', 'v1', { auth: { username: 'octo', password: 'ghp_octo_write' } });
    settings = { registry: gh.host, plainHttp: true, apiBaseUrl: gh.apiUrl };
  });
  afterAll(() => gh?.stop());

  it('a classic token with delete:packages and read:packages may delete', async () => {
    const report = await check(`${gh.host}/octo/app`, 'github', settings, basicCredential(gh.host, 'octo', 'ghp_octo_delete'));
    expect(step(report, 'list-tags').status).toBe('pass');
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('pass');
    expect(del.detail).toContain('(user octo)');
    expect(del.detail).toContain('delete:packages');
    expectNoSecrets(report, ['ghp_octo_delete']);
  });

  it('a classic token without delete:packages is denied, naming the missing scope', async () => {
    const report = await check(`${gh.host}/octo/app`, 'github', settings, bearerTokenCredential(gh.host, 'ghp_octo_write', 'octo', 'github-env'));
    expect(report.readOk).toBe(true);
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.detail).toContain('missing delete:packages');
    expect(del.hint).toContain('classic personal access token');
  });

  it('a fine-grained token: what is known and what is not', async () => {
    const r = await probeDirectly('github', gh.url, 'octo/app', settings, bearerTokenCredential(gh.host, 'github_pat_octo_finegrained', 'octo'));
    expect(r.verdict).toBe('unknown');
    expect(r.detail).toContain('without X-OAuth-Scopes');
    expect(r.detail).toContain('Known: the token is valid. Unknown: whether it may delete');
    expect(r.hint).toContain('accepts classic tokens only');
  });

  it('without an API base URL, a non-GitHub host is not asked about (no token to api.github.com)', async () => {
    const report = await check(`${gh.host}/octo/app`, 'github', { registry: gh.host, plainHttp: true }, basicCredential(gh.host, 'octo', 'ghp_octo_delete'));
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('warn');
    expect(del.detail).toContain('not a GitHub registry host');
    expect(del.hint).toContain('/api/v3');
  });

  it('a revoked token: the registry refuses the login', async () => {
    const report = await check(`${gh.host}/octo/app`, 'github', settings, basicCredential(gh.host, 'octo', 'ghp_revoked_token'));
    expect(step(report, 'credentials')).toMatchObject({ status: 'fail', httpStatus: 401 });
    const api = await probeDirectly('github', gh.url, 'octo/app', settings, basicCredential(gh.host, 'octo', 'ghp_revoked_token'));
    expect(api).toMatchObject({ verdict: 'denied', httpStatus: 401 });
  });
});

describe('GitLab emulator (registry with /jwt/auth + REST /api/v4)', () => {
  let gl: GitLabEmulator;
  let settings: RegistrySettings;
  beforeAll(async () => {
    gl = await startGitLabEmulator({});
    await seedImage(gl.url, 'group/app', 'v1', { auth: { username: 'dev', password: 'dev-password' } });
    await seedImage(gl.url, 'group/app/backend', 'v1', { auth: { username: 'dev', password: 'dev-password' } });
    settings = { registry: gl.host, plainHttp: true, apiBaseUrl: gl.url };
  });
  afterAll(() => gl?.stop());

  it('a Developer with an api-scoped token may delete', async () => {
    const report = await check(`${gl.host}/group/app`, 'gitlab', settings, basicCredential(gl.host, 'dev', 'glpat-dev-api'));
    expect(step(report, 'ping').detail).toContain('service "container_registry"');
    expect(step(report, 'list-tags').status).toBe('pass');
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('pass');
    expect(del.detail).toContain('token scopes: api');
    expect(del.detail).toContain('project group/app: role Developer (30)');
    expectNoSecrets(report, ['glpat-dev-api']);
  });

  it('finds the project above an image path, and the API from the token realm when no API URL is set', async () => {
    const report = await check(`${gl.host}/group/app/backend`, 'gitlab', { registry: gl.host, plainHttp: true }, basicCredential(gl.host, 'dev', 'glpat-dev-api'));
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('pass');
    expect(del.detail).toContain('project group/app:');
  });

  it('a Reporter is denied, naming the role needed', async () => {
    const report = await check(`${gl.host}/group/app`, 'gitlab', settings, basicCredential(gl.host, 'reporter', 'glpat-reporter-api'));
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.detail).toContain('role Reporter (20)');
    expect(del.detail).toContain('needs Developer (30) or higher');
  });

  it('a token without the api scope is denied, naming the scope', async () => {
    const report = await check(`${gl.host}/group/app`, 'gitlab', settings, basicCredential(gl.host, 'dev', 'glpat-dev-registry'));
    expect(report.readOk).toBe(true);
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.detail).toContain('token scopes: read_registry, write_registry');
    expect(del.hint).toContain('api scope');
  });

  it('an expired token fails the login', async () => {
    const report = await check(`${gl.host}/group/app`, 'gitlab', settings, basicCredential(gl.host, 'dev', 'glpat-dev-expired'));
    expect(step(report, 'credentials')).toMatchObject({ status: 'fail', httpStatus: 401 });
  });
});

describe('Quay emulator (Basic + Bearer challenge, /api/v1, robots)', () => {
  let quay: QuayEmulator;
  let settings: RegistrySettings;
  beforeAll(async () => {
    quay = await startQuayEmulator({});
    await seedImage(quay.url, 'acme/app', 'v1', { auth: { username: 'ana', password: 'ana-password' } });
    settings = { registry: quay.host, plainHttp: true, apiBaseUrl: quay.url };
  });
  afterAll(() => quay?.stop());

  it('picks Bearer from the two challenges; an OAuth token with repo:write of an admin may delete through /api/v1', async () => {
    const report = await check(`${quay.host}/acme/app`, 'quay', settings, bearerTokenCredential(quay.host, 'quay-oauth-ana-write', 'ana'));
    expect(step(report, 'ping').detail).toContain('token auth');
    expect(step(report, 'credentials').detail).toContain('"$oauthtoken"');
    expect(step(report, 'list-tags').status).toBe('pass');
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('pass');
    expect(del.detail).toContain('/api/v1/repository/acme/app/tag/');
    expect(del.httpStatus).toBe(404);
    expect(quay.state.registry.resolve('acme/app', 'v1')).toBeDefined();
    expectNoSecrets(report, ['quay-oauth-ana-write']);
  });

  it('an OAuth token of a user with read permission is denied (403)', async () => {
    const report = await check(`${quay.host}/acme/app`, 'quay', settings, bearerTokenCredential(quay.host, 'quay-oauth-ben-write', 'ben'));
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.httpStatus).toBe(403);
    expect(del.hint).toContain('repo:write');
  });

  it('a robot with write permission may delete through /v2 (pull,push scope)', async () => {
    const report = await check(`${quay.host}/acme/app`, 'quay', settings, basicCredential(quay.host, 'acme+deployer', 'ROBOT-DEPLOYER-TOKEN'));
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('pass');
    expect(del.detail).toContain('robot account "acme+deployer" on the registry API');
    expect(del.detail).toContain('DELETE /v2/acme/app/manifests/sha256:000…0 → HTTP 404');
    expect(step(report, 'token-push').status).toBe('pass');
  });

  it('a read-only robot is denied, with robots vs OAuth tokens explained', async () => {
    const report = await check(`${quay.host}/acme/app`, 'quay', settings, basicCredential(quay.host, 'acme+reader', 'ROBOT-READER-TOKEN'));
    expect(report.readOk).toBe(true);
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.hint).toContain('robot accounts (<org>+<name>) work only on the registry');
  });
});

describe('Harbor emulator (/service/token + /api/v2.0 permissions)', () => {
  let harbor: HarborEmulator;
  let settings: RegistrySettings;
  beforeAll(async () => {
    harbor = await startHarborEmulator({});
    await seedImage(harbor.url, 'team/app', 'v1', { auth: { username: 'admin', password: 'Harbor12345' } });
    settings = { registry: harbor.host, plainHttp: true, apiBaseUrl: harbor.url };
  });
  afterAll(() => harbor?.stop());

  it('a maintainer may delete artifacts in the project', async () => {
    const report = await check(`${harbor.host}/team/app`, 'harbor', settings, basicCredential(harbor.host, 'maint', 'maint-pw'));
    expect(step(report, 'ping').detail).toContain('service "harbor-registry"');
    expect(step(report, 'list-tags').status).toBe('pass');
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('pass');
    expect(del.detail).toContain('project "team" (id 2): artifact delete yes');
    expectNoSecrets(report, ['maint-pw']);
  });

  it('a developer cannot delete, and the roles are explained', async () => {
    const report = await check(`${harbor.host}/team/app`, 'harbor', settings, basicCredential(harbor.host, 'dev', 'dev-pw'));
    expect(report.readOk).toBe(true);
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.detail).toContain('artifact delete no');
    expect(del.hint).toContain('project admins and maintainers can delete');
  });

  it('a robot account with artifact:delete may delete; the API base defaults to the registry host', async () => {
    const report = await check(`${harbor.host}/team/app`, 'harbor', { registry: harbor.host, plainHttp: true }, basicCredential(harbor.host, 'robot$team+cleaner', 'cleaner-secret'));
    expect(step(report, 'delete-permission')).toMatchObject({ status: 'pass', detail: expect.stringContaining('artifact delete yes') });
  });

  it('a project that does not exist is named, with the fix', async () => {
    const report = await check(`${harbor.host}/nosuch/app`, 'harbor', settings, basicCredential(harbor.host, 'admin', 'Harbor12345'));
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('warn');
    expect(del.detail).toContain('project "nosuch" does not exist');
    expect(del.hint).toContain('Harbor does not create projects on push');
  });
});

describe('Artifact Registry / GCR emulator (oauth2accesstoken, IAM 403s)', () => {
  let gcr: GcrEmulator;
  let settings: RegistrySettings;
  beforeAll(async () => {
    gcr = await startGcrEmulator({});
    await seedImage(gcr.url, 'proj/repo/app', 'v1', { auth: { username: 'oauth2accesstoken', password: 'ya29.admin' } });
    settings = { registry: gcr.host, plainHttp: true };
  });
  afterAll(() => gcr?.stop());

  it('repoAdmin may delete (404 for a digest that cannot exist)', async () => {
    const report = await check(`${gcr.host}/proj/repo/app`, 'gcr', settings, googleTokenCredential(gcr.host, 'ya29.admin'));
    expect(step(report, 'credentials').detail).toContain('"oauth2accesstoken"');
    expect(step(report, 'list-tags').status).toBe('pass');
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('pass');
    expect(del.httpStatus).toBe(404);
    expectNoSecrets(report, ['ya29.admin']);
  });

  it('writer can push but not delete: 403 with the repoAdmin hint', async () => {
    const report = await check(`${gcr.host}/proj/repo/app`, 'gcr', settings, googleTokenCredential(gcr.host, 'ya29.writer'));
    expect(step(report, 'token-push').status).toBe('pass');
    expect(step(report, 'token-delete').status).toBe('warn');
    const del = step(report, 'delete-permission');
    expect(del.status).toBe('fail');
    expect(del.httpStatus).toBe(403);
    expect(del.registryError).toContain('artifactregistry.tags.delete');
    expect(del.hint).toContain('roles/artifactregistry.repoAdmin');
  });

  it('an expired access token fails the login', async () => {
    const report = await check(`${gcr.host}/proj/repo/app`, 'gcr', settings, googleTokenCredential(gcr.host, 'ya29.expired'));
    expect(step(report, 'credentials')).toMatchObject({ status: 'fail', httpStatus: 401 });
  });
});
