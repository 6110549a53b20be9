import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Test-only helpers shared by the credential tests: real folders, real files, real scripts. */

const made: string[] = [];

export function tempDir(prefix = 'stowage-cred-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A docker-credential-<name> shell script in `binDir`. */
export function writeHelper(binDir: string, name: string, body: string): string {
  mkdirSync(binDir, { recursive: true });
  const path = join(binDir, `docker-credential-${name}`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Writes `<home>/.docker/config.json` (or the given folder's config.json) and returns its path. */
export function writeDockerConfig(dir: string, config: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** A unique value to look for everywhere it must not be. */
export function uniqueSecret(label = 'secret'): string {
  return `UNIQ-${label}-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}
