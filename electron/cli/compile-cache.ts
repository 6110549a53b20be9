import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

/**
 * Runs a CommonJS bundle with V8's code cache, so a CLI command does not compile the same code on
 * every start (issue #16: the project loader's 600 KB are 20–40 ms of compiling without it). Node 22's
 * `module.enableCompileCache` does this for modules; Node 20 has only `vm.Script`'s `cachedData`.
 *
 * The cache is the user's own (XDG cache folder, `STOWAGE_CODE_CACHE_DIR` to move it,
 * `STOWAGE_CODE_CACHE=off` to skip it), one file per bundle build and Node release, written once
 * (atomically) after the first run has compiled what it used. V8 refuses a cache from another
 * engine version, flag set or source length; a CRC over the bytes refuses a damaged file; any
 * refusal just compiles the source, as without a cache.
 */

/** Larger than any cache a bundle of ours produces: a file past it is not ours to trust. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

export interface CachedBundle<T> {
  exports: T;
  /** How the code was compiled: from the cache, or from source (no cache yet, refused, or off). */
  compiled: 'from-cache' | 'from-source';
  /** Writes the cache when this run compiled from source; call once the bundle's work is done. */
  saveCache(): void;
}

export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string | null {
  if (env.STOWAGE_CODE_CACHE === 'off') return null;
  if (env.STOWAGE_CODE_CACHE_DIR) return env.STOWAGE_CODE_CACHE_DIR;
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'Stowage', 'code-cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'Stowage', 'code-cache');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'stowage', 'code-cache');
}

/**
 * Loads `file` (a CommonJS bundle) as Node would, compiling it with the code cache when one fits.
 * `cacheDir` null runs it without a cache.
 */
export function loadCachedBundle<T>(file: string, cacheDir: string | null = codeCacheDir()): CachedBundle<T> {
  // The bundles are ASCII (scripts/build.mjs sets esbuild's `charset: 'ascii'`), so latin1 reads
  // them as they are, without UTF-8 decoding.
  const source = readFileSync(file, 'latin1');
  const cacheFile = cacheDir ? join(cacheDir, cacheName(file, source)) : null;
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  // The same wrapper as Node's own CommonJS loader, so the bundle sees the usual module scope.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: pathToFileURL(file).href, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (exports: T, require: NodeJS.Require, module: { exports: T }, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  let saved = fromCache;
  return {
    exports: module.exports,
    compiled: fromCache ? 'from-cache' : 'from-source',
    saveCache() {
      if (saved || !cacheFile) return;
      saved = true;
      writeCache(cacheFile, `${basename(file)}-`, script.createCachedData());
    },
  };
}

/** Bundle name, build (length and modification time) and Node release: a rebuild or another Node gets its own file. */
function cacheName(file: string, source: string): string {
  return `${basename(file)}-${source.length}-${Math.trunc(statSync(file).mtimeMs)}-${process.version}-${process.arch}.v8cache`;
}

function readCache(cacheFile: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(cacheFile, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 8 || size > MAX_CACHE_BYTES) return undefined;
    const bytes = Buffer.alloc(size);
    if (readSync(fd, bytes, 0, size, 0) !== size) return undefined;
    const data = bytes.subarray(0, size - 4);
    return crc32(data) === bytes.readUInt32LE(size - 4) ? data : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Best effort: a read-only or full disk only means the next run compiles again. */
function writeCache(cacheFile: string, bundlePrefix: string, data: Buffer): void {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(crc32(data));
    writeFileSync(temp, Buffer.concat([data, trailer]), { mode: 0o600 });
    renameSync(temp, cacheFile);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing was written
    }
    return;
  }
  // Earlier builds' caches of the same bundle are never read again.
  const name = basename(cacheFile);
  try {
    for (const other of readdirSync(dirname(cacheFile))) {
      if (other !== name && other.startsWith(bundlePrefix) && other.endsWith('.v8cache')) rmSync(join(dirname(cacheFile), other), { force: true });
    }
  } catch {
    // stale files only cost disk space
  }
}
