import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunHelper, helperList, type RunHelper } from './credential-helper';
import { authEntriesFor, configCandidates, parseDockerConfig, readDockerAuthConfigEnv, readDockerConfigFile, type ConfigLookupContext, type DockerConfigSource } from './docker-config';
import type { CredentialCandidate } from './types';
import { b64, cleanupTempDirs, tempDir, writeDockerConfig, writeHelper } from './test-fixtures';

afterAll(cleanupTempDirs);

const noHelpers: RunHelper = async () => {
  throw new Error('no helper should run in this test');
};

function ctx(run: RunHelper = noHelpers, mode: ConfigLookupContext['mode'] = 'resolve'): ConfigLookupContext {
  return { runHelper: run, mode, now: () => new Date('2026-01-01T00:00:00Z'), storeList: (h) => helperList(run, h) };
}

async function all(source: DockerConfigSource, host: string, c: ConfigLookupContext = ctx()): Promise<CredentialCandidate[]> {
  const out: CredentialCandidate[] = [];
  for await (const x of configCandidates(source, host, c)) out.push(x);
  return out;
}

async function readHome(config: unknown, env: Record<string, string> = {}) {
  const home = tempDir('stowage-home-');
  const path = writeDockerConfig(join(home, '.docker'), config);
  const source = await readDockerConfigFile({ env, homeDir: home });
  return { home, path, source: source! };
}

describe('config.json auths', () => {
  it('decodes auth as user:password, split at the first colon, trailing NULs trimmed', async () => {
    const { source } = await readHome({ auths: { 'registry.example.com': { auth: b64('bob:pa:ss\0\0') } } });
    const [c] = await all(source, 'registry.example.com');
    expect(c?.summary).toMatchObject({ registry: 'registry.example.com', source: 'docker-config', kind: 'basic', username: 'bob', usable: true });
    expect(c?.summary.sourceDetail).toBe('~/.docker/config.json auths["registry.example.com"]');
    expect(c?.secret).toMatchObject({ kind: 'basic', username: 'bob' });
    expect(c?.secret?.kind === 'basic' && c.secret.password.reveal()).toBe('pa:ss');
  });

  it('reads username/password fields', async () => {
    const { source } = await readHome({ auths: { 'quay.io': { username: 'robot+ci', password: 'pw' } } });
    const [c] = await all(source, 'quay.io');
    expect(c?.summary).toMatchObject({ kind: 'basic', username: 'robot+ci', usable: true });
  });

  it('reads identitytoken and registrytoken', async () => {
    const { source } = await readHome({
      auths: {
        'myreg.azurecr.io': { auth: b64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh' },
        'bearer.example.com': { registrytoken: 'direct-bearer' },
      },
    });
    const [acr] = await all(source, 'myreg.azurecr.io');
    expect(acr?.summary).toMatchObject({ kind: 'identity-token', username: '00000000-0000-0000-0000-000000000000', usable: true });
    expect(acr?.secret).toMatchObject({ kind: 'identity-token', username: '00000000-0000-0000-0000-000000000000' });
    const [reg] = await all(source, 'bearer.example.com');
    expect(reg?.summary).toMatchObject({ kind: 'registry-token', usable: true });
    expect(reg?.secret?.kind === 'registry-token' && reg.secret.token.reveal()).toBe('direct-bearer');
  });

  it('reports when a JWT registry token has expired', async () => {
    const jwt = `h.${Buffer.from(JSON.stringify({ exp: Date.parse('2025-06-01T00:00:00Z') / 1000 })).toString('base64url')}.sig`;
    const { source } = await readHome({ auths: { 'old.example.com': { registrytoken: jwt } } });
    const [c] = await all(source, 'old.example.com');
    expect(c?.summary).toMatchObject({ usable: false, expiresAt: '2025-06-01T00:00:00.000Z' });
    expect(c?.summary.problem).toContain('expired');
    expect(c?.secret).toBeNull();
  });

  it('prefers the exact key, then legacy keys with scheme and path that name the same host:port', async () => {
    const { source } = await readHome({
      auths: {
        'https://registry.example.com:5000/v1/': { auth: b64('legacy:x') },
        'registry.example.com:5000': { auth: b64('exact:y') },
        'http://registry.example.com/v2/': { auth: b64('other-port:z') },
      },
    });
    expect(authEntriesFor(source, 'registry.example.com:5000').map((e) => e.key)).toEqual(['registry.example.com:5000', 'https://registry.example.com:5000/v1/']);
    const found = await all(source, 'registry.example.com:5000');
    expect(found.map((c) => c.summary.username)).toEqual(['exact', 'legacy']);
    expect((await all(source, 'registry.example.com')).map((c) => c.summary.username)).toEqual(['other-port']);
  });

  it.each(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'https://index.docker.io/v1/'])(
    'finds the Docker Hub key for %s',
    async (alias) => {
      const { source } = await readHome({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:pw') } } });
      const [c] = await all(source, alias);
      expect(c?.summary).toMatchObject({ registry: 'index.docker.io', username: 'hubuser', usable: true });
    },
  );

  it('reads a Hub entry stored under a short alias key too', async () => {
    const { source } = await readHome({ auths: { 'docker.io': { auth: b64('short:pw') } } });
    expect((await all(source, 'index.docker.io')).map((c) => c.summary.username)).toEqual(['short']);
  });

  it('marks bad base64 and auth without a colon as unusable, without failing the rest', async () => {
    const { source } = await readHome({
      auths: { 'bad.example.com': { auth: 'not*base64!' }, 'nocolon.example.com': { auth: b64('justauser') }, 'good.example.com': { auth: b64('u:p') } },
    });
    const [bad] = await all(source, 'bad.example.com');
    expect(bad?.summary).toMatchObject({ usable: false, problem: '~/.docker/config.json auths["bad.example.com"].auth is not valid base64' });
    expect(bad?.summary.hint).toContain('docker login bad.example.com');
    expect(bad?.secret).toBeNull();
    const [nocolon] = await all(source, 'nocolon.example.com');
    expect(nocolon?.summary.problem).toContain('does not hold "user:password"');
    expect((await all(source, 'good.example.com'))[0]?.summary.usable).toBe(true);
  });

  it('turns malformed JSON into one problem with a position and without quoting the file', async () => {
    const secret = 'Do-Not-Quote-Me-7f3a';
    const { source } = await readHome(`{\n  "auths": {\n    "ghcr.io": { "auth": "${secret}", }\n  }\n}`);
    expect(source.problem?.problem).toMatch(/^~\/\.docker\/config\.json cannot be used: it is not valid JSON \(line 3, column \d+\)$/);
    const [c] = await all(source, 'ghcr.io');
    expect(c?.summary).toMatchObject({ registry: 'ghcr.io', source: 'docker-config', usable: false });
    expect(JSON.stringify(c)).not.toContain(secret);
  });

  it('reports a wrong shape instead of throwing', () => {
    expect(parseDockerConfig('[1,2]', 'file', 'cfg', null).problem?.problem).toBe('cfg cannot be used: it is not a JSON object');
    expect(parseDockerConfig('{"auths": []}', 'file', 'cfg', null).problem?.problem).toBe('cfg cannot be used: "auths" is not an object');
    const odd = parseDockerConfig('{"auths": {"a.example.com": "x", "b.example.com": {"auth": 5}}}', 'file', 'cfg', null);
    expect(odd.problem).toBeNull();
    expect(odd.auths.map((e) => e.candidate?.summary.problem)).toEqual(['cfg auths["a.example.com"] is not an object', 'cfg auths["b.example.com"].auth is not a string']);
  });

  it('reports an unreadable config.json (a folder in its place)', async () => {
    const home = tempDir('stowage-home-');
    mkdirSync(join(home, '.docker', 'config.json'), { recursive: true });
    const source = await readDockerConfigFile({ env: {}, homeDir: home });
    expect(source?.problem?.problem).toBe('~/.docker/config.json is a folder, not a file');
  });

  it('has no source when there is no file, and honours DOCKER_CONFIG', async () => {
    const home = tempDir('stowage-home-');
    expect(await readDockerConfigFile({ env: {}, homeDir: home })).toBeNull();
    const elsewhere = tempDir('stowage-dockercfg-');
    writeDockerConfig(elsewhere, { auths: { 'ghcr.io': { auth: b64('viaenv:pw') } } });
    const source = await readDockerConfigFile({ env: { DOCKER_CONFIG: elsewhere }, homeDir: home });
    expect(source?.label).toBe(join(elsewhere, 'config.json'));
    expect((await all(source!, 'ghcr.io'))[0]?.summary.username).toBe('viaenv');
  });

  it('reads DOCKER_AUTH_CONFIG with the same rules and its own source name', async () => {
    const source = readDockerAuthConfigEnv({ env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('ci:tok') } } }) }, homeDir: '/nowhere' });
    const [c] = await all(source!, 'docker.io');
    expect(c?.summary).toMatchObject({ source: 'docker-auth-config-env', sourceDetail: '$DOCKER_AUTH_CONFIG auths["https://index.docker.io/v1/"]', username: 'ci', usable: true });
    expect(readDockerAuthConfigEnv({ env: { DOCKER_AUTH_CONFIG: '' }, homeDir: '/nowhere' })).toBeNull();
    expect(readDockerAuthConfigEnv({ env: { DOCKER_AUTH_CONFIG: '{oops' }, homeDir: '/nowhere' })?.problem?.problem).toContain('$DOCKER_AUTH_CONFIG cannot be used');
  });

  it('never writes the file', async () => {
    const { path, source } = await readHome({ auths: { 'ghcr.io': { auth: b64('u:p') }, 'empty.example.com': {} }, credsStore: 'desktop' });
    const before = { text: readFileSync(path, 'utf8'), mtime: statSync(path).mtimeMs };
    const bin = tempDir('stowage-bin-');
    await all(source, 'ghcr.io', ctx(createRunHelper({ env: { PATH: bin } })));
    expect(readFileSync(path, 'utf8')).toBe(before.text);
    expect(statSync(path).mtimeMs).toBe(before.mtime);
  });
});

describe('config.json helpers', () => {
  function helpers() {
    const bin = tempDir('stowage-bin-');
    writeHelper(bin, 'perhost', `/bin/cat >/dev/null; printf '{"Username":"from-credhelper","Secret":"s1"}'`);
    writeHelper(
      bin,
      'store',
      `if [ "$1" = list ]; then printf '{"https://index.docker.io/v1/":"hub-from-list","ghcr.io":"<token>"}'; exit 0; fi
url=$(/bin/cat); case "$url" in ghcr.io) printf '{"Username":"from-store","Secret":"s2"}';; *) echo "credentials not found in native keychain"; exit 1;; esac`,
    );
    return createRunHelper({ env: { PATH: bin }, timeoutMs: 2000 });
  }

  it('asks credHelpers[host], then credsStore, then auths', async () => {
    const run = helpers();
    const { source } = await readHome({ credHelpers: { 'ghcr.io': 'perhost' }, credsStore: 'store', auths: { 'ghcr.io': { auth: b64('from-auths:pw') } } });
    const found = await all(source, 'ghcr.io', ctx(run));
    expect(found.map((c) => [c.summary.source, c.summary.username])).toEqual([
      ['credential-helper', 'from-credhelper'],
      ['credential-helper', 'from-store'],
      ['docker-config', 'from-auths'],
    ]);
    expect(found[0]?.summary.sourceDetail).toBe('docker-credential-perhost (credHelpers["ghcr.io"] in ~/.docker/config.json)');
    expect(found[1]?.summary.sourceDetail).toBe('docker-credential-store (credsStore in ~/.docker/config.json)');
  });

  it('skips the {} placeholders a credsStore login leaves, and flags them without a store', async () => {
    const run = helpers();
    const withStore = (await readHome({ credsStore: 'store', auths: { 'quay.io': {} } })).source;
    // The placeholder says `docker login quay.io` went through the store; a store with nothing for it
    // is reported (in resolve and in list mode), not dropped.
    for (const mode of ['resolve', 'list'] as const) {
      const found = await all(withStore, 'quay.io', ctx(run, mode));
      expect(found.map((c) => c.summary)).toEqual([
        {
          registry: 'quay.io',
          source: 'credential-helper',
          sourceDetail: 'docker-credential-store (credsStore in ~/.docker/config.json)',
          kind: 'basic',
          usable: false,
          problem: 'docker-credential-store has no login for quay.io',
          hint: 'Log in with docker login quay.io (docker stores the login through docker-credential-store), or save a credential for quay.io in Stowage.',
        },
      ]);
      expect(found[0]?.secret).toBeNull();
    }
    const without = (await readHome({ auths: { 'quay.io': {} } })).source;
    const [c] = await all(without, 'quay.io');
    expect(c?.summary).toMatchObject({ usable: false });
    expect(c?.summary.problem).toContain('holds no credentials');
  });

  it('reports a credHelpers helper that answers "credentials not found" for its host', async () => {
    const bin = tempDir('stowage-bin-');
    writeHelper(bin, 'empty', `/bin/cat >/dev/null; echo "credentials not found in native keychain"; exit 1`);
    const run = createRunHelper({ env: { PATH: bin }, timeoutMs: 2000 });
    const { source } = await readHome({ credHelpers: { 'registry.example.com:5000': 'empty', 'docker.io': 'empty' }, auths: { 'registry.example.com:5000': { auth: b64('later:pw') } } });
    for (const mode of ['resolve', 'list'] as const) {
      const found = await all(source, 'registry.example.com:5000', ctx(run, mode));
      expect(found.map((c) => [c.summary.source, c.summary.usable, c.summary.problem ?? null, c.summary.hint ?? null])).toEqual([
        [
          'credential-helper',
          false,
          'docker-credential-empty has no login for registry.example.com:5000',
          'Log in with docker login registry.example.com:5000 (docker stores the login through docker-credential-empty), or save a credential for registry.example.com:5000 in Stowage.',
        ],
        // A later source still counts.
        ['docker-config', true, null, null],
      ]);
      expect(found[0]?.summary.sourceDetail).toBe('docker-credential-empty (credHelpers["registry.example.com:5000"] in ~/.docker/config.json)');
    }
    const [hub] = await all(source, 'index.docker.io', ctx(run));
    expect(hub?.summary).toMatchObject({ usable: false, problem: 'docker-credential-empty has no login for index.docker.io' });
    expect(hub?.summary.hint).toMatch(/^Log in with docker login \(/);
  });

  it('says nothing when a credsStore has no login for a host the config does not name', async () => {
    // The store serves every registry: not having a login for one never used is no problem.
    const run = helpers();
    const { source } = await readHome({ credsStore: 'store' });
    expect(await all(source, 'registry.example.com', ctx(run))).toEqual([]);
    expect(await all(source, 'registry.example.com', ctx(run, 'list'))).toEqual([]);
  });

  it('reports a missing credsStore binary and still offers the auths entry', async () => {
    const bin = tempDir('stowage-bin-');
    const { source } = await readHome({ credsStore: 'desktop', auths: { 'ghcr.io': { auth: b64('u:p') } } });
    const found = await all(source, 'ghcr.io', ctx(createRunHelper({ env: { PATH: bin } })));
    expect(found.map((c) => [c.summary.usable, c.summary.problem ?? null])).toEqual([
      [false, 'docker-credential-desktop is not installed'],
      [true, null],
    ]);
  });

  it('uses `list` (not `get`) for the store in list mode', async () => {
    const run = helpers();
    const { source } = await readHome({ credsStore: 'store' });
    const [hub] = await all(source, 'index.docker.io', ctx(run, 'list'));
    expect(hub?.summary).toMatchObject({ source: 'credential-helper', username: 'hub-from-list', usable: true });
    expect(hub?.secret).toBeNull();
    const [gh] = await all(source, 'ghcr.io', ctx(run, 'list'));
    expect(gh?.summary).toMatchObject({ kind: 'identity-token', usable: true });
    expect(gh?.summary.username).toBeUndefined();
  });
});
