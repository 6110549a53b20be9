/**
 * What a path typed into the app means, as a shell user expects: `~` and `~/x` are in the home
 * folder, and a relative path is relative to the home folder too. The app's own working directory
 * means nothing to the person typing (it is wherever Stowage happened to be started).
 * Pure string work on POSIX paths, so the window can say what a path resolves to before opening it.
 */
export function resolveUserPath(input: string, homeDir: string): string {
  const typed = input.trim();
  const home = homeDir.replace(/\/+$/, '') || '/';
  if (typed === '' || typed === '~') return home;
  if (typed.startsWith('~/')) return normalizePosix(`${home}/${typed.slice(2)}`);
  if (typed.startsWith('/')) return normalizePosix(typed);
  // A Windows drive path is already absolute; leave it to the platform.
  if (/^[A-Za-z]:[\\/]/.test(typed)) return typed;
  return normalizePosix(`${home}/${typed}`);
}

/** True when the typed text would not be used as written (a `~` or a relative path). */
export function isRewrittenPath(input: string): boolean {
  const typed = input.trim();
  return typed !== '' && !typed.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(typed);
}

function normalizePosix(path: string): string {
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

/** The folders from the root down to `path`, for breadcrumbs: `/a/b` → `/`, `/a`, `/a/b`. */
export function pathCrumbs(path: string): { name: string; path: string }[] {
  const crumbs = [{ name: '/', path: '/' }];
  let at = '';
  for (const seg of path.split('/')) {
    if (!seg) continue;
    at += `/${seg}`;
    crumbs.push({ name: seg, path: at });
  }
  return crumbs;
}
