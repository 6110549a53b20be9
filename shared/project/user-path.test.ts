import { describe, expect, it } from 'vitest';
import { isRewrittenPath, pathCrumbs, resolveUserPath } from './user-path';

describe('resolveUserPath', () => {
  it('expands ~ and ~/x, and puts relative paths in the home folder, not the app\'s working directory', () => {
    expect(resolveUserPath('~', '/home/ana')).toBe('/home/ana');
    expect(resolveUserPath('  ~/src/shop/ ', '/home/ana')).toBe('/home/ana/src/shop');
    expect(resolveUserPath('src/shop', '/home/ana/')).toBe('/home/ana/src/shop');
    expect(resolveUserPath('./src/../x', '/home/ana')).toBe('/home/ana/x');
    expect(resolveUserPath('/srv//app/.', '/home/ana')).toBe('/srv/app');
    // `~user` is another user's home in a shell; Stowage does not guess it: it stays a name under home.
    expect(resolveUserPath('~bob/x', '/home/ana')).toBe('/home/ana/~bob/x');
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
