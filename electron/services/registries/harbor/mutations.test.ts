import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarborEmulator, type HarborEmulator } from '../../../../e2e/emulators/harbor';
import { seedImage, seedIndex } from '../../../../e2e/services/distribution';
import { basicCredential } from '../../registry/testing/credentials';
import { testRun } from '../../inventory/drivers/testing';
import type { RestoreEntry } from '../types';
import { harborMutations } from './mutations';

const ADMIN = { username: 'admin', password: 'Harbor12345' };
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json';

describe('Harbor deletes (tag delete on the artifact, artifact delete) and restores (/v2 re-PUT) against the Harbor emulator', () => {
  let harbor: HarborEmulator;
  beforeAll(async () => {
    harbor = await startHarborEmulator();
  });
  afterAll(() => harbor?.stop());

  const run = (username = 'maint', password = 'maint-pw') => testRun({ registry: harbor.host, implementation: 'harbor', credential: basicCredential(harbor.host, username, password) });
  const deletes = (from: number) => harbor.requests().slice(from).filter((q) => q.method === 'DELETE').map((q) => `${q.path} ${q.status}`);
  const reg = () => harbor.state.registry;

  test('siblings stay: the tag is deleted from the artifact (repository encoded twice); the artifact stays; again → already-gone', async () => {
    const digest = await seedImage(harbor.url, 'team/sub/app', 'h1', { auth: ADMIN, labels: { n: 'h' } });
    await seedImage(harbor.url, 'team/sub/app', 'h2', { auth: ADMIN, labels: { n: 'h' } });
    const r = await run();
    try {
      const before = harbor.requests().length;
      const group = { repository: 'team/sub/app', digest, mediaType: null, tags: ['h1'], digestGoes: false };
      const out = await harborMutations.deleteTags(r.ctx, group);
      expect(out).toEqual([expect.objectContaining({ tag: 'h1', outcome: 'untagged', method: expect.stringContaining(`/artifacts/${digest}/tags/h1`) })]);
      expect(deletes(before)).toEqual([`/api/v2.0/projects/team/repositories/sub%252Fapp/artifacts/${digest}/tags/h1 200`]);
      expect(reg().tagsOf('team/sub/app', digest)).toEqual(['h2']);
      expect((await harborMutations.deleteTags(r.ctx, group))[0]!.outcome).toBe('already-gone');
    } finally {
      await r.close();
    }
  });

  test('the digest goes: the artifact is deleted with all its tags; again → already-gone', async () => {
    const digest = await seedImage(harbor.url, 'team/app', 'g1', { auth: ADMIN, labels: { n: 'g' } });
    await seedImage(harbor.url, 'team/app', 'g2', { auth: ADMIN, labels: { n: 'g' } });
    const r = await run('robot$team+cleaner', 'cleaner-secret');
    try {
      const before = harbor.requests().length;
      const group = { repository: 'team/app', digest, mediaType: null, tags: ['g1', 'g2'], digestGoes: true };
      const out = await harborMutations.deleteTags(r.ctx, group);
      expect(out.map((x) => [x.tag, x.outcome])).toEqual([
        ['g1', 'deleted'],
        ['g2', 'deleted'],
      ]);
      expect(deletes(before)).toEqual([`/api/v2.0/projects/team/repositories/app/artifacts/${digest} 200`]);
      expect(reg().manifest('team/app', digest)).toBeUndefined();
      expect((await harborMutations.deleteTags(r.ctx, group)).map((x) => x.outcome)).toEqual(['already-gone', 'already-gone']);
    } finally {
      await r.close();
    }
  });

  test('#18.7 index rules: a child an index still references fails with 412 and the fix; the index itself goes with its untagged children', async () => {
    const idx = await seedIndex(harbor.url, 'team/multi', 'multi', { auth: ADMIN });
    const child = idx.children[0]!.digest;
    reg().setTag('team/multi', 'amd64', child);
    const r = await run();
    try {
      const [refused] = await harborMutations.deleteTags(r.ctx, { repository: 'team/multi', digest: child, mediaType: null, tags: ['amd64'], digestGoes: true });
      expect(refused).toMatchObject({ outcome: 'failed', error: { details: { status: 412 }, hint: expect.stringContaining('image index') } });
      expect(refused!.error?.message).toContain('referenced by others');
      expect(reg().resolve('team/multi', 'amd64')).toBe(child);
      const out = await harborMutations.deleteTags(r.ctx, { repository: 'team/multi', digest: idx.digest, mediaType: null, tags: ['multi'], digestGoes: true });
      expect(out[0]!.outcome).toBe('deleted');
      // The untagged child went with the index; the tagged one stays.
      expect(reg().manifest('team/multi', idx.children[1]!.digest)).toBeUndefined();
      expect(reg().manifest('team/multi', child)).toBeDefined();
    } finally {
      await r.close();
    }
  });

  test('immutable tags: 412 on the tag delete and on the artifact delete, reported with the policy to change', async () => {
    const digest = reg().addImage('team/frozen', { tags: ['f1', 'f2'] }).digest;
    const rec = reg().repo('team/frozen')!.tags.get('f1')!;
    rec.immutable = true;
    const r = await run();
    try {
      const untag = await harborMutations.deleteTags(r.ctx, { repository: 'team/frozen', digest, mediaType: null, tags: ['f1', 'f2'], digestGoes: false });
      expect(untag.map((x) => x.outcome)).toEqual(['failed', 'untagged']);
      expect(untag[0]!.error).toMatchObject({ code: 'PRECONDITION', hint: expect.stringContaining('Tag Immutability') });
      reg().setTag('team/frozen', 'f2', digest);
      rec.immutable = true;
      const whole = await harborMutations.deleteTags(r.ctx, { repository: 'team/frozen', digest, mediaType: null, tags: ['f1', 'f2'], digestGoes: true });
      expect(whole.map((x) => x.outcome)).toEqual(['failed', 'failed']);
      expect(reg().manifest('team/frozen', digest)).toBeDefined();
    } finally {
      await r.close();
    }
  });

  test('refusals: a developer gets 403 with the roles; no user name and password → nothing sent', async () => {
    const digest = reg().addImage('team/app', { tags: ['d1'] }).digest;
    const dev = await run('dev', 'dev-pw');
    try {
      const [res] = await harborMutations.deleteTags(dev.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['d1'], digestGoes: true });
      expect(res).toMatchObject({ outcome: 'failed', error: { details: { status: 403 }, hint: expect.stringContaining('maintainers') } });
    } finally {
      await dev.close();
    }
    // A private project this user is no member of answers 404 too: that is not "already gone".
    harbor.state.projects.push({ name: 'secret', id: 99 });
    const hidden = reg().addImage('secret/app', { tags: ['s1'] }).digest;
    const maint = await run();
    try {
      const [res] = await harborMutations.deleteTags(maint.ctx, { repository: 'secret/app', digest: hidden, mediaType: null, tags: ['s1'], digestGoes: true });
      expect(res).toMatchObject({ outcome: 'failed', error: { details: { status: 404 }, hint: expect.stringContaining('cannot see it') } });
      expect(reg().resolve('secret/app', 's1')).toBe(hidden);
    } finally {
      await maint.close();
    }
    const anon = await testRun({ registry: harbor.host, implementation: 'harbor', credential: null });
    try {
      const before = harbor.requests().length;
      const [res] = await harborMutations.deleteTags(anon.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['d1'], digestGoes: true });
      expect(res).toMatchObject({ outcome: 'failed', error: { code: 'needs-harbor-login' } });
      expect(deletes(before)).toEqual([]);
      expect(reg().resolve('team/app', 'd1')).toBe(digest);
    } finally {
      await anon.close();
    }
  });

  test('429 TOO_MANY_REQUEST with Retry-After: waited out and retried', async () => {
    const digest = reg().addImage('team/app', { tags: ['q1', 'q2', 'q3'] }).digest;
    const r = await run();
    try {
      harbor.state.listingCalls = 0;
      harbor.state.rateLimit = { every: 2, retryAfterSeconds: 2 };
      const out = await harborMutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['q1', 'q2'], digestGoes: false });
      expect(out.map((x) => x.outcome)).toEqual(['untagged', 'untagged']);
      expect(r.sleeps).toContain(2000);
      harbor.state.rateLimit = { every: 1 };
      const [stuck] = await harborMutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['q3'], digestGoes: true });
      expect(stuck).toMatchObject({ outcome: 'failed', error: { code: 'TOO_MANY_REQUEST', hint: expect.stringContaining('throttling') } });
    } finally {
      harbor.state.rateLimit = null;
      await r.close();
    }
  });

  test('restore: the recorded manifest is PUT back through /v2 and the tag resolves to its old digest', async () => {
    const digest = await seedImage(harbor.url, 'team/sub/app', 'r1', { auth: ADMIN, labels: { n: 'r' } });
    const got = await fetch(`${harbor.url}/v2/team/sub/app/manifests/${digest}`, { headers: { accept: ACCEPT, authorization: `Bearer ${await token()}` } });
    expect(got.status).toBe(200);
    const manifest = Buffer.from(await got.arrayBuffer()).toString('base64');
    const r = await run();
    try {
      expect((await harborMutations.deleteTags(r.ctx, { repository: 'team/sub/app', digest, mediaType: got.headers.get('content-type'), tags: ['r1'], digestGoes: true }))[0]!.outcome).toBe('deleted');
      const entry: RestoreEntry = { repository: 'team/sub/app', tag: 'r1', digest, mediaType: got.headers.get('content-type'), manifest, method: 'x' };
      expect(await harborMutations.restoreTag(r.ctx, entry)).toMatchObject({ ok: true, detail: expect.stringContaining('→ 201') });
      expect(reg().resolve('team/sub/app', 'r1')).toBe(digest);
    } finally {
      await r.close();
    }
  });

  test('a cancelled run sends no DELETE and says so; a repository without a project part is refused as data', async () => {
    const digest = reg().addImage('team/app', { tags: ['x1'] }).digest;
    const r = await run();
    try {
      const [noProject] = await harborMutations.deleteTags(r.ctx, { repository: 'app', digest, mediaType: null, tags: ['x1'], digestGoes: true });
      expect(noProject).toMatchObject({ outcome: 'failed', error: { code: 'no-project' } });
      r.controller.abort();
      const before = harbor.requests().length;
      const [res] = await harborMutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['x1'], digestGoes: true });
      expect(res!.outcome).toBe('failed');
      expect(res!.error?.message).toMatch(/cancel|abort/i);
      expect(deletes(before)).toEqual([]);
      expect(reg().resolve('team/app', 'x1')).toBe(digest);
    } finally {
      await r.close();
    }
  });

  async function token(): Promise<string> {
    const res = await fetch(`${harbor.url}/service/token?service=harbor-registry&scope=repository:team/sub/app:pull`, { headers: { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` } });
    return ((await res.json()) as { token: string }).token;
  }
});
