import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * Where a project file really is, refusing one whose real path (after every symbolic link) leaves
 * the project folder. A project is untrusted input: `werf.yaml -> ~/.docker/config.json` or
 * `-> /proc/self/environ` must not bring that file's text into the view, the CLI's output or a log.
 * Used for werf.yaml / werf.yml, werf-giterminism.yaml and the Dockerfiles publish reads.
 */
export type InsideProject =
  | { ok: true; realPath: string }
  | { ok: false; reason: 'missing'; code: string }
  | { ok: false; reason: 'outside'; code: 'outside-project'; message: string; hint: string };

export function resolveInsideProject(projectDir: string, relPath: string): InsideProject {
  let realRoot: string;
  try {
    realRoot = realpathSync(projectDir);
  } catch (error) {
    return { ok: false, reason: 'missing', code: (error as NodeJS.ErrnoException).code ?? 'ENOENT' };
  }
  if (isAbsolute(relPath) || relPath.split(/[\\/]/).includes('..')) return outside(relPath, 'its path leaves the project folder');
  let real: string;
  try {
    real = realpathSync(join(realRoot, relPath));
  } catch (error) {
    return { ok: false, reason: 'missing', code: (error as NodeJS.ErrnoException).code ?? 'ENOENT' };
  }
  if (!isInside(realRoot, real)) return outside(relPath, 'it is a symbolic link to a file outside the project folder');
  return { ok: true, realPath: real };
}

export function isInside(realRoot: string, realPath: string): boolean {
  const rel = relative(realRoot, realPath);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function outside(relPath: string, why: string): InsideProject {
  return {
    ok: false,
    reason: 'outside',
    code: 'outside-project',
    // The target is deliberately not named: the link's own path is enough to find it, and the
    // target may itself be sensitive (a path under a home folder).
    message: `Stowage does not read ${relPath}: ${why}.`,
    hint: `Replace the link with a real file inside the project, or open the folder it points into. Stowage never reads files outside the opened project.`,
  };
}
