import { UserError } from '../../shared/api/result';

/** Turns a Node file-system error into a message that names the path and the fix. */
export function describeFsError(error: unknown, path: string, what: 'folder' | 'file'): UserError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new UserError({ code: 'not-found', message: `The ${what} ${path} does not exist.`, hint: 'Check the path, or pick the folder with Browse.' });
    case 'EACCES':
    case 'EPERM':
      return new UserError({ code: 'permission-denied', message: `Stowage may not read the ${what} ${path}.`, hint: 'Give your user read permission on it (ls -ld shows the owner and mode).' });
    case 'ENOTDIR':
      return new UserError({ code: 'not-a-directory', message: `${path} is not a folder.`, hint: 'Pick the project folder that holds werf.yaml, not a file.' });
    case 'ELOOP':
      return new UserError({ code: 'symlink-loop', message: `${path} is a symbolic link that loops.`, hint: 'Fix or remove the link.' });
    default:
      return new UserError({ code: 'fs-error', message: `Could not read the ${what} ${path} (${code ?? 'unknown error'}).` });
  }
}
