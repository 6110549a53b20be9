import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { checkProjectRelativePath, ReadBudgetError } from '../../../shared/gotemplate/werf';
import { werfGlob } from '../../../shared/gotemplate/werf-glob';

const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_WALK_ENTRIES = 50_000;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

export class ProjectFileError extends Error {}

/**
 * Read access to the project folder for `.Files.Get` / `.Files.Glob` and `.werf/` partials.
 * Nothing outside the project is ever read: `..`, absolute paths and symlinks that leave the folder
 * are refused with an error that says so. Synchronous because the template engine is.
 */
export class ProjectFiles {
  private readonly realRoot: string;
  /** Project-relative paths of the files templates read, so werf's commit-only view can be checked. */
  readonly readPaths = new Set<string>();
  /** Paths templates asked for that did not exist: creating one changes the render, so it is watched too. */
  readonly missedPaths = new Set<string>();

  constructor(root: string) {
    this.realRoot = realpathSync(root);
  }

  /**
   * Null when the file does not exist (werf renders "" and warns). A file larger than `maxBytes`
   * (what the render's read budget has left) is not read: ReadBudgetError.
   */
  read(relPath: string, maxBytes = Number.POSITIVE_INFINITY): string | null {
    const full = this.resolveInside(relPath);
    let info;
    try {
      info = statSync(full);
    } catch {
      this.missedPaths.add(posix.normalize(relPath));
      return null;
    }
    if (!info.isFile()) throw new ProjectFileError(`${relPath} is not a file`);
    if (info.size > MAX_FILE_BYTES) throw new ProjectFileError(`${relPath} is ${info.size} bytes; files read by templates are limited to ${MAX_FILE_BYTES}`);
    if (info.size > maxBytes) throw new ReadBudgetError(relPath, info.size);
    this.readPaths.add(posix.normalize(relPath));
    return readFileText(full);
  }

  /**
   * Project-relative paths (with `/`) of files matching a glob the way werf's path matcher does
   * (see werf-glob.ts). Nothing is read here: the template engine reads each match through `read`,
   * within its budget.
   */
  glob(pattern: string): string[] {
    this.checkRelative(pattern);
    const matcher = werfGlob(pattern);
    return this.walk().filter((rel) => matcher.test(rel));
  }

  /** Symlinks matching the glob that were left out because they lead outside the project. */
  globRefused(pattern: string): string[] {
    this.checkRelative(pattern);
    this.walk();
    const matcher = werfGlob(pattern);
    return this.refusedLinks.filter((rel) => matcher.test(rel));
  }

  /** Files under `dir` (project-relative) whose name ends with `suffix`, sorted. */
  listFiles(dir: string, suffix: string): string[] {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    return this.walk().filter((rel) => rel.startsWith(prefix) && rel.endsWith(suffix));
  }

  /** Symlinks under `dir` ending with `suffix` that were left out because they lead outside the project. */
  refusedUnder(dir: string, suffix: string): string[] {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    this.walk();
    return this.refusedLinks.filter((rel) => rel === dir || (rel.startsWith(prefix) && rel.endsWith(suffix)));
  }

  private walkCache: string[] | null = null;
  private readonly refusedLinks: string[] = [];

  private walk(): string[] {
    if (this.walkCache) return this.walkCache;
    const files: string[] = [];
    const stack = [''];
    let seen = 0;
    while (stack.length > 0) {
      const rel = stack.pop()!;
      let entries;
      try {
        entries = readdirSync(join(this.realRoot, rel), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (++seen > MAX_WALK_ENTRIES) throw new ProjectFileError(`the project has more than ${MAX_WALK_ENTRIES} files; .Files.Glob stopped`);
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name)) stack.push(childRel);
        } else if (entry.isFile()) {
          files.push(childRel);
        } else if (entry.isSymbolicLink()) {
          // werf follows file symlinks; a link that leaves the project is skipped, not read, and
          // remembered so the template warning can name it. A dangling link is simply not a file.
          try {
            const target = this.resolveInside(childRel);
            if (statSync(target).isFile()) files.push(childRel);
          } catch (error) {
            if (error instanceof ProjectFileError) this.refusedLinks.push(childRel);
          }
        }
      }
    }
    files.sort();
    this.walkCache = files;
    return files;
  }

  private checkRelative(relPath: string): void {
    const problem = checkProjectRelativePath(relPath);
    if (problem) throw new ProjectFileError(`${problem}; templates may only read files inside the project folder`);
  }

  private resolveInside(relPath: string): string {
    this.checkRelative(relPath);
    const full = join(this.realRoot, relPath);
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      return full;
    }
    const rel = relative(this.realRoot, real);
    if (rel.startsWith('..') || rel.startsWith(sep) || rel === '..') {
      throw new ProjectFileError(`"${relPath}" is a symbolic link that leads outside the project folder; templates may only read files inside it`);
    }
    return real;
  }
}

export function readFileText(full: string): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(readFileSync(full));
}

