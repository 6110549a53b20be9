import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyringCipher, type SafeStorageLike } from './keyring-cipher';
import { createSavedStore } from './saved-store';

/** A stand-in for Electron's safeStorage: reversible, and visibly not the plain text. */
function fakeSafeStorage(available: boolean, backend: string): SafeStorageLike & { encrypted: number } {
  const s = {
    encrypted: 0,
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain: string) => {
      s.encrypted++;
      return Buffer.from(`enc:${Buffer.from(plain).toString('base64').split('').reverse().join('')}`);
    },
    decryptString: (data: Buffer) => Buffer.from(data.toString().slice(4).split('').reverse().join(''), 'base64').toString(),
  };
  return s;
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('the keyring cipher over safeStorage', () => {
  it('a real keyring: persistent, named after the backend, round-trips without plain text on disk', async () => {
    const storage = fakeSafeStorage(true, 'gnome_libsecret');
    const cipher = keyringCipher(storage, 'linux');
    expect(cipher).toMatchObject({ backend: 'electron-safestorage:gnome_libsecret', persistent: true });
    expect(cipher.warning).toBeUndefined();

    const dir = await mkdtemp(join(tmpdir(), 'stowage-keyring-'));
    dirs.push(dir);
    const store = createSavedStore({ settingsDir: dir, cipher });
    await store.save({ registry: 'registry.example.com', implementation: 'default', username: 'ci', secret: 'keyring-secret-41' });
    const onDisk = (await readFile(join(dir, 'credentials.json'), 'utf8')).toString();
    expect(onDisk).not.toContain('keyring-secret-41');
    expect(storage.encrypted).toBeGreaterThan(0);
    expect(cipher.decrypt(cipher.encrypt('x-y-z'))).toBe('x-y-z');
  });

  it('Linux basic_text (a fixed key): kept for this session only, with the reason', () => {
    const cipher = keyringCipher(fakeSafeStorage(true, 'basic_text'), 'linux');
    expect(cipher.persistent).toBe(false);
    expect(cipher.warning).toMatch(/no secret service.*built into Chromium/i);
  });

  it('no encryption at all: session only, with the reason', () => {
    const cipher = keyringCipher(fakeSafeStorage(false, 'unknown'), 'linux');
    expect(cipher.persistent).toBe(false);
    expect(cipher.warning).toMatch(/no system keyring/);
  });

  it('macOS and Windows use the OS store whatever Linux backend is reported', () => {
    expect(keyringCipher(fakeSafeStorage(true, 'basic_text'), 'darwin')).toMatchObject({ backend: 'electron-safestorage:os', persistent: true });
    expect(keyringCipher(fakeSafeStorage(true, 'basic_text'), 'win32')).toMatchObject({ backend: 'electron-safestorage:os', persistent: true });
  });
});
