import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RegistrySettings } from '../../../../shared/credentials/types';
import { startGitLabEmulator, type GitLabEmulator } from '../../../../e2e/emulators/gitlab';
import { seedImage } from '../../../../e2e/services/distribution';
import { checkConnection } from '../../registry/check-connection';
import { basicCredential } from '../../registry/testing/credentials';

describe('gitlab delete probe with a CI job token', () => {
  let gl: GitLabEmulator;
  let settings: RegistrySettings;
  beforeAll(async () => {
    gl = await startGitLabEmulator({
      jobTokens: [
        { token: 'job-dev', project: 'group/app', user: 'dev' },
        { token: 'job-reporter', project: 'group/app', user: 'reporter' },
      ],
    });
    await seedImage(gl.url, 'group/app', 'v1', { auth: { username: 'dev', password: 'glpat-dev-api' } });
    settings = { registry: gl.host, plainHttp: true };
  });
  afterAll(() => gl?.stop());

  const probe = async (token: string) => {
    const report = await checkConnection({ imagesRepo: `${gl.host}/group/app`, implementation: 'gitlab', settings, credential: basicCredential(gl.host, 'gitlab-ci-token', token, 'gitlab-ci-env') });
    const step = report.steps.find((s) => s.name === 'delete-permission');
    if (!step) throw new Error('no delete-permission step');
    return step;
  };

  test("the job token asks its project's container registry API (JOB-TOKEN), where it may delete, instead of the registry, where it may not", async () => {
    const step = await probe('job-dev');
    expect(step.status).toBe('pass');
    expect(step.detail).toContain('JOB-TOKEN');
    expect(step.httpStatus).toBe(404);
    expect(gl.state.registry.resolve('group/app', 'v1')).toBeDefined();
  });

  test("a job of a Reporter's pipeline is denied", async () => {
    const step = await probe('job-reporter');
    expect(step.status).toBe('fail');
    expect(step.httpStatus).toBe(403);
  });
});
