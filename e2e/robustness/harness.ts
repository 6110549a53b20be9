// The robustness harness: runs one hostile input (a project folder, a registry address) against the
// real CLI bundle and the real browser host, each in its own process with HOME and the XDG folders
// pointed into a per-case sandbox, and measures what issue #10 promises: the call ends within its
// budget with a clear error, the host keeps answering `app.info` while it runs, peak RSS stays
// bounded, no marker file is created and nothing is opened under a forbidden folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';

export const REPO_ROOT = resolve(__dirname, '../..');
export const CLI_BUNDLE = join(REPO_ROOT, 'out/cli.mjs');
export const HOST_BUNDLE = join(REPO_ROOT, 'out/browser-host.mjs');

/** What every hostile case must stay within (issue #10, "Done means"). */
export const LIMITS = {
  /** The CLI exits, and the host answers the hostile call, within this. */
  endMs: 10_000,
  /** A concurrent `app.info` on the host answers within this, every time it is asked. */
  appInfoMs: 1_000,
  /** Peak resident memory of the process (VmHWM, worker threads included). */
  peakRssBytes: 1024 * 1024 * 1024,
} as const;

/** Per-case folders; the processes see only these as HOME, XDG_* and TMPDIR. */
export interface Sandbox {
  root: string;
  home: string;
  /** A folder for the hostile project (or anything the case builds). */
  project: string;
  /** Files the case puts "elsewhere on the machine" (a docker config, a secret): never to be opened. */
  outside: string;
  /** Environment for the spawned processes (HOME, XDG_*, TMPDIR, STOWAGE_HOME, no DOCKER_CONFIG leak). */
  env: Record<string, string>;
  dispose(): void;
}

export function createSandbox(name: string): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), `stowage-robust-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}-`)));
  const dir = (...parts: string[]) => {
    const p = join(root, ...parts);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const home = dir('home');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: dir('home', '.config'),
    XDG_CACHE_HOME: dir('home', '.cache'),
    XDG_DATA_HOME: dir('home', '.local', 'share'),
    XDG_STATE_HOME: dir('home', '.local', 'state'),
    XDG_RUNTIME_DIR: dir('run'),
    TMPDIR: dir('tmp'),
    STOWAGE_HOME: dir('home', 'stowage'),
    DOCKER_CONFIG: dir('home', '.docker'),
    // git must not find a repository above the sandbox, nor read the machine's git configuration.
    GIT_CEILING_DIRECTORIES: root,
    GIT_CONFIG_NOSYSTEM: '1',
    LANG: 'C.UTF-8',
  };
  return { root, home, project: dir('project'), outside: dir('outside'), env, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

export interface HostileCaseSpec {
  name: string;
  sandbox: Sandbox;
  /** Arguments after `node out/cli.mjs`; omitted when the case has no CLI form. */
  cli?: string[];
  /** The RPC call the browser host gets (e.g. `project.open` with `{ path }`); omitted when none. */
  host?: { method: string; args: unknown };
  /** Extra environment for both processes (e.g. a registry address variable). */
  env?: Record<string, string>;
  /** Text that must appear in no output: stdout, stderr, the host's reply and its events. */
  secrets?: string[];
  /** Files that must not exist after the run (a program the project named would create them). */
  markers?: string[];
  /** Folders whose files the process must never open (checked by sampling /proc/<pid>/fd). */
  forbidden?: string[];
  /** Defaults to LIMITS.endMs; the process is killed at twice this. */
  endMs?: number;
}

export interface SurfaceOutcome {
  surface: 'cli' | 'host';
  /** Time to the CLI's exit, or to the host's reply. */
  elapsedMs: number;
  /** The process did not end (CLI) or answer (host) within twice the budget and was killed. */
  hung: boolean;
  peakRssBytes: number;
  /** CLI only. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Host only: the `result` of the hostile call (`{ok, value}` or `{ok:false, error}`). */
  reply?: { ok: boolean; value?: unknown; error?: { code: string; message: string; hint?: string } };
  /** Host only: the slowest `app.info` answer while the call ran (Infinity when one never came). */
  appInfoWorstMs?: number;
  /** Host only: whether the host process was still alive after the call. */
  hostAlive?: boolean;
  /** Paths under `forbidden` seen open by the process. */
  forbiddenOpened: string[];
  /** `secrets` found in any output. */
  leakedSecrets: string[];
  /** `markers` that exist after the run. */
  markersCreated: string[];
}

export interface HostileCaseResult {
  name: string;
  cli?: SurfaceOutcome;
  host?: SurfaceOutcome;
}

/** The worst numbers over every case of the run, for the closing note. */
export const observed = { worstMs: 0, worstCase: '', peakRssBytes: 0, peakCase: '', worstAppInfoMs: 0, cases: 0 };

/** Runs a hostile case against the CLI and then the browser host (each when given). */
export async function runHostileProjectCase(spec: HostileCaseSpec): Promise<HostileCaseResult> {
  ensureBundles();
  const result: HostileCaseResult = { name: spec.name };
  if (spec.cli) result.cli = await runCli(spec, spec.cli);
  if (spec.host) result.host = await runHost(spec, spec.host);
  for (const outcome of [result.cli, result.host]) {
    if (!outcome) continue;
    observed.cases++;
    if (outcome.elapsedMs > observed.worstMs) Object.assign(observed, { worstMs: outcome.elapsedMs, worstCase: `${spec.name} (${outcome.surface})` });
    if (outcome.peakRssBytes > observed.peakRssBytes) Object.assign(observed, { peakRssBytes: outcome.peakRssBytes, peakCase: `${spec.name} (${outcome.surface})` });
    if ((outcome.appInfoWorstMs ?? 0) > observed.worstAppInfoMs) observed.worstAppInfoMs = outcome.appInfoWorstMs!;
  }
  return result;
}

/** Everything that went wrong with one outcome against LIMITS, as sentences (empty when fine). */
export function violations(outcome: SurfaceOutcome, endMs: number = LIMITS.endMs): string[] {
  const out: string[] = [];
  if (outcome.hung) out.push(`${outcome.surface}: did not end within ${2 * endMs} ms and was killed`);
  else if (outcome.elapsedMs > endMs) out.push(`${outcome.surface}: took ${Math.round(outcome.elapsedMs)} ms (budget ${endMs} ms)`);
  if (outcome.peakRssBytes > LIMITS.peakRssBytes) out.push(`${outcome.surface}: peak RSS ${mib(outcome.peakRssBytes)} MiB`);
  if (outcome.signal) out.push(`${outcome.surface}: died of ${outcome.signal}`);
  if (outcome.surface === 'host') {
    if (outcome.appInfoWorstMs === undefined || outcome.appInfoWorstMs > LIMITS.appInfoMs) out.push(`host: app.info took ${outcome.appInfoWorstMs} ms during the call`);
    if (!outcome.hostAlive) out.push('host: the process died');
  }
  if (outcome.forbiddenOpened.length) out.push(`${outcome.surface}: opened ${outcome.forbiddenOpened.join(', ')}`);
  if (outcome.leakedSecrets.length) out.push(`${outcome.surface}: printed a secret`);
  if (outcome.markersCreated.length) out.push(`${outcome.surface}: created ${outcome.markersCreated.join(', ')}`);
  return out;
}

/** The error a surface ended with: the host's `error`, or the CLI's stderr/`--json` error text. */
export function errorText(outcome: SurfaceOutcome): string {
  if (outcome.surface === 'host') {
    const r = outcome.reply;
    if (!r) return '';
    if (!r.ok) return `${r.error?.code}: ${r.error?.message}`;
    return JSON.stringify(r.value);
  }
  return `${outcome.stderr}\n${outcome.stdout}`;
}

export function summary(): string {
  return `robustness: ${observed.cases} runs; worst time ${Math.round(observed.worstMs)} ms (${observed.worstCase}); peak RSS ${mib(observed.peakRssBytes)} MiB (${observed.peakCase}); slowest concurrent app.info ${Math.round(observed.worstAppInfoMs)} ms`;
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

// --- bundles -------------------------------------------------------------------------------------

let bundlesChecked = false;

/** Builds the node bundles when they are missing or older than the sources (a stale bundle would test old code). */
export function ensureBundles(): void {
  if (bundlesChecked) return;
  bundlesChecked = true;
  const bundles = [CLI_BUNDLE, HOST_BUNDLE, join(REPO_ROOT, 'out/project-worker.mjs')];
  const oldest = Math.min(...bundles.map((b) => (existsSync(b) ? statSync(b).mtimeMs : 0)));
  if (oldest > newestSource([join(REPO_ROOT, 'electron'), join(REPO_ROOT, 'shared')])) return;
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs'), '--node', '--quiet'], { cwd: REPO_ROOT, stdio: 'pipe', encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`could not build the bundles: ${built.stderr}`);
}

function newestSource(dirs: string[]): number {
  let newest = 0;
  const stack = [...dirs];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(p);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

// --- watching a process --------------------------------------------------------------------------

/** Samples VmHWM and open files of a process until stopped; the last VmHWM read is the peak so far. */
class ProcessWatch {
  peakRssBytes = 0;
  readonly forbiddenOpened = new Set<string>();
  private timer: NodeJS.Timeout;

  constructor(private readonly pid: number, private readonly forbidden: string[]) {
    this.timer = setInterval(() => this.sample(), 20);
    this.sample();
  }

  sample(): void {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) this.peakRssBytes = Math.max(this.peakRssBytes, Number(hwm[1]) * 1024);
    } catch {
      return; // gone
    }
    if (this.forbidden.length === 0) return;
    try {
      for (const fd of readdirSync(`/proc/${this.pid}/fd`)) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${this.pid}/fd/${fd}`);
        } catch {
          continue;
        }
        if (this.forbidden.some((f) => target === f || target.startsWith(`${f}/`))) this.forbiddenOpened.add(target);
      }
    } catch {
      // gone between the two reads
    }
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}

function leaks(spec: HostileCaseSpec, texts: string[]): string[] {
  return (spec.secrets ?? []).filter((s) => texts.some((t) => t.includes(s)));
}

function createdMarkers(spec: HostileCaseSpec): string[] {
  return (spec.markers ?? []).filter((m) => existsSync(m));
}

function processEnv(spec: HostileCaseSpec): Record<string, string> {
  return { ...spec.sandbox.env, ...(spec.env ?? {}) };
}

// --- the CLI -------------------------------------------------------------------------------------

async function runCli(spec: HostileCaseSpec, args: string[]): Promise<SurfaceOutcome> {
  const endMs = spec.endMs ?? LIMITS.endMs;
  const started = performance.now();
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], { cwd: spec.sandbox.root, env: processEnv(spec), stdio: ['ignore', 'pipe', 'pipe'] });
  const watch = new ProcessWatch(child.pid!, spec.forbidden ?? []);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  let hung = false;
  const killer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, 2 * endMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    // The last VmHWM sample must come before the process is reaped: `exit` fires first.
    child.on('exit', () => watch.stop());
    child.on('close', (c, s) => done({ code: c, signal: s }));
  });
  clearTimeout(killer);
  const elapsedMs = performance.now() - started;
  return {
    surface: 'cli',
    elapsedMs,
    hung,
    peakRssBytes: watch.peakRssBytes,
    exitCode: code,
    signal: hung ? null : signal,
    stdout,
    stderr,
    forbiddenOpened: [...watch.forbiddenOpened],
    leakedSecrets: leaks(spec, [stdout, stderr]),
    markersCreated: createdMarkers(spec),
  };
}

// --- the browser host ----------------------------------------------------------------------------

interface HostProcess {
  child: ChildProcess;
  url: URL;
  stderr: () => string;
}

async function startHost(spec: HostileCaseSpec): Promise<HostProcess> {
  const child = spawn(process.execPath, [HOST_BUNDLE, '--quiet'], { cwd: spec.sandbox.root, env: processEnv(spec), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const url = await new Promise<URL>((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`the browser host did not start: ${stderr}`)), 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /STOWAGE_URL=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(new URL(m[1]!));
      }
    });
    child.on('exit', (code) => fail(new Error(`the browser host exited (${code}): ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

/** A minimal client of the RPC protocol over the host's WebSocket. */
export class HostClient {
  private nextId = 0;
  private readonly pending = new Map<string, (result: NonNullable<SurfaceOutcome['reply']>) => void>();
  readonly received: string[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.received.push(text.length > 1_000_000 ? text.slice(0, 1_000_000) : text);
      let message: { type?: string; id?: string; result?: NonNullable<SurfaceOutcome['reply']> };
      try {
        message = JSON.parse(text) as typeof message;
      } catch {
        return;
      }
      if (message.type === 'result' && message.id && message.result) {
        this.pending.get(message.id)?.(message.result);
        this.pending.delete(message.id);
      }
    });
  }

  static connect(url: URL, timeoutMs = 5000): Promise<HostClient> {
    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
    const ws = new WebSocket(`ws://${url.host}/rpc?token=${encodeURIComponent(token)}`, { origin: url.origin, handshakeTimeout: timeoutMs });
    return new Promise((done, fail) => {
      ws.once('open', () => done(new HostClient(ws)));
      ws.once('error', fail);
    });
  }

  /** Calls a method; resolves with the result, or null when no answer came within timeoutMs. */
  call(method: string, args: unknown, timeoutMs: number): Promise<NonNullable<SurfaceOutcome['reply']> | null> {
    const id = `c${++this.nextId}`;
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        done(null);
      }, timeoutMs);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        done(result);
      });
      this.ws.send(JSON.stringify({ type: 'call', id, method, args }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

async function runHost(spec: HostileCaseSpec, call: { method: string; args: unknown }): Promise<SurfaceOutcome> {
  const endMs = spec.endMs ?? LIMITS.endMs;
  const host = await startHost(spec);
  const watch = new ProcessWatch(host.child.pid!, spec.forbidden ?? []);
  let exited: NodeJS.Signals | null = null;
  let alive = true;
  host.child.on('exit', (_code, signal) => {
    alive = false;
    exited = signal;
  });
  const client = await HostClient.connect(host.url);
  try {
    // Warm the path once so the first app.info latency is the host's, not the connection's.
    await client.call('app.info', {}, LIMITS.appInfoMs * 5);
    const started = performance.now();
    let done = false;
    const replyPromise = client.call(call.method, call.args, 2 * endMs).then((r) => {
      done = true;
      return r;
    });
    // Ask app.info throughout the call; each answer must come within LIMITS.appInfoMs. A fresh
    // connection is also opened once, as a newly opened window would.
    let appInfoWorstMs = 0;
    let probes = 0;
    while (!done && alive) {
      const t0 = performance.now();
      const probe = probes++ === 1 ? await probeFreshConnection(host.url) : (await client.call('app.info', {}, LIMITS.appInfoMs * 3)) !== null;
      const took = probe ? performance.now() - t0 : Number.POSITIVE_INFINITY;
      appInfoWorstMs = Math.max(appInfoWorstMs, took);
      if (!probe) break;
      await Promise.race([replyPromise, sleep(150)]);
    }
    const reply = await replyPromise;
    const elapsedMs = performance.now() - started;
    // Still answering after the call (a crashed worker must not take the host with it).
    const after = alive ? await client.call('app.info', {}, LIMITS.appInfoMs * 3) : null;
    watch.stop();
    return {
      surface: 'host',
      elapsedMs,
      hung: reply === null,
      peakRssBytes: watch.peakRssBytes,
      exitCode: null,
      signal: exited,
      stdout: '',
      stderr: host.stderr(),
      ...(reply ? { reply } : {}),
      appInfoWorstMs,
      hostAlive: alive && after !== null,
      forbiddenOpened: [...watch.forbiddenOpened],
      leakedSecrets: leaks(spec, [...client.received, host.stderr()]),
      markersCreated: createdMarkers(spec),
    };
  } finally {
    watch.stop();
    client.close();
    host.child.kill('SIGKILL');
  }
}

async function probeFreshConnection(url: URL): Promise<boolean> {
  try {
    const fresh = await HostClient.connect(url, LIMITS.appInfoMs * 3);
    try {
      return (await fresh.call('app.info', {}, LIMITS.appInfoMs * 3)) !== null;
    } finally {
      fresh.close();
    }
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
