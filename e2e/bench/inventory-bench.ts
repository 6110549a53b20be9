// `npm run bench:inventory`: the registry inventory against a real local registry (Debian's
// docker-registry 2.8 on 127.0.0.1). Measures Stowage against the floor a minimal keep-alive
// client reaches with the same requests, against skopeo, and the memory of a 20,000-tag inventory.
// Nothing but 127.0.0.1 is contacted.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { startDistribution, type DistributionHandle } from '../services/distribution';
import { listInventory } from '../../electron/services/inventory/engine';
import { bulkSeed, type BulkImage } from '../../electron/services/inventory/testing/bulk-seed';
import type { InventoryStats, InventoryTag } from '../../shared/inventory/types';

const TAGS = 5_000;
const SKOPEO_TAGS = 300;
const MEMORY_TAGS = 20_000;
const MEMORY_CONFIGS = 200;
const CONCURRENCY = 8;
const ROUNDS = 3;
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Result {
  name: string;
  value: number;
  unit: string;
  target: number;
  /** `max`: value must stay at or under target; `min`: at or over. */
  kind: 'max' | 'min';
  note?: string;
}

const execFileP = promisify(execFile);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** werf v1.1-like tags: each its own image (own config: labels, created), so every digest differs. */
function werfImages(n: number, prefix: string): BulkImage[] {
  return Array.from({ length: n }, (_, i) => ({
    tag: `${prefix}-${String(i).padStart(5, '0')}`,
    created: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    labels: { 'werf-image': 'true', 'werf-image-name': 'app', 'werf-image-tag': `${prefix}-${i}`, 'org.opencontainers.image.revision': `r${i}` },
  }));
}

/** The floor: a minimal keep-alive undici Pool, `reset: false` so HEADs keep their connection. */
async function floor(base: string, paths: { method: 'HEAD' | 'GET'; path: string }[]): Promise<number> {
  const pool = new Pool(base, { connections: CONCURRENCY });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < paths.length) {
        const p = paths[next++]!;
        const res = await pool.request({ method: p.method, path: p.path, headers: { accept: ACCEPT }, reset: false });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`floor ${p.method} ${p.path}: ${res.statusCode}`);
      }
    }),
  );
  const ms = performance.now() - t0;
  await pool.close();
  return ms;
}

async function stowage(reg: DistributionHandle, repository: string, withConfig: boolean, cacheDir: string, onRows: (rows: InventoryTag[]) => void = () => undefined): Promise<{ ms: number; stats: InventoryStats }> {
  const t0 = performance.now();
  const stats = await listInventory(
    { imagesRepo: `${reg.host}/${repository}`, implementation: 'default', mode: 'auto', images: [], withConfig },
    { credential: null, settings: { registry: reg.host, plainHttp: true }, cacheDir, signal: new AbortController().signal, onRows, onProgress: () => undefined, concurrency: CONCURRENCY },
  );
  const ms = performance.now() - t0;
  if (stats.tags === 0 || (stats.rowErrors ?? 0) > 0) throw new Error(`Stowage listed ${stats.tags} tags with ${stats.rowErrors} errors: ${stats.warnings.join('; ')}`);
  return { ms, stats };
}

async function configDigests(base: string, repository: string, tags: string[]): Promise<string[]> {
  const pool = new Pool(base, { connections: CONCURRENCY });
  const out = new Set<string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < tags.length) {
        const res = await pool.request({ method: 'GET', path: `/v2/${repository}/manifests/${tags[next++]}`, headers: { accept: ACCEPT } });
        out.add(((await res.body.json()) as { config: { digest: string } }).config.digest);
      }
    }),
  );
  await pool.close();
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// (d) memory: a child process so nothing else in this process counts.

async function memoryChild(host: string, repository: string, cacheDir: string): Promise<void> {
  const rows = new Map<string, InventoryTag>();
  let peakHeap = 0;
  const sample = (): void => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 10);
  (globalThis as { gc?: () => void }).gc?.();
  const baselineRss = process.memoryUsage().rss;
  const baselineHeap = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const stats = await listInventory(
    { imagesRepo: `${host}/${repository}`, implementation: 'default', mode: 'auto', images: [], withConfig: true },
    {
      credential: null,
      settings: { registry: host, plainHttp: true },
      cacheDir,
      signal: new AbortController().signal,
      // Held the way the CLI and the view hold them: one row per repository:tag, replaced as facts arrive.
      onRows: (batch) => {
        for (const r of batch) rows.set(`${r.repository}:${r.tag}`, r);
        sample();
      },
      onProgress: () => undefined,
    },
  );
  clearInterval(timer);
  sample();
  // What the rows themselves keep alive, once the run's garbage is gone.
  (globalThis as { gc?: () => void }).gc?.();
  const retained = process.memoryUsage().heapUsed;
  const done = [...rows.values()].filter((r) => !r.pending && r.digest !== null).length;
  process.stdout.write(
    `${JSON.stringify({ rows: rows.size, done, ms: performance.now() - t0, peakRss: process.resourceUsage().maxRSS * 1024, baselineRss, baselineHeap, peakHeap, retained, requests: stats.requests, connections: stats.connections })}\n`,
  );
}

async function measureMemory(reg: DistributionHandle, repository: string, cacheDir: string): Promise<{ rows: number; done: number; ms: number; peakRss: number; baselineRss: number; baselineHeap: number; peakHeap: number; retained: number; requests: number; connections: number }> {
  const child = spawn(process.execPath, ['--expose-gc', process.argv[1]!, '--memory-child', reg.host, repository, cacheDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`memory child exited ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Awaited<ReturnType<typeof measureMemory>>;
}

// ---------------------------------------------------------------------------------------------

interface Bench {
  reg: DistributionHandle;
  work: string;
  results: Result[];
  info: string[];
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MB`;
const list = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');

/** (a) and (b) on one repository of 5,000 distinct werf-like images. */
async function digestsAndDates(b: Bench, parts: Set<string>): Promise<void> {
  const t0 = performance.now();
  const images = werfImages(TAGS, 'v');
  await bulkSeed(b.reg.url, 'bench/app', images, { concurrency: 16 });
  b.info.push(`seeded bench/app: ${TAGS} tags, ${TAGS} distinct manifests and configs in ${seconds(performance.now() - t0)}`);
  const tags = images.map((i) => i.tag);
  const heads = tags.map((t) => ({ method: 'HEAD' as const, path: `/v2/bench/app/manifests/${t}` }));
  const configs = (await configDigests(b.reg.url, 'bench/app', tags)).map((d) => ({ method: 'GET' as const, path: `/v2/bench/app/blobs/${d}` }));

  // Warm the registry (its caches, the page cache) and the JIT so round one is not special.
  await floor(b.reg.url, heads);
  await stowage(b.reg, 'bench/app', false, join(b.work, 'warm'));

  if (parts.has('a')) {
    // Floor and Stowage alternate, so a noisy neighbour hurts both alike; medians of three.
    const f: number[] = [];
    const s: number[] = [];
    let stats: InventoryStats | null = null;
    for (let r = 0; r < ROUNDS; r++) {
      f.push(await floor(b.reg.url, heads));
      const run = await stowage(b.reg, 'bench/app', false, join(b.work, `a${r}`));
      s.push(run.ms);
      stats = run.stats;
    }
    b.info.push(`(a) floor: ${TAGS} HEADs at concurrency ${CONCURRENCY} on a keep-alive pool, median ${median(f).toFixed(0)} ms (${list(f)})`);
    b.info.push(`(a) Stowage, digests and sizes: median ${median(s).toFixed(0)} ms (${list(s)}); ${stats!.requests} requests = ${(stats!.requests / TAGS).toFixed(3)} per tag; ${stats!.connections} connections opened`);
    b.results.push({ name: `(a) ${TAGS} tags with digests: Stowage / floor`, value: median(s) / median(f), unit: '×', target: 1.3, kind: 'max' });
  }

  if (parts.has('b')) {
    const paths = [...heads, ...configs];
    const f: number[] = [];
    const s: number[] = [];
    let stats: InventoryStats | null = null;
    for (let r = 0; r < ROUNDS; r++) {
      f.push(await floor(b.reg.url, paths));
      const run = await stowage(b.reg, 'bench/app', true, join(b.work, `b${r}`));
      s.push(run.ms);
      stats = run.stats;
    }
    b.info.push(`(b) floor: ${TAGS} HEADs + ${configs.length} config GETs, median ${median(f).toFixed(0)} ms (${list(f)})`);
    b.info.push(
      `(b) Stowage with configs, cold cache: median ${median(s).toFixed(0)} ms (${list(s)}); ${stats!.requests} requests = ${(stats!.requests / TAGS).toFixed(3)} per tag; ${stats!.connections} connections; configs fetched ${stats!.configCache?.fetched}, from cache ${stats!.configCache?.hits}`,
    );
    const warm = await stowage(b.reg, 'bench/app', true, join(b.work, `b${ROUNDS - 1}`));
    b.info.push(`(b) Stowage with configs, warm cache: ${warm.ms.toFixed(0)} ms, ${warm.stats.requests} requests (${(warm.stats.requests / TAGS).toFixed(3)} per tag)`);
    b.results.push({ name: `(b) ${TAGS} tags with digests and created dates: Stowage / floor`, value: median(s) / median(f), unit: '×', target: 1.3, kind: 'max' });
  }
}

/** (c) skopeo list-tags + skopeo inspect per tag (one after another, as a shell loop runs them) vs Stowage. */
async function againstSkopeo(b: Bench, skopeoSkip: string): Promise<void> {
  const images = werfImages(SKOPEO_TAGS, 's');
  await bulkSeed(b.reg.url, 'bench/small', images, { concurrency: 16 });
  const tags = images.map((i) => i.tag);
  const configs = await configDigests(b.reg.url, 'bench/small', tags);
  // What this registry allows at best: the same 600 requests from a bare keep-alive client.
  const floorMs = await floor(b.reg.url, [...tags.map((t) => ({ method: 'GET' as const, path: `/v2/bench/small/manifests/${t}` })), ...configs.map((d) => ({ method: 'GET' as const, path: `/v2/bench/small/blobs/${d}` }))]);
  const runs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) runs.push((await stowage(b.reg, 'bench/small', true, join(b.work, `c${r}`))).ms);
  const stow = median(runs);
  if (skopeoSkip) {
    b.info.push(`(c) skopeo comparison skipped: ${skopeoSkip}. Stowage on ${SKOPEO_TAGS} tags with configs: median ${stow.toFixed(0)} ms (floor ${floorMs.toFixed(0)} ms)`);
    return;
  }
  const skopeo = '/usr/bin/skopeo';
  const ref = `docker://127.0.0.1:${b.reg.port}/bench/small`;
  const t0 = performance.now();
  const listed = JSON.parse((await execFileP(skopeo, ['list-tags', '--tls-verify=false', ref], { maxBuffer: 64 * 1024 * 1024 })).stdout) as { Tags: string[] };
  for (const tag of listed.Tags) {
    const out = JSON.parse((await execFileP(skopeo, ['inspect', '--tls-verify=false', `${ref}:${tag}`], { maxBuffer: 16 * 1024 * 1024 })).stdout) as { Digest?: string };
    if (!out.Digest) throw new Error(`skopeo inspect ${tag}: no digest`);
  }
  const skopeoMs = performance.now() - t0;
  if (listed.Tags.length !== SKOPEO_TAGS) throw new Error(`skopeo listed ${listed.Tags.length} tags, expected ${SKOPEO_TAGS}`);
  b.info.push(`(c) skopeo list-tags + ${SKOPEO_TAGS} × skopeo inspect: ${skopeoMs.toFixed(0)} ms`);
  b.info.push(`(c) Stowage (digests, sizes, created, labels): median ${stow.toFixed(0)} ms (${list(runs)}); the same ${2 * SKOPEO_TAGS} requests from a bare keep-alive client: ${floorMs.toFixed(0)} ms (skopeo / that floor = ${(skopeoMs / floorMs).toFixed(1)}×)`);
  b.results.push({ name: `(c) ${SKOPEO_TAGS} tags: skopeo / Stowage speed-up`, value: skopeoMs / stow, unit: '×', target: 10, kind: 'min' });
}

/** (d) memory of a process holding a 20,000-tag inventory (real registry, seeded; distinct digests). */
async function memory(b: Bench): Promise<void> {
  const t0 = performance.now();
  const huge: BulkImage[] = Array.from({ length: MEMORY_TAGS }, (_, i) => ({
    tag: `m-${String(i).padStart(5, '0')}`,
    created: new Date(Date.UTC(2024, 0, 1) + (i % MEMORY_CONFIGS) * 3_600_000).toISOString(),
    labels: { 'werf-image': 'true', 'werf-image-name': `svc-${i % MEMORY_CONFIGS}`, 'org.opencontainers.image.source': 'https://git.example.com/team/project' },
    annotations: { 'org.stowage.bench': String(i) },
  }));
  await bulkSeed(b.reg.url, 'bench/huge', huge, { concurrency: 16, format: 'oci' });
  b.info.push(`seeded bench/huge: ${MEMORY_TAGS} tags (distinct manifests over ${MEMORY_CONFIGS} configs) in ${seconds(performance.now() - t0)}`);
  const mem = await measureMemory(b.reg, 'bench/huge', join(b.work, 'd'));
  if (mem.done !== MEMORY_TAGS) throw new Error(`memory run finished ${mem.done} of ${MEMORY_TAGS} rows`);
  b.info.push(
    `(d) ${MEMORY_TAGS} tags with configs in ${seconds(mem.ms)}, ${mem.requests} requests, ${mem.connections} connections; RSS ${mb(mem.baselineRss)} at start, peak ${mb(mem.peakRss)}; heap peak ${mb(mem.peakHeap)}; after a GC the ${MEMORY_TAGS} rows keep ${mb(mem.retained)} of heap (${((mem.retained - mem.baselineHeap) / MEMORY_TAGS).toFixed(0)} bytes per row over the start)`,
  );
  b.results.push({ name: `(d) peak RSS holding ${MEMORY_TAGS} tags`, value: mem.peakRss / 1024 / 1024, unit: 'MB', target: 300, kind: 'max' });
  b.results.push({ name: `(d) peak heap holding ${MEMORY_TAGS} tags`, value: mem.peakHeap / 1024 / 1024, unit: 'MB', target: 300, kind: 'max' });
}

async function main(): Promise<void> {
  // STOWAGE_BENCH_PARTS=ab runs only some measurements (while tuning one of them).
  const parts = new Set((process.env.STOWAGE_BENCH_PARTS ?? 'abcd').split(''));
  const skopeoSkip = process.env.STOWAGE_BENCH_SKOPEO_SKIP || (existsSync('/usr/bin/skopeo') ? '' : '/usr/bin/skopeo is missing');
  const b: Bench = { reg: await startDistribution(), work: await mkdtemp(join(tmpdir(), 'stowage-inventory-bench-')), results: [], info: [] };
  try {
    if (parts.has('a') || parts.has('b')) await digestsAndDates(b, parts);
    if (parts.has('c')) await againstSkopeo(b, skopeoSkip);
    if (parts.has('d')) await memory(b);
  } finally {
    await b.reg.stop();
    await rm(b.work, { recursive: true, force: true });
  }

  for (const line of b.info) console.log(`  ${line}`);
  let failed = 0;
  for (const r of b.results) {
    const ratio = r.kind === 'max' ? r.value / r.target : r.target / r.value;
    if (ratio > 1) failed++;
    const target = `${r.kind === 'max' ? '≤' : '≥'} ${r.target}`;
    console.log(`${r.value.toFixed(2).padStart(9)} ${r.unit.padEnd(2)}  target ${target.padStart(6)} ${r.unit.padEnd(2)}  ratio ${ratio.toFixed(3)}  ${ratio <= 1 ? 'ok  ' : 'MISS'}  ${r.name}`);
  }
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[2] === '--memory-child') {
  memoryChild(process.argv[3]!, process.argv[4]!, process.argv[5]!).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
