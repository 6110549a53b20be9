import { describe, expect, it } from 'vitest';
import { UserError } from '../api/result';
import { isRewrittenPath, pathCrumbs, resolveTypedPath, resolveUserPath } from './user-path';

describe('resolveUserPath', () => {
  it('expands ~ and ~/x, and puts relative paths in the home folder, not the app\'s working directory', () => {
    expect(resolveUserPath('~', '/home/ana')).toBe('/home/ana');
    expect(resolveUserPath('  ~/src/shop/ ', '/home/ana')).toBe('/home/ana/src/shop');
    expect(resolveUserPath('src/shop', '/home/ana/')).toBe('/home/ana/src/shop');
    expect(resolveUserPath('./src/../x', '/home/ana')).toBe('/home/ana/x');
    expect(resolveUserPath('/srv//app/.', '/home/ana')).toBe('/srv/app');
  });

  it('expands ~name for the account Stowage runs as, and nobody else\'s', () => {
    const ana = { homeDir: '/home/ana', userName: 'ana' };
    expect(resolveTypedPath('~ana', ana)).toEqual({ ok: true, path: '/home/ana' });
    expect(resolveTypedPath(' ~ana/src/shop/ ', ana)).toEqual({ ok: true, path: '/home/ana/src/shop' });
    expect(resolveTypedPath('~/src', ana)).toEqual({ ok: true, path: '/home/ana/src' });
    // Another name, existing or not, is never a folder named "~bob" under home (or anywhere).
    for (const typed of ['~bob/x', '~bob', '~Ana/x', '~ana.old/x', '~+/x']) {
      const r = resolveTypedPath(typed, ana);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('other-account-path');
      expect(r.error.message).toBe(`Stowage expands ~ only for your own account (ana): ${typed.split('/')[0]} is not expanded.`);
      expect(r.error.hint).toContain('/home/ana');
      expect(JSON.stringify(r)).not.toContain('/home/ana/~');
    }
    // Without a known account name, ~name is refused the same way, and says what works.
    const unknown = resolveTypedPath('~ana/x', { homeDir: '/home/ana', userName: null });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.message).toBe('Stowage expands ~ only for your own account: ~ana is not expanded.');
  });

  it('resolveUserPath throws the same refusal as a UserError for the services', () => {
    expect(resolveUserPath('~ana/x', '/home/ana', 'ana')).toBe('/home/ana/x');
    expect(() => resolveUserPath('~bob/x', '/home/ana', 'ana')).toThrow(UserError);
    expect(() => resolveUserPath('~bob/x', '/home/ana')).toThrow(/only for your own account/);
  });

  it('says when the typed text is not used as written', () => {
    expect(isRewrittenPath('~/x')).toBe(true);
    expect(isRewrittenPath('x')).toBe(true);
    expect(isRewrittenPath('/x')).toBe(false);
    expect(isRewrittenPath('  ')).toBe(false);
  });

  it('breadcrumbs run from the root down', () => {
    expect(pathCrumbs('/home/ana')).toEqual([
      { name: '/', path: '/' },
      { name: 'home', path: '/home' },
      { name: 'ana', path: '/home/ana' },
    ]);
    expect(pathCrumbs('/')).toEqual([{ name: '/', path: '/' }]);
  });
});
