import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Asks the kernel for a free loopback port. There is a window between closing this socket and
 * the child binding it, so callers that spawn a process retry when the port was taken meanwhile.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not read the bound port'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

// Registry storage on tmpfs roughly halves seeding time (distribution writes several small files
// per blob and manifest); the data is tiny and removed on stop or on exit.
function tempBase(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

const liveDirs = new Set<string>();

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tempBase(), `stowage-${prefix}-`));
  liveDirs.add(dir);
  installExitHook();
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  liveDirs.delete(dir);
  await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
}

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

// Child processes outlive a crashed or interrupted test file unless something kills them when the
// worker exits; 'exit' handlers must be synchronous, so a plain SIGKILL is all that is possible.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function cleanupNow(): void {
  for (const c of liveChildren) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const d of liveDirs) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // best effort while exiting
    }
  }
  liveDirs.clear();
}

// Vitest ends its fork workers with SIGTERM, which skips 'exit' handlers; clean up, then let the
// signal take its default course unless someone else also listens for it.
function onSignal(signal: NodeJS.Signals): void {
  cleanupNow();
  process.removeListener(signal, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', cleanupNow);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, onSignal);
}

/**
 * A `sh` sentinel that holds a pipe from us: when this process dies in any way (even SIGKILL),
 * the pipe closes, `read` returns and the sentinel kills `pid` and removes `dir`. A normal stop
 * kills the sentinel first.
 */
export function startSentinel(pid: number, dir: string): ChildProcess {
  const sentinel = spawn('/bin/sh', ['-c', 'read _ignored; kill -TERM "$0" 2>/dev/null; sleep 1; kill -KILL "$0" 2>/dev/null; rm -rf "$1"', String(pid), dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  sentinel.unref();
  (sentinel.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return sentinel;
}

export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  installExitHook();
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps the last `max` characters so a long seeding run cannot grow the log without bound. */
export class TailBuffer {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly max = 1_000_000) {}

  push(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.max && this.chunks.length > 1) {
      const dropped = this.chunks.shift();
      this.size -= dropped?.length ?? 0;
    }
  }

  toString(): string {
    return this.chunks.join('');
  }
}
