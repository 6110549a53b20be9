import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDirectory } from './directory-browser';

const home = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-browse-')));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('listDirectory', () => {
  it('takes a typed ~ or relative path as the home folder does in a shell, and marks werf projects', async () => {
    mkdirSync(join(home, 'src', 'shop'), { recursive: true });
    mkdirSync(join(home, 'src', 'notes'), { recursive: true });
    writeFileSync(join(home, 'src', 'shop', 'werf.yaml'), 'project: shop\nconfigVersion: 1\n');
    const listing = await listDirectory('~/src', home);
    expect(listing.path).toBe(join(home, 'src'));
    expect(listing.parent).toBe(home);
    expect(listing.entries).toEqual([
      { name: 'notes', isDirectory: true, hasWerfConfig: false },
      { name: 'shop', isDirectory: true, hasWerfConfig: true },
    ]);
    expect((await listDirectory('src', home)).path).toBe(join(home, 'src'));
    expect((await listDirectory('~', home)).path).toBe(home);
    await expect(listDirectory('~/missing', home)).rejects.toMatchObject({ message: expect.stringContaining(join(home, 'missing')) });
  });

  it('~name is the home folder for the account it runs as; any other name is refused, never listed as a folder named ~name', async () => {
    mkdirSync(join(home, 'src'), { recursive: true });
    mkdirSync(join(home, '~zed-no-such-user', 'x'), { recursive: true });
    expect((await listDirectory('~ana/src', home, 'ana')).path).toBe(join(home, 'src'));
    for (const typed of ['~zed-no-such-user/x', '~zed-no-such-user']) {
      await expect(listDirectory(typed, home, 'ana')).rejects.toMatchObject({ code: 'other-account-path', message: expect.stringContaining('only for your own account (ana)') });
    }
  });
});
