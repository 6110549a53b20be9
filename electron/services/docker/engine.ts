import Docker from 'dockerode';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { homedir } from 'node:os';
import { UserError } from '../../../shared/api/result';
import { chooseBuilder } from '../../../shared/publish/builder-choice';
import type { EngineInfo } from '../../../shared/publish/types';
import { DEFAULT_SOCKET, describeEndpoint, EndpointError, resolveEngineEndpoint, type EngineEndpoint } from './endpoint';

export interface EngineConnection {
  docker: Docker;
  endpoint: EngineEndpoint;
}

/** A dockerode client for the endpoint, with nothing global: no reading of DOCKER_* by dockerode itself. */
export function dockerFor(endpoint: EngineEndpoint): Docker {
  switch (endpoint.kind) {
    case 'unix':
      return new Docker({ socketPath: endpoint.socketPath });
    case 'tcp':
      return new Docker({
        host: endpoint.host,
        port: endpoint.port,
        protocol: endpoint.tls ? 'https' : 'http',
        ...(endpoint.tls?.ca ? { ca: endpoint.tls.ca } : {}),
        ...(endpoint.tls?.cert ? { cert: endpoint.tls.cert } : {}),
        ...(endpoint.tls?.key ? { key: endpoint.tls.key } : {}),
        // docker --tls without --tlsverify: encrypted, the engine's certificate not checked. Only
        // this engine's connections get the agent, so nothing else in the process loses verification.
        ...(endpoint.tls && !endpoint.tls.verify ? { agent: new HttpsAgent({ rejectUnauthorized: false, keepAlive: false }) } : {}),
      });
    case 'ssh':
      // dockerode runs `docker system dial-stdio` over ssh2 with the user's agent.
      return new Docker({
        host: endpoint.host,
        port: endpoint.port,
        protocol: 'ssh',
        ...(endpoint.username ? { username: endpoint.username } : {}),
        ...(process.env.SSH_AUTH_SOCK ? { sshOptions: { agent: process.env.SSH_AUTH_SOCK } } : {}),
      });
  }
}

/** Finds the engine like the Docker CLI and returns a client; nothing is asked of the engine yet. */
export function connectEngine(env: Readonly<Record<string, string | undefined>> = process.env, home = homedir()): EngineConnection {
  let endpoint: EngineEndpoint;
  try {
    endpoint = resolveEngineEndpoint({ env, homeDir: home });
  } catch (error) {
    if (error instanceof EndpointError) throw new UserError({ code: 'engine-config', message: error.message, hint: error.hint });
    throw error;
  }
  return { docker: dockerFor(endpoint), endpoint };
}

interface VersionAnswer {
  Version?: string;
  ApiVersion?: string;
  Os?: string;
  Arch?: string;
}

interface InfoAnswer {
  Driver?: string;
  ExperimentalBuild?: boolean;
  SecurityOptions?: string[];
  OSType?: string;
  Architecture?: string;
}

/** What `/_ping` says in its headers: the builder the engine prefers, its API version, experimental. */
export interface PingHeaders {
  builderVersion: string | null;
  apiVersion: string | null;
  experimental: boolean;
  osType: string | null;
}

/** `/_ping` through dockerode's own connection (unix, tcp, TLS or ssh alike), for its headers. */
function pingHeaders(docker: Docker, signal?: AbortSignal): Promise<PingHeaders> {
  return new Promise((resolve, reject) => {
    const modem = docker.modem as unknown as { dial(o: object, cb: (err: unknown, res?: IncomingMessage) => void): void };
    modem.dial({ path: '/_ping', method: 'GET', isStream: true, statusCodes: { 200: true, 500: 'server error' }, ...(signal ? { abortSignal: signal } : {}) }, (err, res) => {
      if (err || !res) return reject(err ?? new Error('no answer to /_ping'));
      res.resume();
      const h = (name: string) => {
        const v = res.headers[name];
        return typeof v === 'string' && v !== '' ? v : null;
      };
      resolve({ builderVersion: h('builder-version'), apiVersion: h('api-version'), experimental: h('docker-experimental') === 'true', osType: h('ostype') });
    });
  });
}

/**
 * The engine card, and the builder publish uses with this engine: BuildKit when the engine offers
 * it (`/_ping`'s Builder-Version, else its API version and OS), the classic builder otherwise.
 */
export async function engineInfo(conn: EngineConnection, signal?: AbortSignal): Promise<EngineInfo> {
  try {
    // dockerode's typings omit the options argument these calls accept at run time.
    const docker = conn.docker as unknown as { version(o: object): Promise<VersionAnswer>; info(o: object): Promise<InfoAnswer> };
    const [ping, version, info] = await Promise.all([pingHeaders(conn.docker, signal), docker.version({ abortSignal: signal }), docker.info({ abortSignal: signal })]);
    const rootless = (info.SecurityOptions ?? []).some((o) => /(^|,)name=rootless(,|$)/.test(o));
    const apiVersion = String(version.ApiVersion ?? ping.apiVersion ?? 'unknown');
    const os = String(version.Os ?? info.OSType ?? ping.osType ?? 'unknown');
    const out: EngineInfo = {
      source: conn.endpoint.source,
      endpoint: describeEndpoint(conn.endpoint),
      version: String(version.Version ?? 'unknown'),
      apiVersion,
      os,
      arch: String(version.Arch ?? info.Architecture ?? 'unknown'),
      storageDriver: String(info.Driver ?? 'unknown'),
      rootless,
      builder: chooseBuilder({ builderVersion: ping.builderVersion, apiVersion, osType: os, experimental: ping.experimental || info.ExperimentalBuild === true }),
    };
    const note = connectionNote(conn.endpoint);
    if (note) out.connectionNote = note;
    return out;
  } catch (error) {
    throw engineUnreachable(conn.endpoint, error);
  }
}

/** What the engine card says about how the connection is secured, when it is not simply a local socket. */
export function connectionNote(e: EngineEndpoint): string | null {
  if (e.kind === 'tcp' && e.tls === null) return 'Plain tcp without TLS: anyone on the path can drive this engine. Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH for an engine that is not on this machine.';
  if (e.kind === 'tcp' && e.tls && !e.tls.verify) return "TLS without verifying the engine's certificate (DOCKER_TLS without DOCKER_TLS_VERIFY), as docker --tls does.";
  if (e.kind === 'ssh') return 'Over ssh: dockerode runs "docker system dial-stdio" on the remote host, authenticated by your ssh agent (SSH_AUTH_SOCK); ssh config files, passwords and keys outside the agent are not used.';
  return null;
}

const TLS_TRUST_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED']);

/** What went wrong talking to the engine, said with the fix. */
export function engineUnreachable(endpoint: EngineEndpoint, error: unknown): UserError {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${describeEndpoint(endpoint)} (${endpoint.source})`;
  if ((error as { name?: string } | undefined)?.name === 'AbortError') return new UserError({ code: 'cancelled', message: 'Cancelled while asking the Docker engine.' });
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError({
      code: 'engine-permission-denied',
      message: `Permission denied on the Docker engine socket ${where}`,
      hint:
        endpoint.kind === 'unix' && endpoint.socketPath === DEFAULT_SOCKET
          ? 'Add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), or run a rootless engine and set DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock.'
          : 'Your user cannot open this socket: check its owner and mode, or the docker group.',
    });
  }
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') {
    return new UserError({
      code: 'engine-unreachable',
      message: `No Docker engine answers at ${where}${code ? ` (${code})` : ''}`,
      hint: 'Start the Docker engine (`sudo systemctl start docker`, Docker Desktop, or `dockerd-rootless.sh`), or point DOCKER_HOST / `docker context use` at the one you run.',
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && TLS_TRUST_CODES.has(code)) {
    return new UserError({
      code: 'engine-tls-untrusted',
      message: `The Docker engine at ${where} presented a certificate Stowage cannot verify (${code})`,
      hint: "Put the CA that signed the engine's certificate in ca.pem under DOCKER_CERT_PATH (or ~/.docker), with cert.pem and key.pem when the engine checks clients; docker --tls (DOCKER_TLS=1 without DOCKER_TLS_VERIFY) skips the check.",
    });
  }
  if (/HTTP request to an HTTPS server/i.test(message)) {
    return new UserError({ code: 'engine-wants-tls', message: `The Docker engine at ${where} speaks TLS, but Stowage connected without it`, hint: 'Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem, as for the docker CLI.' });
  }
  return new UserError({ code: 'engine-error', message: `The Docker engine at ${where} failed: ${message.slice(0, 500)}`, hint: 'Check that the engine runs and that `docker version` works in a terminal.' });
}
