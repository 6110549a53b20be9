import { ELECTRON_BACKEND_PREFIX, memoryOnlyCipher, type SecretCipher } from './saved-store';

/** The part of Electron's `safeStorage` the cipher uses; the shell passes the real one. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend(): string;
  encryptString(plain: string): Buffer;
  decryptString(data: Buffer): string;
}

/**
 * Saved credentials encrypted with the OS keyring through safeStorage. On Linux without a keyring
 * Chromium falls back to `basic_text`, whose key is hard-coded: secrets are then kept for this run
 * only, and the UI says why (`warning` completes describeStorage's sentence).
 */
export function keyringCipher(storage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCipher {
  if (!storage.isEncryptionAvailable()) {
    return { ...memoryOnlyCipher(), warning: 'no system keyring is available to encrypt them.' };
  }
  const backend = platform === 'linux' ? storage.getSelectedStorageBackend() : 'os';
  if (backend === 'basic_text') {
    return {
      ...memoryOnlyCipher(),
      warning: 'your desktop has no secret service (GNOME Keyring, KWallet), and without one Electron could only encrypt with a key built into Chromium. Install and unlock a keyring to save them.',
    };
  }
  return {
    backend: `${ELECTRON_BACKEND_PREFIX}:${backend}`,
    persistent: true,
    encrypt: (plain) => storage.encryptString(plain),
    decrypt: (data) => storage.decryptString(data),
  };
}
