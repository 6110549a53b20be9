// A cleanup run at scale on the local distribution 2.8: 1,000 planned deletes — 500 tags each on its
// own digest (DELETE by digest) and 500 tags sharing a kept tag's digest (untag: a placeholder PUT
// and its DELETE on 2.x) — carried out by the real executor, session and default driver, against a
// floor: the same requests, in the same order of dependence, sent by a minimal keep-alive undici
// client at the same concurrency. Prints the ratio and the requests per tag.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { planCleanup } from '../../shared/cleanup/planner';
import type { CleanupPlan, CleanupTag } from '../../shared/cleanup/types';
import { MANIFEST_ACCEPT, MEDIA_TYPES } from '../../shared/inventory/classify';
import { executeOnRegistry } from '../../electron/services/cleanup/execute/testing/real-registry';
import { seedImages, startDistribution, type DistributionHandle } from '../services/distribution';
import type { BenchResult } from './cleanup-bench';

const DIGEST_DELETES = 500;
const UNTAGS = 500;
const CONCURRENCY = 8;
const PAIRS = 2;

interface Repo {
  name: string;
  solo: Map<string, string>;
  shared: string;
  siblings: string[];
}

async function seedRepo(reg: DistributionHandle, name: string): Promise<Repo> {
  const soloTags = Array.from({ length: DIGEST_DELETES }, (_, i) => `old-${String(i).padStart(4, '0')}`);
  const siblings = Array.from({ length: UNTAGS }, (_, i) => `sib-${String(i).padStart(4, '0')}`);
  const solo = await seedImages(reg.url, name, soloTags, { distinct: true, concurrency: 8 });
  const shared = await seedImages(reg.url, name, ['keep', ...siblings], { labels: { shared: 'yes' }, concurrency: 8 });
  return { name, solo, shared: shared.get('keep')!, siblings };
}

function planFor(host: string, repo: Repo): CleanupPlan {
  const created = '2024-01-01T00:00:00.000Z';
  const rows: CleanupTag[] = [
    ...[...repo.solo].map(([tag, digest]) => ({ repository: repo.name, tag, digest, mediaType: MEDIA_TYPES.dockerManifest, kind: 'image' as const, size: 100, created })),
    ...['keep', ...repo.siblings].map((tag) => ({ repository: repo.name, tag, digest: repo.shared, mediaType: MEDIA_TYPES.dockerManifest, kind: 'image' as const, size: 100, created })),
  ];
  const out = planCleanup({ now: '2025-06-01T00:00:00Z', repository: `${host}/${repo.name}`, implementation: 'default', registryHost: host, capability: { tagDelete: true, digestDelete: true }, tags: rows, kube: null, policy: { policy: 'rules', keep: ['^keep$'] } });
  if (!out.ok) throw new Error(out.error.message);
  if (out.plan.summary.delete !== DIGEST_DELETES + UNTAGS) throw new Error(`expected ${DIGEST_DELETES + UNTAGS} deletes, planned ${out.plan.summary.delete}`);
  return out.plan;
}

/** Counts requests by method as undici creates them (the run's own client and the floor's alike). */
function countRequests(): { counts: Map<string, number>; stop(): void } {
  const counts = new Map<string, number>();
  const onCreate = (message: unknown): void => {
    const req = (message as { request: { method: string } }).request;
    counts.set(req.method, (counts.get(req.method) ?? 0) + 1);
  };
  subscribe('undici:request:create', onCreate);
  return { counts, stop: () => unsubscribe('undici:request:create', onCreate) };
}

function limiter(n: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (work) => {
    if (active >= n) await new Promise<void>((go) => queue.push(go));
    active++;
    try {
      return await work();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/**
 * The floor: what the run sends, with nothing around it — no journal, no planning, no auth layer,
 * no retries. The listing, a HEAD per tag to survey the repository, then per digest group (at the
 * run's concurrency): a HEAD per tag, a GET of the manifest for the audit log, the listing again
 * before a digest delete, and the delete.
 */
async function floor(base: string, repo: Repo): Promise<void> {
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000 });
  const slot = limiter(CONCURRENCY);
  const send = (method: 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'POST', path: string, o: { accept?: string; type?: string; body?: Buffer } = {}) =>
    slot(async () => {
      const res = await request(path.startsWith('http') ? path : `${base}${path}`, {
        method,
        dispatcher: agent,
        headers: { ...(o.accept ? { accept: o.accept } : {}), ...(o.type ? { 'content-type': o.type } : {}) },
        ...(o.body ? { body: o.body } : {}),
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: res.headers, body };
    });
  const pool = async <T>(items: T[], work: (item: T) => Promise<void>): Promise<void> => {
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]!);
    }));
  };
  const r = repo.name;
  await send('GET', '/v2/');
  const listed = JSON.parse((await send('GET', `/v2/${r}/tags/list`)).body.toString()) as { tags: string[] };
  await pool(listed.tags, async (tag) => void (await send('HEAD', `/v2/${r}/manifests/${tag}`, { accept: MANIFEST_ACCEPT })));
  const groups: { digest: string; tags: string[]; goes: boolean }[] = [...repo.solo].map(([tag, digest]) => ({ digest, tags: [tag], goes: true }));
  groups.push({ digest: repo.shared, tags: repo.siblings, goes: false });
  const empty = Buffer.from('{}');
  const emptyDigest = `sha256:${createHash('sha256').update(empty).digest('hex')}`;
  await pool(groups, async (g) => {
    for (const tag of g.tags) await send('HEAD', `/v2/${r}/manifests/${tag}`, { accept: MANIFEST_ACCEPT });
    await send('GET', `/v2/${r}/manifests/${g.digest}`, { accept: MANIFEST_ACCEPT });
    if (g.goes) {
      // The run lists the repository again right before a digest delete (tags pushed meanwhile).
      await send('GET', `/v2/${r}/tags/list`);
      await send('DELETE', `/v2/${r}/manifests/${g.digest}`);
      return;
    }
    await send('DELETE', `/v2/${r}/manifests/${g.tags[0]}`);
    if ((await send('HEAD', `/v2/${r}/blobs/${emptyDigest}`)).status !== 200) {
      const started = await send('POST', `/v2/${r}/blobs/uploads/`);
      const location = new URL(String(started.headers.location), base);
      location.searchParams.set('digest', emptyDigest);
      await send('PUT', location.href, { type: 'application/octet-stream', body: empty });
    }
    await Promise.all(
      g.tags.map(async (tag) => {
        const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 }, layers: [], annotations: { floor: `${tag} ${randomBytes(16).toString('hex')}` } }));
        await send('PUT', `/v2/${r}/manifests/${tag}`, { type: MEDIA_TYPES.ociManifest, body: manifest });
        await send('DELETE', `/v2/${r}/manifests/sha256:${createHash('sha256').update(manifest).digest('hex')}`);
      }),
    );
  });
  await agent.close();
}

const fmt = (counts: Map<string, number>): string => [...counts].sort().map(([m, n]) => `${m} ${n}`).join(', ');
const total = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);

export async function runCleanupExecuteBench(): Promise<BenchResult[]> {
  const reg = await startDistribution();
  const settingsDir = mkdtempSync(join(tmpdir(), 'stowage-cleanup-exec-bench-'));
  try {
    const runs: number[] = [];
    const floors: number[] = [];
    let runCounts = new Map<string, number>();
    let floorCounts = new Map<string, number>();
    for (let p = 0; p < PAIRS; p++) {
      const [a, b] = [await seedRepo(reg, `bench/run-${p}`), await seedRepo(reg, `bench/floor-${p}`)];
      const plan = planFor(reg.host, a);
      // Alternate which goes first, so neither always meets a warmer registry.
      const measureRun = async (): Promise<void> => {
        const counter = countRequests();
        const t0 = performance.now();
        const report = await executeOnRegistry(plan, { registry: reg.host, settingsDir, concurrency: CONCURRENCY });
        runs.push(performance.now() - t0);
        counter.stop();
        runCounts = counter.counts;
        const s = report.summary;
        if (s.deleted !== DIGEST_DELETES || s.untagged !== UNTAGS || s.failed + s.skipped !== 0) throw new Error(`the run did not do what was planned: ${JSON.stringify(s)}`);
      };
      const measureFloor = async (): Promise<void> => {
        const counter = countRequests();
        const t0 = performance.now();
        await floor(reg.url, b);
        floors.push(performance.now() - t0);
        counter.stop();
        floorCounts = counter.counts;
      };
      if (p % 2 === 0) {
        await measureRun();
        await measureFloor();
      } else {
        await measureFloor();
        await measureRun();
      }
    }
    const best = (xs: number[]): number => Math.min(...xs);
    const ratio = best(runs) / best(floors);
    const tags = DIGEST_DELETES + UNTAGS;
    console.log(`cleanup run: ${tags} tags (${DIGEST_DELETES} digest deletes, ${UNTAGS} untags), concurrency ${CONCURRENCY}, best of ${PAIRS}`);
    console.log(`  executor ${runs.map((x) => x.toFixed(0)).join(' / ')} ms, floor ${floors.map((x) => x.toFixed(0)).join(' / ')} ms → ratio ${ratio.toFixed(3)} (target ≤ 1.3)`);
    console.log(`  requests: executor ${total(runCounts)} (${(total(runCounts) / tags).toFixed(2)} per tag: ${fmt(runCounts)})`);
    console.log(`            floor    ${total(floorCounts)} (${(total(floorCounts) / tags).toFixed(2)} per tag: ${fmt(floorCounts)})`);
    // Ratio as a BenchResult: ms = run, target = 1.3 × floor.
    return [{ name: `cleanup (d) execute ${tags} tags on distribution 2.8 vs a keep-alive undici floor (ratio ${ratio.toFixed(3)}, ${(total(runCounts) / tags).toFixed(2)} requests/tag)`, ms: best(runs), target: Math.round(best(floors) * 1.3) }];
  } finally {
    await reg.stop();
    rmSync(settingsDir, { recursive: true, force: true });
  }
}
