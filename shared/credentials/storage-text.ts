/**
 * How a secret saved in Stowage is kept, in one wording for every place that mentions it (the
 * save form, a saved credential's status line, the CLI), so they can never disagree. Built from
 * the store's real state: the backend that holds (or will hold) the secret.
 */

export const MEMORY_BACKEND = 'memory';
export const USER_ONLY_FILE_BACKEND = 'user-only-file';
export const ELECTRON_BACKEND_PREFIX = 'electron-safestorage';

export interface StorageFacts {
  /** `memory`, `user-only-file` or `electron-safestorage:<keyring>`. */
  backend: string;
  /** The file that holds persistent entries, when known. */
  file?: string;
  /** Why secrets stay in memory where the user could expect them saved (no keyring on this desktop). */
  reason?: string;
}

export interface StorageDescription {
  /** A few words for a list row: "memory only, this run". */
  short: string;
  /** The whole truth in one sentence. */
  sentence: string;
  /** Show it as a warning: the secret is less protected, or less kept, than one would assume. */
  warn: boolean;
}

export function describeStorage(facts: StorageFacts): StorageDescription {
  const file = facts.file ?? 'credentials.json in the Stowage settings folder';
  if (facts.backend === MEMORY_BACKEND) {
    return {
      short: 'memory only, this run',
      sentence: facts.reason
        ? `Kept in memory only and forgotten when Stowage stops: ${facts.reason}`
        : 'Kept in memory only and forgotten when Stowage stops; nothing is written to disk.',
      warn: facts.reason !== undefined,
    };
  }
  if (facts.backend === USER_ONLY_FILE_BACKEND) {
    return {
      short: 'file readable only by you, not encrypted',
      sentence: `Written to ${file}, a file only your user account can read (mode 0600). It is not encrypted: anyone who can act as your user, or read your backups, can read the secret.`,
      warn: true,
    };
  }
  if (facts.backend.startsWith(`${ELECTRON_BACKEND_PREFIX}:`)) {
    const keyring = facts.backend.slice(ELECTRON_BACKEND_PREFIX.length + 1);
    const named = keyring === 'os' ? 'the system keyring' : `the system keyring (${keyring})`;
    return {
      short: `encrypted with ${named}`,
      sentence: `Encrypted with ${named} and written to ${file}; only your user account, with the keyring unlocked, can decrypt it.`,
      warn: false,
    };
  }
  return { short: facts.backend, sentence: `Kept with "${facts.backend}" protection in ${file}.`, warn: true };
}
