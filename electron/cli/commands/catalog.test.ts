import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/api/result';
import { seedImage, startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { RegistryAccess } from '../../services/registry-access';
import { UsageError } from '../output';
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

  it('usage errors', async () => {
    await expect(runCatalog({}, [], deps())).rejects.toBeInstanceOf(UsageError);
    await expect(runCatalog({}, [`https://${reg.host}/v2`], deps())).rejects.toBeInstanceOf(UsageError);
    await expect(runCatalog({ implementation: 'nope' }, [reg.host], deps())).rejects.toBeInstanceOf(UsageError);
  });
});
