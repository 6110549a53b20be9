import type { GitCommit } from './types';

/**
 * The commit graph in flat typed arrays: the history walk visits every commit of 500 branches for
 * each image, so lookups must not allocate.
 */
export interface CommitGraph {
  size: number;
  index: Map<string, number>;
  hashes: string[];
  dateMs: Float64Array;
  /** Parents of commit i are parentList[parentStart[i] .. parentStart[i + 1]). */
  parentStart: Int32Array;
  parentList: Int32Array;
}

/** Per commit list (snapshots are never mutated): re-planning with the same git read reuses its graph. */
const graphCache = new WeakMap<readonly GitCommit[], CommitGraph>();

export function buildCommitGraph(commits: readonly GitCommit[]): CommitGraph {
  let graph = graphCache.get(commits);
  if (!graph) {
    graph = buildUncached(commits);
    graphCache.set(commits, graph);
  }
  return graph;
}

function buildUncached(commits: readonly GitCommit[]): CommitGraph {
  const index = new Map<string, number>();
  const hashes: string[] = [];
  for (const c of commits) {
    if (index.has(c.hash)) continue;
    index.set(c.hash, hashes.length);
    hashes.push(c.hash);
  }
  const size = hashes.length;
  const dateMs = new Float64Array(size);
  const parentStart = new Int32Array(size + 1);
  const parents: number[] = [];
  const seen = new Set<string>();
  let n = 0;
  for (const c of commits) {
    if (seen.has(c.hash)) continue;
    seen.add(c.hash);
    dateMs[n] = Date.parse(c.date);
    parentStart[n] = parents.length;
    // A parent outside the snapshot (shallow boundary) ends the walk there.
    for (const p of c.parents) {
      const pi = index.get(p);
      if (pi !== undefined) parents.push(pi);
    }
    n++;
  }
  parentStart[size] = parents.length;
  return { size, index, hashes, dateMs, parentStart, parentList: Int32Array.from(parents) };
}
