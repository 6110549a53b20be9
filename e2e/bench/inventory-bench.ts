// `npm run bench:inventory`: the registry inventory against a real local registry (Debian's
// docker-registry 2.8 on 127.0.0.1). Measures Stowage against the floor a minimal keep-alive
// client reaches with the same requests, against skopeo, and the memory of the main process (the
// built browser host, driven over its WebSocket) listing a 20,000-tag inventory.
// Nothing but 127.0.0.1 is contacted.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { startDistribution, type DistributionHandle } from '../services/distribution';
import { listInventory } from '../../electron/services/inventory/engine';
import { bulkSeed, type BulkImage } from '../../electron/services/inventory/testing/bulk-seed';
import type { ClientMessage, ServerMessage } from '../../shared/api/messages';
import type { InventoryRequest, InventoryStats, InventoryTag } from '../../shared/inventory/types';

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
// (d) memory of the real main process: the built browser host (the same services and RPC layer as
// the Electron main process) in its own process, driven over its WebSocket the way the renderer is.

/** The repository root: this file runs bundled from out/ or (type-checked) from e2e/bench/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4 && !existsSync(join(dir, 'scripts', 'build.mjs')); i++) dir = dirname(dir);
  return dir;
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSource(path));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/** out/browser-host.mjs, (re)built with `scripts/build.mjs --node` when missing or older than its sources. */
async function ensureHostBuilt(root: string): Promise<{ bundle: string; built: boolean }> {
  const bundle = join(root, 'out', 'browser-host.mjs');
  if (existsSync(bundle)) {
    const sources = Math.max(await newestSource(join(root, 'electron')), await newestSource(join(root, 'shared')), (await stat(join(root, 'package.json'))).mtimeMs);
    if ((await stat(bundle)).mtimeMs >= sources) return { bundle, built: false };
  }
  // `--node` builds the Node bundles only and leaves the rest of out/ (this bench's own bundle, the renderer) alone.
  await execFileP(process.execPath, [join(root, 'scripts', 'build.mjs'), '--node', '--quiet'], { cwd: root });
  if (!existsSync(bundle)) throw new Error(`scripts/build.mjs --node did not produce ${bundle}`);
  return { bundle, built: true };
}

/** Kernel memory figures of a live process, in bytes: VmHWM is its peak resident set, VmRSS the current one. */
async function procMemory(pid: number): Promise<{ hwm: number; rss: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${key}`);
    return Number(m[1]) * 1024;
  };
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

interface HostMemory {
  rows: number;
  done: number;
  ms: number;
  /** Received over the WebSocket during the call. */
  rowEvents: number;
  progressEvents: number;
  wireBytes: number;
  stats: InventoryStats;
  /** Before the call (start-up, connected client). */
  before: { hwm: number; rss: number };
  /** Once the result has arrived. */
  after: { hwm: number; rss: number };
}

async function measureHostMemory(reg: DistributionHandle, repository: string, home: string): Promise<HostMemory & { built: boolean }> {
  const { bundle, built } = await ensureHostBuilt(repoRoot());
  // A private HOME, Docker config and settings folder (as e2e/fixtures/stowage.ts gives the host):
  // no saved credentials, a cold config cache, and plain HTTP for the local registry only.
  const stowageHome = join(home, 'stowage');
  await mkdir(stowageHome, { recursive: true });
  await writeFile(join(stowageHome, 'registry-settings.json'), JSON.stringify([{ registry: reg.host, plainHttp: true }]));
  const child = spawn(process.execPath, [bundle], {
    env: { ...process.env, HOME: home, DOCKER_CONFIG: join(home, '.docker'), STOWAGE_HOME: stowageHome, XDG_CONFIG_HOME: join(home, '.config'), NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout.on('data', (c: Buffer) => (printed += c.toString()));
  child.stderr.on('data', (c: Buffer) => (printed += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let socket: WebSocket | null = null;
  try {
    const url = await Promise.race([
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`browser host did not start: ${printed}`)), 15_000);
        child.stdout.on('data', () => {
          const m = /STOWAGE_URL=(\S+)/.exec(printed);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      }),
      exited.then((code): never => {
        throw new Error(`browser host exited ${code}: ${printed}`);
      }),
    ]);
    const page = new URL(url);
    const token = /token=([A-Za-z0-9_-]+)/.exec(page.hash)?.[1];
    if (!token || page.hostname !== '127.0.0.1') throw new Error(`unexpected browser host URL ${url}`);
    // What the page at that URL opens: its own host, its own origin, the token from the fragment.
    const ws = new WebSocket(`ws://${page.host}/rpc?token=${encodeURIComponent(token)}`, { origin: page.origin });
    socket = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`browser host refused the WebSocket: ${res.statusCode}`)));
    });

    const rows = new Map<string, InventoryTag>();
    let rowEvents = 0;
    let progressEvents = 0;
    let wireBytes = 0;
    const id = 'bench-inventory-1';
    const result = new Promise<InventoryStats>((resolve, reject) => {
      ws.on('error', (error) => reject(error));
      ws.on('close', () => reject(new Error(`the WebSocket closed before the result: ${printed}`)));
      ws.on('message', (data: Buffer) => {
        wireBytes += data.length;
        const message = JSON.parse(data.toString()) as ServerMessage;
        if (message.type === 'result') {
          if (message.id !== id) return;
          if (message.result.ok) resolve(message.result.value as InventoryStats);
          else reject(new Error(`inventory.list failed: ${message.result.error.code}: ${message.result.error.message}`));
        } else if (message.type === 'protocol-error') {
          reject(new Error(`the browser host could not read the call: ${message.error.message}`));
        } else if (message.event === 'inventory.rows') {
          // Held the way the inventory store holds them: one row per repository:tag, replaced as facts arrive.
          rowEvents++;
          for (const r of (message.payload as { rows: InventoryTag[] }).rows) rows.set(`${r.repository}:${r.tag}`, r);
        } else if (message.event === 'inventory.progress') {
          progressEvents++;
        }
      });
    });
    result.catch(() => undefined); // awaited below; this only keeps an early failure from being unhandled
    const before = await procMemory(child.pid!);
    const request: InventoryRequest = { imagesRepo: `${reg.host}/${repository}`, implementation: 'auto', mode: 'auto', images: [], withConfig: true };
    const call: ClientMessage = { type: 'call', id, method: 'inventory.list', args: request };
    const t0 = performance.now();
    ws.send(JSON.stringify(call));
    const stats = await result;
    const ms = performance.now() - t0;
    const after = await procMemory(child.pid!);
    if (stats.tags === 0 || (stats.rowErrors ?? 0) > 0) throw new Error(`the host listed ${stats.tags} tags with ${stats.rowErrors} errors: ${stats.warnings.join('; ')}`);
    const done = [...rows.values()].filter((r) => !r.pending && r.digest !== null).length;
    return { rows: rows.size, done, ms, rowEvents, progressEvents, wireBytes, stats, before, after, built };
  } finally {
    socket?.terminate();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
  }
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

/** (d) memory of the main process listing a 20,000-tag inventory for a client (real registry, seeded; distinct digests). */
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
  const mem = await measureHostMemory(b.reg, 'bench/huge', join(b.work, 'd-home'));
  if (mem.done !== MEMORY_TAGS) throw new Error(`memory run finished ${mem.done} of ${MEMORY_TAGS} rows`);
  b.info.push(
    `(d) main process (out/browser-host.mjs${mem.built ? ', rebuilt for this run' : ''}) over its WebSocket: ${MEMORY_TAGS} tags with configs in ${seconds(mem.ms)}, ${mem.stats.requests} requests, ${mem.stats.connections} connections; ${mem.rowEvents} inventory.rows and ${mem.progressEvents} inventory.progress events, ${mb(mem.wireBytes)} received`,
  );
  b.info.push(
    `(d) host memory from /proc: VmRSS ${mb(mem.before.rss)} before the call (VmHWM ${mb(mem.before.hwm)} from start-up); VmHWM ${mb(mem.after.hwm)} peak; VmRSS ${mb(mem.after.rss)} after the result`,
  );
  b.results.push({ name: `(d) peak RSS (VmHWM) of the main process listing ${MEMORY_TAGS} tags`, value: mem.after.hwm / 1024 / 1024, unit: 'MB', target: 300, kind: 'max' });
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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
