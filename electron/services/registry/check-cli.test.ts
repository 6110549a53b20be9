import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckStep, CredentialSummary, RegistrySettings } from '../../../shared/credentials/types';
import type { Implementation } from '../../../shared/registry/implementations';
import { seedImage, startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { checkJson, runCheck } from '../../cli/commands/check';
import { UsageError } from '../../cli/output';
import type { CredentialResolver, ResolvedCredential } from '../credentials/types';
import { basicCredential } from './testing/credentials';

const SECRET = `cli-${randomBytes(12).toString('hex')}`;

function resolverWith(found: ResolvedCredential | null): CredentialResolver & { asked: Array<[string, Implementation]> } {
  const asked: Array<[string, Implementation]> = [];
  return {
    asked,
    async resolve(registry, implementation) {
      asked.push([registry, implementation]);
      return found;
    },
    async resolveWithProblems(registry, implementation) {
      asked.push([registry, implementation]);
      return { credential: found, unusable: [] };
    },
    async list(): Promise<CredentialSummary[]> {
      return found ? [found.summary] : [];
    },
  };
}

describe('stowage check', () => {
  let reg: DistributionHandle;
  let settings: RegistrySettings;
  beforeAll(async () => {
    reg = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'ci', password: SECRET }] } });
    await seedImage(reg.url, 'team/app', 'v1', { auth: { username: 'ci', password: SECRET } });
    settings = { registry: reg.host, plainHttp: true };
  });
  afterAll(() => reg?.stop());

  const deps = (cred: ResolvedCredential | null) => {
    const resolver = resolverWith(cred);
    return { resolver, settingsFor: (r: string) => (r === reg.host ? settings : undefined) };
  };

  it('--json: the documented shape, exit 0 when read access works, no secret', async () => {
    const d = deps(basicCredential(reg.host, 'ci', SECRET, 'docker-config'));
    const out = await runCheck({ json: true }, [`${reg.host}/team/app`], d);
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain(SECRET);
    const body = JSON.parse(out.stdout) as { implementation: string; credentialSource: string; readOk: boolean; steps: Array<{ name: string; status: string; detail: string; hint?: string }> };
    expect(body.implementation).toBe('default');
    expect(body.credentialSource).toBe('docker-config');
    expect(body.readOk).toBe(true);
    expect(body.steps.map((s) => s.name)).toEqual(['resolve', 'tls', 'ping', 'credentials', 'token-pull', 'token-push', 'token-delete', 'list-tags', 'delete-permission']);
    for (const s of body.steps) {
      expect(typeof s.detail).toBe('string');
      expect(['pass', 'fail', 'skip']).toContain(s.status);
    }
    expect(body.steps.find((s) => s.name === 'list-tags')?.detail).toContain('1 tag: v1');
    expect(d.resolver.asked).toEqual([[reg.host, 'default']]);
  });

  it('human output marks each step and exits 1 when the password is wrong', async () => {
    const out = await runCheck({}, [`${reg.host}/team/app`], deps(basicCredential(reg.host, 'ci', 'wrong-password-x')));
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^✓ Resolve the host name/m);
    expect(out.stdout).toMatch(/^✗ Credentials .*401.*wrong user name or password for 127\.0\.0\.1:\d+/m);
    expect(out.stdout).toMatch(/^- List tags/m);
    expect(out.stdout).toContain('fix: Wrong user name or password');
    expect(out.stdout).toContain('Read access does NOT work');
    expect(out.stdout).not.toContain('wrong-password-x');
  });

  it('passes --implementation to the resolver and the check', async () => {
    const d = deps(basicCredential(reg.host, 'ci', SECRET));
    const out = await runCheck({ implementation: 'harbor', json: true }, [`${reg.host}/team/app`], d);
    expect(JSON.parse(out.stdout).implementation).toBe('harbor');
    expect(d.resolver.asked).toEqual([[reg.host, 'harbor']]);
  });

  it('rejects an unknown implementation and a missing address', async () => {
    await expect(runCheck({ implementation: 'nexus' }, ['x/y'], deps(null))).rejects.toBeInstanceOf(UsageError);
    await expect(runCheck({}, [], deps(null))).rejects.toBeInstanceOf(UsageError);
  });
});

describe('check JSON statuses', () => {
  it('keeps to pass|fail|skip: caveats become warning: true, an undetermined delete permission a skip', () => {
    const step = (name: CheckStep['name'], status: CheckStep['status'], undetermined = false): CheckStep => ({ name, title: name, status, detail: `${name} detail`, durationMs: 1, ...(undetermined ? { undetermined: true as const } : {}) });
    const body = checkJson({
      imagesRepo: 'r.example.com/app',
      implementation: 'default',
      registry: 'r.example.com',
      repository: 'app',
      credentialSource: null,
      readOk: true,
      steps: [step('tls', 'warn'), step('ping', 'pass'), step('token-delete', 'warn'), step('list-tags', 'pass'), step('delete-permission', 'warn', true), step('token-push', 'fail')],
    }) as { steps: { name: string; status: string; warning?: boolean }[] };
    expect(body.steps.map((s) => [s.name, s.status, s.warning ?? false])).toEqual([
      ['tls', 'pass', true],
      ['ping', 'pass', false],
      ['token-delete', 'pass', true],
      ['list-tags', 'pass', false],
      ['delete-permission', 'skip', true],
      ['token-push', 'fail', false],
    ]);
  });
});
