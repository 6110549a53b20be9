import { spawn } from 'node:child_process';

/**
 * The one way Stowage runs git. A project folder is untrusted input: its `.git/config` (and any
 * file it includes) can name programs git would run for us — `core.fsmonitor` on every index read,
 * clean/smudge/process filters when status hashes a modified file, textconv and external diff
 * drivers, pagers, ssh and credential helpers, hooks, gpg. Every such setting is overridden with
 * command-line configuration (which wins over every scope), transports are disabled, the index
 * is never locked, and each run has a timeout and an output cap. Results are data, never thrown.
 */

export interface GitRunOptions {
  /** The folder git runs in (the project folder, or one inside it). */
  cwd: string;
  signal?: AbortSignal;
  /** Wall-clock limit for one git process; it is killed (SIGKILL) after this. */
  timeoutMs?: number;
  /** Stdout larger than this stops the process and fails the run (errors keep the first bytes). */
  maxOutputBytes?: number;
}

export type GitErrorCode = 'git-missing' | 'git-timeout' | 'git-output-too-large' | 'git-aborted' | 'git-failed' | 'git-config-refused';

export interface GitError {
  code: GitErrorCode;
  message: string;
  hint?: string;
  /** The exit code when git ran and failed. */
  exitCode?: number;
  /** The first bytes of git's stderr (for logs and hints; may name paths, never secrets we hold). */
  stderr?: string;
}

export type GitResult = { ok: true; stdout: string } | { ok: false; error: GitError };

export const DEFAULT_GIT_TIMEOUT_MS = 5000;
export const DEFAULT_GIT_MAX_OUTPUT = 32 * 1024 * 1024;
const MAX_STDERR_KEPT = 4096;
/** A config with more program-valued keys than this is not a repository anyone meant to open. */
const MAX_OVERRIDES = 2000;

/** Keys with a fixed name that run a program (or reach the network) and the inert value for each. */
const FIXED_OVERRIDES: ReadonlyArray<readonly [string, string]> = [
  ['core.fsmonitor', 'false'],
  ['core.hooksPath', '/dev/null'],
  ['core.pager', 'cat'],
  ['core.sshCommand', ''],
  ['core.gitProxy', ''],
  ['core.askPass', ''],
  ['core.editor', ':'],
  ['core.alternateRefsCommand', ''],
  ['sequence.editor', ':'],
  ['credential.helper', ''],
  ['diff.external', ''],
  ['gpg.program', ''],
  ['gpg.openpgp.program', ''],
  ['gpg.x509.program', ''],
  ['gpg.ssh.program', ''],
  ['gpg.ssh.defaultKeyCommand', ''],
  ['protocol.allow', 'never'],
  ['submodule.recurse', 'false'],
  ['diff.ignoreSubmodules', 'all'],
  ['status.submoduleSummary', 'false'],
  ['uploadpack.packObjectsHook', ''],
];

/**
 * Keys whose section or subsection is chosen by the repository (`filter.<driver>.clean`,
 * `diff.<driver>.textconv`, `pager.<command>`, …): found by listing the effective configuration,
 * then each set to an inert value. Matched on git's normalised form (lowercase section and key).
 */
const PATTERN_OVERRIDES: ReadonlyArray<{ test: RegExp; value: string }> = [
  { test: /^filter\..+\.(clean|smudge|process)$/, value: '' },
  { test: /^filter\..+\.required$/, value: 'false' },
  { test: /^diff\..+\.(textconv|command)$/, value: '' },
  { test: /^merge\..+\.driver$/, value: '' },
  { test: /^pager\..+$/, value: 'false' },
  { test: /^credential\..+\.helper$/, value: '' },
  { test: /^remote\..+\.(uploadpack|receivepack|proxy)$/, value: '' },
  { test: /^submodule\..+\.update$/, value: 'none' },
  { test: /^protocol\..+\.allow$/, value: 'never' },
  { test: /^(sendemail|difftool|mergetool)\..+\.(cmd|path|smtpserver)$/, value: '' },
];

/** Commands that can print a patch: an external diff or textconv driver would run for those. */
const PATCH_COMMANDS = new Set(['diff', 'log', 'show', 'whatchanged', 'diff-tree', 'diff-index', 'diff-files', 'format-patch']);

/**
 * Variables from the user's environment that would point git at another repository or run a
 * program; removed so what runs depends only on the folder and our overrides.
 */
const DROPPED_ENV = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR',
  'GIT_NAMESPACE', 'GIT_CONFIG', 'GIT_CONFIG_PARAMETERS', 'GIT_EXTERNAL_DIFF', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_PROXY_COMMAND',
  'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'GIT_PAGER', 'PAGER', 'GIT_EXEC_PATH', 'GIT_TRACE', 'GIT_TRACE2',
  'GIT_TRACE2_EVENT', 'GIT_TRACE2_PERF', 'GIT_TRACE_PACKET', 'GIT_TRACE_PERFORMANCE',
];

/**
 * Runs `git <args>` in `cwd` with every repository-configured program neutralised. `args` is the
 * command and its arguments (`['for-each-ref', '--format=%(refname)', 'refs/heads']`); never a
 * shell string. Stdout comes back whole (up to the cap); a non-zero exit is `git-failed`.
 */
export async function runGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  return openGitSession(options.cwd).run(args, options);
}

export interface GitSession {
  /** Runs one command in the session's folder; `options.cwd` is ignored in favour of the session's. */
  run(args: readonly string[], options?: Omit<GitRunOptions, 'cwd'>): Promise<GitResult>;
  /** Like run, but the trimmed stdout, or null on any failure. */
  text(args: readonly string[], options?: Omit<GitRunOptions, 'cwd'>): Promise<string | null>;
}

/**
 * Several git commands in one folder with the configuration listed once: the neutralising overrides
 * are computed on the first run and reused (a read of branch, tag, commit and status is then one
 * `git config` plus one process per command instead of two each).
 */
export function openGitSession(cwd: string): GitSession {
  let overrides: Promise<{ ok: true; env: NodeJS.ProcessEnv } | { ok: false; error: GitError }> | null = null;
  const prepare = (options: GitRunOptions, budget: Budget) => (overrides ??= inertEnvironment(options, budget));
  const run = async (args: readonly string[], options: Omit<GitRunOptions, 'cwd'> = {}): Promise<GitResult> => {
    const full = { ...options, cwd };
    const budget = startBudget(full);
    const env = readsRefsOnly(args) ? { ok: true as const, env: baseEnv(FIXED_OVERRIDES) } : await prepare(full, budget);
    if (!env.ok) {
      // A cancelled or timed-out listing must not poison later runs of the session.
      if (env.error.code === 'git-aborted' || env.error.code === 'git-timeout') overrides = null;
      return env;
    }
    return spawnGit(withPatchSafety(args), env.env, full, budget);
  };
  return {
    run,
    text: async (args, options) => {
      const result = await run(args, options);
      return result.ok ? result.stdout.trim() : null;
    },
  };
}

/**
 * Commands that read only refs and commit metadata. Under the fixed overrides (fsmonitor, hooks,
 * pager, gpg, transports) and with no terminal, nothing a repository configures can run for them:
 * filters run only when work-tree files are hashed or checked out, textconv and diff drivers only
 * for a patch, credential and remote settings only on the network. They skip the configuration
 * listing, which would otherwise be a git process and a round trip before every project's first
 * read (start-up, issue #16).
 */
export function readsRefsOnly(args: readonly string[]): boolean {
  const [command, ...rest] = args;
  const operands = rest.filter((a) => !a.startsWith('-'));
  switch (command) {
    case 'rev-parse':
      return true;
    case 'symbolic-ref':
      // One operand reads the ref; two would write it.
      return operands.length <= 1 && !rest.some((a) => a === '-d' || a === '--delete');
    case 'describe':
      // --dirty and --broken refresh the index, which can hash (and filter) work-tree files.
      return !rest.some((a) => a.startsWith('--dirty') || a.startsWith('--broken'));
    case 'show':
      // No patch, and no signature check (that would name gpg.program, overridden anyway).
      return rest.includes('-s') && rest.includes('--no-show-signature') && !rest.some((a) => a.startsWith('--show-signature'));
    default:
      return false;
  }
}

async function inertEnvironment(options: GitRunOptions, budget: Budget): Promise<{ ok: true; env: NodeJS.ProcessEnv } | { ok: false; error: GitError }> {
  const listed = await spawnGit(['config', '--list', '-z', '--includes'], baseEnv([]), options, budget);
  // Outside a repository `config --list` still lists the user's own settings; a failure means git
  // cannot read the configuration, and then nothing else would work either.
  if (!listed.ok && listed.error.code !== 'git-failed') return listed;
  const keys = listed.ok ? configKeys(listed.stdout) : [];
  const overrides = overridesFor(keys);
  if (overrides.length > MAX_OVERRIDES) {
    return {
      ok: false,
      error: {
        code: 'git-config-refused',
        message: `The repository configuration names ${overrides.length} programs; Stowage does not read git information from it.`,
        hint: 'Check .git/config (and the files it includes) of this project.',
      },
    };
  }
  return { ok: true, env: baseEnv(overrides) };
}

/** The configuration keys of `git config --list -z` (key, newline, value, NUL per entry). */
export function configKeys(listing: string): string[] {
  const keys: string[] = [];
  for (const entry of listing.split('\0')) {
    if (!entry) continue;
    const newline = entry.indexOf('\n');
    keys.push(newline === -1 ? entry : entry.slice(0, newline));
  }
  return keys;
}

/** The `[key, value]` pairs that make the given configuration inert, fixed ones first. */
export function overridesFor(keys: readonly string[]): Array<readonly [string, string]> {
  const out = new Map<string, string>(FIXED_OVERRIDES.map(([k, v]) => [k, v]));
  for (const key of keys) {
    const pattern = PATTERN_OVERRIDES.find((p) => p.test.test(key));
    if (pattern && !out.has(key)) out.set(key, pattern.value);
  }
  return [...out];
}

function withPatchSafety(args: readonly string[]): string[] {
  const command = args[0];
  if (command === undefined || !PATCH_COMMANDS.has(command)) return [...args];
  // Belt and braces over the config overrides: an empty diff.external would be "cannot run".
  const extra = command.startsWith('diff-') || command === 'format-patch' ? ['--no-ext-diff'] : ['--no-ext-diff', '--no-textconv'];
  return [command, ...extra, ...args.slice(1)];
}

function baseEnv(overrides: ReadonlyArray<readonly [string, string]>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of DROPPED_ENV) delete env[name];
  for (const name of Object.keys(env)) if (name.startsWith('GIT_CONFIG_KEY_') || name.startsWith('GIT_CONFIG_VALUE_')) delete env[name];
  Object.assign(env, {
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_EDITOR: ':',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_PROTOCOL_FROM_USER: '0',
    LC_ALL: 'C',
    LANGUAGE: '',
  });
  // Environment-provided configuration has command-line precedence and, unlike `-c`, no argv limit.
  env.GIT_CONFIG_COUNT = String(overrides.length);
  overrides.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

interface Budget {
  deadline: number;
}

function startBudget(options: GitRunOptions): Budget {
  return { deadline: Date.now() + (options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS) };
}

function spawnGit(args: string[], env: NodeJS.ProcessEnv, options: GitRunOptions, budget: Budget): Promise<GitResult> {
  const maxOutput = options.maxOutputBytes ?? DEFAULT_GIT_MAX_OUTPUT;
  const { signal } = options;
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(failure('git-aborted', 'The git call was cancelled.'));
    const remaining = budget.deadline - Date.now();
    if (remaining <= 0) return resolve(timedOut(options));
    let child;
    try {
      // --no-pager and -c-free argv: the overrides travel in the environment (see baseEnv).
      child = spawn('git', ['--no-pager', ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: process.platform !== 'win32' });
    } catch (error) {
      return resolve(spawnFailure(error));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let settled = false;
    const finish = (result: GitResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const kill = () => {
      // Its own process group, so anything git started goes too.
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      kill();
      finish(timedOut(options));
    }, remaining);
    const onAbort = () => {
      kill();
      finish(failure('git-aborted', 'The git call was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxOutput) {
        kill();
        finish(failure('git-output-too-large', `git ${args[0] ?? ''} printed more than ${maxOutput} bytes; Stowage stopped reading.`, 'The repository is larger than Stowage reads at once.'));
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_KEPT) stderr += chunk.toString('utf8').slice(0, MAX_STDERR_KEPT - stderr.length);
    });
    child.on('error', (error) => finish(spawnFailure(error)));
    child.on('close', (code, sig) => {
      if (code === 0) return finish({ ok: true, stdout: Buffer.concat(chunks).toString('utf8') });
      finish({
        ok: false,
        error: {
          code: 'git-failed',
          message: `git ${args[0] ?? ''} failed${code !== null ? ` (exit ${code})` : sig ? ` (${sig})` : ''}${stderr ? `: ${firstLine(stderr)}` : ''}`,
          ...(code !== null ? { exitCode: code } : {}),
          ...(stderr ? { stderr } : {}),
        },
      });
    });
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]!.slice(0, 300);
}

function failure(code: GitErrorCode, message: string, hint?: string): GitResult {
  return { ok: false, error: { code, message, ...(hint ? { hint } : {}) } };
}

function timedOut(options: GitRunOptions): GitResult {
  return failure('git-timeout', `git did not finish within ${options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS} ms and was stopped.`, 'The repository may be very large or on a slow disk.');
}

function spawnFailure(error: unknown): GitResult {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return failure('git-missing', 'git is not installed or not on PATH.', 'Install git to see branch, tag and commit information.');
  return failure('git-failed', `git could not be started (${code ?? String(error)})`);
}
