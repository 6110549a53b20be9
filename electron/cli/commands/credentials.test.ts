import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSavedStore, userOnlyFileStore } from '../../services/credentials/saved-store';
import { b64, cleanupTempDirs, tempDir, uniqueSecret, writeDockerConfig, writeHelper } from '../../services/credentials/test-fixtures';
import { UsageError } from '../output';
import { runCredentials } from './credentials';

afterAll(cleanupTempDirs);

function machine(env: Record<string, string> = {}) {
  const home = tempDir('stowage-cli-home-');
  const bin = tempDir('stowage-cli-bin-');
  const settingsDir = tempDir('stowage-cli-settings-');
  return { home, bin, settingsDir, deps: { env: { PATH: bin, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env }, homeDir: home, settingsDir } };
}

describe('stowage credentials', () => {
  it('prints the documented JSON, grouped per registry, in resolution order', async () => {
    const m = machine({ GITHUB_TOKEN: 'ghs_x', GITHUB_ACTOR: 'octocat' });
    writeDockerConfig(join(m.home, '.docker'), { auths: { 'ghcr.io': { auth: b64('me:pw') }, 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } });
    const out = await runCredentials({ json: true }, ['registry.example.com:5000/team/app'], m.deps);
    expect(out.code).toBe(0);
    const body = JSON.parse(out.stdout);
    expect(body.registries.map((r: { registry: string }) => r.registry)).toEqual(['docker.pkg.github.com', 'ghcr.io', 'index.docker.io', 'registry.example.com:5000']);
    const ghcr = body.registries.find((r: { registry: string }) => r.registry === 'ghcr.io');
    expect(ghcr.sources).toEqual([
      { registry: 'ghcr.io', source: 'github-env', sourceDetail: 'GITHUB_TOKEN (user from GITHUB_ACTOR)', kind: 'bearer-token', username: 'octocat', usable: true },
      { registry: 'ghcr.io', source: 'docker-config', sourceDetail: '~/.docker/config.json auths["ghcr.io"]', kind: 'basic', username: 'me', usable: true },
    ]);
    expect(body.registries.find((r: { registry: string }) => r.registry === 'registry.example.com:5000').sources).toEqual([]);
  });

  it('prints text with which source is used, which are shadowed and which are broken', async () => {
    const m = machine({ GITHUB_TOKEN: 'ghs_x' });
    writeDockerConfig(join(m.home, '.docker'), { credsStore: 'desktop', auths: { 'ghcr.io': { auth: b64('me:pw') } } });
    const out = await runCredentials({}, [], m.deps);
    expect(out.stdout).toContain('ghcr.io\n  * github-env  bearer-token  GITHUB_TOKEN\n  ! credential-helper  basic  docker-credential-desktop (credsStore in ~/.docker/config.json)\n      problem: docker-credential-desktop is not installed\n');
    expect(out.stdout).toContain('  - docker-config  basic  user me  ~/.docker/config.json auths["ghcr.io"]');
    expect(out.stdout).toContain('Secrets are never shown.');
  });

  it('checks the AWS chain for a named ECR registry', async () => {
    const m = machine({ AWS_ACCESS_KEY_ID: 'AKIAENVENVENVENVENV1', AWS_SECRET_ACCESS_KEY: 'x' });
    const out = await runCredentials({ json: true }, ['123456789012.dkr.ecr.us-east-1.amazonaws.com/app'], m.deps);
    expect(JSON.parse(out.stdout).registries).toEqual([
      {
        registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
        sources: [{ registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', source: 'aws-chain', sourceDetail: 'AWS default credential chain: environment variables (AWS_ACCESS_KEY_ID)', kind: 'aws', usable: true }],
      },
    ]);
  });

  it('says so when nothing is found', async () => {
    const out = await runCredentials({}, [], machine().deps);
    expect(out).toMatchObject({ code: 0 });
    expect(out.stdout).toContain('No registry credentials found.');
    expect(JSON.parse((await runCredentials({ json: true }, [], machine().deps)).stdout)).toEqual({ registries: [] });
  });

  it('rejects an address that is not a registry', async () => {
    await expect(runCredentials({}, ['bad host!'], machine().deps)).rejects.toBeInstanceOf(UsageError);
    await expect(runCredentials({}, ['bad_host.example.com:99999/x'], machine().deps)).rejects.toThrow('bad port');
    // An image reference is fine: only its host is used.
    const out = await runCredentials({ json: true }, ['GHCR.io/org/app:latest'], machine().deps);
    expect(JSON.parse(out.stdout)).toEqual({ registries: [{ registry: 'ghcr.io', sources: [] }] });
  });

  it('never prints a secret, in JSON or in text', async () => {
    const secret = uniqueSecret('cli');
    const m = machine({ GITHUB_TOKEN: secret, DOCKER_AUTH_CONFIG: `{"auths": {"x.example.com": {"auth": "${secret}"` });
    writeHelper(m.bin, 'loud', `/bin/cat >/dev/null; echo "cannot unlock for ${secret}" >&2; exit 1`);
    writeHelper(m.bin, 'good', `/bin/cat >/dev/null; printf '{"Username":"u","Secret":"${secret}"}'`);
    writeDockerConfig(join(m.home, '.docker'), { auths: { 'quay.io': { auth: b64(`robot:${secret}`) } }, credHelpers: { 'loud.example.com': 'loud', 'good.example.com': 'good' } });
    await createSavedStore({ settingsDir: m.settingsDir, cipher: userOnlyFileStore() }).save({ registry: 'saved.example.com', implementation: 'default', username: 'u', secret });
    const json = await runCredentials({ json: true }, ['gcr.io'], m.deps);
    const text = await runCredentials({}, [], m.deps);
    const parsed = JSON.parse(json.stdout);
    // The sources are really found: otherwise this test would pass for the wrong reason.
    expect(parsed.registries.map((r: { registry: string }) => r.registry)).toEqual(
      expect.arrayContaining(['docker.pkg.github.com', 'ghcr.io', 'good.example.com', 'loud.example.com', 'quay.io', 'saved.example.com']),
    );
    expect(text.stdout).toContain('$DOCKER_AUTH_CONFIG cannot be used: it is not valid JSON (line 1');
    expect(text.stdout).toContain('docker-credential-loud get failed (exit 1): cannot unlock for [redacted]');
    for (const output of [json.stdout, json.stderr ?? '', text.stdout, text.stderr ?? '']) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(b64(`robot:${secret}`));
    }
  });
});
