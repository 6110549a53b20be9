import Docker from 'dockerode';
import { homedir } from 'node:os';
import { UserError } from '../../../shared/api/result';
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
  SecurityOptions?: string[];
  OSType?: string;
  Architecture?: string;
}

/**
 * The engine card. Publish builds with the classic builder, which every engine has and whose
 * JSON stream (steps, errors, the image id) Stowage reads. BuildKit through the Engine API needs
 * a client-side gRPC session (dockerode 4 can open one for `version: "2"`) and reports progress as
 * protobuf status messages; reading those is not done yet.
 */
export async function engineInfo(conn: EngineConnection, signal?: AbortSignal): Promise<EngineInfo> {
  try {
    // dockerode's typings omit the options argument these calls accept at run time.
    const docker = conn.docker as unknown as { version(o: object): Promise<VersionAnswer>; info(o: object): Promise<InfoAnswer> };
    const [version, info] = await Promise.all([docker.version({ abortSignal: signal }), docker.info({ abortSignal: signal })]);
    const rootless = (info.SecurityOptions ?? []).some((o) => /(^|,)name=rootless(,|$)/.test(o));
    return {
      source: conn.endpoint.source,
      endpoint: describeEndpoint(conn.endpoint),
      version: String(version.Version ?? 'unknown'),
      apiVersion: String(version.ApiVersion ?? 'unknown'),
      os: String(version.Os ?? info.OSType ?? 'unknown'),
      arch: String(version.Arch ?? info.Architecture ?? 'unknown'),
      storageDriver: String(info.Driver ?? 'unknown'),
      rootless,
      builder: {
        kind: 'classic',
        reason: 'The classic builder, which every engine has: BuildKit through the Engine API needs a client-side build session and reports its progress in a form Stowage does not read yet.',
      },
    };
  } catch (error) {
    throw engineUnreachable(conn.endpoint, error);
  }
}

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
  return new UserError({ code: 'engine-error', message: `The Docker engine at ${where} failed: ${message.slice(0, 500)}`, hint: 'Check that the engine runs and that `docker version` works in a terminal.' });
}
