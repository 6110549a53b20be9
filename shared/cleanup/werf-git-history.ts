import { buildCommitGraph, type CommitGraph } from './commit-graph';
import { referenceMatcher } from './go-match';
import { defaultKeepPolicies, describeKeepPolicy, limitInMs } from './keep-policies';
import { imageLabel, isOrdinaryTag, isWerfImageTag, type PolicyContext, type PolicyResult, type Verdict } from './policy-context';
import type { GitRef, PlanKeepPolicy, WerfGitHistoryPolicy, WerfMetadataRecord } from './types';

/**
 * werf's git-history-based cleanup (werf.md §6.3; werf's ReferencesToScan and the commit history
 * scanner): pick the origin branches and tags the keepPolicies keep, walk each one's history
 * breadth-first through parents, and keep the images whose metadata commit is reached. Where werf
 * would delete on a guess (no metadata, no origin, a shallow clone) this keeps, with the reason.
 *
 * Known difference: once a reference reaches every expected image werf still drains part of the
 * queue; this stops at once. It can only change which of a signature's several commits counts as
 * its latest, never whether the signature is reached.
 */

interface ScanRef {
  ref: GitRef;
  head: number;
  dateMs: number;
  /** Tags are scanned at depth 1 (the tagged commit only). */
  depthLimit: number;
  /** imagesPerReference of the last policy that selected the reference (werf shares the object). */
  ipr: { last?: number; inMs?: number; operator?: 'And' | 'Or' };
  policyIndex: number;
}

interface ImageSignatures {
  /** signature id → commits (graph indexes) that exist. */
  commitsOf: number[][];
  names: string[];
  /** signature id → reason text for the reference that reached it. */
  reachedBy: (string | undefined)[];
}

export function runWerfGitHistory(policy: WerfGitHistoryPolicy, ctx: PolicyContext): PolicyResult {
  const { tags, git, werfMetadata, nowMs } = ctx;
  const verdicts: (Verdict | undefined)[] = new Array(tags.length).fill(undefined);
  const warnings: PolicyResult['warnings'] = [];
  const keepPolicies = policy.keepPolicies && policy.keepPolicies.length > 0 ? policy.keepPolicies : defaultKeepPolicies(policy.defaultsFor ?? 'v2');

  // Which records describe which tags, per image.
  const records = werfMetadata?.records ?? [];
  const unreadable = new Map<string, string>();
  for (const u of werfMetadata?.unreadable ?? []) unreadable.set(imageKey(u.image), u.reason);
  // image → signature (or bound tag) → records. Nested maps rather than "image\0signature" keys:
  // looking up 20,000 tags would otherwise build and hash 20,000 new strings several times a plan.
  const bySignature = new Map<string, Map<string, WerfMetadataRecord[]>>();
  const byBoundTag = new Map<string, Map<string, WerfMetadataRecord[]>>();
  for (const r of records) {
    pushTo2(bySignature, imageKey(r.image), r.signature, r);
    for (const t of r.tags ?? []) pushTo2(byBoundTag, imageKey(r.image), t, r);
  }

  /** The signature a tag belongs to: v1.1 label, v1.2 stage id as tag name, or a bound custom tag. */
  const signatureOf = (i: number): string | undefined => {
    const t = tags[i]!;
    const key = imageKey(t.image);
    const signatures = bySignature.get(key);
    const label = t.labels?.['werf-content-signature'];
    if (label !== undefined && signatures?.has(label)) return label;
    if (signatures?.has(t.tag)) return t.tag;
    const bound = byBoundTag.get(key)?.get(t.tag);
    if (bound) return bound[0]!.signature;
    return label;
  };

  const graph = git ? buildCommitGraph(git.commits) : null;
  const refsToScan = git && graph && git.hasOrigin ? referencesToScan(git.refs, graph, keepPolicies, nowMs) : [];

  // Candidate tags per image.
  const candidates = new Map<string, { i: number; signature: string }[]>();
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i]!;
    if (!isOrdinaryTag(t)) continue;
    const key = imageKey(t.image);
    const bound = byBoundTag.get(key)?.has(t.tag) === true;
    if (!isWerfImageTag(t) && !bound) {
      verdicts[i] = { action: 'keep', reason: { rule: 'not-werf', text: 'werf did not publish this tag (no werf-image label and no werf metadata names it), so werf\'s policy never touches it.' } };
      continue;
    }
    if (t.image === undefined) {
      verdicts[i] = { action: 'keep', reason: { rule: 'metadata-missing', text: 'Which werf image this tag belongs to is unknown, so its commit metadata cannot be looked up.' } };
      continue;
    }
    const bad = unreadable.get(key);
    if (bad !== undefined) {
      verdicts[i] = { action: 'keep', reason: { rule: 'metadata-unreadable', text: `werf's commit metadata of ${imageLabel(t.image)} could not be read (${bad}); nothing is deleted on a guess.` } };
      continue;
    }
    const signature = signatureOf(i);
    if (signature === undefined || bySignature.get(key)?.has(signature) !== true) {
      verdicts[i] = {
        action: 'keep',
        reason: { rule: 'metadata-missing', text: `No werf commit metadata names this tag's content${signature ? ` (${short(signature)})` : ''}; werf v1.2 would delete it, Stowage keeps it.` },
      };
      continue;
    }
    if (!git || !graph) {
      verdicts[i] = { action: 'keep', reason: { rule: 'git-unavailable', text: 'The project has no readable git repository, so its history cannot be walked.' } };
      continue;
    }
    if (!git.hasOrigin) {
      verdicts[i] = { action: 'keep', reason: { rule: 'git-unavailable', text: 'The repository has no origin remote: werf scans only origin\'s branches and tags, so nothing can be judged.' } };
      continue;
    }
    pushTo(candidates, key, { i, signature });
  }

  for (const [key, list] of candidates) {
    const recordsOf = bySignature.get(key)!;
    const sigIds = new Map<string, number>();
    const sig: ImageSignatures = { commitsOf: [], names: [], reachedBy: [] };
    for (const { signature } of list) {
      if (sigIds.has(signature)) continue;
      sigIds.set(signature, sig.names.length);
      sig.names.push(signature);
      const commits: number[] = [];
      for (const r of recordsOf.get(signature) ?? []) {
        const ci = graph!.index.get(r.commit);
        if (ci !== undefined && !commits.includes(ci)) commits.push(ci);
      }
      sig.commitsOf.push(commits);
      sig.reachedBy.push(undefined);
    }
    scanImage(graph!, refsToScan, sig, keepPolicies, nowMs);
    for (const { i, signature } of list) {
      const id = sigIds.get(signature)!;
      const by = sig.reachedBy[id];
      if (by !== undefined) {
        verdicts[i] = { action: 'keep', reason: { rule: 'keep-policy', text: by } };
      } else if (git!.shallow) {
        verdicts[i] = { action: 'keep', reason: { rule: 'git-unavailable', text: 'Not reached, but the clone is shallow: the history that would reach it may be missing (werf refuses shallow clones without --allow-git-shallow-clone).' } };
      } else if (sig.commitsOf[id]!.length === 0) {
        verdicts[i] = { action: 'delete', reason: { rule: 'unreached', text: `Every commit ${imageLabel(tags[i]!.image)} was built from for this content is gone from git.` } };
      } else {
        verdicts[i] = { action: 'delete', reason: { rule: 'unreached', text: 'Its commit is not reached from any origin branch or tag the keep policies keep.' } };
      }
    }
  }

  if (git && !git.hasOrigin) warnings.push({ code: 'git-no-origin', message: 'The repository has no remote named origin; werf scans only origin\'s branches, so werf tags are all kept.', hint: 'Add the origin remote and fetch it.' });
  return { verdicts, warnings };
}

function imageKey(image: string | null | undefined): string {
  return image === null || image === undefined ? '\u0000nameless' : image;
}

function pushTo<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

function pushTo2<T>(m: Map<string, Map<string, T[]>>, outer: string, inner: string, v: T): void {
  let sub = m.get(outer);
  if (!sub) m.set(outer, (sub = new Map()));
  pushTo(sub, inner, v);
}

function short(s: string): string {
  return s.length > 16 ? `${s.slice(0, 12)}…` : s;
}

function cmpRefs(a: ScanRef, b: ScanRef): number {
  if (a.dateMs !== b.dateMs) return b.dateMs - a.dateMs;
  return a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0;
}

/** werf's ReferencesToScan: every policy selects and limits its references; later policies win the per-reference settings. */
export function referencesToScan(refs: readonly GitRef[], graph: CommitGraph, policies: readonly PlanKeepPolicy[], nowMs: number): ScanRef[] {
  const branches: ScanRef[] = [];
  const gitTags: ScanRef[] = [];
  for (const ref of refs) {
    const head = graph.index.get(ref.commit);
    if (head === undefined) continue;
    const s: ScanRef = { ref, head, dateMs: Date.parse(ref.date), depthLimit: ref.kind === 'tag' ? 1 : -1, ipr: {}, policyIndex: -1 };
    (ref.kind === 'tag' ? gitTags : branches).push(s);
  }
  let resultBranches: ScanRef[] = [];
  let resultTags: ScanRef[] = [];
  for (const [pi, p] of policies.entries()) {
    const isBranch = p.references.branch !== undefined;
    const match = referenceMatcher((p.references.branch ?? p.references.tag)!);
    let selected = (isBranch ? branches : gitTags).filter((r) => match(r.ref.name));
    selected = applyReferencesLimit(selected, p, nowMs);
    const ipr = p.imagesPerReference;
    for (const r of selected) {
      r.ipr = ipr ? { ...(ipr.last !== undefined ? { last: ipr.last } : {}), ...(limitInMs(ipr) !== undefined ? { inMs: limitInMs(ipr)! } : {}), ...(ipr.operator ? { operator: ipr.operator } : {}) } : {};
      r.policyIndex = pi;
    }
    if (isBranch) resultBranches = merge(resultBranches, selected);
    else resultTags = merge(resultTags, selected);
  }
  resultBranches.sort(cmpRefs);
  resultTags.sort(cmpRefs);
  return [...resultBranches, ...resultTags];
}

function applyReferencesLimit(refs: ScanRef[], p: PlanKeepPolicy, nowMs: number): ScanRef[] {
  const limit = p.references.limit;
  if (!limit) return refs;
  const inMs = limitInMs(limit);
  const byIn = inMs !== undefined ? refs.filter((r) => r.dateMs > nowMs - inMs) : [];
  let byLast: ScanRef[] = [];
  if (limit.last !== undefined) {
    const sorted = [...refs].sort(cmpRefs);
    byLast = limit.last === -1 ? sorted : sorted.slice(0, limit.last);
  }
  if (inMs === undefined) return limit.last !== undefined ? byLast : refs;
  if (limit.last === undefined) return byIn;
  if (limit.operator === 'Or') return merge(byIn, byLast);
  const inSet = new Set(byIn);
  return byLast.filter((r) => inSet.has(r));
}

/** werf's mergeReferences: the new list, then the old ones it lacks. */
function merge(old: ScanRef[], added: ScanRef[]): ScanRef[] {
  const set = new Set(added);
  return [...added, ...old.filter((r) => !set.has(r))];
}

/** Scratch arrays reused across scans of one graph. */
interface Scratch {
  visited: Int32Array;
  stamp: number;
  stop: Uint8Array;
  /** commit → first signature id + 1 (0 = none); more in `extra`. */
  sigAt: Int32Array;
  extra: Map<number, number[]>;
  /** The walk's FIFO queue and each entry's depth: a commit is expanded once, so 1 + edges entries suffice. */
  queue: Int32Array;
  queueDepth: Int32Array;
}

function scanImage(graph: CommitGraph, refs: readonly ScanRef[], sig: ImageSignatures, policies: readonly PlanKeepPolicy[], nowMs: number): void {
  const scratch: Scratch = {
    visited: new Int32Array(graph.size),
    stamp: 0,
    stop: new Uint8Array(graph.size),
    sigAt: new Int32Array(graph.size),
    extra: new Map(),
    queue: new Int32Array(graph.parentList.length + 1),
    queueDepth: new Int32Array(graph.parentList.length + 1),
  };
  for (let s = 0; s < sig.commitsOf.length; s++) {
    for (const c of sig.commitsOf[s]!) {
      if (scratch.sigAt[c] === 0) scratch.sigAt[c] = s + 1;
      else pushNum(scratch.extra, c, s);
    }
  }
  const total = sig.commitsOf.filter((c) => c.length > 0).length;
  if (total === 0) return;

  const expectedSince = new Map<number, number>();
  // werf scans the list from its end: the oldest tags first, then the oldest branches.
  for (let k = refs.length - 1; k >= 0; k--) {
    const ref = refs[k]!;
    const { last, inMs, operator } = ref.ipr;
    // A commit counts only when within `in`, unless `last` Or `in` lets old ones through.
    const commitFilter = inMs !== undefined && (last === undefined || operator !== 'Or');
    const minDate = inMs !== undefined ? nowMs - inMs : -Infinity;
    let expected = total;
    let filtered = false;
    if (commitFilter) {
      // Depends only on the cut-off date, which most references share.
      let count = expectedSince.get(minDate);
      if (count === undefined) {
        count = 0;
        for (const commits of sig.commitsOf) if (commits.some((c) => graph.dateMs[c]! > minDate)) count++;
        expectedSince.set(minDate, count);
      }
      expected = count;
      filtered = expected !== total;
    }
    if (expected === 0) continue;

    // signature id → latest reached commit
    const reached = new Map<number, number>();
    const reachedOrder: number[] = [];
    const stamp = ++scratch.stamp;
    // Breadth-first through one FIFO queue: the same visiting order as walking level by level, but
    // no array per level (a linear history has one commit per level, thousands of levels per walk).
    const { queue, queueDepth } = scratch;
    let qHead = 0;
    let qTail = 0;
    queue[qTail] = ref.head;
    queueDepth[qTail++] = 1;
    while (qHead < qTail) {
      const c = queue[qHead]!;
      const depth = queueDepth[qHead++]!;
      if (scratch.visited[c] === stamp) continue;
      if (scratch.stop[c] === 1) continue;
      const first = scratch.sigAt[c]!;
      if (first !== 0 && !(commitFilter && graph.dateMs[c]! <= minDate)) {
        const hit = (s: number): void => {
          const prev = reached.get(s);
          if (prev === undefined || graph.dateMs[c]! > graph.dateMs[prev]!) reached.set(s, c);
        };
        hit(first - 1);
        for (const s of scratch.extra.get(c) ?? []) hit(s);
        reachedOrder.push(c);
      }
      scratch.visited[c] = stamp;
      if (depth === ref.depthLimit) continue;
      if (reached.size >= expected) break;
      for (let p = graph.parentStart[c]!; p < graph.parentStart[c + 1]!; p++) {
        queue[qTail] = graph.parentList[p]!;
        queueDepth[qTail++] = depth + 1;
      }
    }

    let kept: number[] = [...reached.keys()];
    let addStop = false;
    if (last !== undefined && last !== -1 && reached.size > last) {
      const latest = [...reached.entries()].sort((a, b) => graph.dateMs[b[1]]! - graph.dateMs[a[1]]! || a[0] - b[0]);
      const byLast = latest.slice(0, last).map(([s]) => s);
      if (inMs === undefined) kept = byLast;
      else {
        const byIn = latest.filter(([, c]) => graph.dateMs[c]! > minDate).map(([s]) => s);
        kept = operator === 'Or' ? [...new Set([...byIn, ...byLast])] : byLast.filter((s) => byIn.includes(s));
      }
    } else if (!(last !== undefined && last !== -1 && reached.size === last) && !filtered) {
      addStop = reached.size === expected && reachedOrder.length > 0;
    }
    if (addStop) scratch.stop[reachedOrder[reachedOrder.length - 1]!] = 1;

    const why = `Reached from ${ref.ref.kind === 'branch' ? 'branch' : 'tag'} ${ref.ref.name} by ${describeKeepPolicy(policies[ref.policyIndex]!, ref.policyIndex)}.`;
    for (const s of kept) if (sig.reachedBy[s] === undefined) sig.reachedBy[s] = why;
  }
}

function pushNum(m: Map<number, number[]>, k: number, v: number): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
