import { dockerTag } from '../naming/slug';
import { DAY_MS, isOrdinaryTag, isWerfImageTag, type PolicyContext, type PolicyResult, type Verdict } from './policy-context';
import type { StrategyLimit, WerfTagStrategyPolicy } from './types';

/**
 * werf v1.1's tag-strategy cleanup (werf.md §6.4, `--git-history-based-cleanup=false`): a tag made
 * for a git branch, tag or commit is stale once that branch, tag or commit is gone; then, per
 * strategy and image, an expiry and a limit by image creation time. `custom` tags and tags werf did
 * not label are never touched.
 *
 * The git name is compared with the tag's `werf-image-tag` label (werf's "meta tag", the tag
 * without the monorepo image prefix), falling back to the tag itself, as werf does.
 */
export function runWerfTagStrategy(policy: WerfTagStrategyPolicy, ctx: PolicyContext): PolicyResult {
  const { tags, git } = ctx;
  const verdicts: (Verdict | undefined)[] = new Array(tags.length).fill(undefined);
  const warnings: PolicyResult['warnings'] = [];

  const branchTags = new Map<string, string>();
  const gitTagTags = new Map<string, string>();
  const knownCommits = new Set<string>();
  if (git) {
    for (const r of git.refs) (r.kind === 'branch' ? branchTags : gitTagTags).set(dockerTag(r.name), r.name);
    for (const c of git.commits) knownCommits.add(c.hash);
  }
  const commitExists = (hash: string): boolean | undefined => {
    if (knownCommits.has(hash)) return true;
    const answer = git?.commitExists?.[hash];
    return answer;
  };

  // Survivors of the existence check, per strategy and image, for the expiry and limit.
  const survivors = new Map<string, number[]>();

  for (let i = 0; i < tags.length; i++) {
    const t = tags[i]!;
    if (!isOrdinaryTag(t)) continue;
    const strategy = t.labels?.['werf-tag-strategy'];
    if (strategy === undefined || !isWerfImageTag(t)) {
      verdicts[i] = { action: 'keep', reason: { rule: 'not-werf', text: 'werf did not publish this tag with a tagging strategy (no werf-tag-strategy label), so this policy never touches it.' } };
      continue;
    }
    const meta = t.labels?.['werf-image-tag'] ?? t.tag;
    if (strategy === 'git-branch' || strategy === 'git-tag' || strategy === 'git-commit') {
      if (!git) {
        verdicts[i] = { action: 'keep', reason: { rule: 'git-unavailable', text: 'The project has no readable git repository, so whether its git source still exists cannot be told.' } };
        continue;
      }
    }
    if (strategy === 'git-branch') {
      if (!git!.hasOrigin) {
        verdicts[i] = { action: 'keep', reason: { rule: 'git-unavailable', text: `The repository has no origin remote, so whether the branch behind "${meta}" still exists cannot be told.` } };
        continue;
      }
      const branch = branchTags.get(meta);
      if (branch === undefined) {
        verdicts[i] = { action: 'delete', reason: { rule: 'git-branch-deleted', text: `No origin branch slugs to "${meta}": its branch was deleted from origin.` } };
      } else {
        verdicts[i] = { action: 'keep', reason: { rule: 'git-branch-exists', text: `Branch ${branch} still exists on origin.` } };
        push(survivors, `git-branch\0${t.image ?? ''}`, i);
      }
    } else if (strategy === 'git-tag') {
      const gitTag = gitTagTags.get(meta);
      if (gitTag === undefined) {
        verdicts[i] = { action: 'delete', reason: { rule: 'git-tag-deleted', text: `No git tag slugs to "${meta}": the git tag was deleted.` } };
      } else {
        verdicts[i] = { action: 'keep', reason: { rule: 'git-tag-exists', text: `Git tag ${gitTag} still exists.` } };
        push(survivors, `git-tag\0${t.image ?? ''}`, i);
      }
    } else if (strategy === 'git-commit') {
      const exists = commitExists(meta);
      if (exists === true) {
        verdicts[i] = { action: 'keep', reason: { rule: 'git-commit-exists', text: `Commit ${meta.slice(0, 12)} still exists in the repository.` } };
        push(survivors, `git-commit\0${t.image ?? ''}`, i);
      } else if (git!.shallow) {
        verdicts[i] = { action: 'keep', reason: { rule: 'git-unavailable', text: `Commit ${meta.slice(0, 12)} is not in this shallow clone; it may exist in the full history, so the tag is kept.` } };
      } else {
        verdicts[i] = { action: 'delete', reason: { rule: 'git-commit-deleted', text: `Commit ${meta.slice(0, 12)} no longer exists in the repository.` } };
      }
    } else {
      verdicts[i] = { action: 'keep', reason: { rule: 'werf-custom-tag', text: `werf never cleans "${strategy}" tags with the tag-strategy policy.` } };
    }
  }

  for (const [key, indexes] of survivors) {
    const strategy = key.slice(0, key.indexOf('\0')) as 'git-branch' | 'git-tag' | 'git-commit';
    const limit = strategy === 'git-branch' ? policy.gitBranch : strategy === 'git-tag' ? policy.gitTag : policy.gitCommit;
    applyLimit(limit, strategy, indexes, ctx, verdicts);
  }
  return { verdicts, warnings };
}

function push(m: Map<string, number[]>, key: string, i: number): void {
  const list = m.get(key);
  if (list) list.push(i);
  else m.set(key, [i]);
}

/**
 * Expiry first (created before now − days), then the limit over what did not expire, oldest
 * deleted first (werf's repoImagesCleanupByPolicy). A tag with no known creation time is never
 * expired and counts as newest, the safe side.
 */
function applyLimit(limit: StrategyLimit | undefined, strategy: string, indexes: number[], ctx: PolicyContext, verdicts: (Verdict | undefined)[]): void {
  if (!limit) return;
  const hasExpiry = limit.expiryDays !== undefined && limit.expiryDays >= 0;
  const hasLimit = limit.limit !== undefined && limit.limit >= 0;
  const sorted = [...indexes].sort((a, b) => cmpBuilt(ctx, a, b));
  const notExpired: number[] = [];
  for (const i of sorted) {
    const at = ctx.builtAt[i]!;
    if (hasExpiry && at < ctx.nowMs - limit.expiryDays! * DAY_MS) {
      verdicts[i] = { action: 'delete', reason: { rule: 'strategy-expiry', text: `Built more than ${limit.expiryDays} days ago; ${strategy} images expire after ${limit.expiryDays} days.` } };
    } else notExpired.push(i);
  }
  if (hasLimit && notExpired.length > limit.limit!) {
    const excess = notExpired.length - limit.limit!;
    for (const i of notExpired.slice(0, excess)) {
      verdicts[i] = { action: 'delete', reason: { rule: 'strategy-limit', text: `Only the ${limit.limit} newest ${strategy} images of this image are kept; this one is older.` } };
    }
  }
}

/** Oldest first; unknown times sort last (treated as newest); ties by tag name for determinism. */
function cmpBuilt(ctx: PolicyContext, a: number, b: number): number {
  const ta = ctx.builtAt[a]!;
  const tb = ctx.builtAt[b]!;
  const na = Number.isNaN(ta);
  const nb = Number.isNaN(tb);
  if (na !== nb) return na ? 1 : -1;
  if (!na && ta !== tb) return ta - tb;
  const x = ctx.tags[a]!;
  const y = ctx.tags[b]!;
  return x.repository < y.repository ? -1 : x.repository > y.repository ? 1 : x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : 0;
}
