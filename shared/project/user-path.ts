import { UserError, type AppError } from '../api/result';

/** Whose `~` a typed path is read against: the app's home folder and the account it runs as (null when unknown). */
export interface Account {
  homeDir: string;
  userName: string | null;
}

export type TypedPath = { ok: true; path: string } | { ok: false; error: AppError };

/**
 * What a path typed into the app means, as a shell user expects: `~`, `~/x` and `~NAME/x` for the
 * account Stowage runs as are in the home folder, and a relative path is relative to the home
 * folder too. The app's own working directory means nothing to the person typing (it is wherever
 * Stowage happened to be started). Another account's `~name` is refused, not guessed: a renderer
 * cannot look up accounts, and a folder literally named `~bob` under home is never what was meant.
 * Pure string work on POSIX paths, so the window can say what a path resolves to before opening it.
 */
export function resolveTypedPath(input: string, account: Account): TypedPath {
  const typed = input.trim();
  const home = account.homeDir.replace(/\/+$/, '') || '/';
  if (typed === '' || typed === '~') return { ok: true, path: home };
  if (typed.startsWith('~')) {
    const slash = typed.indexOf('/');
    const prefix = slash < 0 ? typed : typed.slice(0, slash);
    const rest = slash < 0 ? '' : typed.slice(slash + 1);
    const name = prefix.slice(1);
    if (name !== '' && name !== account.userName) return { ok: false, error: otherAccount(prefix, rest, account, home) };
    return { ok: true, path: normalizePosix(`${home}/${rest}`) };
  }
  if (typed.startsWith('/')) return { ok: true, path: normalizePosix(typed) };
  // A Windows drive path is already absolute; leave it to the platform.
  if (/^[A-Za-z]:[\\/]/.test(typed)) return { ok: true, path: typed };
  return { ok: true, path: normalizePosix(`${home}/${typed}`) };
}

function otherAccount(prefix: string, rest: string, account: Account, home: string): AppError {
  const own = account.userName !== null ? ` (${account.userName})` : '';
  const example = rest === '' ? '/…' : `/${rest.replace(/\/+$/, '')}`;
  return {
    code: 'other-account-path',
    message: `Stowage expands ~ only for your own account${own}: ${prefix} is not expanded.`,
    hint: `Type the folder's full path (starting with /), or ~${example} for a folder in your home folder (${home}).`,
  };
}

/**
 * `resolveTypedPath` for the services, which report a refusal by throwing a UserError. Without the
 * account name every `~name` is refused (the renderer resolves typed paths with it before sending).
 */
export function resolveUserPath(input: string, homeDir: string, userName: string | null = null): string {
  const r = resolveTypedPath(input, { homeDir, userName });
  if (!r.ok) throw new UserError(r.error);
  return r.path;
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
