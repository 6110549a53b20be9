import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/api/result';
import { ACR_NULL_GUID, startAcrEmulator, type AcrEmulator } from '../../../e2e/emulators/acr';
import { startHarborEmulator } from '../../../e2e/emulators/harbor';
import { seedImage, startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { RegistryAccess } from '../../services/registry-access';
import { UsageError } from '../output';
import { runCli } from '../main';
import { runCatalog } from './catalog';

/** `stowage catalog` against a real distribution registry: the documented JSON, the text, tag counts, a refusal. */
describe('stowage catalog', () => {
  let reg: DistributionHandle;
  let locked: DistributionHandle;
  let home: string;
  let access: RegistryAccess;
  beforeAll(async () => {
    reg = await startDistribution();
    locked = await startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'ana', password: 'pw' }] } });
    await seedImage(reg.url, 'shop/backend', 'v1');
    await seedImage(reg.url, 'shop/backend', 'v2');
    await seedImage(reg.url, 'shop/legacy-api', 'v1');
    home = await mkdtemp(join(tmpdir(), 'stowage-catalog-cli-'));
    access = new RegistryAccess({ settingsDir: join(home, 'settings'), environment: {}, homeDir: home });
    await access.settings.save({ registry: reg.host, plainHttp: true });
    await access.settings.save({ registry: locked.host, plainHttp: true });
  });
  afterAll(async () => {
    await reg?.stop();
    await locked?.stop();
    await rm(home, { recursive: true, force: true });
  });

  const deps = () => ({ access, settingsDir: join(home, 'settings') });

  it('--json --tag-counts: every repository with its tags, the call that listed', async () => {
    const out = await runCatalog({ json: true, 'tag-counts': true }, [reg.host], deps());
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      registry: reg.host,
      implementation: 'default',
      source: 'GET /v2/_catalog',
      complete: true,
      warnings: [],
      repositories: [
        { name: 'shop/backend', tags: 2 },
        { name: 'shop/legacy-api', tags: 1 },
      ],
    });
  });

  it('text, limited to a namespace', async () => {
    const out = await runCatalog({ namespace: 'shop' }, [reg.host], deps());
    expect(out.stdout).toContain('2 repositories (default, GET /v2/_catalog)');
    expect(out.stdout).toMatch(/shop\/legacy-api\n/);
  });

  it('a registry that refuses its catalog: a UserError with the hint (exit 1 through the CLI)', async () => {
    const error = await runCatalog({}, [locked.host], deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'catalog-refused', hint: expect.stringContaining('type a repository') });
  });

  it('Harbor: each repository with Harbor’s artifact count (as artifacts), no tags/list asked', async () => {
    const harbor = await startHarborEmulator();
    try {
      harbor.state.registry.addImage('team/api', { tags: ['v1', 'v2'] });
      harbor.state.registry.addImage('team/api', { tags: [] });
      await access.settings.save({ registry: harbor.host, plainHttp: true });
      await access.saved.save({ registry: harbor.host, implementation: 'harbor', username: 'admin', secret: 'Harbor12345' });
      const out = await runCatalog({ json: true, implementation: 'harbor' }, [harbor.host], deps());
      expect(JSON.parse(out.stdout).repositories).toEqual([{ name: 'team/api', artifacts: 2, updated: expect.any(String) }]);
      const text = await runCatalog({ implementation: 'harbor' }, [harbor.host], deps());
      expect(text.stdout).toMatch(/team\/api\s+2 artifacts\n/);
      expect(harbor.requests().filter((q) => q.path.includes('/tags/list'))).toHaveLength(0);
    } finally {
      await harbor.stop();
    }
  });

  it('--tag-counts past 200 rows: every row counted, on one registry session', async () => {
    const harbor = await startHarborEmulator();
    try {
      for (let i = 0; i < 250; i++) harbor.state.registry.addImage(`team/svc-${String(i).padStart(3, '0')}`, { tags: i % 2 === 0 ? ['v1'] : ['v1', 'v2'] });
      await access.settings.save({ registry: harbor.host, plainHttp: true });
      await access.saved.save({ registry: harbor.host, implementation: 'harbor', username: 'admin', secret: 'Harbor12345' });
      // A session opens with one ping of /v2/: the plain listing's count is the baseline.
      const pings = () => harbor.requests().filter((q) => q.path === '/v2/').length;
      await runCatalog({ json: true, implementation: 'harbor' }, [harbor.host], deps());
      const listing = pings();
      const out = await runCatalog({ json: true, implementation: 'harbor', 'tag-counts': true }, [harbor.host], deps());
      const rows = JSON.parse(out.stdout).repositories as { name: string; tags?: number }[];
      expect(rows).toHaveLength(250);
      expect(rows.filter((r) => r.tags === (Number(r.name.slice(-3)) % 2 === 0 ? 1 : 2))).toHaveLength(250);
      expect(harbor.requests().filter((q) => q.path.split('?')[0]!.endsWith('/tags/list'))).toHaveLength(250);
      expect(pings() - listing).toBe(listing + 1);
    } finally {
      await harbor.stop();
    }
  });

  it('usage errors', async () => {
    await expect(runCatalog({}, [], deps())).rejects.toBeInstanceOf(UsageError);
    await expect(runCatalog({}, [`https://${reg.host}/v2`], deps())).rejects.toBeInstanceOf(UsageError);
    await expect(runCatalog({ implementation: 'nope' }, [reg.host], deps())).rejects.toBeInstanceOf(UsageError);
  });
});

/**
 * `stowage catalog` as a CI job runs it against an ACR whose repository permissions are ABAC: the
 * login is docker's (an ACR refresh token as `identitytoken`, what `az acr login` stores), and an
 * identity without the Catalog Lister role is refused with exit 1 and the documented error JSON.
 */
describe('stowage catalog against ACR with ABAC repository permissions', () => {
  let acr: AcrEmulator;
  let home: string;
  const saved: Record<string, string | undefined> = {};
  const refreshToken = async (aadToken: string): Promise<string> => {
    const res = await fetch(`${acr.url}/oauth2/exchange`, { method: 'POST', body: new URLSearchParams({ grant_type: 'access_token', service: acr.host, access_token: aadToken }) });
    return ((await res.json()) as { refresh_token: string }).refresh_token;
  };
  const loginAs = async (aadToken: string): Promise<void> => {
    const auths = { [acr.host]: { auth: Buffer.from(`${ACR_NULL_GUID}:`).toString('base64'), identitytoken: await refreshToken(aadToken) } };
    await writeFile(join(home, 'docker', 'config.json'), JSON.stringify({ auths }));
  };
  beforeAll(async () => {
    acr = await startAcrEmulator({
      roleAssignmentMode: 'rbac-abac',
      principals: [
        { name: 'abac-reader', aadToken: 'aad-abac-reader', roles: ['Container Registry Repository Reader'] },
        { name: 'abac-lister', aadToken: 'aad-abac-lister', roles: ['Container Registry Repository Reader', 'Container Registry Repository Catalog Lister'] },
      ],
    });
    acr.state.registry.addImage('team/app', { tags: ['v1'] });
    home = await mkdtemp(join(tmpdir(), 'stowage-catalog-acr-'));
    for (const k of ['HOME', 'STOWAGE_HOME', 'XDG_CONFIG_HOME', 'DOCKER_CONFIG', 'DOCKER_AUTH_CONFIG']) saved[k] = process.env[k];
    process.env.HOME = home;
    process.env.STOWAGE_HOME = join(home, 'stowage');
    process.env.XDG_CONFIG_HOME = join(home, 'config');
    process.env.DOCKER_CONFIG = join(home, 'docker');
    delete process.env.DOCKER_AUTH_CONFIG;
    await mkdir(join(home, 'docker'), { recursive: true });
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await acr?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('without the Catalog Lister role: exit 1, {error} JSON with code catalog-refused and the role in the hint', async () => {
    await loginAs('aad-abac-reader');
    const out = await runCli(['catalog', acr.host, '--implementation', 'acr', '--json']);
    expect(out.code).toBe(1);
    const body = JSON.parse(out.stdout) as { error: { code: string; message: string; hint: string; details: { status: number } } };
    expect(body.error).toMatchObject({ code: 'catalog-refused', details: { status: 401 } });
    expect(body.error.message).toContain('/acr/v1/_catalog');
    expect(body.error.hint).toContain('Container Registry Repository Catalog Lister');
    const text = await runCli(['catalog', acr.host, '--implementation', 'acr']);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('fix: ');
    expect(text.stderr).toContain('Container Registry Repository Catalog Lister');
  });

  it('with the role: the repositories', async () => {
    await loginAs('aad-abac-lister');
    const out = await runCli(['catalog', acr.host, '--implementation', 'acr', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ implementation: 'acr', source: 'GET /acr/v1/_catalog', repositories: [{ name: 'team/app' }] });
  });
});
