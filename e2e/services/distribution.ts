import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { forgetRegistry } from './seed';
import { TailBuffer, freePort, makeTempDir, removeDir, sleep, startSentinel, stopChild, trackChild } from './util';

export { seedImage, seedImages, seedIndex, forgetRegistry, type SeedOptions, type SeededIndex } from './seed';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export type DistributionAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd'; users: { username: string; password: string }[]; realm?: string }
  | { kind: 'token'; realm: string; service: string; issuer: string; rootCertBundle: string };

export interface DistributionOptions {
  auth?: DistributionAuth;
  tls?: { certFile: string; keyFile: string };
  /** `storage.delete.enabled`; default true. */
  deleteEnabled?: boolean;
  /** Storage root; a temp dir (removed on stop) when omitted. A given dir is left in place. */
  dataDir?: string;
  /** `http.relativeurls`: upload `Location`s without scheme/host, handy behind a proxy. */
  relativeUrls?: boolean;
  /** `catalog.maxentries` (distribution default 1000). */
  catalogMaxEntries?: number;
}

export interface DistributionHandle {
  /** `http(s)://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT` */
  host: string;
  port: number;
  dataDir: string;
  configFile: string;
  stop(): Promise<void>;
  logs(): string;
}

const STARTUP_TIMEOUT_MS = 15_000;

async function writeHtpasswd(path: string, users: { username: string; password: string }[]): Promise<void> {
  // Cost 5 keeps start-up fast; distribution accepts any bcrypt cost.
  const lines = await Promise.all(users.map(async (u) => `${u.username}:${await bcrypt.hash(u.password, 5)}`));
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

function buildConfig(o: DistributionOptions, addr: string, dataDir: string, htpasswdPath: string | null): Record<string, unknown> {
  const http: Record<string, unknown> = {
    addr,
    secret: randomBytes(16).toString('hex'),
    ...(o.relativeUrls ? { relativeurls: true } : {}),
    ...(o.tls ? { tls: { certificate: o.tls.certFile, key: o.tls.keyFile } } : {}),
  };
  const cfg: Record<string, unknown> = {
    version: '0.1',
    log: { level: 'info', formatter: 'text', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: dataDir },
      delete: { enabled: o.deleteEnabled ?? true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http,
    health: { storagedriver: { enabled: false } },
  };
  if (o.catalogMaxEntries) cfg.catalog = { maxentries: o.catalogMaxEntries };
  const auth = o.auth ?? { kind: 'none' };
  if (auth.kind === 'htpasswd') cfg.auth = { htpasswd: { realm: auth.realm ?? 'basic-realm', path: htpasswdPath } };
  if (auth.kind === 'token') {
    cfg.auth = {
      token: { realm: auth.realm, service: auth.service, issuer: auth.issuer, rootcertbundle: auth.rootCertBundle },
    };
  }
  return cfg;
}

/** Resolves true once `/v2/` gives any HTTP answer (200 or 401 both mean "serving"). */
function probe(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const target = new URL('/v2/', url);
    // Only this readiness probe skips verification: it checks that the port serves, not trust.
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      { method: 'GET', timeout: 1_000, ...(target.protocol === 'https:' ? { rejectUnauthorized: false } : {}) },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * Starts Debian's CNCF distribution 2.8 on 127.0.0.1 with a config we write ourselves (the
 * shipped one points htpasswd at a directory and listens on all interfaces).
 */
export async function startDistribution(opts: DistributionOptions = {}): Promise<DistributionHandle> {
  const workDir = await makeTempDir('registry');
  const dataDir = opts.dataDir ?? join(workDir, 'data');
  const htpasswdPath = opts.auth?.kind === 'htpasswd' ? join(workDir, 'htpasswd') : null;
  if (opts.auth?.kind === 'htpasswd' && htpasswdPath) await writeHtpasswd(htpasswdPath, opts.auth.users);
  const configFile = join(workDir, 'config.yml');
  const scheme = opts.tls ? 'https' : 'http';
  let lastLogs = '';
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const host = `127.0.0.1:${port}`;
      // JSON is valid YAML, which spares us a YAML writer and any quoting pitfalls.
      await writeFile(configFile, JSON.stringify(buildConfig(opts, host, dataDir, htpasswdPath), null, 2));
      const logs = new TailBuffer();
      const child = spawn(REGISTRY_BINARY, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'], cwd: workDir });
      trackChild(child);
      const sentinel = child.pid === undefined ? null : startSentinel(child.pid, workDir);
      child.stdout.setEncoding('utf8').on('data', (d: string) => logs.push(d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => logs.push(d));
      let exited = false;
      child.once('exit', () => {
        exited = true;
      });
      const url = `${scheme}://${host}`;
      const deadline = Date.now() + STARTUP_TIMEOUT_MS;
      let up = false;
      while (!exited && Date.now() < deadline) {
        if (await probe(url)) {
          up = true;
          break;
        }
        await sleep(30);
      }
      if (up && !exited) {
        let stopped: Promise<void> | null = null;
        return {
          url,
          host,
          port,
          dataDir,
          configFile,
          logs: () => logs.toString(),
          stop: () => {
            stopped ??= (async () => {
              sentinel?.kill('SIGKILL');
              await stopChild(child);
              forgetRegistry(url);
              await removeDir(workDir);
            })();
            return stopped;
          },
        };
      }
      sentinel?.kill('SIGKILL');
      await stopChild(child);
      lastLogs = logs.toString();
      if (!/address already in use/.test(lastLogs)) break;
    }
  } catch (err) {
    await removeDir(workDir);
    throw err;
  }
  await removeDir(workDir);
  throw new Error(`docker-registry did not start; its log:\n${lastLogs}`);
}
