import { chmodSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/api/result';
import { describeStorage } from '../../../shared/credentials/storage-text';
import { createSavedStore, memoryOnlyCipher, SAVED_CREDENTIALS_FILE, userOnlyFileStore, type SecretCipher } from './saved-store';
import { cleanupTempDirs, tempDir } from './test-fixtures';

afterAll(cleanupTempDirs);

const mode = (path: string): number => statSync(path).mode & 0o777;

function browserStore(settingsDir: string, extra: { uid?: number } = {}) {
  return createSavedStore({ settingsDir, cipher: memoryOnlyCipher(), optIn: userOnlyFileStore(), ...extra });
}

/** Stands in for the Electron safeStorage cipher: reversible, and visibly not plain text. */
function fakeKeyringCipher(backend = 'electron-safestorage:gnome_libsecret'): SecretCipher {
  return {
    backend,
    persistent: true,
    encrypt: (plain) => Buffer.from([...Buffer.from(plain, 'utf8')].map((b) => b ^ 0x5a)),
    decrypt: (data) => Buffer.from([...data].map((b) => b ^ 0x5a)).toString('utf8'),
  };
}

describe('saved credentials store', () => {
  it('keeps browser-host entries in memory only unless the user opts in', async () => {
    const dir = join(tempDir(), 'settings');
    const store = browserStore(dir);
    const summary = await store.save({ registry: 'GHCR.io', implementation: 'github', username: 'octocat', secret: 'ghp_memory' });
    expect(summary).toMatchObject({ registry: 'ghcr.io', source: 'session', kind: 'basic', username: 'octocat', usable: true });
    expect(existsSync(dir)).toBe(false);
    const got = await store.get('ghcr.io');
    expect(got?.secret.kind === 'basic' && got.secret.password.reveal()).toBe('ghp_memory');
    expect(store.storage()).toMatchObject({ backend: 'memory', persistent: false, optIn: { backend: 'user-only-file' } });
  });

  it('describes the opt-in file exactly as it is: mode 0600, the secret not encrypted, in one sentence with the form', async () => {
    const dir = join(tempDir(), 'settings');
    const store = browserStore(dir);
    const secret = 'pl41n-Secret-xyz';
    const summary = await store.save({ registry: '127.0.0.1:5055', implementation: 'default', username: 'alice', secret, persist: true });
    const file = join(dir, SAVED_CREDENTIALS_FILE);
    expect(mode(file)).toBe(0o600);
    const entry = JSON.parse(readFileSync(file, 'utf8')).entries[0];
    // base64 is an encoding: the file gives the secret back without any key, as the sentence says.
    expect(entry.backend).toBe('user-only-file');
    expect(Buffer.from(entry.secret, 'base64').toString('utf8')).toBe(secret);
    const sentence = describeStorage({ backend: 'user-only-file', file }).sentence;
    expect(sentence).toContain('mode 0600');
    expect(sentence).toContain('not encrypted');
    expect(summary.sourceDetail).toBe(sentence);
    expect(summary.sourceDetail).not.toMatch(/saved in stowage/i);
    expect(store.storage()).toMatchObject({ backend: 'memory', file, optIn: { backend: 'user-only-file' } });
    // A session entry says memory, the same words as the form's.
    const session = await store.save({ registry: 'ghcr.io', implementation: 'github', username: 'octocat', secret: 'ghp_x' });
    expect(session.sourceDetail).toBe(describeStorage({ backend: 'memory' }).sentence);
  });

  it('creates the opt-in file with mode 0600 in a 0700 settings folder, atomically', async () => {
    const dir = join(tempDir(), 'nested', 'settings');
    const store = browserStore(dir);
    await store.save({ registry: 'quay.io', implementation: 'quay', username: 'org+robot', secret: 'first', persist: true });
    await store.save({ registry: 'quay.io', implementation: 'quay', username: 'org+robot', secret: 'second', persist: true });
    await store.save({ registry: 'harbor.example.com', implementation: 'harbor', username: 'admin', secret: 'h', persist: true });
    const file = join(dir, SAVED_CREDENTIALS_FILE);
    expect(mode(dir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(readdirSync(dir)).toEqual([SAVED_CREDENTIALS_FILE]);
    const body = JSON.parse(readFileSync(file, 'utf8'));
    expect(body.entries.map((e: { registry: string }) => e.registry)).toEqual(['quay.io', 'harbor.example.com']);
    // A fresh store (a restart) reads it back.
    const again = browserStore(dir);
    const got = await again.get('quay.io');
    expect(got?.summary).toMatchObject({ source: 'saved', usable: true });
    expect(got?.secret.kind === 'basic' && got.secret.password.reveal()).toBe('second');
    expect((await again.summaries()).map((s) => s.registry)).toEqual(['harbor.example.com', 'quay.io']);
  });

  it('refuses a file that others can read, in summaries, get and save', async () => {
    const dir = tempDir();
    const store = browserStore(dir);
    await store.save({ registry: 'quay.io', implementation: 'quay', username: 'u', secret: 'p', persist: true });
    const file = join(dir, SAVED_CREDENTIALS_FILE);
    chmodSync(file, 0o644);
    const [summary] = await store.summaries();
    expect(summary).toMatchObject({ registry: 'quay.io', source: 'saved', usable: false });
    expect(summary?.problem).toBe(`${file} can be read by other users (mode 0644), so Stowage will not use it`);
    expect(summary?.hint).toContain(`chmod 600 ${file}`);
    expect(await store.get('quay.io')).toBeNull();
    await expect(store.save({ registry: 'x.example.com', implementation: 'default', username: 'u', secret: 'p', persist: true })).rejects.toBeInstanceOf(UserError);
    expect(mode(file)).toBe(0o644);
  });

  it('refuses a file owned by another user', async () => {
    const dir = tempDir();
    await browserStore(dir).save({ registry: 'quay.io', implementation: 'quay', username: 'u', secret: 'p', persist: true });
    const other = browserStore(dir, { uid: (process.getuid?.() ?? 0) + 4242 });
    const [summary] = await other.summaries();
    expect(summary?.problem).toContain('belongs to another user');
    expect(await other.get('quay.io')).toBeNull();
  });

  it('refuses a symbolic link in place of the file', async () => {
    const dir = tempDir();
    const target = join(tempDir(), 'elsewhere.json');
    writeFileSync(target, JSON.stringify({ version: 1, entries: [] }), { mode: 0o600 });
    symlinkSync(target, join(dir, SAVED_CREDENTIALS_FILE));
    await expect(browserStore(dir).save({ registry: 'a.example.com', implementation: 'default', username: 'u', secret: 'p', persist: true })).rejects.toThrow(/not a regular file/);
  });

  it('refuses a settings folder that others can write to', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o777);
    await expect(browserStore(dir).save({ registry: 'a.example.com', implementation: 'default', username: 'u', secret: 'p', persist: true })).rejects.toThrow(/can be written by other users/);
  });

  it('moves a damaged file aside instead of failing forever', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, SAVED_CREDENTIALS_FILE), '{not json', { mode: 0o600 });
    const store = browserStore(dir);
    expect(await store.summaries()).toEqual([]);
    await store.save({ registry: 'a.example.com', implementation: 'default', username: 'u', secret: 'p', persist: true });
    expect(readdirSync(dir).some((f) => f.startsWith(`${SAVED_CREDENTIALS_FILE}.damaged-`))).toBe(true);
    expect((await store.summaries()).map((s) => s.registry)).toEqual(['a.example.com']);
  });

  it('stores the cipher output, not the secret, and names desktop entries it cannot open', async () => {
    const dir = tempDir();
    const desktop = createSavedStore({ settingsDir: dir, cipher: fakeKeyringCipher() });
    await desktop.save({ registry: 'ghcr.io', implementation: 'github', secret: 'ghp_desktop_only' });
    expect(readFileSync(join(dir, SAVED_CREDENTIALS_FILE), 'utf8')).not.toContain('ghp_desktop_only');
    expect((await desktop.get('ghcr.io'))?.summary).toMatchObject({ source: 'saved', kind: 'bearer-token', usable: true });
    // The CLI and the browser host have no keyring binding.
    const cli = browserStore(dir);
    const [summary] = await cli.summaries();
    expect(summary).toMatchObject({ registry: 'ghcr.io', usable: false });
    expect(summary?.problem).toContain('only the desktop app can open');
    expect(await cli.get('ghcr.io')).toBeNull();
  });

  it('removes from memory and from the file', async () => {
    const dir = tempDir();
    const store = browserStore(dir);
    await store.save({ registry: 'a.example.com', implementation: 'default', username: 'u', secret: 'p', persist: true });
    await store.save({ registry: 'b.example.com', implementation: 'default', username: 'u', secret: 'p' });
    expect(await store.remove('a.example.com')).toBe(true);
    expect(await store.remove('b.example.com')).toBe(true);
    expect(await store.remove('c.example.com')).toBe(false);
    expect(await store.summaries()).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, SAVED_CREDENTIALS_FILE), 'utf8')).entries).toEqual([]);
  });

  it('lets the newest save win over an older remembered one', async () => {
    const dir = tempDir();
    const store = browserStore(dir);
    await store.save({ registry: 'a.example.com', implementation: 'default', username: 'u', secret: 'old', persist: true });
    await store.save({ registry: 'a.example.com', implementation: 'default', username: 'u', secret: 'new' });
    const restarted = browserStore(dir);
    expect(await restarted.get('a.example.com')).toBeNull();
  });

  it('turns ECR access keys into an AWS provider and shows only part of the key id', async () => {
    const store = browserStore(tempDir());
    const summary = await store.save({ registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', implementation: 'ecr', username: 'AKIAABCDEFGHIJKLMNOP', secret: 'aws-secret' });
    expect(summary).toMatchObject({ kind: 'aws', username: 'AKIA…MNOP' });
    const got = await store.get('123456789012.dkr.ecr.eu-west-1.amazonaws.com');
    expect(got?.secret.kind === 'aws' && (await got.secret.provider()).secretAccessKey).toBe('aws-secret');
  });

  it('validates input without echoing the secret', async () => {
    const store = browserStore(tempDir());
    await expect(store.save({ registry: '', implementation: 'default', secret: 'x-secret' })).rejects.toThrow('registry host is missing');
    await expect(store.save({ registry: 'a.example.com', implementation: 'default', secret: '' })).rejects.toThrow('empty');
    const err = await store.save({ registry: 'a.example.com', implementation: 'default', username: 'a:b', secret: 'x-secret' }).catch((e: Error) => e);
    expect(String(err)).not.toContain('x-secret');
  });

  it('seals memory entries so the store object shows no plain text', async () => {
    const cipher = memoryOnlyCipher();
    const sealed = cipher.encrypt('plain-value');
    expect(sealed.toString('utf8')).not.toContain('plain-value');
    expect(cipher.decrypt(sealed)).toBe('plain-value');
    expect(() => memoryOnlyCipher().decrypt(sealed)).toThrow();
  });
});

describe('saved store folder', () => {
  it('does not create anything when only reading', async () => {
    const dir = join(tempDir(), 'never-created');
    const store = browserStore(dir);
    expect(await store.summaries()).toEqual([]);
    expect(await store.get('x.example.com')).toBeNull();
    expect(existsSync(dir)).toBe(false);
  });
});
