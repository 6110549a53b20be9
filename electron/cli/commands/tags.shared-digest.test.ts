import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDigestRegistry, type HostileRegistry } from '../../../e2e/robustness/registry-servers';
import { RegistryAccess } from '../../services/registry-access';
import { runTags } from './tags';

const N = 12_000;

/**
 * Issue #10 item 7: 4,000 tags on one digest made 381 MB of `--json` (every tag listed every
 * other); 10,000 crashed. The digest group is written once, so the output grows with the tags.
 */
describe(`stowage tags: ${N} tags on one digest`, () => {
  let reg: HostileRegistry;
  let home: string;
  let access: RegistryAccess;
  beforeAll(async () => {
    reg = await sharedDigestRegistry(N);
    home = await mkdtemp(join(tmpdir(), 'stowage-shared-digest-'));
    access = new RegistryAccess({ settingsDir: join(home, 'settings'), environment: {}, homeDir: home });
    await access.settings.save({ registry: reg.host, plainHttp: true });
  });
  afterAll(async () => {
    await reg?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('--json: one digests entry with every tag, per tag a count and a bounded sample; linear size', async () => {
    const started = performance.now();
    const out = await runTags({ json: true, 'no-config': true }, [`${reg.host}/app`], access);
    const ms = performance.now() - started;
    expect(out.code).toBe(0);
    // A row is some 300 bytes of pretty JSON; the quadratic form needed over 1 GB here.
    expect(out.stdout.length).toBeLessThan(N * 600);
    expect(ms).toBeLessThan(30_000);
    const body = JSON.parse(out.stdout) as { tags: { tag: string; tagsOnDigest: number; sharedWith: string[] }[]; digests: Record<string, { tags: string[] }> };
    expect(body.tags).toHaveLength(N);
    const groups = Object.values(body.digests);
    expect(groups).toHaveLength(1);
    expect(new Set(groups[0]!.tags).size).toBe(N);
    for (const t of body.tags) {
      expect(t.tagsOnDigest).toBe(N);
      expect(t.sharedWith.length).toBeLessThanOrEqual(10);
      expect(t.sharedWith).not.toContain(t.tag);
    }
  }, 60_000);

  it('--jsonl and text: the same bounded form', async () => {
    const lines = await runTags({ jsonl: true, 'no-config': true }, [`${reg.host}/app`], access);
    expect(lines.stdout.length).toBeLessThan(N * 600);
    const first = JSON.parse(lines.stdout.split('\n')[0]!) as { tagsOnDigest: number; sharedWith: string[] };
    expect(first.tagsOnDigest).toBe(N);
    expect(first.sharedWith).toHaveLength(10);

    const text = await runTags({ 'no-config': true }, [`${reg.host}/app`], access);
    expect(text.stdout.length).toBeLessThan(N * 200);
    expect(text.stdout).toMatch(new RegExp(`shares digest with ${N - 1} other tags: [^,]+,[^,]+,[^,]+,…`));
  }, 60_000);
});
