import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { DirectoryListing } from '../../shared/api/types';
import { UserError } from '../../shared/api/result';
import { resolveUserPath } from '../../shared/project/user-path';
import { accountName } from './account-name';
import { describeFsError } from './fs-errors';

const MAX_ENTRIES = 2000;
const CONFIG_NAMES = ['werf.yaml', 'werf.yml'];

/**
 * Lists folders for the browser host's folder picker (Electron uses the native dialog instead).
 * Only names and whether a folder holds a werf config are returned, never file contents.
 */
export async function listDirectory(input: string, homeDir: string = homedir(), userName: string | null = accountName()): Promise<DirectoryListing> {
  // Typed paths mean what they mean in a shell: `~` is the home folder, and so is the start of a relative path.
  // Another account's `~name` throws a UserError that says so.
  const path = resolveUserPath(input, homeDir, userName);
  if (!isAbsolute(path)) {
    throw new UserError({ code: 'bad-path', message: `"${input}" is not a path Stowage can open.`, hint: 'Type a path that starts with / or ~.' });
  }
  const dir = resolve(path);
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw describeFsError(error, dir, 'folder');
  }
  const folders = dirents
    .filter((d) => d.isDirectory() || d.isSymbolicLink())
    .sort((a, b) => a.name.localeCompare(b.name));
  const entries = [];
  for (const d of folders.slice(0, MAX_ENTRIES)) {
    const full = join(dir, d.name);
    if (d.isSymbolicLink()) {
      const info = await stat(full).catch(() => null);
      if (!info?.isDirectory()) continue;
    }
    entries.push({ name: d.name, isDirectory: true, hasWerfConfig: await hasWerfConfig(full) });
  }
  const parent = dirname(dir);
  return { path: dir, parent: parent === dir ? null : parent, entries, truncated: folders.length > MAX_ENTRIES };
}

async function hasWerfConfig(dir: string): Promise<boolean> {
  for (const name of CONFIG_NAMES) {
    const info = await stat(join(dir, name)).catch(() => null);
    if (info?.isFile()) return true;
  }
  return false;
}
