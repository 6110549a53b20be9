import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startQuayEmulator, type QuayEmulator } from '../../../../e2e/emulators/quay';
import { seedImage } from '../../../../e2e/services/distribution';
import { ACCEPT_ALL, RegistryClient } from '../../../../e2e/services/registry-client';
import { basicCredential, bearerTokenCredential } from '../../registry/testing/credentials';
import { testRun, type TestRun } from '../../inventory/drivers/testing';
import type { ResolvedCredential } from '../../credentials/types';
import type { DeleteGroup, RestoreEntry, TagDeleteResult } from '../types';
import { quayRegistry } from './index';

describe('quay deleteTags / restoreTag against the Quay emulator', () => {
  let quay: QuayEmulator;
  let mark = 0;
  const deployer = { username: 'acme+deployer', password: 'ROBOT-DEPLOYER-TOKEN' };
  let n = 0;
  beforeAll(async () => {
    quay = await startQuayEmulator();
  });
  afterAll(() => quay?.stop());
  beforeEach(() => {
    quay.state.mutationFaults.rateLimit = null;
    quay.state.mutationFaults.listingCalls = 0;
    mark = quay.requests().length;
  });

  const sent = () => quay.requests().slice(mark).filter((q) => q.method === 'DELETE' || q.method === 'POST' || q.method === 'PUT');
  const oauth = (token = 'quay-oauth-ana-write') => bearerTokenCredential(quay.host, token);
  const robot = (name = deployer.username, token = deployer.password) => basicCredential(quay.host, name, token);
  const run = (credential: ResolvedCredential | null): Promise<TestRun> => testRun({ registry: quay.host, implementation: 'quay', credential });
  const group = (digest: string, tags: string[], digestGoes = true): DeleteGroup => ({ repository: 'acme/app', digest, mediaType: null, tags, digestGoes });
  /** A real image (bytes in the backing registry) under fresh tags; returns its digest and manifest as the audit log keeps it. */
  async function image(...tags: string[]): Promise<{ digest: string; manifest: string; mediaType: string }> {
    const digest = await seedImage(quay.url, 'acme/app', tags[0]!, { auth: deployer, labels: { n: String(++n) } });
    for (const t of tags.slice(1)) quay.state.registry.setTag('acme/app', t, digest);
    const res = await new RegistryClient(quay.url, { auth: deployer }).request('GET', `/v2/acme/app/manifests/${digest}`, { headers: { accept: ACCEPT_ALL } });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { digest, manifest: bytes.toString('base64'), mediaType: res.headers.get('content-type') ?? '' };
  }
  const entry = (img: { digest: string; manifest: string; mediaType: string }, r: TagDeleteResult): RestoreEntry => ({
    repository: 'acme/app',
    tag: r.tag,
    digest: img.digest,
    mediaType: img.mediaType,
    manifest: img.manifest,
    method: r.method,
    ...(r.restore ? { restore: r.restore } : {}),
  });

  test('OAuth token: each tag through the tag API, the manifest stays; a rerun finds them gone; restore brings them back from the history', async () => {
    const img = await image('o1', 'o1-alias');
    const r = await run(oauth());
    try {
      const results = await quayRegistry.deleteTags(r.ctx, group(img.digest, ['o1', 'o1-alias']));
      expect(results.map((x) => [x.tag, x.outcome, x.method])).toEqual([
        ['o1', 'untagged', 'Quay API DELETE /api/v1/repository/acme/app/tag/o1'],
        ['o1-alias', 'untagged', 'Quay API DELETE /api/v1/repository/acme/app/tag/o1-alias'],
      ]);
      expect(results[0]?.restore).toEqual({ manifestDigest: img.digest });
      expect(results[0]?.detail).toContain('garbage-collects');
      expect(quay.state.registry.tagsOf('acme/app', img.digest)).toEqual([]);
      expect(quay.state.registry.manifest('acme/app', img.digest)).toBeDefined();

      const again = await quayRegistry.deleteTags(r.ctx, group(img.digest, ['o1', 'o1-alias']));
      expect(again.map((x) => x.outcome)).toEqual(['already-gone', 'already-gone']);

      for (const res of results) expect(await quayRegistry.restoreTag(r.ctx, entry(img, res))).toMatchObject({ ok: true });
      expect(quay.state.registry.tagsOf('acme/app', img.digest)).toEqual(['o1', 'o1-alias']);
      expect(await quayRegistry.restoreTag(r.ctx, entry(img, results[0]!))).toMatchObject({ ok: true, detail: expect.stringContaining('already points') });
    } finally {
      await r.close();
    }
  });

  test('restore never moves a tag that was pushed again since; after the time-machine window it fails with why', async () => {
    const img = await image('moved');
    const other = await image('other');
    const r = await run(oauth());
    try {
      const [res] = await quayRegistry.deleteTags(r.ctx, group(img.digest, ['moved']));
      quay.state.registry.setTag('acme/app', 'moved', other.digest);
      expect(await quayRegistry.restoreTag(r.ctx, entry(img, res!))).toMatchObject({ ok: false, error: { code: 'tag-moved' } });
      expect(quay.state.registry.resolve('acme/app', 'moved')).toBe(other.digest);
      quay.state.registry.untag('acme/app', 'moved');
      for (const d of quay.state.deletedTags) d.endTs -= quay.state.timeMachineSeconds;
      const late = await quayRegistry.restoreTag(r.ctx, entry(img, res!));
      expect(late).toMatchObject({ ok: false, error: { code: 'http-404' } });
      if (!late.ok) expect(late.error.hint).toContain('time-machine');
    } finally {
      await r.close();
    }
  });

  test('robot account: /v2 DELETE by tag (never by digest, which would end every tag on it); restore re-PUTs the recorded manifest', async () => {
    const img = await image('r1', 'r1-keep');
    mark = quay.requests().length;
    const r = await run(robot());
    try {
      const [res] = await quayRegistry.deleteTags(r.ctx, group(img.digest, ['r1'], false));
      expect(res).toMatchObject({ tag: 'r1', outcome: 'untagged', method: 'DELETE /v2/acme/app/manifests/r1' });
      expect(sent().map((q) => `${q.method} ${q.path}`)).toEqual(['DELETE /v2/acme/app/manifests/r1']);
      expect(quay.state.registry.tagsOf('acme/app', img.digest)).toEqual(['r1-keep']);
      const back = await quayRegistry.restoreTag(r.ctx, entry(img, res!));
      expect(back).toMatchObject({ ok: true, detail: expect.stringContaining('re-PUT') });
      expect(quay.state.registry.tagsOf('acme/app', img.digest)).toEqual(['r1', 'r1-keep']);
    } finally {
      await r.close();
    }
  });

  test('refusals: a user with the read role (403) and a read-only robot are failed with a hint; nothing changes', async () => {
    const img = await image('refused');
    for (const credential of [oauth('quay-oauth-ben-write'), robot('acme+reader', 'ROBOT-READER-TOKEN')]) {
      const r = await run(credential);
      try {
        const [res] = await quayRegistry.deleteTags(r.ctx, group(img.digest, ['refused']));
        expect(res?.outcome).toBe('failed');
        expect(res?.error?.hint).toMatch(/write \(or admin\) permission/);
      } finally {
        await r.close();
      }
    }
    expect(quay.state.registry.resolve('acme/app', 'refused')).toBe(img.digest);
    const anon = await run(null);
    try {
      expect((await quayRegistry.deleteTags(anon.ctx, group(img.digest, ['refused'])))[0]).toMatchObject({ outcome: 'failed', error: { code: 'no-credential' } });
    } finally {
      await anon.close();
    }
  });

  test('a cancelled run sends no DELETE, through the API or /v2', async () => {
    const img = await image('x1', 'x2');
    mark = quay.requests().length;
    for (const credential of [oauth(), robot()]) {
      const r = await run(credential);
      try {
        r.controller.abort();
        const results = await quayRegistry.deleteTags(r.ctx, group(img.digest, ['x1', 'x2']));
        expect(results.map((x) => [x.outcome, x.error?.code])).toEqual([
          ['failed', 'cancelled'],
          ['failed', 'cancelled'],
        ]);
      } finally {
        await r.close();
      }
    }
    expect(sent()).toEqual([]);
    expect(quay.state.registry.tagsOf('acme/app', img.digest)).toEqual(['x1', 'x2']);
  });

  test('partial: a tag removed meanwhile is already-gone while the others go', async () => {
    const img = await image('p1', 'p2', 'p3');
    quay.state.registry.untag('acme/app', 'p2');
    const r = await run(oauth());
    try {
      const results = await quayRegistry.deleteTags(r.ctx, group(img.digest, ['p1', 'p2', 'p3']));
      expect(results.map((x) => x.outcome)).toEqual(['untagged', 'already-gone', 'untagged']);
    } finally {
      await r.close();
    }
  });

  test('429 + Retry-After: waited out and retried; a wait beyond the cap fails that tag and the rest of the group is not sent', async () => {
    const img = await image('q1', 'q2', 'q3');
    quay.state.mutationFaults.rateLimit = { every: 2, retryAfterSeconds: 2 };
    quay.state.mutationFaults.listingCalls = 1;
    const r = await run(oauth());
    try {
      const [first] = await quayRegistry.deleteTags(r.ctx, group(img.digest, ['q1'], false));
      expect(first?.outcome).toBe('untagged');
      expect(r.sleeps).toEqual([2000]);
      quay.state.mutationFaults.rateLimit = { every: 1, retryAfterSeconds: 90 };
      mark = quay.requests().length;
      const rest = await quayRegistry.deleteTags(r.ctx, group(img.digest, ['q2', 'q3']));
      expect(rest.map((x) => [x.tag, x.outcome, x.error?.code])).toEqual([
        ['q2', 'failed', 'rate-limited'],
        ['q3', 'failed', 'rate-limited'],
      ]);
      expect(rest[0]?.error?.message).toMatch(/until \d{4}-/);
      expect(sent().map((q) => q.path)).toEqual(['/api/v1/repository/acme/app/tag/q2']);
      expect(quay.state.registry.tagsOf('acme/app', img.digest)).toEqual(['q2', 'q3']);
    } finally {
      await r.close();
    }
  });
});
