import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedImage } from '../services/distribution';
import { RegistryClient, basicHeader } from '../services/registry-client';
import { startAcrEmulator, type AcrEmulator } from './acr';
import { startDockerHubEmulator, type HubEmulator } from './dockerhub';
import { startGcrEmulator, type GcrEmulator } from './gcr';
import { startGitHubEmulator, type GitHubEmulator } from './github';
import { startGitLabEmulator, type GitLabEmulator } from './gitlab';
import { startHarborEmulator, type HarborEmulator } from './harbor';
import { startQuayEmulator, type QuayEmulator } from './quay';

/** The listing surfaces native inventory drivers use: page limits, 429 injection, vendor error bodies. */

describe('GitLab listing surfaces', () => {
  let gl: GitLabEmulator;
  const headers = { 'private-token': 'glpat-dev-readapi' };
  beforeAll(async () => {
    gl = await startGitLabEmulator();
    for (let i = 0; i < 5; i++) gl.state.registry.addImage('group/app', { tags: [`t${i}`], size: 10 + i, created: '2023-01-01T00:00:00Z' });
  });
  afterAll(() => gl?.stop());
  const repoId = async (): Promise<number> => {
    const res = await fetch(`${gl.apiUrl}/projects/group%2Fapp/registry/repositories`, { headers });
    return ((await res.json()) as { id: number }[])[0]!.id;
  };

  test('REST tags: keyset pagination follows Link only (no totals); offset pagination keeps X-Next-Page', async () => {
    const id = await repoId();
    const keyset = await fetch(`${gl.apiUrl}/projects/42/registry/repositories/${id}/tags?pagination=keyset&per_page=2`, { headers });
    expect(((await keyset.json()) as { name: string }[]).map((t) => t.name)).toEqual(['t0', 't1']);
    expect(keyset.headers.get('link')).toMatch(/<[^>]*[?&]last=t1[^>]*>; rel="next"/);
    expect(keyset.headers.get('x-total')).toBeNull();
    const offset = await fetch(`${gl.apiUrl}/projects/42/registry/repositories/${id}/tags?per_page=2`, { headers });
    expect(offset.headers.get('x-next-page')).toBe('2');
    expect((await fetch(`${gl.apiUrl}/projects/42/registry/repositories/${id}/tags?pagination=keyset&per_page=0`, { headers })).status).toBe(400);
  });

  test('GraphQL tags: selected fields only, BigInt sizes as strings, cursors, and errors for unknown fields', async () => {
    const id = await repoId();
    const ask = async (query: string, variables: Record<string, unknown>) =>
      (await (await fetch(`${gl.url}/api/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })).json()) as Record<string, unknown>;
    const q = 'query($id: ContainerRepositoryID!, $first: Int!, $after: String) { containerRepository(id: $id) { tags(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { name totalSize publishedAt } } } }';
    const first = (await ask(q, { id: `gid://gitlab/ContainerRepository/${id}`, first: 3 })) as { data: { containerRepository: { tags: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Record<string, unknown>[] } } } };
    const tags = first.data.containerRepository.tags;
    expect(tags.nodes.map((n) => n.name)).toEqual(['t0', 't1', 't2']);
    expect(Object.keys(tags.nodes[0]!)).toEqual(['name', 'totalSize', 'publishedAt']);
    expect(tags.nodes[1]!.totalSize).toBe('11');
    expect(tags.pageInfo.hasNextPage).toBe(true);
    const second = (await ask(q, { id: `gid://gitlab/ContainerRepository/${id}`, first: 3, after: tags.pageInfo.endCursor })) as typeof first;
    expect(second.data.containerRepository.tags.nodes.map((n) => n.name)).toEqual(['t3', 't4']);
    expect(second.data.containerRepository.tags.pageInfo.hasNextPage).toBe(false);
    const bad = await ask(q.replace('publishedAt', 'nope'), { id: `gid://gitlab/ContainerRepository/${id}`, first: 1 });
    expect(JSON.stringify(bad.errors)).toContain("Field 'nope' doesn't exist on type 'ContainerRepositoryTag'");
    const hidden = await ask(q, { id: 'gid://gitlab/ContainerRepository/999', first: 1 });
    expect(hidden).toEqual({ data: { containerRepository: null } });
  });

  test('429 injection: plain "Retry later" with Retry-After, then the next call passes', async () => {
    const id = await repoId();
    gl.state.listingCalls = 0;
    gl.state.rateLimit = { every: 2, retryAfterSeconds: 7 };
    try {
      const url = `${gl.apiUrl}/projects/42/registry/repositories/${id}/tags`;
      expect((await fetch(url, { headers })).status).toBe(200);
      const limited = await fetch(url, { headers });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(await limited.text()).toBe('Retry later\n');
      expect((await fetch(url, { headers })).status).toBe(200);
    } finally {
      gl.state.rateLimit = null;
    }
  });
});

describe('429 injection in each vendor format', () => {
  let acr: AcrEmulator;
  let hub: HubEmulator;
  let gh: GitHubEmulator;
  let quay: QuayEmulator;
  let harbor: HarborEmulator;
  let gcr: GcrEmulator;
  beforeAll(async () => {
    [acr, hub, gh, quay, harbor, gcr] = await Promise.all([
      startAcrEmulator({ admin: { username: 'adm', password: 'pw' } }),
      startDockerHubEmulator({ rateLimitHeadersOnHead: true }),
      startGitHubEmulator(),
      startQuayEmulator(),
      startHarborEmulator(),
      startGcrEmulator(),
    ]);
    acr.state.registry.addImage('team/app', { tags: ['v1'] });
    hub.state.registry.addImage('alice/app', { tags: ['v1'] });
    gh.state.registry.addImage('acme/app', { tags: ['v1'] });
    quay.state.registry.addImage('acme/app', { tags: ['v1'] });
    harbor.state.registry.addImage('library/app', { tags: ['v1'] });
    gcr.state.registry.addImage('proj/app', { tags: ['v1'] });
    for (const s of [acr.state, hub.state, gh.state, quay.state, harbor.state, gcr.state]) s.rateLimit = { every: 1, retryAfterSeconds: 3 };
  });
  afterAll(async () => {
    await Promise.all([acr, hub, gh, quay, harbor, gcr].map((e) => e?.stop()));
  });

  test('ACR: TOOMANYREQUESTS in the distribution error shape', async () => {
    const token = (await (await fetch(`${acr.url}/oauth2/token?service=${acr.host}&scope=repository:team/app:metadata_read`, { headers: { authorization: basicHeader('adm', 'pw') } })).json()) as { access_token: string };
    const res = await fetch(`${acr.url}/acr/v1/team/app/_manifests`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('TOOMANYREQUESTS');
  });

  test('Docker Hub: Retry-After in seconds (documented) or as a unix time (observed), no X-Retry-After, X-RateLimit-* kept; HEAD shows the pull budget without spending it', async () => {
    const res = await fetch(`${hub.url}/v2/namespaces/alice/repositories/app/tags`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('x-retry-after')).toBeNull();
    expect(res.headers.get('x-ratelimit-limit')).not.toBeNull();
    hub.state.retryAfterAs = 'epoch';
    try {
      const epoch = await fetch(`${hub.url}/v2/namespaces/alice/repositories/app/tags`);
      const at = Number(epoch.headers.get('retry-after'));
      expect(at).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 2);
      expect(at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 4);
    } finally {
      hub.state.retryAfterAs = 'seconds';
    }
    const token = (await (await fetch(`${hub.registryUrl}/token?service=registry.docker.io&scope=repository:alice/app:pull`)).json()) as { token: string };
    for (let i = 0; i < 2; i++) {
      const head = await fetch(`${hub.registryUrl}/v2/alice/app/manifests/v1`, { method: 'HEAD', headers: { authorization: `Bearer ${token.token}` } });
      expect(head.headers.get('ratelimit-remaining')).toBe('100;w=21600');
    }
  });

  test('GitHub: secondary rate limit 429 with retry-after and the REST error body', async () => {
    const res = await fetch(`${gh.apiUrl}/orgs/acme/packages/container/app/versions`, { headers: { authorization: 'Bearer ghp_octo_read' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(((await res.json()) as { message: string }).message).toContain('secondary rate limit');
  });

  test('Quay: Quay API error document with Retry-After', async () => {
    const res = await fetch(`${quay.url}/api/v1/repository/acme/app/tag/`, { headers: { authorization: 'Bearer quay-oauth-ana-read' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toMatchObject({ status: 429, error_type: 'too_many_requests' });
  });

  test('Harbor: TOO_MANY_REQUEST', async () => {
    const res = await fetch(`${harbor.apiUrl}/projects/library/repositories/app/artifacts`);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('TOO_MANY_REQUEST');
  });

  test('Google: tags/list answers 429 TOOMANYREQUESTS', async () => {
    const res = await new RegistryClient(gcr.url, { auth: { username: 'oauth2accesstoken', password: 'ya29.reader' } }).json<{ errors: { code: string }[] }>('GET', '/v2/proj/app/tags/list');
    expect(res.status).toBe(429);
    expect(res.body.errors[0]!.code).toBe('TOOMANYREQUESTS');
  });
});

describe('config facts recorded from pushed images', () => {
  test('Harbor extra_attrs and Google timeCreatedMs come from the pushed config', async () => {
    const harbor = await startHarborEmulator();
    const gcr = await startGcrEmulator();
    try {
      await seedImage(harbor.url, 'library/app', 'v1', { auth: { username: 'admin', password: 'Harbor12345' }, labels: { a: 'b' }, created: '2022-02-02T02:02:02Z' });
      const arts = (await (await fetch(`${harbor.apiUrl}/projects/library/repositories/app/artifacts?with_tag=true`)).json()) as { extra_attrs: Record<string, unknown> }[];
      expect(arts[0]!.extra_attrs).toMatchObject({ created: '2022-02-02T02:02:02.000Z', architecture: 'amd64', os: 'linux', config: { Labels: { a: 'b' } } });
      await seedImage(gcr.url, 'proj/app', 'v1', { auth: { username: 'oauth2accesstoken', password: 'ya29.writer' }, created: '2022-02-02T02:02:02Z' });
      const list = await new RegistryClient(gcr.url, { auth: { username: 'oauth2accesstoken', password: 'ya29.reader' } }).json<{ manifest: Record<string, { timeCreatedMs: string }> }>('GET', '/v2/proj/app/tags/list');
      expect(Object.values(list.body.manifest)[0]!.timeCreatedMs).toBe(String(Date.parse('2022-02-02T02:02:02Z')));
    } finally {
      await harbor.stop();
      await gcr.stop();
    }
  });
});
