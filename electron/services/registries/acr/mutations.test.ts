import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAcrEmulator, type AcrEmulator } from '../../../../e2e/emulators/acr';
import { seedImage } from '../../../../e2e/services/distribution';
import { azureCredential } from '../../registry/testing/credentials';
import { testRun } from '../../inventory/drivers/testing';
import type { RestoreEntry } from '../types';
import { acrMutations } from './mutations';

const ADMIN = { username: 'stowageacr', password: 'admin-password' };
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json';
const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;

describe('ACR deletes (/acr/v1 untag, /v2 manifest delete) and restores (/v2 re-PUT) against the ACR emulator', () => {
  let acr: AcrEmulator;
  beforeAll(async () => {
    acr = await startAcrEmulator({ admin: ADMIN });
  });
  afterAll(() => acr?.stop());

  const run = (aad = 'aad-contributor') => testRun({ registry: acr.host, implementation: 'acr', credential: azureCredential('x', aad) });
  const sent = (from: number) => acr.requests().slice(from).filter((q) => q.method === 'DELETE' || q.method === 'PUT');
  const recorded = async (repo: string, digest: string) => {
    const res = await fetch(`${acr.url}/v2/${repo}/manifests/${digest}`, { headers: { accept: ACCEPT, authorization: basic } });
    expect(res.status).toBe(200);
    return { manifest: Buffer.from(await res.arrayBuffer()).toString('base64'), mediaType: res.headers.get('content-type') };
  };

  test('siblings stay: each tag is untagged through /acr/v1 and the manifest stays; again → already-gone', async () => {
    const digest = await seedImage(acr.url, 'team/app', 'u1', { auth: ADMIN, labels: { n: 'u' } });
    await seedImage(acr.url, 'team/app', 'u2', { auth: ADMIN, labels: { n: 'u' } });
    await seedImage(acr.url, 'team/app', 'u3', { auth: ADMIN, labels: { n: 'u' } });
    const r = await run();
    try {
      const before = acr.requests().length;
      const group = { repository: 'team/app', digest, mediaType: null, tags: ['u1', 'u2'], digestGoes: false };
      const out = await acrMutations.deleteTags(r.ctx, group);
      expect(out.map((x) => [x.tag, x.outcome, x.method])).toEqual([
        ['u1', 'untagged', 'DELETE /acr/v1/team/app/_tags/u1'],
        ['u2', 'untagged', 'DELETE /acr/v1/team/app/_tags/u2'],
      ]);
      expect(sent(before).map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual(['DELETE /acr/v1/team/app/_tags/u1 202', 'DELETE /acr/v1/team/app/_tags/u2 202']);
      expect(acr.state.registry.tagsOf('team/app', digest)).toEqual(['u3']);
      expect(acr.state.registry.manifest('team/app', digest)).toBeDefined();
      expect((await acrMutations.deleteTags(r.ctx, group)).map((x) => x.outcome)).toEqual(['already-gone', 'already-gone']);
    } finally {
      await r.close();
    }
  });

  test('the digest goes: one /v2 manifest DELETE removes it with all its tags; again → already-gone', async () => {
    const digest = await seedImage(acr.url, 'team/app', 'd1', { auth: ADMIN, labels: { n: 'd' } });
    await seedImage(acr.url, 'team/app', 'd2', { auth: ADMIN, labels: { n: 'd' } });
    const r = await run();
    try {
      const before = acr.requests().length;
      const group = { repository: 'team/app', digest, mediaType: null, tags: ['d1', 'd2'], digestGoes: true };
      const out = await acrMutations.deleteTags(r.ctx, group);
      expect(out.map((x) => [x.tag, x.outcome])).toEqual([
        ['d1', 'deleted'],
        ['d2', 'deleted'],
      ]);
      expect(sent(before).map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual([`DELETE /v2/team/app/manifests/${digest} 202`]);
      expect(acr.state.registry.manifest('team/app', digest)).toBeUndefined();
      expect((await acrMutations.deleteTags(r.ctx, group)).map((x) => x.outcome)).toEqual(['already-gone', 'already-gone']);
    } finally {
      await r.close();
    }
  });

  test('locks: a tag with deleteEnabled false, and a manifest with writeEnabled false, are refused with the unlock command', async () => {
    const digest = acr.state.registry.addImage('team/locked', { tags: ['l1', 'l2'] }).digest;
    acr.state.locks.set('tag:team/locked:l1', { deleteEnabled: false, writeEnabled: true });
    const r = await run('aad-owner');
    try {
      const untag = await acrMutations.deleteTags(r.ctx, { repository: 'team/locked', digest, mediaType: null, tags: ['l1', 'l2'], digestGoes: false });
      expect(untag.map((x) => x.outcome)).toEqual(['failed', 'untagged']);
      expect(untag[0]!.error).toMatchObject({ details: { status: 405 }, hint: expect.stringContaining('az acr repository update') });
      acr.state.locks.clear();
      acr.state.locks.set(`manifest:team/locked@${digest}`, { deleteEnabled: true, writeEnabled: false });
      const whole = await acrMutations.deleteTags(r.ctx, { repository: 'team/locked', digest, mediaType: null, tags: ['l1'], digestGoes: true });
      expect(whole[0]).toMatchObject({ outcome: 'failed', error: { hint: expect.stringContaining(`team/locked@${digest}`) } });
      expect(acr.state.registry.manifest('team/locked', digest)).toBeDefined();
    } finally {
      acr.state.locks.clear();
      await r.close();
    }
  });

  test('an identity without delete rights (AcrPull) is refused with the roles that can delete', async () => {
    const digest = acr.state.registry.addImage('team/app', { tags: ['p1'] }).digest;
    const r = await run('aad-acrpull');
    try {
      const [res] = await acrMutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['p1'], digestGoes: false });
      expect(res).toMatchObject({ outcome: 'failed', error: { hint: expect.stringContaining('AcrDelete') } });
      expect(acr.state.registry.resolve('team/app', 'p1')).toBe(digest);
    } finally {
      await r.close();
    }
  });

  test('429 TOOMANYREQUESTS with Retry-After on deletes: waited out and retried; persistent 429 fails with a hint', async () => {
    const digest = acr.state.registry.addImage('team/app', { tags: ['q1', 'q2', 'q3'] }).digest;
    const r = await run();
    try {
      acr.state.listingCalls = 0;
      acr.state.rateLimit = { every: 2, retryAfterSeconds: 3 };
      const out = await acrMutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['q1', 'q2'], digestGoes: false });
      expect(out.map((x) => x.outcome)).toEqual(['untagged', 'untagged']);
      expect(r.sleeps).toContain(3000);
      acr.state.rateLimit = { every: 1 };
      const [stuck] = await acrMutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['q3'], digestGoes: true });
      expect(stuck).toMatchObject({ outcome: 'failed', error: { code: 'TOOMANYREQUESTS', hint: expect.stringContaining('SKU') } });
      expect(acr.state.registry.resolve('team/app', 'q3')).toBe(digest);
    } finally {
      acr.state.rateLimit = null;
      await r.close();
    }
  });

  test('restore: the recorded manifest is PUT back under its tag; a write-locked tag refuses; a tampered manifest is never sent', async () => {
    const digest = await seedImage(acr.url, 'team/app', 'r1', { auth: ADMIN, labels: { n: 'r' } });
    const rec = await recorded('team/app', digest);
    const r = await run();
    try {
      expect((await acrMutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: rec.mediaType, tags: ['r1'], digestGoes: true }))[0]!.outcome).toBe('deleted');
      const entry: RestoreEntry = { repository: 'team/app', tag: 'r1', digest, mediaType: rec.mediaType, manifest: rec.manifest, method: `DELETE /v2/team/app/manifests/${digest}` };
      const out = await acrMutations.restoreTag(r.ctx, entry);
      expect(out).toMatchObject({ ok: true, detail: expect.stringContaining('PUT /v2/team/app/manifests/r1 → 201') });
      expect(acr.state.registry.resolve('team/app', 'r1')).toBe(digest);

      const other = acr.state.registry.addImage('team/app', { tags: ['held'] }).digest;
      acr.state.locks.set('tag:team/app:held', { deleteEnabled: true, writeEnabled: false });
      const refused = await acrMutations.restoreTag(r.ctx, { ...entry, tag: 'held' });
      expect(refused).toMatchObject({ ok: false, error: { hint: expect.stringContaining('--write-enabled true') } });
      expect(acr.state.registry.resolve('team/app', 'held')).toBe(other);

      const before = acr.requests().length;
      const bad = await acrMutations.restoreTag(r.ctx, { ...entry, tag: 'r9', manifest: Buffer.from('{"schemaVersion":2}').toString('base64') });
      expect(bad).toMatchObject({ ok: false, error: { code: 'manifest-mismatch' } });
      expect(sent(before)).toEqual([]);
    } finally {
      acr.state.locks.clear();
      await r.close();
    }
  });

  test('restore never overwrites a tag pushed again since the cleanup: tag-moved, nothing PUT', async () => {
    const old = await seedImage(acr.url, 'team/app', 'mv-old', { auth: ADMIN, labels: { n: 'mv-old' } });
    const rec = await recorded('team/app', old);
    const now = await seedImage(acr.url, 'team/app', 'mv', { auth: ADMIN, labels: { n: 'mv-new' } });
    const r = await run();
    try {
      const before = acr.requests().length;
      const out = await acrMutations.restoreTag(r.ctx, { repository: 'team/app', tag: 'mv', digest: old, mediaType: rec.mediaType, manifest: rec.manifest, method: `DELETE /v2/team/app/manifests/${old}` });
      expect(out).toMatchObject({ ok: false, error: { code: 'tag-moved', message: expect.stringContaining(now) } });
      expect(sent(before)).toEqual([]);
      expect(acr.state.registry.resolve('team/app', 'mv')).toBe(now);
    } finally {
      await r.close();
    }
  });

  test('a cancelled run sends nothing and says so', async () => {
    const digest = acr.state.registry.addImage('team/app', { tags: ['x1'] }).digest;
    const r = await run();
    try {
      r.controller.abort();
      const before = acr.requests().length;
      const [res] = await acrMutations.deleteTags(r.ctx, { repository: 'team/app', digest, mediaType: null, tags: ['x1'], digestGoes: true });
      expect(res!.outcome).toBe('failed');
      expect(res!.error?.message).toMatch(/cancel|abort/i);
      expect(sent(before)).toEqual([]);
      expect(acr.state.registry.resolve('team/app', 'x1')).toBe(digest);
    } finally {
      await r.close();
    }
  });
});

