import { describe, expect, it } from 'vitest';
import { envCandidates, envRegistries, googleTokenCandidate } from './env-sources';

const brief = (env: Record<string, string>) =>
  envCandidates(env).map((c) => ({ registry: c.summary.registry, source: c.summary.source, detail: c.summary.sourceDetail, kind: c.summary.kind, user: c.summary.username, usable: c.summary.usable }));

describe('werf variables', () => {
  it('applies Docker Hub variables to Docker Hub when no repo is set', () => {
    expect(brief({ WERF_REPO_DOCKER_HUB_USERNAME: 'flant', WERF_REPO_DOCKER_HUB_PASSWORD: 'pw' })).toEqual([
      { registry: 'index.docker.io', source: 'werf-env', detail: 'WERF_REPO_DOCKER_HUB_USERNAME + WERF_REPO_DOCKER_HUB_PASSWORD', kind: 'basic', user: 'flant', usable: true },
    ]);
  });

  it('takes the registry from WERF_IMAGES_REPO / WERF_REPO when they point at the same kind of registry', () => {
    const out = brief({
      WERF_IMAGES_REPO: 'registry.hub.docker.com/flant/app',
      WERF_IMAGES_REPO_DOCKER_HUB_TOKEN: 'tok',
      WERF_REPO: 'ghcr.example.com/org/app',
      WERF_REPO_CONTAINER_REGISTRY: 'github',
      WERF_REPO_GITHUB_TOKEN: 'ghp',
    });
    expect(out).toEqual([
      { registry: 'index.docker.io', source: 'werf-env', detail: 'WERF_IMAGES_REPO_DOCKER_HUB_TOKEN (for WERF_IMAGES_REPO)', kind: 'bearer-token', user: undefined, usable: true },
      { registry: 'ghcr.example.com', source: 'werf-env', detail: 'WERF_REPO_GITHUB_TOKEN (for WERF_REPO)', kind: 'bearer-token', user: undefined, usable: true },
    ]);
  });

  it('falls back to the default host when the repo is of another kind (werf would not send them there)', () => {
    const out = brief({ WERF_REPO: 'quay.io/org/app', WERF_REPO_GITHUB_TOKEN: 'ghp', GITHUB_ACTOR: 'octocat' });
    expect(out[0]).toMatchObject({ registry: 'ghcr.io', detail: 'WERF_REPO_GITHUB_TOKEN', user: 'octocat' });
  });

  it('checks images-repo variables before repo variables', () => {
    const out = brief({ WERF_REPO_GITHUB_TOKEN: 'b', WERF_IMAGES_REPO_GITHUB_TOKEN: 'a' });
    expect(out.map((c) => c.detail)).toEqual(['WERF_IMAGES_REPO_GITHUB_TOKEN', 'WERF_REPO_GITHUB_TOKEN']);
  });

  it('reports half-set Docker Hub variables as problems', () => {
    const out = envCandidates({ WERF_REPO_DOCKER_HUB_PASSWORD: 'pw' });
    expect(out[0]?.summary).toMatchObject({ usable: false, problem: 'WERF_REPO_DOCKER_HUB_PASSWORD is set but WERF_REPO_DOCKER_HUB_USERNAME is not' });
    expect(out[0]?.secret).toBeNull();
    expect(envCandidates({ WERF_REPO_DOCKER_HUB_USERNAME: 'u' })[0]?.summary.usable).toBe(false);
  });

  it('offers a token with the user name so it can double as Basic auth', () => {
    const [c] = envCandidates({ WERF_REPO_DOCKER_HUB_USERNAME: 'u', WERF_REPO_DOCKER_HUB_TOKEN: 'dckr_pat_x' });
    expect(c?.secret).toMatchObject({ kind: 'bearer-token', username: 'u' });
  });

  it('ignores empty variables', () => {
    expect(envCandidates({ WERF_REPO_GITHUB_TOKEN: '', GITHUB_TOKEN: '', CI_REGISTRY: '' })).toEqual([]);
  });
});

describe('CI variables', () => {
  it('offers GITHUB_TOKEN with GITHUB_ACTOR for ghcr.io and docker.pkg.github.com', () => {
    expect(brief({ GITHUB_TOKEN: 'ghs_x', GITHUB_ACTOR: 'octocat' })).toEqual([
      { registry: 'ghcr.io', source: 'github-env', detail: 'GITHUB_TOKEN (user from GITHUB_ACTOR)', kind: 'bearer-token', user: 'octocat', usable: true },
      { registry: 'docker.pkg.github.com', source: 'github-env', detail: 'GITHUB_TOKEN (user from GITHUB_ACTOR)', kind: 'bearer-token', user: 'octocat', usable: true },
    ]);
  });

  it('reads GitLab CI registry credentials and the job token as gitlab-ci-token', () => {
    const out = envCandidates({ CI_REGISTRY: 'registry.gitlab.example.com:5050', CI_REGISTRY_USER: 'gitlab-ci-token', CI_REGISTRY_PASSWORD: 'p', CI_JOB_TOKEN: 'j' });
    expect(out.map((c) => [c.summary.registry, c.summary.sourceDetail, c.summary.username])).toEqual([
      ['registry.gitlab.example.com:5050', 'CI_REGISTRY_USER + CI_REGISTRY_PASSWORD', 'gitlab-ci-token'],
      ['registry.gitlab.example.com:5050', 'CI_JOB_TOKEN as gitlab-ci-token', 'gitlab-ci-token'],
    ]);
    expect(out[1]?.secret?.kind === 'basic' && out[1].secret.password.reveal()).toBe('j');
    expect(envCandidates({ CI_JOB_TOKEN: 'j' })).toEqual([]);
  });

  it('names the registries the environment points at', () => {
    expect(envRegistries({ WERF_REPO: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app', CI_REGISTRY: 'registry.gitlab.com', GITHUB_TOKEN: 't' }).sort()).toEqual(
      ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'docker.pkg.github.com', 'ghcr.io', 'registry.gitlab.com'].sort(),
    );
  });

  it('offers GOOGLE_OAUTH_ACCESS_TOKEN as a Google token', () => {
    const c = googleTokenCandidate({ GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.x' }, 'europe-docker.pkg.dev');
    expect(c?.summary).toMatchObject({ registry: 'europe-docker.pkg.dev', source: 'google-token', kind: 'google-token', username: 'oauth2accesstoken', usable: true });
    expect(googleTokenCandidate({}, 'gcr.io')).toBeNull();
  });

  it('never reveals a secret in what it reports', () => {
    const env = { GITHUB_TOKEN: 'ghs_SEKRET1', CI_REGISTRY: 'r.example.com', CI_REGISTRY_USER: 'u', CI_REGISTRY_PASSWORD: 'SEKRET2', WERF_REPO_DOCKER_HUB_TOKEN: 'SEKRET3' };
    const text = JSON.stringify(envCandidates(env));
    for (const s of ['SEKRET1', 'SEKRET2', 'SEKRET3']) expect(text).not.toContain(s);
  });
});
