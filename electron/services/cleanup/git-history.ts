import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { GitCommit, GitRef, GitSnapshot } from '../../../shared/cleanup/types';
import { runGit, type GitError, type GitResult } from '../git/safe-git';

/**
 * The project's git history as the cleanup planner needs it: origin's branches and the tags with
 * their dates, every commit reachable from them with parents and committer dates, and the facts
 * that change what a plan may conclude (shallow clone, no origin, when origin was last fetched).
 * Every call goes through the safe git runner: a project's .git/config runs nothing here.
 */

export interface ReadGitOptions {
  signal?: AbortSignal;
  /** Commits named by werf `git-commit` tags: their existence is checked even when no ref reaches them. */
  commitsToCheck?: readonly string[];
  /** Per git process; history of a big repository takes longer than a status call. */
  timeoutMs?: number;
}

export type GitSnapshotResult = { ok: true; snapshot: GitSnapshot } | { ok: false; error: GitError };

const HISTORY_TIMEOUT_MS = 60_000;
const MAX_HISTORY_BYTES = 256 * 1024 * 1024;
const FULL_HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const CHECK_CHUNK = 200;

export async function readGitSnapshot(dir: string, options: ReadGitOptions = {}): Promise<GitSnapshotResult> {
  const run = (args: string[], big = false): Promise<GitResult> =>
    runGit(args, {
      cwd: dir,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(big ? { timeoutMs: options.timeoutMs ?? HISTORY_TIMEOUT_MS, maxOutputBytes: MAX_HISTORY_BYTES } : {}),
    });

  const commonDir = await run(['rev-parse', '--git-common-dir']);
  if (!commonDir.ok) return { ok: false, error: { ...commonDir.error, hint: commonDir.error.hint ?? 'Open the folder of a git repository (werf needs one for cleanup).' } };
  const [shallow, remotes, head, refsOut] = await Promise.all([
    run(['rev-parse', '--is-shallow-repository']),
    run(['remote']),
    run(['rev-parse', '--verify', '-q', 'HEAD']),
    run([
      'for-each-ref',
      '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(taggerdate:iso-strict)%00%(committerdate:iso-strict)%00%(*committerdate:iso-strict)',
      'refs/remotes/origin',
      'refs/tags',
    ], true),
  ]);
  if (!refsOut.ok) return { ok: false, error: refsOut.error };
  const hasOrigin = remotes.ok && remotes.stdout.split('\n').some((l) => l.trim() === 'origin');
  const refs = parseRefs(refsOut.stdout);

  let commits: GitCommit[] = [];
  if (refs.length > 0) {
    // Only origin's branches and the tags: werf scans nothing else, and local branches must not keep anything.
    const log = await run(['log', '--remotes=origin', '--tags', '--format=%H%x1f%cI%x1f%P'], true);
    if (!log.ok) return { ok: false, error: log.error };
    commits = parseLog(log.stdout);
  }

  const snapshot: GitSnapshot = { refs, commits, shallow: shallow.ok && shallow.stdout.trim() === 'true', hasOrigin };
  if (head.ok && head.stdout.trim()) snapshot.head = head.stdout.trim();

  const known = new Set(commits.map((c) => c.hash));
  const toCheck = [...new Set(options.commitsToCheck ?? [])].filter((h) => !known.has(h));
  if (toCheck.length > 0) snapshot.commitExists = await checkCommits(toCheck, run);

  const fetchHead = await lastFetch(dir, commonDir.stdout.trim());
  if (fetchHead !== undefined) snapshot.lastFetch = fetchHead;
  return { ok: true, snapshot };
}

function isoUtc(s: string): string | null {
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function parseRefs(out: string): GitRef[] {
  const refs: GitRef[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [name, type, object, peeledType, peeled, taggerDate, committerDate, peeledDate] = line.split('\0');
    if (!name || !object) continue;
    if (name.startsWith('refs/remotes/origin/')) {
      const branch = name.slice('refs/remotes/origin/'.length);
      // origin/HEAD only names another branch.
      if (branch === 'HEAD' || type !== 'commit') continue;
      const date = isoUtc(committerDate ?? '');
      if (date) refs.push({ kind: 'branch', name: branch, commit: object, date });
    } else if (name.startsWith('refs/tags/')) {
      const tag = name.slice('refs/tags/'.length);
      if (type === 'commit') {
        const date = isoUtc(committerDate ?? '');
        if (date) refs.push({ kind: 'tag', name: tag, commit: object, date });
      } else if (type === 'tag' && peeledType === 'commit' && peeled) {
        // Annotated: werf dates it by the tagger, and scans the tagged commit.
        const date = isoUtc(taggerDate ?? '') ?? isoUtc(peeledDate ?? '');
        if (date) refs.push({ kind: 'tag', name: tag, commit: peeled, date });
      }
    }
  }
  return refs.sort((a, b) => (a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function parseLog(out: string): GitCommit[] {
  const commits: GitCommit[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [hash, date, parents] = line.split('\x1f');
    if (!hash || !date) continue;
    const iso = isoUtc(date);
    if (!iso) continue;
    commits.push({ hash, date: iso, parents: parents ? parents.split(' ').filter(Boolean) : [] });
  }
  return commits;
}

/**
 * Which of these full hashes name a commit in the object database. Tag labels come from the
 * registry (untrusted), so only full hex hashes ever reach git's command line.
 */
async function checkCommits(hashes: string[], run: (args: string[], big?: boolean) => Promise<GitResult>): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  const valid = hashes.filter((h) => FULL_HASH.test(h));
  for (const h of hashes) if (!FULL_HASH.test(h)) out[h] = false;
  for (let i = 0; i < valid.length; i += CHECK_CHUNK) {
    const chunk = valid.slice(i, i + CHECK_CHUNK);
    const r = await run(['rev-list', '--no-walk', '--ignore-missing', ...chunk], true);
    if (!r.ok) continue; // unknown: the planner keeps what it cannot check
    const found = new Set(r.stdout.split('\n').map((l) => l.trim()));
    for (const h of chunk) out[h] = found.has(h);
  }
  return out;
}

async function lastFetch(dir: string, commonDir: string): Promise<string | undefined> {
  const path = join(isAbsolute(commonDir) ? commonDir : join(dir, commonDir), 'FETCH_HEAD');
  try {
    return (await stat(path)).mtime.toISOString();
  } catch {
    return undefined;
  }
}
