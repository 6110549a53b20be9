import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startGitLabEmulator, type GitLabEmulator, type GitLabEmulatorOptions } from '../../../../e2e/emulators/gitlab';
import { seedImage } from '../../../../e2e/services/distribution';
import { ACCEPT_ALL, RegistryClient } from '../../../../e2e/services/registry-client';
import { basicCredential, bearerTokenCredential } from '../../registry/testing/credentials';
import { testRun, type TestRun } from '../../inventory/drivers/testing';
import type { ResolvedCredential } from '../../credentials/types';
import type { DeleteGroup, RestoreEntry, TagDeleteResult } from '../types';
import { gitlabRegistry } from './index';

const dev = { username: 'dev', password: 'glpat-dev-api' };
let n = 0;

/** A real image (bytes in the backing registry) under `tags`; its digest and manifest as the audit log keeps them. */
async function image(gl: GitLabEmulator, repo: string, ...tags: string[]): Promise<{ digest: string; manifest: string; mediaType: string }> {
  const digest = await seedImage(gl.url, repo, tags[0]!, { auth: dev, labels: { n: String(++n) } });
  for (const t of tags.slice(1)) gl.state.registry.setTag(repo, t, digest);
  const res = await new RegistryClient(gl.url, { auth: dev }).request('GET', `/v2/${repo}/manifests/${digest}`, { headers: { accept: ACCEPT_ALL } });
  return { digest, manifest: Buffer.from(await res.arrayBuffer()).toString('base64'), mediaType: res.headers.get('content-type') ?? '' };
}

const group = (digest: string, tags: string[], digestGoes = true): DeleteGroup => ({ repository: 'group/app', digest, mediaType: null, tags, digestGoes });
const entry = (img: { digest: string; manifest: string; mediaType: string }, r: TagDeleteResult): RestoreEntry => ({ repository: 'group/app', tag: r.tag, digest: img.digest, mediaType: img.mediaType, manifest: img.manifest, method: r.method });
const jobToken = (gl: GitLabEmulator) => basicCredential(gl.host, 'gitlab-ci-token', 'job-42', 'gitlab-ci-env');

describe('gitlab deleteTags / restoreTag through the REST API', () => {
  let gl: GitLabEmulator;
  let mark = 0;
  beforeAll(async () => {
    gl = await startGitLabEmulator({ jobTokens: [{ token: 'job-42', project: 'group/app', user: 'dev' }] });
  });
  afterAll(() => gl?.stop());
  beforeEach(() => {
    gl.state.mutationFaults.rateLimit = null;
    gl.state.mutationFaults.listingCalls = 0;
    gl.state.protectedTags.length = 0;
    mark = gl.requests().length;
  });
  const run = (credential: ResolvedCredential): Promise<TestRun> => testRun({ registry: gl.host, implementation: 'gitlab', credential });
  const pat = (token = 'glpat-dev-api') => bearerTokenCredential(gl.host, token, 'dev');
  const deletes = () => gl.requests().slice(mark).filter((q) => q.method === 'DELETE');

  test('an api token deletes each tag through REST, the manifest stays; a rerun finds them gone; restore re-PUTs the recorded manifest', async () => {
    const img = await image(gl, 'group/app', 'a', 'a-alias');
    const other = await image(gl, 'group/app', 'stays');
    mark = gl.requests().length;
    const r = await run(pat());
    try {
      const results = await gitlabRegistry.deleteTags(r.ctx, group(img.digest, ['a', 'a-alias']));
      expect(results.map((x) => [x.tag, x.outcome])).toEqual([
        ['a', 'untagged'],
        ['a-alias', 'untagged'],
      ]);
      expect(results[0]?.method).toMatch(/^GitLab API DELETE \/api\/v4\/projects\/group%2Fapp\/registry\/repositories\/\d+\/tags\/a$/);
      expect(results[0]?.detail).toContain('garbage collection');
      expect(deletes()).toHaveLength(2);
      expect(gl.state.registry.tagsOf('group/app', img.digest)).toEqual([]);
      expect(gl.state.registry.tagsOf('group/app', other.digest)).toEqual(['stays']);

      const again = await gitlabRegistry.deleteTags(r.ctx, group(img.digest, ['a', 'a-alias']));
      expect(again.map((x) => x.outcome)).toEqual(['already-gone', 'already-gone']);

      for (const res of results) expect(await gitlabRegistry.restoreTag(r.ctx, entry(img, res))).toMatchObject({ ok: true });
      expect(gl.state.registry.tagsOf('group/app', img.digest)).toEqual(['a', 'a-alias']);
      // A tag pushed elsewhere since is never overwritten.
      const [moved] = await gitlabRegistry.deleteTags(r.ctx, group(img.digest, ['a'], false));
      gl.state.registry.setTag('group/app', 'a', other.digest);
      expect(await gitlabRegistry.restoreTag(r.ctx, entry(img, moved!))).toMatchObject({ ok: false, error: { code: 'tag-moved' } });
      expect(gl.state.registry.resolve('group/app', 'a')).toBe(other.digest);
    } finally {
      await r.close();
    }
  });

  test('a CI job token deletes through REST with the JOB-TOKEN header (its own project) and restores by re-PUT', async () => {
    const img = await image(gl, 'group/app', 'ci-1');
    mark = gl.requests().length;
    const r = await run(jobToken(gl));
    try {
      const [res] = await gitlabRegistry.deleteTags(r.ctx, group(img.digest, ['ci-1']));
      expect(res).toMatchObject({ outcome: 'untagged', method: expect.stringContaining('GitLab API DELETE') });
      const del = deletes();
      expect(del).toHaveLength(1);
      expect(del[0]?.headers['job-token']).toBe('***');
      expect(await gitlabRegistry.restoreTag(r.ctx, entry(img, res!))).toMatchObject({ ok: true });
      expect(gl.state.registry.resolve('group/app', 'ci-1')).toBe(img.digest);
    } finally {
      await r.close();
    }
  });

  test('partial: a protected tag is refused (403, with the rule explained) while the other tag of the group goes', async () => {
    const img = await image(gl, 'group/app', 'release-9', 'tmp-9');
    gl.state.protectedTags.push({ projectId: 42, pattern: '^release-', minimumAccessLevelForDelete: 40 });
    const r = await run(pat());
    try {
      const results = await gitlabRegistry.deleteTags(r.ctx, group(img.digest, ['release-9', 'tmp-9']));
      expect(results.map((x) => x.outcome)).toEqual(['failed', 'untagged']);
      expect(results[0]?.error).toMatchObject({ code: 'http-403' });
      expect(results[0]?.error?.hint).toContain('Protected container tags');
      expect(gl.state.registry.tagsOf('group/app', img.digest)).toEqual(['release-9']);
    } finally {
      await r.close();
    }
  });

  test('a cancelled run sends no DELETE', async () => {
    const img = await image(gl, 'group/app', 'cx1', 'cx2');
    mark = gl.requests().length;
    for (const credential of [pat(), basicCredential(gl.host, 'dev', 'dev-password')]) {
      const r = await run(credential);
      try {
        r.controller.abort();
        const results = await gitlabRegistry.deleteTags(r.ctx, group(img.digest, ['cx1', 'cx2']));
        expect(results.map((x) => [x.outcome, x.error?.code])).toEqual([
          ['failed', 'cancelled'],
          ['failed', 'cancelled'],
        ]);
      } finally {
        await r.close();
      }
    }
    expect(deletes()).toEqual([]);
    expect(gl.state.registry.tagsOf('group/app', img.digest)).toEqual(['cx1', 'cx2']);
  });

  test('refusals: a Reporter (403) and a read_api token are failed with what is missing', async () => {
    const img = await image(gl, 'group/app', 'ref-1');
    const reporter = await run(bearerTokenCredential(gl.host, 'glpat-reporter-api', 'reporter'));
    try {
      const [res] = await gitlabRegistry.deleteTags(reporter.ctx, group(img.digest, ['ref-1']));
      expect(res).toMatchObject({ outcome: 'failed', error: { code: 'http-403' } });
      expect(res?.error?.hint).toContain('Developer');
    } finally {
      await reporter.close();
    }
    const readOnly = await run(pat('glpat-dev-readapi'));
    try {
      const [res] = await gitlabRegistry.deleteTags(readOnly.ctx, group(img.digest, ['ref-1']));
      expect(res).toMatchObject({ outcome: 'failed', error: { code: 'http-403' } });
      expect(res?.error?.hint).toContain('api scope');
    } finally {
      await readOnly.close();
    }
    expect(gl.state.registry.resolve('group/app', 'ref-1')).toBe(img.digest);
  });

  test('429 + Retry-After: waited out and retried; beyond the cap that tag fails "until …" and the rest is not sent', async () => {
    const img = await image(gl, 'group/app', 'r1', 'r2', 'r3');
    gl.state.mutationFaults.rateLimit = { every: 2, retryAfterSeconds: 2 };
    gl.state.mutationFaults.listingCalls = 1;
    const r = await run(pat());
    try {
      const [first] = await gitlabRegistry.deleteTags(r.ctx, group(img.digest, ['r1'], false));
      expect(first?.outcome).toBe('untagged');
      expect(r.sleeps).toEqual([2000]);
      gl.state.mutationFaults.rateLimit = { every: 1, retryAfterSeconds: 90 };
      mark = gl.requests().length;
      const rest = await gitlabRegistry.deleteTags(r.ctx, group(img.digest, ['r2', 'r3']));
      expect(rest.map((x) => [x.outcome, x.error?.code])).toEqual([
        ['failed', 'rate-limited'],
        ['failed', 'rate-limited'],
      ]);
      expect(rest[0]?.error?.message).toMatch(/until \d{4}-/);
      expect(deletes()).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});

describe('gitlab deleteTags without an API token: the Registry API fallbacks (werf.md §3.2)', () => {
  const password = (gl: GitLabEmulator) => basicCredential(gl.host, 'dev', 'dev-password');
  async function withEmulator(opts: GitLabEmulatorOptions, body: (gl: GitLabEmulator, r: TestRun) => Promise<void>): Promise<void> {
    const gl = await startGitLabEmulator(opts);
    const r = await testRun({ registry: gl.host, implementation: 'gitlab', credential: password(gl) });
    try {
      await body(gl, r);
    } finally {
      await r.close();
      await gl.stop();
    }
  }
  const v2Deletes = (gl: GitLabEmulator) => gl.requests().filter((q) => q.method === 'DELETE').map((q) => q.path);

  test('16.4+: DELETE /v2/<name>/manifests/<tag> untags; a tag gone meanwhile is already-gone', async () => {
    await withEmulator({}, async (gl, r) => {
      const img = await image(gl, 'group/app', 'm1', 'm-keep');
      const results = await gitlabRegistry.deleteTags(r.ctx, group(img.digest, ['m1', 'm-gone'], false));
      expect(results.map((x) => [x.tag, x.outcome, x.method])).toEqual([
        ['m1', 'untagged', 'DELETE /v2/group/app/manifests/m1'],
        ['m-gone', 'already-gone', 'DELETE /v2/group/app/manifests/m-gone'],
      ]);
      expect(gl.state.registry.tagsOf('group/app', img.digest)).toEqual(['m-keep']);
    });
  });

  test('older registry: manifests/<tag> is DIGEST_INVALID, tags/reference/<tag> works and is remembered for the run', async () => {
    await withEmulator({ v2TagDelete: 'tags-reference' }, async (gl, r) => {
      const one = await image(gl, 'group/app', 'o1', 'o-keep');
      const two = await image(gl, 'group/app', 'o2');
      const [first] = await gitlabRegistry.deleteTags(r.ctx, group(one.digest, ['o1'], false));
      expect(first).toMatchObject({ outcome: 'untagged', method: 'DELETE /v2/group/app/tags/reference/o1' });
      const [second] = await gitlabRegistry.deleteTags(r.ctx, group(two.digest, ['o2']));
      expect(second?.outcome).toBe('untagged');
      expect(v2Deletes(gl)).toEqual(['/v2/group/app/manifests/o1', '/v2/group/app/tags/reference/o1', '/v2/group/app/tags/reference/o2']);
      expect(gl.state.registry.tagsOf('group/app', one.digest)).toEqual(['o-keep']);
    });
  });

  test('a registry that deletes only by digest: skipped while other tags stay on it, the manifest deleted when none does', async () => {
    await withEmulator({ v2TagDelete: 'none' }, async (gl, r) => {
      const shared = await image(gl, 'group/app', 's1', 's-keep');
      const [skipped] = await gitlabRegistry.deleteTags(r.ctx, group(shared.digest, ['s1'], false));
      expect(skipped).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('cannot untag') });
      expect(gl.state.registry.tagsOf('group/app', shared.digest)).toEqual(['s-keep', 's1']);
      const alone = await image(gl, 'group/app', 'd1', 'd2');
      const results = await gitlabRegistry.deleteTags(r.ctx, group(alone.digest, ['d1', 'd2']));
      expect(results.map((x) => [x.outcome, x.method])).toEqual([
        ['deleted', `DELETE /v2/group/app/manifests/${alone.digest}`],
        ['deleted', `DELETE /v2/group/app/manifests/${alone.digest}`],
      ]);
      expect(gl.state.registry.manifest('group/app', alone.digest)).toBeUndefined();
      expect(gl.state.registry.tagsOf('group/app', shared.digest)).toEqual(['s-keep', 's1']);
    });
  });
});
