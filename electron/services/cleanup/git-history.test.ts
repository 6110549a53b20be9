import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readGitSnapshot } from './git-history';
import { GitFixture } from './testing/git-fixture';

let fx: GitFixture | null = null;
afterEach(() => {
  fx?.remove();
  fx = null;
});

describe('readGitSnapshot', () => {
  it('reads origin branches and tags with werf\'s dates, the commit graph, and fetch facts', async () => {
    fx = new GitFixture();
    const c1 = fx.commit('2025-01-01T10:00:00Z');
    const c2 = fx.commit('2025-01-02T10:00:00Z');
    fx.pushBranch('main');
    fx.checkout('feature/login', c1);
    const c3 = fx.commit('2025-01-03T10:00:00Z');
    fx.pushBranch('feature/login');
    fx.tag('v1.0', c1);
    fx.tag('v2.0', c2, '2025-03-01T00:00:00Z');
    fx.checkout('local-only', c3);
    fx.commit('2025-01-04T10:00:00Z');
    fx.fetch();

    const r = await readGitSnapshot(fx.work);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.snapshot;
    expect(s.refs).toEqual([
      { kind: 'branch', name: 'feature/login', commit: c3, date: '2025-01-03T10:00:00.000Z' },
      { kind: 'branch', name: 'main', commit: c2, date: '2025-01-02T10:00:00.000Z' },
      { kind: 'tag', name: 'v1.0', commit: c1, date: '2025-01-01T10:00:00.000Z' },
      // annotated: the tagger date, the peeled commit
      { kind: 'tag', name: 'v2.0', commit: c2, date: '2025-03-01T00:00:00.000Z' },
    ]);
    // Only what origin's branches and the tags reach; the local-only commit is not there.
    expect(s.commits.map((c) => c.hash).sort()).toEqual([c1, c2, c3].sort());
    expect(s.commits.find((c) => c.hash === c3)).toEqual({ hash: c3, parents: [c1], date: '2025-01-03T10:00:00.000Z' });
    expect(s.hasOrigin).toBe(true);
    expect(s.shallow).toBe(false);
    expect(s.lastFetch).toMatch(/^\d{4}-/);
  });

  it('checks the existence of commits named by tags, refusing anything but full hashes', async () => {
    fx = new GitFixture();
    const c1 = fx.commit('2025-01-01T10:00:00Z');
    fx.checkout('tmp', c1);
    const dangling = fx.commit('2025-01-02T10:00:00Z');
    fx.checkout('main');
    const missing = 'f'.repeat(40);
    const r = await readGitSnapshot(fx.work, { commitsToCheck: [dangling, missing, '--output=/tmp/x', c1] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.snapshot.hasOrigin).toBe(true);
    expect(r.snapshot.refs).toEqual([]);
    expect(r.snapshot.commitExists).toEqual({ [dangling]: true, [missing]: false, '--output=/tmp/x': false, [c1]: true });
    expect(r.snapshot.lastFetch).toBeUndefined();
  });

  it('says when there is no origin and when the clone is shallow', async () => {
    fx = new GitFixture();
    fx.commit('2025-01-01T10:00:00Z');
    fx.commit('2025-01-02T10:00:00Z');
    fx.pushBranch('main');
    fx.git(fx.work, ['remote', 'remove', 'origin']);
    const noOrigin = await readGitSnapshot(fx.work);
    expect(noOrigin.ok && noOrigin.snapshot.hasOrigin).toBe(false);

    const shallowDir = join(fx.root, 'shallow');
    fx.git(fx.root, ['clone', '-q', '--depth', '1', `file://${fx.origin}`, shallowDir]);
    const shallow = await readGitSnapshot(shallowDir);
    expect(shallow.ok).toBe(true);
    if (!shallow.ok) return;
    expect(shallow.snapshot.shallow).toBe(true);
    expect(shallow.snapshot.commits).toHaveLength(1);
    expect(shallow.snapshot.commits[0]!.parents).toEqual([]);
  });

  it('fails as data outside a repository', async () => {
    fx = new GitFixture();
    const r = await readGitSnapshot(fx.root);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.hint).toBeTruthy();
  });
});
