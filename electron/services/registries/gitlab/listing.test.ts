import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGitLabEmulator, type GitLabEmulator } from '../../../../e2e/emulators/gitlab';
import { seedImage } from '../../../../e2e/services/distribution';
import { basicCredential, bearerTokenCredential } from '../../registry/testing/credentials';
import { gitlabDriver } from './listing';
import { collect, lastEvent, testRun } from '../../inventory/drivers/testing';

const start = Date.UTC(2024, 0, 1);

async function emulator(opts: Parameters<typeof startGitLabEmulator>[0] = {}): Promise<GitLabEmulator> {
  const gl = await startGitLabEmulator(opts);
  for (let i = 0; i < 250; i++) gl.state.registry.addImage('group/app', { tags: [`t${String(i).padStart(3, '0')}`], size: 900 + i, pushedAt: new Date(start + i * 1000), created: new Date(start - 1000), configDigest: `sha256:${String(i).padStart(64, '0')}` });
  gl.state.registry.addImage('group/app/sub', { tags: ['s1'] });
  return gl;
}

describe('gitlab driver against the GitLab emulator (metadata-database registry)', () => {
  let gl: GitLabEmulator;
  beforeAll(async () => {
    gl = await emulator();
    await seedImage(gl.url, 'group/app/pushed', 'v1', { auth: { username: 'dev', password: 'glpat-dev-api' } });
  });
  afterAll(() => gl?.stop());

  const run = (token = 'glpat-dev-readapi') => testRun({ registry: gl.host, implementation: 'gitlab', credential: bearerTokenCredential(gl.host, token, 'dev') });

  test('250 tags: one REST call finds the repository id, then 3 GraphQL pages of 100 with digest, size, media type, config digest and push time', async () => {
    const r = await run();
    try {
      const { tags, pages, events } = await collect(gitlabDriver, r, 'group/app');
      expect(lastEvent(events)?.type).toBe('tags');
      expect(pages).toBe(3);
      expect(tags).toHaveLength(250);
      const native = r.calls.filter((c) => c.via === 'native').map((c) => `${c.method} ${new URL(c.url).pathname}`);
      expect(native).toEqual(['GET /api/v4/projects/group%2Fapp/registry/repositories', 'POST /api/graphql', 'POST /api/graphql', 'POST /api/graphql']);
      expect(r.calls.every((c) => new URL(c.url).host === gl.host)).toBe(true);
      expect(tags.find((t) => t.tag === 't017')).toEqual({
        tag: 't017',
        digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        size: 917,
        pushed: new Date(start + 17_000).toISOString(),
        configDigest: `sha256:${'17'.padStart(64, '0')}`,
      });
      // A second repository of the same project: group/app/sub is not a project (one 404), and
      // group/app's listing is reused.
      expect((await collect(gitlabDriver, r, 'group/app/sub')).tags.map((t) => t.tag)).toEqual(['s1']);
      expect(r.calls.filter((c) => c.url.includes('/registry/repositories')).map((c) => new URL(c.url).pathname)).toEqual([
        '/api/v4/projects/group%2Fapp/registry/repositories',
        '/api/v4/projects/group%2Fapp%2Fsub/registry/repositories',
      ]);
    } finally {
      await r.close();
    }
  });

  test('429 (Retry later + Retry-After) is retried; a path without a container repository is missing', async () => {
    gl.state.listingCalls = 0;
    gl.state.rateLimit = { every: 2, retryAfterSeconds: 5 };
    const r = await run();
    try {
      expect((await collect(gitlabDriver, r, 'group/app')).tags).toHaveLength(250);
      // GraphQL calls 2 and 4 of 5 were refused, each waited out once.
      expect(r.sleeps).toEqual([5000, 5000]);
    } finally {
      gl.state.rateLimit = null;
      await r.close();
    }
    const r2 = await run();
    try {
      const last = lastEvent((await collect(gitlabDriver, r2, 'group/app/nope')).events);
      expect(last?.type).toBe('missing');
      if (last?.type === 'missing') expect(last.message).toContain('group/app');
    } finally {
      await r2.close();
    }
  });

  test('secrets that cannot use the API: a password → warning and Registry API; a CI job token → Registry API directly', async () => {
    const r = await testRun({ registry: gl.host, implementation: 'gitlab', credential: basicCredential(gl.host, 'dev', 'dev-password') });
    try {
      const { tags } = await collect(gitlabDriver, r, 'group/app/pushed');
      expect(tags.map((t) => t.tag)).toEqual(['v1']);
      expect(r.warnings[0]).toContain('GitLab refused the token for its API');
    } finally {
      await r.close();
    }
    const job = await testRun({ registry: gl.host, implementation: 'gitlab', credential: basicCredential(gl.host, 'gitlab-ci-token', 'job-token-value', 'gitlab-ci-env') });
    try {
      await collect(gitlabDriver, job, 'group/app');
      expect(job.calls.every((c) => c.via === 'registry')).toBe(true);
      expect(job.warnings[0]).toContain('CI job token');
    } finally {
      await job.close();
    }
  });

  test('a Reporter may list; cancellation stops between pages', async () => {
    const r = await run('glpat-reporter-api');
    try {
      const seen: string[] = [];
      for await (const e of gitlabDriver.listTags(r.ctx, 'group/app')) {
        seen.push(e.type);
        r.controller.abort();
      }
      expect(seen).toEqual(['tags', 'failed']);
    } finally {
      await r.close();
    }
  });
});

describe('gitlab driver on older GitLab', () => {
  test('legacy registry: GraphQL refuses mediaType/publishedAt once, the older field set is used from then on', async () => {
    const gl = await emulator({ registryKind: 'legacy' });
    const r = await testRun({ registry: gl.host, implementation: 'gitlab', credential: bearerTokenCredential(gl.host, 'glpat-dev-api', 'dev') });
    try {
      const { tags } = await collect(gitlabDriver, r, 'group/app');
      expect(tags).toHaveLength(250);
      expect(r.calls.filter((c) => c.url.endsWith('/api/graphql'))).toHaveLength(4);
      const t1 = tags.find((t) => t.tag === 't001');
      expect(t1).toMatchObject({ size: 901, created: new Date(start - 1000).toISOString() });
      expect(t1?.mediaType).toBeUndefined();
      expect(t1?.pushed).toBeUndefined();
    } finally {
      await r.close();
      await gl.stop();
    }
  });

  test('registry without its metadata database: mediaType and publishedAt exist but are null; created comes from createdAt', async () => {
    const gl = await emulator({ registryKind: 'no-metadata-db' });
    const r = await testRun({ registry: gl.host, implementation: 'gitlab', credential: bearerTokenCredential(gl.host, 'glpat-dev-api', 'dev') });
    try {
      const { tags } = await collect(gitlabDriver, r, 'group/app');
      expect(tags).toHaveLength(250);
      // The full field set is accepted: one GraphQL call per page, no retry without fields.
      expect(r.calls.filter((c) => c.url.endsWith('/api/graphql'))).toHaveLength(3);
      const t1 = tags.find((t) => t.tag === 't001');
      expect(t1).toMatchObject({ size: 901, created: new Date(start - 1000).toISOString() });
      expect(t1?.mediaType).toBeUndefined();
      expect(t1?.pushed).toBeUndefined();
    } finally {
      await r.close();
      await gl.stop();
    }
  });
  test('no GraphQL: names from REST with keyset pagination (Link), 100 a page; the engine inspects them', async () => {
    const gl = await emulator({ graphql: false });
    const r = await testRun({ registry: gl.host, implementation: 'gitlab', credential: bearerTokenCredential(gl.host, 'glpat-dev-api', 'dev') });
    try {
      const { tags, pages } = await collect(gitlabDriver, r, 'group/app');
      expect(tags).toHaveLength(250);
      expect(pages).toBe(3);
      expect(tags[0]).toEqual({ tag: 't000' });
      const rest = r.calls.filter((c) => c.url.includes('/tags'));
      expect(rest).toHaveLength(3);
      expect(new URL(rest[1]!.url).searchParams.get('last')).toBe('t099');
      expect(r.warnings[0]).toContain('GraphQL API is not available');
    } finally {
      await r.close();
      await gl.stop();
    }
  });
});
