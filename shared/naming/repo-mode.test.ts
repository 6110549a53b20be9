import { describe, expect, it } from 'vitest';
import { detectImplementation } from '../registry/detect';
import type { Implementation } from '../registry/implementations';
import { resolveRepoMode, type RequestedRepoMode } from './repo-mode';

function resolve(address: string, requested: RequestedRepoMode | string = 'auto', implementation?: Implementation) {
  const detection = detectImplementation(address);
  return resolveRepoMode(detection, implementation ?? detection.implementation, requested);
}

function codes(address: string, requested: RequestedRepoMode | string = 'auto', implementation?: Implementation): string[] {
  return resolve(address, requested, implementation).problems.map((p) => `${p.severity}:${p.code}`);
}

describe("werf's resolver table (resolver_test.go)", () => {
  const nesting: [string, Implementation][] = [
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'ecr'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/repo', 'ecr'],
    ['myregistry.azurecr.io', 'acr'],
    ['myregistry.azurecr.io/repo', 'acr'],
    ['localhost:5000', 'default'],
    ['localhost:5000/repo', 'default'],
    ['gcr.io/project', 'gcr'],
    ['gcr.io/project/repo', 'gcr'],
    ['harbor.example.com/project', 'harbor'],
    ['harbor.example.com/project/repo', 'harbor'],
    ['registry.gitlab.com/group/project', 'gitlab'],
  ];

  it.each(nesting)('%s (%s): auto → multirepo', (address, implementation) => {
    const r = resolve(address);
    expect(detectImplementation(address).implementation).toBe(implementation);
    expect(r.mode).toBe('multirepo');
    expect(r.problems).toEqual([]);
    expect(r.reason).toMatch(/auto means multirepo/);
  });

  it.each(nesting.filter(([a]) => a.includes('/')))('%s (%s): explicit modes are accepted', (address) => {
    expect(resolve(address, 'multirepo')).toMatchObject({ mode: 'multirepo', problems: [] });
    expect(resolve(address, 'monorepo')).toMatchObject({ mode: 'monorepo', problems: [] });
  });

  it('docker hub: account → multirepo, account/repo → monorepo', () => {
    expect(resolve('account')).toMatchObject({ mode: 'multirepo', problems: [] });
    expect(resolve('account/repo')).toMatchObject({ mode: 'monorepo', problems: [] });
    expect(resolve('docker.io/account')).toMatchObject({ mode: 'multirepo', problems: [] });
    expect(resolve('index.docker.io/account/repo')).toMatchObject({ mode: 'monorepo', problems: [] });
    expect(resolve('account').reason).toMatch(/account\/IMAGE \(multirepo\)/);
    expect(resolve('library/alpine').reason).toMatch(/library\/alpine\/IMAGE \(multirepo\)/);
    expect(resolve('account/repo').reason).toMatch(/IMAGE-TAG \(monorepo\)/);
  });

  it('docker.pkg.github.com: owner/project → multirepo, owner/project/package → monorepo', () => {
    expect(resolve('docker.pkg.github.com/a/p')).toMatchObject({ mode: 'multirepo', problems: [] });
    expect(resolve('docker.pkg.github.com/a/p/pkg')).toMatchObject({ mode: 'monorepo', problems: [] });
  });

  it('quay: namespace → multirepo, namespace/repo → monorepo', () => {
    expect(resolve('quay.io/account')).toMatchObject({ mode: 'multirepo', problems: [] });
    expect(resolve('quay.io/account/repo')).toMatchObject({ mode: 'monorepo', problems: [] });
  });
});

describe('explicit modes on registries without nesting', () => {
  it.each([
    ['account', 'dockerhub'],
    ['quay.io/account', 'quay'],
    ['docker.pkg.github.com/a/p', 'github'],
  ])('%s + monorepo → werf error (add repository)', (address, implementation) => {
    const r = resolve(address, 'monorepo');
    expect(r.mode).toBeNull();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ severity: 'error', code: 'repo-mode-unsupported' });
    expect(r.problems[0].message).toBe(
      `docker registry implementation ${implementation} and repo mode monorepo cannot be used with ${address} (add repository to address or use multirepo repo mode)`,
    );
    expect(r.problems[0].message).toContain(`implementation ${implementation} and repo mode monorepo cannot be used with ${address}`);
    expect(resolve(address, 'multirepo')).toMatchObject({ mode: 'multirepo', problems: [] });
  });

  it.each([
    ['account/repo', 'dockerhub'],
    ['quay.io/account/repo', 'quay'],
    ['docker.pkg.github.com/a/p/pkg', 'github'],
  ])('%s + multirepo → werf error (exclude repository)', (address, implementation) => {
    const r = resolve(address, 'multirepo');
    expect(r.mode).toBeNull();
    expect(r.problems[0].message).toBe(
      `docker registry implementation ${implementation} and repo mode multirepo cannot be used with ${address} (exclude repository from address or use monorepo repo mode)`,
    );
    expect(resolve(address, 'monorepo')).toMatchObject({ mode: 'monorepo', problems: [] });
  });
});

describe('address shape errors', () => {
  it('docker hub accepts only one or two components', () => {
    const r = resolve('a/b/c');
    expect(r.mode).toBeNull();
    expect(r.problems[0]).toMatchObject({ severity: 'error', code: 'unexpected-reference', message: 'unexpected reference a/b/c' });
  });

  it('registry.hub.docker.com gets no implicit library/, so an account alone is unexpected (as in werf)', () => {
    expect(resolve('registry.hub.docker.com/account').problems[0].message).toBe('unexpected reference registry.hub.docker.com/account');
    expect(resolve('registry.hub.docker.com/account/repo').mode).toBe('monorepo');
  });

  it('docker hub without an account is refused (werf would invent one)', () => {
    expect(codes('docker.io')).toEqual(['error:dockerhub-no-account']);
    expect(resolve('docker.io').mode).toBeNull();
  });

  it('docker.pkg.github.com needs owner/project[/package], with werf\'s spelling', () => {
    for (const address of ['docker.pkg.github.com/a', 'docker.pkg.github.com/a/b/c/d', 'docker.pkg.github.com']) {
      const r = resolve(address);
      expect(r.mode).toBeNull();
      expect(r.problems[0]).toMatchObject({ code: 'unexpected-reference', message: `unexpeced reference ${address}` });
    }
  });

  it('quay accepts at most namespace/repo and needs a namespace', () => {
    expect(resolve('quay.io/a/b/c').problems[0].message).toBe('unexpected reference quay.io/a/b/c');
    expect(codes('quay.io')).toEqual(['error:quay-no-namespace']);
  });

  it('bad mode values get werf\'s message', () => {
    const r = resolve('quay.io/account', 'mono');
    expect(r.mode).toBeNull();
    expect(r.problems).toEqual([
      expect.objectContaining({ severity: 'error', code: 'repo-mode-invalid', message: "bad --images-repo-mode 'mono': only multirepo, monorepo or auto supported" }),
    ]);
    expect(resolve('localhost:5000', 'Monorepo').problems[0].code).toBe('repo-mode-invalid');
  });

  it('treats "" like auto, as werf\'s resolvers do', () => {
    expect(resolve('quay.io/account/repo', '')).toMatchObject({ mode: 'monorepo', problems: [] });
  });

  it('flags monorepo on a registry-only address, which werf accepts but cannot push', () => {
    const r = resolve('localhost:5000', 'monorepo');
    expect(r.mode).toBe('monorepo');
    expect(codes('localhost:5000', 'monorepo')).toEqual(['error:monorepo-without-repository']);
  });
});

describe('the library quirk', () => {
  it('reproduces werf: library/alpine becomes account alpine → multirepo, with a warning', () => {
    const r = resolve('library/alpine');
    expect(r.mode).toBe('multirepo');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ severity: 'warning', code: 'dockerhub-library-quirk' });
    expect(r.problems[0].message).toMatch(/account "alpine"/);
    expect(r.problems[0].message).toMatch(/docs say this address should mean monorepo/);
  });

  it('also for docker.io/library/alpine, and monorepo is refused like werf does', () => {
    expect(resolve('docker.io/library/alpine').mode).toBe('multirepo');
    const mono = resolve('library/alpine', 'monorepo');
    expect(mono.mode).toBeNull();
    expect(mono.problems.map((p) => p.code)).toEqual(['dockerhub-library-quirk', 'repo-mode-unsupported']);
  });

  it('does not warn for the implicit library/ of a bare account', () => {
    expect(resolve('alpine').problems).toEqual([]);
  });
});

describe('ghcr.io and overrides', () => {
  it('ghcr.io nests, so it behaves like the nesting registries', () => {
    expect(resolve('ghcr.io/owner')).toMatchObject({ mode: 'multirepo', problems: [] });
    expect(resolve('ghcr.io/owner/app')).toMatchObject({ mode: 'multirepo', problems: [] });
    expect(resolve('ghcr.io/owner/app', 'monorepo')).toMatchObject({ mode: 'monorepo', problems: [] });
    expect(resolve('ghcr.io/owner').reason).toMatch(/ghcr\.io/);
  });

  it('an overridden implementation applies its own address rules', () => {
    expect(resolve('registry.example.com/ns/repo', 'auto', 'quay')).toMatchObject({ mode: 'monorepo' });
    expect(resolve('registry.example.com/ns', 'auto', 'dockerhub').problems[0].message).toBe('unexpected reference registry.example.com/ns');
    expect(resolve('registry.gitlab.com/g/p', 'auto', 'default').mode).toBe('multirepo');
  });
});
