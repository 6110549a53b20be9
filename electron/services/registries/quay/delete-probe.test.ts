import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RegistrySettings } from '../../../../shared/credentials/types';
import { startQuayEmulator, type QuayEmulator } from '../../../../e2e/emulators/quay';
import { seedImage } from '../../../../e2e/services/distribution';
import { checkConnection } from '../../registry/check-connection';
import { bearerTokenCredential } from '../../registry/testing/credentials';

describe('quay delete probe: a missing repository is not a permission failure', () => {
  let quay: QuayEmulator;
  let settings: RegistrySettings;
  beforeAll(async () => {
    quay = await startQuayEmulator({});
    await seedImage(quay.url, 'acme/app', 'v1', { auth: { username: 'ana', password: 'ana-password' } });
    settings = { registry: quay.host, plainHttp: true, apiBaseUrl: quay.url };
  });
  afterAll(() => quay?.stop());

  const probe = async (repo: string, token: string) => {
    const report = await checkConnection({ imagesRepo: `${quay.host}/${repo}`, implementation: 'quay', settings, credential: bearerTokenCredential(quay.host, token) });
    const step = report.steps.find((s) => s.name === 'delete-permission');
    if (!step) throw new Error('no delete-permission step');
    return step;
  };

  test('403 on a repository the token cannot see says "does not exist, or you cannot see it", not "denied"', async () => {
    const step = await probe('acme/nope', 'quay-oauth-ana-write');
    expect(step.status).not.toBe('fail');
    expect(step.detail).toContain('does not exist, or you cannot see it');
  });

  test('403 on a repository the user can see (read role) stays a denial', async () => {
    const step = await probe('acme/app', 'quay-oauth-ben-write');
    expect(step.status).toBe('fail');
    expect(step.httpStatus).toBe(403);
    expect(step.hint).toContain('repo:write');
  });
});
