import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { SecretScrubber } from './redact';
import { Secret } from './secret';
import type { Environment } from './types';

/**
 * docker-credential-helpers protocol (docker/docker-credential-helpers client/client.go):
 * `docker-credential-<name> get` reads the server URL on stdin and prints
 * `{"ServerURL","Username","Secret"}`; `list` prints `{url: username}`. A helper that has nothing
 * for the URL exits non-zero and prints this exact message.
 */
export const CREDENTIALS_NOT_FOUND = 'credentials not found in native keychain';

/** Username a helper returns when `Secret` is an identity (refresh) token rather than a password. */
export const IDENTITY_TOKEN_USERNAME = '<token>';

export const DEFAULT_HELPER_TIMEOUT_MS = 5_000;

const MAX_OUTPUT_BYTES = 1024 * 1024;

// docker/cli concatenates the name onto `docker-credential-` and execs it through PATH. A name with
// a slash would turn into a path relative to our working folder, so anything but a plain word is refused.
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type HelperCommand = 'get' | 'list';

/**
 * What happened to the process. `stdout` may carry a secret: it stays inside this module and the
 * interpreters below, and is never copied into a problem text.
 */
export type HelperProcessResult =
  | { outcome: 'exited'; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
  | { outcome: 'missing' }
  | { outcome: 'not-executable' }
  | { outcome: 'invalid-name' }
  | { outcome: 'timeout'; stderr: string }
  | { outcome: 'output-too-large' }
  | { outcome: 'spawn-failed'; code: string };

/** Runs one helper command. Rejects only when `signal` aborts. */
export type RunHelper = (helper: string, command: HelperCommand, stdin: string, signal?: AbortSignal) => Promise<HelperProcessResult>;

export type SpawnFunction = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface RunHelperOptions {
  /** PATH is looked up in it, and the helper gets it whole (keychains need HOME, DBUS_SESSION_BUS_ADDRESS, GNUPGHOME…). */
  env?: Environment;
  timeoutMs?: number;
  spawn?: SpawnFunction;
}

export function isValidHelperName(name: string): boolean {
  return HELPER_NAME.test(name);
}

export function helperBinary(name: string): string {
  return `docker-credential-${name}`;
}

function toProcessEnv(env: Environment): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export function createRunHelper(options: RunHelperOptions = {}): RunHelper {
  const spawn: SpawnFunction = options.spawn ?? nodeSpawn;
  const env = toProcessEnv(options.env ?? process.env);
  const timeoutMs = options.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS;
  // Its own process group, so a timeout also stops whatever the helper started (gpg, gcloud, a
  // shell's children) instead of leaving them holding the pipes open.
  const ownGroup = process.platform !== 'win32';

  return (helper, command, stdin, signal) =>
    new Promise<HelperProcessResult>((resolve, reject) => {
      if (!isValidHelperName(helper)) {
        resolve({ outcome: 'invalid-name' });
        return;
      }
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let child: ChildProcess;
      try {
        child = spawn(helperBinary(helper), [command], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: ownGroup, windowsHide: true });
      } catch (error) {
        resolve(spawnError(error));
        return;
      }

      let settled = false;
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let size = 0;

      const stop = (): void => {
        try {
          if (ownGroup && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          // Already gone.
        }
      };
      const settle = (result: HelperProcessResult | { abort: unknown }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if ('abort' in result) reject(result.abort);
        else resolve(result);
      };
      const onAbort = (): void => {
        stop();
        settle({ abort: signal?.reason });
      };
      const timer = setTimeout(() => {
        stop();
        settle({ outcome: 'timeout', stderr: Buffer.concat(stderr).toString('utf8') });
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });

      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT_BYTES) {
          stop();
          settle({ outcome: 'output-too-large' });
          return;
        }
        into.push(chunk);
      };
      child.stdout?.on('data', collect(stdout));
      child.stderr?.on('data', collect(stderr));
      child.on('error', (error) => {
        stop();
        settle(spawnError(error));
      });
      child.on('close', (code, sig) => {
        settle({ outcome: 'exited', code, signal: sig, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
      });
      // A helper may exit without reading stdin; the resulting EPIPE is not its failure.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(stdin);
    });
}

function spawnError(error: unknown): HelperProcessResult {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown';
  if (code === 'ENOENT') return { outcome: 'missing' };
  if (code === 'EACCES' || code === 'EPERM') return { outcome: 'not-executable' };
  return { outcome: 'spawn-failed', code };
}

// ---------------------------------------------------------------------------------------------

export interface HelperFailure {
  status: 'failed';
  reason: 'missing' | 'not-executable' | 'invalid-name' | 'timeout' | 'exit' | 'bad-output' | 'spawn-failed';
  problem: string;
  hint: string;
}

export type HelperGetResult =
  | { status: 'found'; username: string; secret: Secret; identityToken: boolean }
  | { status: 'not-found' }
  | HelperFailure;

export type HelperListResult = { status: 'ok'; entries: Map<string, string> } | HelperFailure;

export interface HelperCallOptions {
  signal?: AbortSignal;
  scrubber?: SecretScrubber;
  /** Where the helper is configured, for hints: `credsStore in ~/.docker/config.json`. */
  configuredIn?: string;
  timeoutMs?: number;
}

function quoteName(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}

function failure(name: string, command: HelperCommand, result: Exclude<HelperProcessResult, { outcome: 'exited' }>, options: HelperCallOptions): HelperFailure {
  const binary = helperBinary(name);
  const where = options.configuredIn ? ` (configured as ${options.configuredIn})` : '';
  const scrubber = options.scrubber ?? new SecretScrubber();
  switch (result.outcome) {
    case 'missing':
      return {
        status: 'failed',
        reason: 'missing',
        problem: `${binary} is not installed`,
        hint: `Install ${binary} so that it is on PATH, or remove "${name}" from ${options.configuredIn ?? 'config.json'} if you no longer use it (Docker Desktop adds "desktop" and leaves it behind after an uninstall).`,
      };
    case 'not-executable':
      return { status: 'failed', reason: 'not-executable', problem: `${binary} was found but cannot be run${where}`, hint: `Make it executable: chmod +x "$(command -v ${binary})".` };
    case 'invalid-name':
      return {
        status: 'failed',
        reason: 'invalid-name',
        problem: `${quoteName(name)} is not a valid credential helper name${where}`,
        hint: 'A helper is named by the part after "docker-credential-", for example "pass", "desktop" or "ecr-login".',
      };
    case 'timeout': {
      const detail = result.stderr.trim() ? `: ${scrubber.scrub(result.stderr, 200)}` : '';
      return {
        status: 'failed',
        reason: 'timeout',
        problem: `${binary} ${command} did not answer within ${Math.round((options.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS) / 100) / 10} s and was stopped${detail}`,
        hint: `A keychain may be locked or waiting for a prompt. Unlock it and try again, or check the helper with "${binary} list".`,
      };
    }
    case 'output-too-large':
      return { status: 'failed', reason: 'bad-output', problem: `${binary} ${command} printed more than 1 MiB and was stopped`, hint: `Check that ${binary} is the real credential helper.` };
    case 'spawn-failed':
      return { status: 'failed', reason: 'spawn-failed', problem: `${binary} could not be started (${result.code})${where}`, hint: `Check that ${binary} runs from a terminal.` };
  }
}

function exitFailure(name: string, command: HelperCommand, result: Extract<HelperProcessResult, { outcome: 'exited' }>, options: HelperCallOptions): HelperFailure {
  const binary = helperBinary(name);
  const scrubber = options.scrubber ?? new SecretScrubber();
  // stderr only: stdout is where a helper puts secrets, even half-written ones.
  const detail = result.stderr.trim() ? `: ${scrubber.scrub(result.stderr, 240)}` : '';
  const how = result.signal ? `was killed by ${result.signal}` : `failed (exit ${result.code ?? '?'})`;
  return {
    status: 'failed',
    reason: 'exit',
    problem: `${binary} ${command} ${how}${detail}`,
    hint: `Check that the keychain behind ${binary} is unlocked and works ("${binary} list" should print your logins), then log in again with docker login.`,
  };
}

function isNotFound(result: Extract<HelperProcessResult, { outcome: 'exited' }>): boolean {
  return result.stdout.trim() === CREDENTIALS_NOT_FOUND || /credentials not found/i.test(result.stdout) || /credentials not found/i.test(result.stderr);
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `docker-credential-<name> get`, interpreted the way docker/cli does. */
export async function helperGet(run: RunHelper, name: string, serverUrl: string, options: HelperCallOptions = {}): Promise<HelperGetResult> {
  const result = await run(name, 'get', serverUrl, options.signal);
  if (result.outcome !== 'exited') return failure(name, 'get', result, options);
  if (result.code !== 0 || result.signal !== null) {
    return isNotFound(result) ? { status: 'not-found' } : exitFailure(name, 'get', result, options);
  }
  const body = parseJsonObject(result.stdout);
  if (body === null || typeof body.Username !== 'string' || typeof body.Secret !== 'string') {
    // Nothing of the output is quoted: a helper that prints garbage may well print the secret in it.
    return {
      status: 'failed',
      reason: 'bad-output',
      problem: `${helperBinary(name)} get printed something other than the credential JSON docker expects`,
      hint: `Update or reinstall ${helperBinary(name)}, then log in again with docker login.`,
    };
  }
  const secret = new Secret(body.Secret);
  options.scrubber?.remember(secret);
  // An empty secret is how some helpers say "nothing stored"; docker would prompt for a login.
  if (secret.empty) return { status: 'not-found' };
  const identityToken = body.Username === IDENTITY_TOKEN_USERNAME;
  return { status: 'found', username: identityToken ? '' : body.Username, secret, identityToken };
}

/** `docker-credential-<name> list`: server URL → user name, no secrets. */
export async function helperList(run: RunHelper, name: string, options: HelperCallOptions = {}): Promise<HelperListResult> {
  // docker/cli sends this literal word; some helpers refuse an empty stdin.
  const result = await run(name, 'list', 'unused', options.signal);
  if (result.outcome !== 'exited') return failure(name, 'list', result, options);
  if (result.code !== 0 || result.signal !== null) return exitFailure(name, 'list', result, options);
  const body = parseJsonObject(result.stdout.trim() === '' ? '{}' : result.stdout);
  if (body === null) {
    return {
      status: 'failed',
      reason: 'bad-output',
      problem: `${helperBinary(name)} list printed something other than the JSON object docker expects`,
      hint: `Update or reinstall ${helperBinary(name)}.`,
    };
  }
  const entries = new Map<string, string>();
  for (const [url, user] of Object.entries(body)) entries.set(url, typeof user === 'string' ? user : '');
  return { status: 'ok', entries };
}
