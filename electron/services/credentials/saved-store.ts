import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../../shared/api/result';
import { describeStorage, ELECTRON_BACKEND_PREFIX, MEMORY_BACKEND, USER_ONLY_FILE_BACKEND } from '../../../shared/credentials/storage-text';
import type { CredentialSummary, SaveCredentialInput } from '../../../shared/credentials/types';
import type { Implementation } from '../../../shared/registry/implementations';
import { isImplementation } from '../../../shared/registry/implementation-registry';
import { normaliseRegistryHost } from './hosts';
import { tokenExpiry } from './redact';
import { Secret } from './secret';
import { unusableCandidate, usableCandidate, type SummaryBase } from './summary';
import { registryDriver } from '../registries';
import type { ResolvedCredential, ResolvedSecret } from './types';

/**
 * How secrets entered in Stowage are protected at rest.
 *
 * - Electron (written in electron/shell on top of `safeStorage`): `backend` is
 *   `electron-safestorage:<selected backend>` (`keychain`, `dpapi`, `gnome_libsecret`, `kwallet5`…).
 *   On Linux, when `safeStorage.getSelectedStorageBackend()` is `basic_text`, the key is hard-coded
 *   in Chromium: the shell falls back to `memoryOnlyCipher()` with a `warning` saying why.
 *   `safeStorage` only works after `app.ready`.
 * - Browser host: `memoryOnlyCipher()` by default, and `userOnlyFileStore()` as the opt-in
 *   (`SaveCredentialInput.persist`).
 *
 * `encrypt`/`decrypt` may throw; the store reports that as a problem, never with the plain text.
 */
export interface SecretCipher {
  readonly backend: string;
  /** False: entries live in this process only and are gone when it stops. */
  readonly persistent: boolean;
  /**
   * Why secrets stay in memory where the user could expect them saved (no keyring). What the
   * backend itself means is said by `describeStorage`, the one wording the UI and the CLI use.
   */
  readonly warning?: string;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

export const SAVED_CREDENTIALS_FILE = 'credentials.json';
export { ELECTRON_BACKEND_PREFIX, MEMORY_BACKEND, USER_ONLY_FILE_BACKEND };

/**
 * Nothing is persisted. Entries are still sealed with a key that exists only in this process, so a
 * stray inspect of the store or a heap snapshot does not show them in plain text.
 */
export function memoryOnlyCipher(): SecretCipher {
  const key = randomBytes(32);
  return {
    backend: MEMORY_BACKEND,
    persistent: false,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * The browser host's opt-in: entries go to `credentials.json` in the settings folder, which the
 * store creates with mode 0600 and refuses to use when it is wider or owned by someone else. The
 * secret is NOT encrypted (without Electron there is no OS keyring binding; a key kept next to the
 * file would add nothing). The file holds it base64-encoded, which is an encoding, not protection,
 * and `describeStorage` says exactly that.
 */
export function userOnlyFileStore(): SecretCipher {
  return {
    backend: USER_ONLY_FILE_BACKEND,
    persistent: true,
    encrypt: (plain) => Buffer.from(plain, 'utf8'),
    decrypt: (data) => data.toString('utf8'),
  };
}

export interface StorageStatus {
  backend: string;
  persistent: boolean;
  /** Why saves stay in memory (no keyring); see `SecretCipher.warning`. */
  warning?: string;
  /** The file persistent entries go to. */
  file: string;
  /** Browser host: where `persist: true` saves go. */
  optIn?: { backend: string; warning?: string };
}

export interface SavedCredentialStore {
  /** Replaces whatever was saved for the registry (in memory and on disk). */
  save(input: SaveCredentialInput): Promise<CredentialSummary>;
  /** True when something was removed. */
  remove(registry: string): Promise<boolean>;
  get(registry: string): Promise<ResolvedCredential | null>;
  summaries(): Promise<CredentialSummary[]>;
  storage(): StorageStatus;
}

export interface SavedStoreOptions {
  settingsDir: string;
  /** Where saves go by default. */
  cipher: SecretCipher;
  /** Browser host: where saves with `persist: true` go (`userOnlyFileStore()`). */
  optIn?: SecretCipher;
  fileName?: string;
  now?: () => Date;
  /** The user the file and folder must belong to; default `process.getuid()`. */
  uid?: number;
}

const FileEntry = z.object({
  registry: z.string().min(1),
  implementation: z.string(),
  username: z.string().optional(),
  backend: z.string().min(1),
  secret: z.string(),
  savedAt: z.string(),
});
type FileEntry = z.infer<typeof FileEntry>;

const FileBody = z.object({ version: z.literal(1), entries: z.array(FileEntry) });
type FileBody = z.infer<typeof FileBody>;

type FileState =
  | { state: 'missing' }
  | { state: 'ok'; body: FileBody }
  | { state: 'refused'; problem: string; hint: string; registries: string[] }
  | { state: 'corrupt'; problem: string; hint: string };

interface MemoryEntry {
  implementation: Implementation;
  username?: string;
  data: Buffer;
  savedAt: string;
}

const AWS_ACCESS_KEY_ID = /^AKIA[A-Z0-9]{16}$/;

/** What a saved secret is, from the registry kind and whether a user name came with it. */
function resolvedSecretFor(implementation: Implementation, username: string | undefined, secret: Secret): { kind: SummaryBase['kind']; secret: ResolvedSecret; shownUser?: string } {
  const cloud = registryDriver(implementation).cloudIdentity;
  if (cloud === 'aws' && username !== undefined && AWS_ACCESS_KEY_ID.test(username)) {
    // Long-term access keys typed into the form: a static provider, so the ECR driver works the same
    // way as with the default chain.
    const accessKeyId = username;
    return {
      kind: 'aws',
      secret: { kind: 'aws', provider: async () => ({ accessKeyId, secretAccessKey: secret.reveal() }) },
      shownUser: `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`,
    };
  }
  if (username === undefined) {
    if (cloud === 'google') return { kind: 'google-token', secret: { kind: 'google-token', token: secret } };
    return { kind: 'bearer-token', secret: { kind: 'bearer-token', token: secret } };
  }
  return { kind: 'basic', secret: { kind: 'basic', username, password: secret }, shownUser: username };
}

function backendFamily(backend: string): string {
  const colon = backend.indexOf(':');
  return colon < 0 ? backend : backend.slice(0, colon);
}

function canSkipPosixChecks(): boolean {
  return process.platform === 'win32' || typeof process.getuid !== 'function';
}

function modeString(stats: Stats): string {
  return `0${(stats.mode & 0o777).toString(8)}`;
}

export function createSavedStore(options: SavedStoreOptions): SavedCredentialStore {
  const dir = options.settingsDir;
  const file = join(dir, options.fileName ?? SAVED_CREDENTIALS_FILE);
  const now = options.now ?? (() => new Date());
  const uid = options.uid ?? process.getuid?.();
  const memory = new Map<string, MemoryEntry>();
  const decoders = [options.cipher, ...(options.optIn ? [options.optIn] : [])].filter((c) => c.persistent);
  let queue: Promise<unknown> = Promise.resolve();

  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  /** Why the folder cannot hold secrets, or null. Only a folder others can write to is a risk: they could swap the file. */
  const dirProblem = async (): Promise<{ problem: string; hint: string } | null> => {
    if (canSkipPosixChecks()) return null;
    let stats: Stats;
    try {
      stats = await lstat(dir);
    } catch {
      return null;
    }
    if (!stats.isDirectory()) return { problem: `${dir} is not a folder`, hint: 'Point STOWAGE_HOME at a folder.' };
    if (stats.uid !== uid) return { problem: `the settings folder ${dir} belongs to another user`, hint: `Use a settings folder you own (STOWAGE_HOME).` };
    if ((stats.mode & 0o022) !== 0) {
      return { problem: `the settings folder ${dir} can be written by other users (mode ${modeString(stats)}), so they could replace the credentials file`, hint: `chmod 700 ${dir}` };
    }
    return null;
  };

  const inspect = async (): Promise<FileState> => {
    let stats: Stats;
    try {
      stats = await lstat(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
      return { state: 'corrupt', problem: `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, hint: 'Check the permissions of the settings folder.' };
    }
    let refusal: { problem: string; hint: string } | null = null;
    if (!stats.isFile()) {
      refusal = { problem: `${file} is not a regular file${stats.isSymbolicLink() ? ' (it is a symbolic link)' : ''}`, hint: `Remove it; Stowage creates the file itself.` };
    } else if (!canSkipPosixChecks()) {
      if (stats.uid !== uid) {
        refusal = { problem: `${file} belongs to another user, so Stowage will not use it`, hint: `Remove it (Stowage creates its own) and save your credentials again.` };
      } else if ((stats.mode & 0o077) !== 0) {
        refusal = {
          problem: `${file} can be read by other users (mode ${modeString(stats)}), so Stowage will not use it`,
          hint: `Run chmod 600 ${file}, and replace the saved secrets: others may have read them.`,
        };
      }
    }
    refusal ??= await dirProblem();
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (refusal) return { state: 'refused', ...refusal, registries: [] };
      return { state: 'corrupt', problem: `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, hint: 'Check the permissions of the settings folder.' };
    }
    let body: FileBody | null = null;
    try {
      const parsed = FileBody.safeParse(JSON.parse(text));
      if (parsed.success) body = parsed.data;
    } catch {
      body = null;
    }
    if (refusal) return { state: 'refused', ...refusal, registries: body ? body.entries.map((e) => e.registry) : [] };
    if (!body) return { state: 'corrupt', problem: `${file} is damaged (not the JSON Stowage writes)`, hint: 'Saving a credential again moves the damaged file aside and starts a new one.' };
    return { state: 'ok', body };
  };

  const ensureDir = async (): Promise<void> => {
    try {
      await lstat(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
    const problem = await dirProblem();
    if (problem) throw new UserError({ code: 'credentials-file-unsafe', message: `Cannot save credentials: ${problem.problem}.`, hint: problem.hint });
  };

  /** temp file (0600, same folder) + fsync + rename, so a crash leaves the old file or the new one. */
  const writeBody = async (body: FileBody): Promise<void> => {
    await ensureDir();
    const tmp = join(dir, `.${SAVED_CREDENTIALS_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(body, null, 2) + '\n', 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, file);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  };

  /** The file's entries for a change, refusing an unsafe file and moving a damaged one aside. */
  const bodyForChange = async (): Promise<FileBody> => {
    const state = await inspect();
    if (state.state === 'refused') throw new UserError({ code: 'credentials-file-unsafe', message: `Cannot change saved credentials: ${state.problem}.`, hint: state.hint });
    if (state.state === 'corrupt') {
      await rename(file, `${file}.damaged-${now().getTime()}`).catch(() => undefined);
      return { version: 1, entries: [] };
    }
    return state.state === 'ok' ? state.body : { version: 1, entries: [] };
  };

  const summaryFor = (registry: string, implementation: Implementation, username: string | undefined, persistent: boolean, backend: string): SummaryBase => {
    // Only the shape matters here (kind, the name to show), so no secret is decrypted for it.
    const { kind, shownUser } = resolvedSecretFor(implementation, username, new Secret(''));
    return {
      registry,
      source: persistent ? 'saved' : 'session',
      // One wording with the save form (describeStorage): a row reads "Saved in Stowage" + this.
      sourceDetail: describeStorage(persistent ? { backend, file } : { backend: MEMORY_BACKEND }).sentence,
      kind,
      ...(shownUser !== undefined ? { username: shownUser } : {}),
    };
  };

  const fileCandidate = (entry: FileEntry, decrypt: boolean): { summary: CredentialSummary; secret: ResolvedSecret | null } => {
    const implementation: Implementation = isImplementation(entry.implementation) ? entry.implementation : 'default';
    const b = summaryFor(entry.registry, implementation, entry.username, true, entry.backend);
    const decoder = decoders.find((c) => c.backend === entry.backend) ?? decoders.find((c) => backendFamily(c.backend) === backendFamily(entry.backend));
    if (!decoder) {
      const desktop = backendFamily(entry.backend) === ELECTRON_BACKEND_PREFIX;
      return unusableCandidate(
        b,
        desktop
          ? 'saved by the Stowage desktop app and encrypted with the system keyring, which only the desktop app can open'
          : `saved with "${entry.backend}" protection, which this Stowage cannot open`,
        desktop ? 'Use the desktop app, or give this host its own credentials (docker login, or the werf/CI variables).' : 'Enter the credential again here.',
      );
    }
    if (!decrypt) return usableCandidate(b, null);
    let plain: string;
    try {
      plain = decoder.decrypt(Buffer.from(entry.secret, 'base64'));
    } catch {
      return unusableCandidate(b, 'the saved secret cannot be decrypted (the system keyring or its key changed)', 'Enter the credential again.');
    }
    const secret = new Secret(plain);
    const resolved = resolvedSecretFor(implementation, entry.username, secret);
    return usableCandidate(b, resolved.secret, { at: tokenExpiry(secret), now: now(), renew: 'Enter a new token in Stowage.' });
  };

  const memoryCandidate = (registry: string, entry: MemoryEntry): { summary: CredentialSummary; secret: ResolvedSecret | null } => {
    const b = summaryFor(registry, entry.implementation, entry.username, false, options.cipher.backend);
    const secret = new Secret(options.cipher.decrypt(entry.data));
    const resolved = resolvedSecretFor(entry.implementation, entry.username, secret);
    return usableCandidate(b, resolved.secret, { at: tokenExpiry(secret), now: now(), renew: 'Enter a new token in Stowage.' });
  };

  const validate = (input: SaveCredentialInput): { registry: string; implementation: Implementation; username?: string; secret: string } => {
    const registry = normaliseRegistryHost(typeof input.registry === 'string' ? input.registry : '');
    if (registry === '' || /[\s"\\]/.test(registry)) throw new UserError({ code: 'bad-args', message: 'The registry host is missing or not a host name.', hint: 'Enter it as HOST or HOST:PORT.' });
    if (!isImplementation(input.implementation)) throw new UserError({ code: 'bad-args', message: 'Unknown registry implementation.' });
    if (typeof input.secret !== 'string' || input.secret === '') throw new UserError({ code: 'bad-args', message: 'The password or token is empty.', hint: 'Paste the password or token.' });
    const username = typeof input.username === 'string' && input.username.trim() !== '' ? input.username.trim() : undefined;
    if (username !== undefined && /[\u0000-\u001f:]/.test(username)) throw new UserError({ code: 'bad-args', message: 'The user name contains a ":" or a control character.', hint: 'Registries use the user name in Basic auth, where ":" is not allowed.' });
    return { registry, implementation: input.implementation, ...(username !== undefined ? { username } : {}), secret: input.secret };
  };

  return {
    async save(input) {
      const v = validate(input);
      const target = input.persist === true && options.optIn ? options.optIn : options.cipher;
      return serial(async () => {
        const savedAt = now().toISOString();
        let data: Buffer;
        try {
          data = target.encrypt(v.secret);
        } catch {
          throw new UserError({ code: 'encryption-failed', message: `The secret could not be encrypted with ${target.backend}.`, hint: 'Check that the system keyring is unlocked.' });
        }
        if (target.persistent) {
          const body = await bodyForChange();
          const entry: FileEntry = { registry: v.registry, implementation: v.implementation, backend: target.backend, secret: data.toString('base64'), savedAt, ...(v.username !== undefined ? { username: v.username } : {}) };
          body.entries = [...body.entries.filter((e) => e.registry !== v.registry), entry];
          await writeBody(body);
          memory.delete(v.registry);
          return fileCandidate(entry, false).summary;
        }
        memory.set(v.registry, { implementation: v.implementation, data, savedAt, ...(v.username !== undefined ? { username: v.username } : {}) });
        // The newest entry wins everywhere: an older remembered one must not come back after a restart.
        const state = await inspect();
        if (state.state === 'ok' && state.body.entries.some((e) => e.registry === v.registry)) {
          await writeBody({ version: 1, entries: state.body.entries.filter((e) => e.registry !== v.registry) });
        }
        return memoryCandidate(v.registry, memory.get(v.registry)!).summary;
      });
    },

    remove(registry) {
      const host = normaliseRegistryHost(registry);
      return serial(async () => {
        const inMemory = memory.delete(host);
        const state = await inspect();
        if (state.state === 'missing' || state.state === 'corrupt') return inMemory;
        if (state.state === 'refused') {
          if (!state.registries.includes(host)) return inMemory;
          throw new UserError({ code: 'credentials-file-unsafe', message: `Cannot change saved credentials: ${state.problem}.`, hint: state.hint });
        }
        if (!state.body.entries.some((e) => e.registry === host)) return inMemory;
        await writeBody({ version: 1, entries: state.body.entries.filter((e) => e.registry !== host) });
        return true;
      });
    },

    async get(registry) {
      const host = normaliseRegistryHost(registry);
      const inMemory = memory.get(host);
      if (inMemory) {
        const c = memoryCandidate(host, inMemory);
        return c.secret ? { summary: c.summary, secret: c.secret } : null;
      }
      const state = await inspect();
      if (state.state !== 'ok') return null;
      const entry = state.body.entries.find((e) => e.registry === host);
      if (!entry) return null;
      const c = fileCandidate(entry, true);
      return c.secret ? { summary: c.summary, secret: c.secret } : null;
    },

    async summaries() {
      const out: CredentialSummary[] = [];
      for (const [registry, entry] of memory) out.push(memoryCandidate(registry, entry).summary);
      const state = await inspect();
      if (state.state === 'ok') {
        for (const entry of state.body.entries) if (!memory.has(entry.registry)) out.push(fileCandidate(entry, true).summary);
      } else if (state.state === 'refused') {
        for (const registry of state.registries) {
          if (memory.has(registry)) continue;
          out.push(unusableCandidate({ registry, source: 'saved', sourceDetail: `in ${file}`, kind: 'basic' }, state.problem, state.hint).summary);
        }
      }
      return out.sort((a, b) => (a.registry < b.registry ? -1 : a.registry > b.registry ? 1 : 0));
    },

    storage() {
      const status: StorageStatus = { backend: options.cipher.backend, persistent: options.cipher.persistent, file };
      if (options.cipher.warning !== undefined) status.warning = options.cipher.warning;
      if (options.optIn) status.optIn = { backend: options.optIn.backend, ...(options.optIn.warning !== undefined ? { warning: options.optIn.warning } : {}) };
      return status;
    },
  };
}
