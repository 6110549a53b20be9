import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UserError } from '../../../shared/api/result';
import type { KubeImageUse, KubeUsage } from '../../../shared/cleanup/types';
import { parseImageReference } from '../../../shared/cleanup/reference';
import { KubeApiError, WORKLOAD_KINDS, openKubeClient, type KubeClient, type KubeObject, type WorkloadKind } from './kube-client';

/**
 * Which images the user's clusters run, so a cleanup never deletes them. Like werf (werf.md §6.2)
 * it reads Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs (containers
 * and initContainers) in every context of the kubeconfig, or one chosen context; unlike werf it
 * keeps each reference normalised (docker.io = index.docker.io, implicit `library/`) and also
 * records the digests Pods actually run (`status.containerStatuses[].imageID`), so the planner can
 * match by digest. A context that cannot be listed completely is reported as unreachable — a half
 * read cluster would protect only half — and the user decides whether to plan without it.
 */

export interface KubeScanRequest {
  /** Kubeconfig files (as `KUBECONFIG` lists them); default `$KUBECONFIG`, else `~/.kube/config`. */
  kubeconfig?: string[];
  /** Only this context; default every context. */
  context?: string;
  /** Each context's own namespace only (werf's `--scan-context-namespace-only`). */
  namespaceOnly?: boolean;
}

export interface KubeScanDeps {
  signal: AbortSignal;
  env?: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
  /** Time budget per context (all its lists); default 20 s. */
  contextTimeoutMs?: number;
  onProgress?: (done: number, total: number, context: string) => void;
}

export interface KubeScan extends KubeUsage {
  /** The kubeconfig files read. */
  kubeconfig: string[];
  /** Workload objects read. */
  objects: number;
}

const PAGE = 500;
// A cluster's answer is untrusted input like a registry's: pages and images are capped per context.
const MAX_PAGES = 200;
const MAX_USES_PER_CONTEXT = 200_000;

/** The kubeconfig files to read, as kubectl finds them. */
export function kubeconfigPaths(req: KubeScanRequest, env: Readonly<Record<string, string | undefined>>, home: string): string[] {
  if (req.kubeconfig && req.kubeconfig.length > 0) return req.kubeconfig;
  const fromEnv = env.KUBECONFIG?.split(delimiter).filter((p) => p !== '');
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  return [join(home, '.kube', 'config')];
}

interface PodSpecLike {
  containers?: { image?: unknown }[];
  initContainers?: { image?: unknown }[];
}

function podSpecOf(kind: WorkloadKind, spec: unknown): PodSpecLike | undefined {
  const s = spec as { template?: { spec?: PodSpecLike }; jobTemplate?: { spec?: { template?: { spec?: PodSpecLike } } } } | undefined;
  if (kind === 'Pod') return spec as PodSpecLike | undefined;
  if (kind === 'CronJob') return s?.jobTemplate?.spec?.template?.spec;
  return s?.template?.spec;
}

/** `docker-pullable://repo@sha256:…` or `repo@sha256:…`; a bare image id (`docker://sha256:…`) names no repository. */
function runningReference(imageID: string): string | null {
  const bare = imageID.replace(/^[a-z-]+:\/\//, '');
  return bare.includes('@') ? bare : null;
}

function use(image: string, where: string): KubeImageUse | null {
  const ref = parseImageReference(image);
  if (!ref) return null;
  const out: KubeImageUse = { image, registry: ref.registry, repository: ref.repository, where };
  if (ref.tag !== undefined) out.tag = ref.tag;
  if (ref.digest !== undefined) out.digest = ref.digest;
  return out;
}

/** Images of one object: its pod spec's containers and initContainers, and what a Pod runs by digest. */
export function imagesOf(kind: WorkloadKind, item: KubeObject, context: string): KubeImageUse[] {
  const where = `${context}/${item.metadata?.namespace ?? ''}/${kind}/${item.metadata?.name ?? ''}`;
  const out: KubeImageUse[] = [];
  const spec = podSpecOf(kind, item.spec);
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    const u = typeof c?.image === 'string' ? use(c.image, where) : null;
    if (u) out.push(u);
  }
  if (kind === 'Pod') {
    const st = item.status as { containerStatuses?: { imageID?: unknown }[]; initContainerStatuses?: { imageID?: unknown }[] } | undefined;
    for (const s of [...(st?.containerStatuses ?? []), ...(st?.initContainerStatuses ?? [])]) {
      const running = typeof s?.imageID === 'string' ? runningReference(s.imageID) : null;
      const u = running ? use(running, where) : null;
      if (u) out.push(u);
    }
  }
  return out;
}

async function scanContext(client: KubeClient, context: string, namespace: string | undefined, signal: AbortSignal): Promise<{ uses: KubeImageUse[]; objects: number }> {
  const uses: KubeImageUse[] = [];
  let objects = 0;
  // Kinds are listed one after another: a cluster is asked for a few lists, not flooded.
  for (const kind of WORKLOAD_KINDS) {
    let cont: string | undefined;
    let pages = 0;
    do {
      if (++pages > MAX_PAGES) throw new KubeApiError(`the ${kind} list passed ${MAX_PAGES} pages of ${PAGE}`);
      const page = await client.list(context, kind, { limit: PAGE, ...(cont ? { continue: cont } : {}), ...(namespace !== undefined ? { namespace } : {}) }, signal);
      for (const item of page.items) {
        objects++;
        uses.push(...imagesOf(kind, item, context));
        if (uses.length > MAX_USES_PER_CONTEXT) throw new KubeApiError(`more than ${MAX_USES_PER_CONTEXT} container images; the scan stopped there`);
      }
      cont = page.continue;
    } while (cont);
  }
  return { uses, objects };
}

/** Secret-free text for why a context could not be read. */
function describe(err: unknown): string {
  if (err instanceof KubeApiError) return err.message;
  const e = err as { cause?: { code?: unknown; message?: unknown }; code?: unknown; message?: unknown };
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.cause?.message === 'string' ? e.cause.message : typeof e?.message === 'string' ? e.message : String(err);
  return code && !message.includes(code) ? `${code}: ${message.slice(0, 300)}` : message.slice(0, 300);
}

/**
 * Lists the images in use per context. Contexts are scanned in parallel, each within its time
 * budget; one that fails is reported in `unreachable` with the reason, the others still count.
 * Rejects only for a missing or unreadable kubeconfig, an unknown context, or cancellation.
 */
export async function scanKubeUsage(req: KubeScanRequest, deps: KubeScanDeps): Promise<KubeScan> {
  const paths = kubeconfigPaths(req, deps.env ?? process.env, deps.homeDir ?? homedir());
  const found = paths.filter((p) => existsSync(p));
  if (found.length === 0) {
    throw new UserError({
      code: 'kube-no-config',
      message: `No kubeconfig was found (looked at ${paths.join(', ')}).`,
      hint: 'Point KUBECONFIG at your cluster config, or plan without Kubernetes (--without-kube): images running in clusters are then not protected.',
    });
  }
  const client = await openKubeClient(found);
  const available = client.contexts();
  if (req.context !== undefined && !available.some((c) => c.name === req.context)) {
    throw new UserError({
      code: 'kube-unknown-context',
      message: `The kubeconfig has no context "${req.context}".`,
      hint: available.length > 0 ? `Its contexts: ${available.map((c) => c.name).join(', ')}.` : 'It defines no contexts at all.',
    });
  }
  const contexts = req.context !== undefined ? available.filter((c) => c.name === req.context) : available;
  const timeoutMs = deps.contextTimeoutMs ?? 20_000;
  let done = 0;
  const results = await Promise.all(
    contexts.map(async (c) => {
      const signal = AbortSignal.any([deps.signal, AbortSignal.timeout(timeoutMs)]);
      try {
        return { name: c.name, ok: true as const, ...(await scanContext(client, c.name, req.namespaceOnly ? (c.namespace ?? 'default') : undefined, signal)) };
      } catch (err) {
        const reason = deps.signal.aborted ? 'cancelled' : signal.aborted ? `no complete answer within ${Math.round(timeoutMs / 100) / 10} s` : describe(err);
        return { name: c.name, ok: false as const, reason: c.server ? `${c.server}: ${reason}` : reason };
      } finally {
        deps.onProgress?.(++done, contexts.length, c.name);
      }
    }),
  );
  if (deps.signal.aborted) throw new UserError({ code: 'cancelled', message: 'The Kubernetes scan was cancelled.' });
  const scan: KubeScan = { contexts: [], uses: [], unreachable: [], kubeconfig: found, objects: 0 };
  for (const r of results) {
    if (r.ok) {
      scan.contexts.push(r.name);
      scan.uses.push(...r.uses);
      scan.objects += r.objects;
    } else scan.unreachable.push({ context: r.name, reason: r.reason });
  }
  return scan;
}
