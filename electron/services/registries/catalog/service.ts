import type { CatalogRepository, CatalogResult, TagCount } from '../../../../shared/api/registries';
import { UserError } from '../../../../shared/api/result';
import type { RegistrySettings } from '../../../../shared/credentials/types';
import { detectImplementation } from '../../../../shared/registry/detect';
import type { Implementation } from '../../../../shared/registry/implementations';
import { openSession, type SessionInput } from '../../cleanup/execute/session';
import type { ResolvedCredential } from '../../credentials/types';
import { listTagsViaRegistryApi } from '../../inventory/registry-api';
import type { DriverContext, DriverFailure } from '../../inventory/types';
import { CATALOG_REFUSED_HINT, MAX_CATALOG_REPOSITORIES } from './common';

export interface CatalogTarget {
  registry: string;
  implementation: Implementation;
  credential: ResolvedCredential | null;
  settings: RegistrySettings | undefined;
}

export interface CatalogOptions {
  signal: AbortSignal;
  /** Where to list (see CatalogRequest.namespace); also filters the result to that prefix. */
  namespace?: string | undefined;
  /** The registry's recent images repos: the default namespace for lists that need one. */
  recentRepos?: readonly string[];
  /** Repositories as they arrive, with the running total. */
  onRepositories(repositories: CatalogRepository[], listed: number): void;
  httpOptions?: SessionInput['httpOptions'];
  maxRepositories?: number;
}

/** The repository path of an images repo on this registry (`host/team/app` → `team/app`). */
function pathOf(imagesRepo: string): string | undefined {
  const slash = imagesRepo.indexOf('/');
  return slash > 0 ? imagesRepo.slice(slash + 1) : undefined;
}

function session(target: CatalogTarget, signal: AbortSignal, httpOptions: SessionInput['httpOptions'] | undefined) {
  return openSession({
    registry: target.registry,
    implementation: target.implementation,
    credential: target.credential,
    settings: target.settings,
    details: detectImplementation(target.registry).details,
    signal,
    ...(httpOptions ? { httpOptions } : {}),
  });
}

function refused(registry: string, failure: DriverFailure, closed: boolean): UserError {
  return new UserError({
    code: closed || failure.hint === CATALOG_REFUSED_HINT ? 'catalog-refused' : 'registry-error',
    message: `${registry}: ${failure.message}`,
    hint: failure.hint ?? CATALOG_REFUSED_HINT,
    ...(failure.status !== undefined ? { details: { status: failure.status } } : {}),
  });
}

/**
 * A registry's repositories through its driver's catalog member, on the same login as a listing.
 * Rows are de-duplicated, kept to the namespace's prefix when one is given, and capped; a failure
 * before any row is thrown as a UserError with the driver's hint, after some rows it makes the
 * result incomplete.
 */
export async function listCatalog(target: CatalogTarget, options: CatalogOptions): Promise<CatalogResult> {
  const started = performance.now();
  const open = await session(target, options.signal, options.httpOptions);
  const { driver, ctx } = open;
  try {
    const lister = driver.catalog;
    const needs = typeof lister.needsNamespace === 'function' ? lister.needsNamespace(ctx) : lister.needsNamespace;
    const recent = options.recentRepos?.map(pathOf).find((p): p is string => p !== undefined);
    const typed = options.namespace?.replace(/\/+$/, '') || undefined;
    const namespace = typed ?? (needs ? recent : undefined);
    // Only a namespace the user typed narrows the rows: one taken from a recent images repo says
    // where to start (its owner, its project), not which repository to keep.
    const prefix = typed?.toLowerCase();
    const within = (name: string) => prefix === undefined || name === prefix || name.startsWith(`${prefix}/`);
    const seen = new Set<string>();
    const cap = options.maxRepositories ?? MAX_CATALOG_REPOSITORIES;
    const warnings: string[] = [];
    let source = `${driver.info.title} catalog`;
    let complete = true;
    let failure: DriverFailure | null = null;
    let closed = false;
    if (needs && typed === undefined && namespace !== undefined) warnings.push(`Listed from ${namespace}, the recent images repo; type a namespace to list another.`);
    for await (const e of lister.list(ctx, namespace)) {
      if (e.type === 'source') source = e.source;
      else if (e.type === 'failed') {
        failure = e.failure;
        closed = e.refused === true;
        break;
      } else if (e.type === 'incomplete') {
        complete = false;
        warnings.push(e.warning);
      } else {
        // Marked seen in the same pass: a page may name a repository twice (an untrusted answer).
        const batch: CatalogRepository[] = [];
        for (const r of e.repositories) {
          if (seen.size >= cap) break;
          if (!within(r.name.toLowerCase()) || seen.has(r.name)) continue;
          seen.add(r.name);
          batch.push(r);
        }
        if (batch.length > 0) options.onRepositories(batch, seen.size);
        if (seen.size >= cap) {
          complete = false;
          warnings.push(`The catalog has more than ${cap} repositories; the first ${cap} are shown.`);
          break;
        }
      }
      if (options.signal.aborted) break;
    }
    if (options.signal.aborted) throw new UserError({ code: 'cancelled', message: 'Catalog listing cancelled.' });
    if (failure) {
      if (seen.size === 0) throw refused(target.registry, failure, closed);
      complete = false;
      warnings.push(`${failure.message}${failure.hint ? ` — ${failure.hint}` : ''}`);
    }
    return { registry: target.registry, implementation: target.implementation, source, repositories: Math.min(seen.size, cap), complete, warnings: [...warnings, ...open.notes], durationMs: Math.round(performance.now() - started) };
  } finally {
    await open.close();
  }
}

/** Tags in one repository through the Registry API (one `tags/list`, paged), counted, never kept. */
async function countOne(ctx: DriverContext, repository: string): Promise<TagCount> {
  let tags = 0;
  for await (const e of listTagsViaRegistryApi(ctx, repository)) {
    if (e.type === 'tags') tags += e.tags.length;
    else if (e.type === 'missing') return { repository, tags: null, error: 'not found' };
    else if (e.type === 'failed') return { repository, tags: null, error: e.failure.hint ? `${e.failure.message} — ${e.failure.hint}` : e.failure.message };
  }
  return { repository, tags };
}

/** How many repositories are counted at once (each is one or a few small requests). */
const COUNT_CONCURRENCY = 4;

/** Counts the tags of the repositories asked for (the rows in view), reporting each as it finishes. */
export async function countTags(target: CatalogTarget, repositories: readonly string[], options: { signal: AbortSignal; onCounts(counts: TagCount[]): void; httpOptions?: SessionInput['httpOptions'] }): Promise<TagCount[]> {
  const open = await session(target, options.signal, options.httpOptions);
  try {
    const out: TagCount[] = [];
    let next = 0;
    const worker = async () => {
      while (next < repositories.length && !options.signal.aborted) {
        const repository = repositories[next++]!;
        const count = await countOne(open.ctx, repository);
        if (options.signal.aborted) return;
        out.push(count);
        options.onCounts([count]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(COUNT_CONCURRENCY, repositories.length) }, worker));
    if (options.signal.aborted) throw new UserError({ code: 'cancelled', message: 'Counting tags cancelled.' });
    return out;
  } finally {
    await open.close();
  }
}
