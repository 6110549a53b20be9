import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TailBuffer, freePort, sleep, startSentinel, stopChild, trackChild } from './util';

export const DOCKERD_BINARY = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p)) ?? '/usr/sbin/dockerd';

export interface DockerEngineHandle {
  /** unix:///…/docker.sock, for DOCKER_HOST. */
  host: string;
  /** tcp://127.0.0.1:PORT with TLS, when started with `tlsTcp`. */
  tlsHost?: string;
  socketPath: string;
  dir: string;
  stop(): Promise<void>;
  logs(): string;
}

const STARTUP_TIMEOUT_MS = 40_000;

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * Debian's docker.io engine on its own socket, data root, exec root and pidfile under a temp dir,
 * with no bridge network and no iptables (DESIGN: never start a Docker bridge), on vfs so it runs
 * inside a container too. Needs root, as dockerd does; tests that use it fail (never skip) when
 * it cannot start, with the engine's own log in the error.
 */
export interface DockerEngineOptions {
  /**
   * Also listen on tcp 127.0.0.1 with TLS (`--tls`: the engine's certificate, clients not asked for
   * one), for tests of DOCKER_HOST=tcp:// with and without verification. dockerd reads the CA even
   * with `--tls` (it would look in ~/.docker otherwise).
   */
  tlsTcp?: { certFile: string; keyFile: string; caFile: string };
}

export async function startDockerEngine(options: DockerEngineOptions = {}): Promise<DockerEngineHandle> {
  if (!existsSync(DOCKERD_BINARY)) throw new Error(`${DOCKERD_BINARY} is missing: install Debian's docker.io (npm test does this as root)`);
  // Not /dev/shm: vfs copies every layer in full. The socket path must stay under 108 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'stowage-dockerd-'));
  const socketPath = join(dir, 'docker.sock');
  const configFile = join(dir, 'daemon.json');
  // Our own (empty) daemon.json: the machine's /etc/docker/daemon.json must not change the test engine.
  await writeFile(configFile, '{}\n');
  const args = [
    '--storage-driver=vfs',
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--userland-proxy=false',
    `--host=unix://${socketPath}`,
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'docker.pid')}`,
    `--config-file=${configFile}`,
    '--log-level=warn',
  ];
  const tlsPort = options.tlsTcp ? await freePort() : null;
  if (options.tlsTcp) args.push('--tls', `--tlscacert=${options.tlsTcp.caFile}`, `--tlscert=${options.tlsTcp.certFile}`, `--tlskey=${options.tlsTcp.keyFile}`, `--host=tcp://127.0.0.1:${tlsPort}`);
  const logs = new TailBuffer();
  const child = spawn(DOCKERD_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, detached: false });
  trackChild(child);
  const sentinel = child.pid === undefined ? null : startSentinel(child.pid, dir);
  child.stdout.setEncoding('utf8').on('data', (d: string) => logs.push(d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => logs.push(d));
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    if (await ping(socketPath)) {
      let stopped: Promise<void> | null = null;
      return {
        host: `unix://${socketPath}`,
        ...(tlsPort !== null ? { tlsHost: `tcp://127.0.0.1:${tlsPort}` } : {}),
        socketPath,
        dir,
        logs: () => logs.toString(),
        stop: () => {
          stopped ??= (async () => {
            sentinel?.kill('SIGKILL');
            // dockerd stops its containerd on SIGTERM; give it time before SIGKILL.
            await stopChild(child, 15_000);
            await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 }).catch(() => undefined);
          })();
          return stopped;
        },
      };
    }
    await sleep(100);
  }
  sentinel?.kill('SIGKILL');
  await stopChild(child, 5_000);
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  throw new Error(`dockerd did not start${process.getuid?.() !== 0 ? ' (it needs root)' : ''}; its log:\n${logs.toString()}`);
}
