import { safeStorage } from 'electron';
import { keyringCipher } from '../services/credentials/keyring-cipher';
import type { SecretCipher } from '../services/credentials/saved-store';

/** The keyring cipher over Electron's safeStorage. Call after `app.whenReady()`. */
export function safeStorageCipher(): SecretCipher {
  return keyringCipher(safeStorage);
}
