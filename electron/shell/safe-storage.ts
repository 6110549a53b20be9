import { safeStorage } from 'electron';
import { ELECTRON_BACKEND_PREFIX, memoryOnlyCipher, type SecretCipher } from '../services/credentials/saved-store';

/**
 * Saved credentials encrypted with the OS keyring through safeStorage. On Linux without a keyring
 * Chromium falls back to `basic_text`, whose key is hard-coded: secrets are then kept for this run
 * only, and the UI says why. Call after `app.whenReady()`.
 */
export function safeStorageCipher(): SecretCipher {
  if (!safeStorage.isEncryptionAvailable()) {
    return { ...memoryOnlyCipher(), warning: 'No system keyring is available, so saved credentials are kept for this session only.' };
  }
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  if (backend === 'basic_text') {
    return {
      ...memoryOnlyCipher(),
      warning: 'Your desktop has no secret service (GNOME Keyring, KWallet), so Electron could only encrypt with a fixed key. Stowage keeps credentials for this session only; install and unlock a keyring to save them.',
    };
  }
  return {
    backend: `${ELECTRON_BACKEND_PREFIX}:${backend}`,
    persistent: true,
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}
