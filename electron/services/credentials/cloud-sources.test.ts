import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { afterAll, describe, expect, it } from 'vitest';
import { AZURE_NOT_SIGNED_IN, awsCandidate, createAwsChain, createAzureSource, googleCandidates, type AzureCredentialFactory } from './cloud-sources';
import { createRunHelper } from './credential-helper';
import type { CredentialCandidate } from './types';
import { cleanupTempDirs, tempDir, writeHelper } from './test-fixtures';

afterAll(cleanupTempDirs);

const NOW = new Date('2026-03-01T12:00:00Z');
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
// Every AWS test runs with instance metadata disabled: nothing may leave this machine.
const offline = { AWS_EC2_METADATA_DISABLED: 'true' };

function awsHome(files: { credentials?: string; config?: string } = {}): string {
  const home = tempDir('stowage-aws-');
  mkdirSync(join(home, '.aws'), { recursive: true });
  if (files.credentials !== undefined) writeFileSync(join(home, '.aws', 'credentials'), files.credentials);
  if (files.config !== undefined) writeFileSync(join(home, '.aws', 'config'), files.config);
  return home;
}

describe('AWS default chain', () => {
  it('uses static keys from the environment and says so', async () => {
    const chain = createAwsChain({ env: { ...offline, AWS_ACCESS_KEY_ID: 'AKIAENVENVENVENVENV1', AWS_SECRET_ACCESS_KEY: 'env-secret' }, homeDir: awsHome() });
    const probe = await chain.probe();
    expect(probe).toEqual({ ok: true, report: { via: 'environment variables (AWS_ACCESS_KEY_ID)' } });
    expect(await chain.provider()).toMatchObject({ accessKeyId: 'AKIAENVENVENVENVENV1', secretAccessKey: 'env-secret' });
  });

  it('reads the default profile from ~/.aws/credentials in the given home', async () => {
    const home = awsHome({ credentials: '[default]\naws_access_key_id = AKIAFILEFILEFILEFIL1\naws_secret_access_key = file-secret\n' });
    const chain = createAwsChain({ env: offline, homeDir: home });
    const probe = await chain.probe();
    expect(probe).toEqual({ ok: true, report: { via: 'profile "default" (access keys) from ~/.aws/credentials, ~/.aws/config' } });
    expect((await chain.provider()).accessKeyId).toBe('AKIAFILEFILEFILEFIL1');
  });

  it('honours AWS_PROFILE, which makes the SDK skip the environment keys', async () => {
    const home = awsHome({ config: '[profile dev]\naws_access_key_id = AKIADEVDEVDEVDEVDEV1\naws_secret_access_key = dev-secret\n' });
    const chain = createAwsChain({ env: { ...offline, AWS_PROFILE: 'dev', AWS_ACCESS_KEY_ID: 'AKIAENVENVENVENVENV1', AWS_SECRET_ACCESS_KEY: 'env-secret' }, homeDir: home });
    const probe = await chain.probe();
    expect(probe).toEqual({ ok: true, report: { via: 'profile "dev" (access keys) from ~/.aws/credentials, ~/.aws/config', profile: 'dev' } });
    expect((await chain.provider()).accessKeyId).toBe('AKIADEVDEVDEVDEVDEV1');
    expect(chain.profile).toBe('dev');
  });

  it('runs credential_process once, reports it and its expiry', async () => {
    const home = awsHome();
    const counter = join(home, 'runs');
    const script = join(home, 'creds.sh');
    writeFileSync(
      script,
      `#!/bin/sh\necho x >> '${counter}'\nprintf '{"Version":1,"AccessKeyId":"ASIAPROCPROCPROCPRO1","SecretAccessKey":"proc-secret","SessionToken":"proc-session","Expiration":"2099-01-01T00:00:00Z"}'\n`,
    );
    chmodSync(script, 0o755);
    writeFileSync(join(home, '.aws', 'config'), `[profile ci]\ncredential_process = ${script}\n`);
    const chain = createAwsChain({ env: { ...offline, AWS_PROFILE: 'ci' }, homeDir: home });
    const probe = await chain.probe();
    expect(probe.ok && probe.report).toEqual({ via: 'profile "ci" (credential_process) from ~/.aws/credentials, ~/.aws/config', profile: 'ci', expiresAt: new Date('2099-01-01T00:00:00Z') });
    await chain.provider();
    await chain.probe();
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('explains a profile that does not exist', async () => {
    const chain = createAwsChain({ env: { ...offline, AWS_PROFILE: 'nope' }, homeDir: awsHome({ credentials: '[default]\naws_access_key_id = A\naws_secret_access_key = B\n' }) });
    const probe = await chain.probe();
    expect(probe.ok).toBe(false);
    if (probe.ok) return;
    expect(probe.problem).toMatch(/^no AWS credentials found: profile "nope"/);
    expect(probe.hint).toContain('aws configure --profile nope');
  });

  it('says when nothing is configured at all', async () => {
    const probe = await createAwsChain({ env: offline, homeDir: awsHome() }).probe();
    expect(probe).toMatchObject({ ok: false, problem: 'no AWS credentials found' });
  });

  it('turns the chain into an ECR summary without secrets, and flags expired sessions', async () => {
    const env = { ...offline, AWS_ACCESS_KEY_ID: 'AKIAENVENVENVENVENV1', AWS_SECRET_ACCESS_KEY: 'env-secret-xyz', AWS_SESSION_TOKEN: 'sess', AWS_CREDENTIAL_EXPIRATION: '2026-03-01T13:00:00Z' };
    const good = await awsCandidate(createAwsChain({ env, homeDir: awsHome() }), ECR, NOW);
    expect(good.summary).toEqual({
      registry: ECR,
      source: 'aws-chain',
      sourceDetail: 'AWS default credential chain: environment variables (AWS_ACCESS_KEY_ID + AWS_SESSION_TOKEN)',
      kind: 'aws',
      usable: true,
      expiresAt: '2026-03-01T13:00:00.000Z',
    });
    expect(good.secret?.kind).toBe('aws');
    expect(JSON.stringify(good)).not.toContain('env-secret-xyz');
    const expired = await awsCandidate(createAwsChain({ env: { ...env, AWS_CREDENTIAL_EXPIRATION: '2026-03-01T11:00:00Z' }, homeDir: awsHome() }), ECR, NOW);
    expect(expired.summary).toMatchObject({ usable: false, problem: 'the AWS session expired at 2026-03-01T11:00:00.000Z' });
  });
});

describe('Azure', () => {
  const token: AccessToken = { token: 'aad-token', expiresOnTimestamp: NOW.getTime() + 3600_000 };

  it('is not constructed until an ACR host is looked at', async () => {
    let built = 0;
    const factory: AzureCredentialFactory = () => {
      built++;
      return { getToken: async () => token };
    };
    const source = createAzureSource({ factory });
    expect(built).toBe(0);
    const c = await source.candidate('myreg.azurecr.io', NOW);
    expect(built).toBe(1);
    expect(c.summary).toMatchObject({ registry: 'myreg.azurecr.io', source: 'azure-chain', kind: 'azure', usable: true, expiresAt: new Date(token.expiresOnTimestamp).toISOString() });
    await source.candidate('other.azurecr.io', NOW);
    expect(built).toBe(1);
  });

  it('asks for the ACR audience of the right cloud', async () => {
    const seen: { scopes: string | string[]; authorityHost?: string }[] = [];
    const factory: AzureCredentialFactory = ({ authorityHost }) => ({
      getToken: async (scopes) => {
        seen.push({ scopes, ...(authorityHost !== undefined ? { authorityHost } : {}) });
        return token;
      },
    });
    const source = createAzureSource({ factory });
    await source.candidate('a.azurecr.io', NOW);
    await source.candidate('b.azurecr.cn', NOW);
    expect(seen).toEqual([
      { scopes: 'https://containerregistry.azure.net/.default' },
      { scopes: 'https://management.chinacloudapi.cn/.default', authorityHost: 'https://login.chinacloudapi.cn' },
    ]);
  });

  it('reports "not signed in — run az login" when the credential fails, without its message', async () => {
    const failing: TokenCredential = {
      getToken: async () => {
        throw new Error('AzureCliCredential: Please run az login. token=LeakyAzureSecret123');
      },
    };
    const c: CredentialCandidate = await createAzureSource({ factory: () => failing }).candidate('myreg.azurecr.io', NOW);
    expect(c.summary).toMatchObject({ usable: false, problem: AZURE_NOT_SIGNED_IN });
    expect(c.summary.hint).toContain('az login');
    expect(JSON.stringify(c)).not.toContain('LeakyAzureSecret123');
  });

  it('bounds a credential that never answers', async () => {
    const hanging: TokenCredential = { getToken: () => new Promise(() => undefined) };
    const c = await createAzureSource({ factory: () => hanging, timeoutMs: 100 }).candidate('myreg.azurecr.io', NOW);
    expect(c.summary.usable).toBe(false);
    expect(c.summary.problem).toContain('did not finish within 0.1 s');
  });
});

describe('Google', () => {
  async function collect(registry: string, env: Record<string, string>, bin: string, already = false): Promise<CredentialCandidate[]> {
    const out: CredentialCandidate[] = [];
    const runHelper = createRunHelper({ env: { PATH: bin }, timeoutMs: 2000 });
    for await (const c of googleCandidates(registry, { env, runHelper, now: NOW, gcloudAlreadyAsked: already })) out.push(c);
    return out;
  }

  it('offers GOOGLE_OAUTH_ACCESS_TOKEN, then the gcloud helper', async () => {
    const bin = tempDir('stowage-bin-');
    writeHelper(bin, 'gcloud', `url=$(/bin/cat); [ "$url" = "europe-docker.pkg.dev" ] || exit 4; printf '{"Username":"_dcgcloud_token","Secret":"ya29.helper"}'`);
    const found = await collect('europe-docker.pkg.dev', { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.env' }, bin);
    expect(found.map((c) => c.summary.sourceDetail)).toEqual(['GOOGLE_OAUTH_ACCESS_TOKEN', 'docker-credential-gcloud (gcloud auth)']);
    expect(found[1]?.secret?.kind === 'google-token' && found[1].secret.token.reveal()).toBe('ya29.helper');
  });

  it('is quiet when gcloud is not installed, and does not ask it twice', async () => {
    const empty = tempDir('stowage-bin-');
    expect(await collect('gcr.io', {}, empty)).toEqual([]);
    const bin = tempDir('stowage-bin-');
    writeHelper(bin, 'gcloud', `exit 7`);
    expect(await collect('gcr.io', {}, bin, true)).toEqual([]);
    const [failed] = await collect('gcr.io', {}, bin);
    expect(failed?.summary).toMatchObject({ usable: false, problem: 'docker-credential-gcloud get failed (exit 7)' });
  });
});
