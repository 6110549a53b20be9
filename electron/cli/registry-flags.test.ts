import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialSummary } from '../../shared/credentials/types';
import { seedImage, startDistribution, type DistributionHandle } from '../../e2e/services/distribution';
import type { CredentialResolver } from '../services/credentials/types';
import { withTlsOverride } from '../services/registry-settings';
import { runCheck } from './commands/check';
import { runCli } from './main';
import { registryTlsOverride } from './registry-flags';

const anonymous: CredentialResolver = {
  resolve: async () => null,
  resolveWithProblems: async () => ({ credential: null, unusable: [] }),
  list: async (): Promise<CredentialSummary[]> => [],
};

describe("werf's registry TLS flags and variables", () => {
  it('flags and WERF_* variables (1/true/yes) turn on plain HTTP and skipped verification; nothing else does', () => {
    expect(registryTlsOverride({}, {})).toEqual({});
    expect(registryTlsOverride({ 'insecure-registry': true }, {})).toEqual({ plainHttp: true });
    expect(registryTlsOverride({ 'skip-tls-verify-registry': true }, {})).toEqual({ insecureSkipVerify: true });
    expect(registryTlsOverride({}, { WERF_INSECURE_REGISTRY: 'TRUE', WERF_SKIP_TLS_VERIFY_REGISTRY: '1' })).toEqual({ plainHttp: true, insecureSkipVerify: true });
    expect(registryTlsOverride({}, { WERF_INSECURE_REGISTRY: 'false', WERF_SKIP_TLS_VERIFY_REGISTRY: '0' })).toEqual({});
  });

  it('apply on top of the saved settings, for that registry only', () => {
    expect(withTlsOverride('r.example.com', undefined, {})).toBeUndefined();
    expect(withTlsOverride('r.example.com', undefined, { plainHttp: true })).toEqual({ registry: 'r.example.com', plainHttp: true });
    expect(withTlsOverride('r.example.com', { registry: 'r.example.com', caFile: '/ca.pem', concurrency: 4 }, { insecureSkipVerify: true })).toEqual({
      registry: 'r.example.com',
      caFile: '/ca.pem',
      concurrency: 4,
      insecureSkipVerify: true,
    });
  });

  it('both commands accept the flags (an unknown flag is a usage error)', async () => {
    for (const command of ['check', 'tags']) {
      const help = await runCli([command, '--help']);
      expect(help.stdout).toContain('[--insecure-registry] [--skip-tls-verify-registry]');
    }
    expect((await runCli(['check', 'x', '--insecure-registries'])).code).toBe(2);
  });

  describe('against a plain-HTTP registry under a name that is not loopback', () => {
    let reg: DistributionHandle;
    let name: string;
    beforeAll(async () => {
      reg = await startDistribution();
      await seedImage(reg.url, 'team/app', 'v1');
      name = `registry.example.test:${reg.port}`;
    });
    afterAll(() => reg?.stop());

    const check = (values: Record<string, unknown>, env: Record<string, string> = {}) =>
      runCheck({ json: true, ...values }, [`${name}/team/app`], { resolver: anonymous, settingsFor: () => undefined, resolveHost: async () => ['127.0.0.1'], env });

    it('without the flag, TLS fails and so does the check', async () => {
      const out = await check({});
      expect(out.code).toBe(1);
      expect(JSON.parse(out.stdout).steps.find((s: { name: string }) => s.name === 'tls').status).toBe('fail');
    });

    it('--insecure-registry reads it over plain HTTP', async () => {
      const out = await check({ 'insecure-registry': true });
      expect(out.code).toBe(0);
      const report = JSON.parse(out.stdout);
      expect(report.readOk).toBe(true);
      expect(report.steps.find((s: { name: string }) => s.name === 'ping').detail).toMatch(/^GET http:\/\/registry\.example\.test:\d+\/v2\/ → 200/);
    });

    it('WERF_INSECURE_REGISTRY=true does the same', async () => {
      const out = await check({}, { WERF_INSECURE_REGISTRY: 'true' });
      expect(out.code).toBe(0);
    });
  });
});
