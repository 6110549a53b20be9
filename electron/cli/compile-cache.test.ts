import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCacheDir, loadCachedBundle } from './compile-cache';

let dir: string;
let cacheDir: string;
let bundle: string;

// A bundle with enough code that V8 has something to cache, and module scope to check.
const SOURCE = `
const path = require('node:path');
let calls = 0;
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
exports.fib = (n) => { calls++; return fib(n); };
exports.calls = () => calls;
exports.where = () => [path.basename(__filename), path.basename(__dirname), module.exports === exports, typeof this];
`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stowage-code-cache-'));
  cacheDir = join(dir, 'cache');
  bundle = join(dir, 'bundle', 'demo.cjs');
  mkdirSync(join(dir, 'bundle'));
  writeFileSync(bundle, SOURCE);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Demo = { fib(n: number): number; calls(): number; where(): unknown[] };
const cacheFiles = () => (existsSync(cacheDir) ? readdirSync(cacheDir) : []);

describe('loadCachedBundle', () => {
  it('runs a CommonJS bundle in a module scope of its own', () => {
    const loaded = loadCachedBundle<Demo>(bundle, cacheDir);
    expect(loaded.exports.fib(10)).toBe(55);
    expect(loaded.exports.where()).toEqual(['demo.cjs', 'bundle', true, 'object']);
  });

  it('compiles from source first, keeps the cache once asked, and compiles from it next time', () => {
    const first = loadCachedBundle<Demo>(bundle, cacheDir);
    expect(first.compiled).toBe('from-source');
    expect(cacheFiles()).toEqual([]);
    first.exports.fib(15);
    first.saveCache();
    expect(cacheFiles()).toHaveLength(1);
    expect(cacheFiles()[0]).toMatch(/^demo\.cjs-\d+-\d+-v\d+\.\d+\.\d+-\w+\.v8cache$/);
    expect(statSync(join(cacheDir, cacheFiles()[0]!)).mode & 0o777).toBe(0o600);

    const second = loadCachedBundle<Demo>(bundle, cacheDir);
    expect(second.compiled).toBe('from-cache');
    expect(second.exports.fib(12)).toBe(144);
    // Each load is its own instance: module state is not shared through the cache.
    expect(second.exports.calls()).toBe(1);
    const before = readFileSync(join(cacheDir, cacheFiles()[0]!));
    second.saveCache();
    expect(readFileSync(join(cacheDir, cacheFiles()[0]!))).toEqual(before);
  });

  it('a damaged cache compiles from source and is replaced', () => {
    loadCachedBundle<Demo>(bundle, cacheDir).saveCache();
    const file = join(cacheDir, cacheFiles()[0]!);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(file, bytes);
    const damaged = loadCachedBundle<Demo>(bundle, cacheDir);
    expect(damaged.compiled).toBe('from-source');
    expect(damaged.exports.fib(10)).toBe(55);
    damaged.saveCache();
    expect(loadCachedBundle<Demo>(bundle, cacheDir).compiled).toBe('from-cache');

    writeFileSync(file, Buffer.alloc(3));
    expect(loadCachedBundle<Demo>(bundle, cacheDir).compiled).toBe('from-source');
  });

  it('a rebuilt bundle gets a cache of its own and the old one is removed', () => {
    loadCachedBundle<Demo>(bundle, cacheDir).saveCache();
    const old = cacheFiles();
    writeFileSync(bundle, `${SOURCE}\nexports.extra = 1;\n`);
    const later = new Date(Date.now() + 10_000);
    utimesSync(bundle, later, later);
    const rebuilt = loadCachedBundle<Demo & { extra: number }>(bundle, cacheDir);
    expect(rebuilt.compiled).toBe('from-source');
    expect(rebuilt.exports.extra).toBe(1);
    rebuilt.saveCache();
    expect(cacheFiles()).toHaveLength(1);
    expect(cacheFiles()).not.toEqual(old);
  });

  it('a cache folder it cannot write only means compiling again; no cache folder, no cache', () => {
    // A file where the folder should be: no user (root included) can create the folder.
    writeFileSync(cacheDir, 'not a folder');
    const loaded = loadCachedBundle<Demo>(bundle, join(cacheDir, 'inner'));
    expect(() => loaded.saveCache()).not.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['bundle', 'cache']);
    expect(loadCachedBundle<Demo>(bundle, join(cacheDir, 'inner')).compiled).toBe('from-source');

    const uncached = loadCachedBundle<Demo>(bundle, null);
    uncached.saveCache();
    expect(uncached.compiled).toBe('from-source');
    expect(uncached.exports.fib(5)).toBe(5);
  });
});

describe('codeCacheDir', () => {
  it("is the platform's cache folder, can be moved, and can be turned off", () => {
    expect(codeCacheDir({}, 'linux', '/home/u')).toBe('/home/u/.cache/stowage/code-cache');
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/stowage/code-cache');
    expect(codeCacheDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Caches/Stowage/code-cache');
    expect(codeCacheDir({ LOCALAPPDATA: 'C:\\L' }, 'win32', 'C:\\U')).toContain('Stowage');
    expect(codeCacheDir({ STOWAGE_CODE_CACHE_DIR: '/c' }, 'linux', '/home/u')).toBe('/c');
    expect(codeCacheDir({ STOWAGE_CODE_CACHE: 'off', STOWAGE_CODE_CACHE_DIR: '/c' }, 'linux', '/home/u')).toBeNull();
  });
});
