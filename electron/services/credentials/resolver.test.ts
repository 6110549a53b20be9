import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { TokenCredential } from '@azure/identity';
import { afterAll, describe, expect, it } from 'vitest';
import type { CredentialSummary } from '../../../shared/credentials/types';
import { createCredentialResolver, type CredentialResolverDeps } from './resolver';
import { createSavedStore, memoryOnlyCipher, userOnlyFileStore, type SavedCredentialStore } from './saved-store';
import { b64, cleanupTempDirs, tempDir, uniqueSecret, writeDockerConfig, writeHelper } from './test-fixtures';

afterAll(cleanupTempDirs);

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

interface World {
  home: string;
  bin: string;
  settings: string;
  store: SavedCredentialStore;
  deps(extra?: Partial<CredentialResolverDeps>): CredentialResolverDeps;
}

function world(env: Record<string, string> = {}): World {
  const home = tempDir('stowage-home-');
  const bin = tempDir('stowage-bin-');
  const settings = tempDir('stowage-settings-');
  const store = createSavedStore({ settingsDir: settings, cipher: memoryOnlyCipher(), optIn: userOnlyFileStore() });
  // PATH has only our scripts; instance metadata is off so the AWS chain stays on this machine.
  const baseEnv = { PATH: bin, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env };
  return {
    home,
    bin,
    settings,
    store,
    deps: (extra = {}) => ({ env: baseEnv, homeDir: home, savedStore: store, helperTimeoutMs: 2000, awsTimeoutMs: 3000, ...extra }),
  };
}

const sources = (list: CredentialSummary[], registry: string) => list.filter((s) => s.registry === registry).map((s) => s.source);

describe('resolution order', () => {
  function everySource() {
    const w = world({
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'ghcr.io': { auth: b64('from-env-config:pw') } } }),
      GITHUB_TOKEN: 'ghs_token',
      GITHUB_ACTOR: 'actor',
    });
    writeHelper(w.bin, 'perhost', `/bin/cat >/dev/null; printf '{"Username":"from-helper","Secret":"h"}'`);
    writeDockerConfig(join(w.home, '.docker'), { credHelpers: { 'ghcr.io': 'perhost' }, auths: { 'ghcr.io': { auth: b64('from-file:pw') } } });
    return w;
  }

  it('lists every source for a host in the documented order', async () => {
    const w = everySource();
    await w.store.save({ registry: 'ghcr.io', implementation: 'github', username: 'saved-user', secret: 's' });
    const list = await createCredentialResolver(w.deps()).list();
    expect(list.filter((s) => s.registry === 'ghcr.io').map((s) => [s.source, s.username])).toEqual([
      ['session', 'saved-user'],
      ['docker-auth-config-env', 'from-env-config'],
      ['github-env', 'actor'],
      ['credential-helper', 'from-helper'],
      ['docker-config', 'from-file'],
    ]);
  });

  it('resolves to the first usable source and falls through as sources go away', async () => {
    const w = everySource();
    await w.store.save({ registry: 'ghcr.io', implementation: 'github', username: 'saved-user', secret: 's' });
    const pick = async (deps: CredentialResolverDeps) => (await createCredentialResolver(deps).resolve('ghcr.io', 'github'))?.summary.source;
    expect(await pick(w.deps())).toBe('session');
    await w.store.remove('ghcr.io');
    expect(await pick(w.deps())).toBe('docker-auth-config-env');
    const noDac = { ...w.deps().env, DOCKER_AUTH_CONFIG: '' };
    expect(await pick(w.deps({ env: noDac }))).toBe('github-env');
    expect(await pick(w.deps({ env: { ...noDac, GITHUB_TOKEN: '' } }))).toBe('credential-helper');
  });

  it('does not start later sources once one is usable', async () => {
    const w = world();
    const marker = join(w.bin, 'helper-ran');
    writeHelper(w.bin, 'store', `touch '${marker}'; /bin/cat >/dev/null; printf '{"Username":"u","Secret":"s"}'`);
    writeDockerConfig(join(w.home, '.docker'), { credsStore: 'store' });
    await w.store.save({ registry: 'index.docker.io', implementation: 'dockerhub', username: 'me', secret: 'tok' });
    const resolved = await createCredentialResolver(w.deps()).resolve('docker.io', 'dockerhub');
    expect(resolved?.summary.source).toBe('session');
    expect(existsSync(marker)).toBe(false);
  });

  it('skips unusable sources in resolve() and shows them in list()', async () => {
    const w = world({ DOCKER_AUTH_CONFIG: '{ this is not json' });
    writeDockerConfig(join(w.home, '.docker'), { credsStore: 'desktop', auths: { 'quay.io': { auth: b64('robot:pw') } } });
    const resolver = createCredentialResolver(w.deps());
    const resolved = await resolver.resolve('quay.io', 'quay');
    expect(resolved?.summary).toMatchObject({ source: 'docker-config', username: 'robot' });
    const list = (await resolver.list()).filter((s) => s.registry === 'quay.io');
    expect(list.map((s) => [s.source, s.usable])).toEqual([
      ['docker-auth-config-env', false],
      ['credential-helper', false],
      ['docker-config', true],
    ]);
    expect(list[1]?.problem).toBe('docker-credential-desktop is not installed');
  });

  it('resolveWithProblems(): the same pick as resolve(), plus the unusable sources passed over', async () => {
    const w = world();
    writeDockerConfig(join(w.home, '.docker'), { credsStore: 'desktop', auths: { 'quay.io': { auth: b64('robot:pw') } } });
    const resolver = createCredentialResolver(w.deps());

    // Nothing usable: resolve() stays null (no caller gets an unusable credential), the problems come back.
    const none = await resolver.resolveWithProblems('registry.example.com', 'default');
    expect(none.credential).toBeNull();
    expect(none.unusable).toEqual([
      {
        registry: 'registry.example.com',
        source: 'credential-helper',
        sourceDetail: 'docker-credential-desktop (credsStore in ~/.docker/config.json)',
        kind: 'basic',
        usable: false,
        problem: 'docker-credential-desktop is not installed',
        hint: expect.stringContaining('Install docker-credential-desktop so that it is on PATH') as unknown as string,
      },
    ]);
    expect(await resolver.resolve('registry.example.com', 'default')).toBeNull();

    // Something usable: it is the pick, and what was skipped on the way is still said.
    const some = await resolver.resolveWithProblems('quay.io', 'quay');
    expect(some.credential?.summary).toMatchObject({ source: 'docker-config', username: 'robot', usable: true });
    expect(some.unusable.map((u) => u.problem)).toEqual(['docker-credential-desktop is not installed']);
    expect((await resolver.resolve('quay.io', 'quay'))?.summary).toEqual(some.credential?.summary);
  });

  it('resolveWithProblems(): an expired token and a helper with no login are problems, not silence', async () => {
    const w = world();
    const expired = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: 1_600_000_000 })).toString('base64url')}.c2ln`;
    writeHelper(w.bin, 'empty', `/bin/cat >/dev/null; echo "credentials not found in native keychain"; exit 1`);
    writeDockerConfig(join(w.home, '.docker'), { credHelpers: { 'helper.example.com': 'empty' }, auths: { 'jwt.example.com': { registrytoken: expired } } });
    const resolver = createCredentialResolver(w.deps());
    const jwt = await resolver.resolveWithProblems('jwt.example.com', 'default');
    expect(jwt.credential).toBeNull();
    expect(jwt.unusable.map((u) => [u.problem, u.hint])).toEqual([['the token expired at 2020-09-13T12:26:40.000Z', 'Log in again with docker login jwt.example.com (it rewrites the entry).']]);
    const helper = await resolver.resolveWithProblems('helper.example.com', 'default');
    expect(helper.credential).toBeNull();
    expect(helper.unusable.map((u) => u.problem)).toEqual(['docker-credential-empty has no login for helper.example.com']);
    // `stowage credentials` shows the same instead of "nothing found".
    const listed = (await resolver.list(undefined, { registries: ['helper.example.com'] })).filter((s) => s.registry === 'helper.example.com');
    expect(listed.map((s) => [s.usable, s.problem])).toEqual([[false, 'docker-credential-empty has no login for helper.example.com']]);
  });

  it('returns null (anonymous) when nothing is found', async () => {
    expect(await createCredentialResolver(world().deps()).resolve('registry.example.com', 'default')).toBeNull();
  });

  it('shows a broken config.json under Docker Hub when no registry is known', async () => {
    const w = world();
    writeDockerConfig(join(w.home, '.docker'), '{"auths": {');
    const list = await createCredentialResolver(w.deps()).list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ registry: 'index.docker.io', source: 'docker-config', usable: false });
  });

  it('honours cancellation', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(createCredentialResolver(world().deps()).resolve('ghcr.io', 'github', controller.signal)).rejects.toThrow('stop');
  });
});

describe('cloud chains in the resolver', () => {
  it('falls back to the AWS chain for ECR after a missing ecr-login helper', async () => {
    const w = world({ AWS_ACCESS_KEY_ID: 'AKIAENVENVENVENVENV1', AWS_SECRET_ACCESS_KEY: 'aws-secret', WERF_REPO: `${ECR}/app` });
    writeDockerConfig(join(w.home, '.docker'), { credHelpers: { [ECR]: 'ecr-login' } });
    const resolver = createCredentialResolver(w.deps());
    const resolved = await resolver.resolve(ECR, 'ecr');
    expect(resolved?.summary).toMatchObject({ source: 'aws-chain', kind: 'aws', sourceDetail: 'AWS default credential chain: environment variables (AWS_ACCESS_KEY_ID)' });
    expect(resolved?.secret.kind === 'aws' && (await resolved.secret.provider()).accessKeyId).toBe('AKIAENVENVENVENVENV1');
    const list = await resolver.list();
    expect(list.filter((s) => s.registry === ECR).map((s) => [s.source, s.usable])).toEqual([
      ['credential-helper', false],
      ['aws-chain', true],
    ]);
  });

  it('reads an AWS profile from the injected home', async () => {
    const w = world({ AWS_PROFILE: 'ci' });
    mkdirSync(join(w.home, '.aws'));
    writeFileSync(join(w.home, '.aws', 'credentials'), '[ci]\naws_access_key_id = AKIAPROFILEPROFILE01\naws_secret_access_key = x\n');
    const resolved = await createCredentialResolver(w.deps()).resolve(ECR, 'ecr');
    expect(resolved?.secret).toMatchObject({ kind: 'aws', profile: 'ci' });
    expect(resolved?.summary.sourceDetail).toBe('AWS default credential chain: profile "ci" (access keys) from ~/.aws/credentials, ~/.aws/config');
  });

  it('constructs the Azure credential only for ACR hosts', async () => {
    let built = 0;
    const azure = (): TokenCredential => {
      built++;
      return {
        getToken: async () => {
          throw new Error('not logged in');
        },
      };
    };
    const w = world({ GITHUB_TOKEN: 't' });
    const resolver = createCredentialResolver(w.deps({ azure }));
    await resolver.list();
    await resolver.resolve('ghcr.io', 'github');
    expect(built).toBe(0);
    const list = await resolver.list(undefined, { registries: ['myreg.azurecr.io'] });
    expect(built).toBe(1);
    expect(list.find((s) => s.registry === 'myreg.azurecr.io')).toMatchObject({ source: 'azure-chain', usable: false, problem: 'not signed in — run `az login`' });
    expect(await resolver.resolve('myreg.azurecr.io', 'acr')).toBeNull();
  });

  it('offers GOOGLE_OAUTH_ACCESS_TOKEN to Google registries only', async () => {
    const resolver = createCredentialResolver(world({ GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.t' }).deps());
    expect((await resolver.resolve('europe-docker.pkg.dev', 'gcr'))?.summary.source).toBe('google-token');
    expect(await resolver.resolve('quay.io', 'quay')).toBeNull();
    expect(sources(await resolver.list(undefined, { registries: ['gcr.io'] }), 'gcr.io')).toEqual(['google-token']);
  });
});

describe('secrets', () => {
  it('never appear in list(), summaries, resolved summaries or error messages', async () => {
    const secret = uniqueSecret();
    const unknownToUs = 'Qm9vbTFBbm90aGVyU2VjcmV0WDk5'; // what a helper might print that we never saw
    const w = world({
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'env.example.com': { auth: b64(`envuser:${secret}`) }, 'bad.example.com': { auth: `${secret}!!` } } }),
      GITHUB_TOKEN: secret,
      CI_REGISTRY: 'registry.gitlab.example.com',
      CI_REGISTRY_USER: 'gitlab-ci-token',
      CI_REGISTRY_PASSWORD: secret,
      WERF_REPO_DOCKER_HUB_TOKEN: secret,
      GOOGLE_OAUTH_ACCESS_TOKEN: secret,
      AWS_ACCESS_KEY_ID: 'AKIAENVENVENVENVENV1',
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_SESSION_TOKEN: secret,
    });
    writeHelper(w.bin, 'good', `/bin/cat >/dev/null; printf '{"Username":"u","Secret":"${secret}"}'`);
    writeHelper(w.bin, 'garbage', `/bin/cat >/dev/null; echo "Secret=${secret}"`);
    writeHelper(w.bin, 'loud', `/bin/cat >/dev/null; echo "failed for ${secret}; also ${unknownToUs}" >&2; exit 2`);
    writeDockerConfig(join(w.home, '.docker'), {
      auths: { 'file.example.com': { auth: b64(`fileuser:${secret}`) }, 'tok.example.com': { identitytoken: secret }, 'jwt.example.com': { registrytoken: secret } },
      credHelpers: { 'good.example.com': 'good', 'garbage.example.com': 'garbage', 'loud.example.com': 'loud' },
    });
    await w.store.save({ registry: 'saved.example.com', implementation: 'default', username: 'u', secret, persist: true });
    await w.store.save({ registry: 'session.example.com', implementation: 'default', username: 'u', secret });

    const resolver = createCredentialResolver(w.deps());
    const list = await resolver.list(undefined, { registries: [ECR, 'gcr.io'] });
    const resolved = await Promise.all(
      [
        ['env.example.com', 'default'],
        ['file.example.com', 'default'],
        ['good.example.com', 'default'],
        ['loud.example.com', 'default'],
        ['saved.example.com', 'default'],
        ['ghcr.io', 'github'],
        [ECR, 'ecr'],
        ['gcr.io', 'gcr'],
      ].map(([r, impl]) => resolver.resolve(r!, impl as 'default')),
    );
    // The secrets are really there to be found (a test that could not fail would prove nothing).
    expect(resolved.filter((r) => r !== null).length).toBeGreaterThanOrEqual(7);
    expect(resolved.some((r) => r?.secret.kind === 'basic' && r.secret.password.reveal() === secret)).toBe(true);
    expect(list.some((s) => s.problem?.includes('docker-credential-loud get failed (exit 2): failed for'))).toBe(true);

    const errors: string[] = [];
    const refusedDir = tempDir();
    const refused = createSavedStore({ settingsDir: refusedDir, cipher: memoryOnlyCipher(), optIn: userOnlyFileStore() });
    writeFileSync(join(refusedDir, 'credentials.json'), JSON.stringify({ version: 1, entries: [] }), { mode: 0o644 });
    await refused.save({ registry: 'x.example.com', implementation: 'default', username: 'u', secret, persist: true }).catch((e: Error) => errors.push(`${e.message} ${String(e)} ${inspect(e)}`));
    expect(errors).toHaveLength(1);

    const everything = [
      JSON.stringify(list),
      inspect(list, { depth: 10 }),
      JSON.stringify(await w.store.summaries()),
      JSON.stringify(resolved),
      inspect(resolved, { depth: 10 }),
      resolved.map((r) => `${String(r?.summary.sourceDetail)} ${String(r?.secret && 'token' in r.secret ? r.secret.token : '')}`).join(' '),
      ...errors,
    ].join('\n');
    for (const form of [secret, b64(`envuser:${secret}`), b64(`fileuser:${secret}`), unknownToUs]) expect(everything).not.toContain(form);
  });
});
