import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Agent } from 'undici';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../../../shared/api/result';
import { dispatchAndCollect } from '../registry/collect';

/**
 * How the cluster source talks to Kubernetes: the contexts of the user's kubeconfig and one list
 * call per kind. Two implementations:
 *
 * - `@kubernetes/client-node` (the default): every kubeconfig feature — exec credential plugins
 *   (EKS, GKE, AKS), OIDC, proxies. Version 2 needs Node ≥ 22.19 (it brings undici 8), which
 *   Electron has; it is loaded lazily, so a Node that cannot load it still runs the app.
 * - a small built-in client, used only when the library cannot load (the CLI or browser host on
 *   an older Node): bearer tokens, token files, client certificates, basic auth, custom CAs and
 *   `insecure-skip-tls-verify`. A context that needs an exec plugin or an auth provider is then
 *   reported unreachable with that reason, never silently skipped.
 */

export type WorkloadKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

export interface KubeObject {
  metadata?: { name?: string; namespace?: string };
  spec?: unknown;
  status?: unknown;
}

export interface KubeListPage {
  items: KubeObject[];
  continue?: string;
}

export interface KubeContextInfo {
  name: string;
  namespace?: string;
  server?: string;
}

export interface KubeClient {
  /** Which implementation answered (shown in the scan so a user knows what was supported). */
  readonly implementation: 'client-node' | 'built-in';
  contexts(): KubeContextInfo[];
  list(context: string, kind: WorkloadKind, opts: { namespace?: string; limit: number; continue?: string }, signal: AbortSignal): Promise<KubeListPage>;
}

export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

function unreadableConfig(file: string, why: string): UserError {
  return new UserError({
    code: 'kube-bad-config',
    message: `The kubeconfig ${file} could not be read: ${why}`,
    hint: 'Fix the file (kubectl config view shows what kubectl makes of it), or plan without Kubernetes.',
  });
}

// ─── @kubernetes/client-node ────────────────────────────────────────────────────────────────────

type ClientNode = typeof import('@kubernetes/client-node');

let clientNode: Promise<ClientNode> | null = null;

/** client-node 2 brings undici 8, whose `engines` say Node ≥ 22.19. */
const CLIENT_NODE_MIN_NODE: readonly [number, number] = [22, 19];

export function nodeCanLoadClientNode(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > CLIENT_NODE_MIN_NODE[0] || (major === CLIENT_NODE_MIN_NODE[0] && minor >= CLIENT_NODE_MIN_NODE[1]);
}

/** The library, or the reason it cannot load on this Node. */
export async function loadClientNode(): Promise<{ ok: true; lib: ClientNode } | { ok: false; reason: string }> {
  // Checked before importing: a half-evaluated undici 8 on an older Node can leave its agent
  // installed as the process-wide fetch dispatcher.
  if (!nodeCanLoadClientNode()) return { ok: false, reason: `@kubernetes/client-node needs Node ≥ ${CLIENT_NODE_MIN_NODE.join('.')}; this is Node ${process.versions.node}` };
  clientNode ??= import('@kubernetes/client-node');
  try {
    return { ok: true, lib: await clientNode };
  } catch (err) {
    return { ok: false, reason: `@kubernetes/client-node cannot load on Node ${process.versions.node}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** client-node's per-request options as its Object API really takes them (promise middleware). */
function withSignal(signal: AbortSignal): never {
  const middleware = {
    pre: async (ctx: { setSignal(s: AbortSignal): void }) => {
      ctx.setSignal(signal);
      return ctx;
    },
    post: async <T>(res: T) => res,
  };
  // Declared as Observable middleware, but PromiseAPI wraps what it gets (wrapOptions).
  return { middleware: [middleware], middlewareMergeStrategy: 'append' } as never;
}

interface ListArgs {
  limit: number;
  _continue?: string;
  namespace?: string;
}
type ListCall = (args: ListArgs, options: never) => Promise<{ items?: unknown[]; metadata?: { _continue?: string } }>;

function clientNodeClient(lib: ClientNode, files: string[]): KubeClient {
  const kc = new lib.KubeConfig();
  files.forEach((file, i) => {
    const one = new lib.KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (err) {
      throw unreadableConfig(file, err instanceof Error ? err.message : String(err));
    }
    if (i === 0) kc.loadFromOptions({ clusters: one.clusters, users: one.users, contexts: one.contexts, currentContext: one.currentContext });
    else kc.mergeConfig(one, true);
  });
  const apis = new Map<string, Record<WorkloadKind, { all: ListCall; ns: ListCall }>>();
  const apisFor = (context: string) => {
    let a = apis.get(context);
    if (!a) {
      const scoped = new lib.KubeConfig();
      scoped.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: context });
      const core = scoped.makeApiClient(lib.CoreV1Api);
      const apps = scoped.makeApiClient(lib.AppsV1Api);
      const batch = scoped.makeApiClient(lib.BatchV1Api);
      const pair = (all: unknown, ns: unknown, self: object) => ({ all: (all as ListCall).bind(self), ns: (ns as ListCall).bind(self) });
      a = {
        Pod: pair(core.listPodForAllNamespaces, core.listNamespacedPod, core),
        Deployment: pair(apps.listDeploymentForAllNamespaces, apps.listNamespacedDeployment, apps),
        StatefulSet: pair(apps.listStatefulSetForAllNamespaces, apps.listNamespacedStatefulSet, apps),
        DaemonSet: pair(apps.listDaemonSetForAllNamespaces, apps.listNamespacedDaemonSet, apps),
        ReplicaSet: pair(apps.listReplicaSetForAllNamespaces, apps.listNamespacedReplicaSet, apps),
        Job: pair(batch.listJobForAllNamespaces, batch.listNamespacedJob, batch),
        CronJob: pair(batch.listCronJobForAllNamespaces, batch.listNamespacedCronJob, batch),
      };
      apis.set(context, a);
    }
    return a;
  };
  return {
    implementation: 'client-node',
    contexts: () =>
      kc.getContexts().map((c) => {
        const server = kc.getCluster(c.cluster)?.server;
        return { name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}), ...(server ? { server } : {}) };
      }),
    async list(context, kind, opts, signal) {
      const calls = apisFor(context)[kind];
      const args: ListArgs = { limit: opts.limit, ...(opts.continue ? { _continue: opts.continue } : {}) };
      try {
        const page = opts.namespace !== undefined ? await calls.ns({ ...args, namespace: opts.namespace }, withSignal(signal)) : await calls.all(args, withSignal(signal));
        const next = page.metadata?._continue;
        return { items: (page.items ?? []) as KubeObject[], ...(next ? { continue: next } : {}) };
      } catch (err) {
        throw fromClientNode(err);
      }
    },
  };
}

/** An ApiException carries the status and the API server's Status body; keep its message, nothing else. */
function fromClientNode(err: unknown): Error {
  const e = err as { code?: unknown; body?: unknown; name?: unknown };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return err as Error;
  if (typeof e?.code === 'number') {
    let message = '';
    try {
      const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: unknown }) : (e.body as { message?: unknown } | undefined);
      if (typeof body?.message === 'string') message = body.message;
    } catch {
      /* not JSON: the status says enough */
    }
    return new KubeApiError(`HTTP ${e.code}${message ? `: ${message.slice(0, 300)}` : ''}`, e.code);
  }
  return err instanceof Error ? err : new Error(String(err));
}

// ─── built-in ───────────────────────────────────────────────────────────────────────────────────

interface NamedEntry<T> {
  name: string;
  value: T;
}

interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface UserEntry {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}

interface ContextEntry {
  cluster?: string;
  user?: string;
  namespace?: string;
}

interface Resolved<T> {
  value: T;
  /** Relative paths in a kubeconfig are relative to the file that wrote them. */
  dir: string;
}

const PATHS: Record<WorkloadKind, string> = {
  Pod: '/api/v1/%pods',
  Deployment: '/apis/apps/v1/%deployments',
  StatefulSet: '/apis/apps/v1/%statefulsets',
  DaemonSet: '/apis/apps/v1/%daemonsets',
  ReplicaSet: '/apis/apps/v1/%replicasets',
  Job: '/apis/batch/v1/%jobs',
  CronJob: '/apis/batch/v1/%cronjobs',
};

const MAX_PAGE_BYTES = 64 * 1024 * 1024;

function entries<T>(doc: Record<string, unknown>, key: string, inner: string): NamedEntry<T>[] {
  const list = doc[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((e) => {
    const o = e as Record<string, unknown> | null;
    return o && typeof o.name === 'string' && o[inner] && typeof o[inner] === 'object' ? [{ name: o.name, value: o[inner] as T }] : [];
  });
}

function readPem(data: string | undefined, file: string | undefined, dir: string): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (file) return readFileSync(isAbsolute(file) ? file : resolve(dir, file), 'utf8');
  return undefined;
}

function builtInClient(files: string[]): KubeClient {
  // kubectl's merge rule: the first file that names a cluster, user or context wins.
  const clusters = new Map<string, Resolved<ClusterEntry>>();
  const users = new Map<string, Resolved<UserEntry>>();
  const contexts = new Map<string, ContextEntry>();
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 100 });
    } catch (err) {
      throw unreadableConfig(file, err instanceof Error ? err.message.split('\n')[0]! : String(err));
    }
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== 'object' || Array.isArray(doc)) throw unreadableConfig(file, 'it is not a kubeconfig mapping');
    const d = doc as Record<string, unknown>;
    const dir = dirname(file);
    for (const c of entries<ClusterEntry>(d, 'clusters', 'cluster')) if (!clusters.has(c.name)) clusters.set(c.name, { value: c.value, dir });
    for (const u of entries<UserEntry>(d, 'users', 'user')) if (!users.has(u.name)) users.set(u.name, { value: u.value, dir });
    for (const c of entries<ContextEntry>(d, 'contexts', 'context')) if (!contexts.has(c.name)) contexts.set(c.name, c.value);
  }
  const agents = new Map<string, { agent: Agent; base: URL; headers: Record<string, string> }>();
  const connectionFor = (name: string) => {
    const known = agents.get(name);
    if (known) return known;
    const ctx = contexts.get(name);
    const cluster = ctx?.cluster ? clusters.get(ctx.cluster) : undefined;
    if (!cluster?.value.server) throw new KubeApiError(`context ${name} names no cluster with a server`);
    const user = ctx?.user ? users.get(ctx.user) : undefined;
    const u = user?.value ?? {};
    if (u.exec !== undefined || u['auth-provider'] !== undefined) {
      throw new KubeApiError(`its user needs ${u.exec !== undefined ? 'an exec credential plugin' : 'an auth provider'}, which only @kubernetes/client-node supports (it needs Node ≥ 22.19; run the desktop app)`);
    }
    if (cluster.value['proxy-url']) throw new KubeApiError('its cluster is reached through a proxy-url, which only @kubernetes/client-node supports');
    const c = cluster.value;
    const base = new URL(c.server!);
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = u.token ?? (u.tokenFile ? readFileSync(isAbsolute(u.tokenFile) ? u.tokenFile : resolve(user!.dir, u.tokenFile), 'utf8').trim() : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
    else if (u.username !== undefined && u.password !== undefined) headers.authorization = `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
    const ca = readPem(c['certificate-authority-data'], c['certificate-authority'], cluster.dir);
    const cert = readPem(u['client-certificate-data'], u['client-certificate'], user?.dir ?? '.');
    const key = readPem(u['client-key-data'], u['client-key'], user?.dir ?? '.');
    const agent = new Agent({
      connect: {
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        ...(c['tls-server-name'] ? { servername: c['tls-server-name'] } : {}),
        // The user's own kubeconfig opted out of verification for this cluster (as kubectl honours it).
        ...(c['insecure-skip-tls-verify'] === true ? { rejectUnauthorized: false } : {}),
      },
    });
    const made = { agent, base, headers };
    agents.set(name, made);
    return made;
  };
  return {
    implementation: 'built-in',
    contexts: () =>
      [...contexts.entries()].map(([name, c]) => {
        const server = c.cluster ? clusters.get(c.cluster)?.value.server : undefined;
        return { name, ...(c.namespace ? { namespace: c.namespace } : {}), ...(server ? { server } : {}) };
      }),
    async list(context, kind, opts, signal) {
      const { agent, base, headers } = connectionFor(context);
      const path = PATHS[kind].replace('%', opts.namespace !== undefined ? `namespaces/${encodeURIComponent(opts.namespace)}/` : '');
      const url = new URL(base.pathname.replace(/\/+$/, '') + path, base);
      url.searchParams.set('limit', String(opts.limit));
      if (opts.continue) url.searchParams.set('continue', opts.continue);
      const res = await dispatchAndCollect(agent, { url, method: 'GET', headers: { ...headers, host: url.host }, signal, maxBytes: MAX_PAGE_BYTES });
      if (!res.ok) throw new KubeApiError(`a ${kind} page was larger than ${MAX_PAGE_BYTES / 1024 / 1024} MiB`);
      let body: unknown;
      try {
        body = JSON.parse(res.body.toString('utf8'));
      } catch {
        throw new KubeApiError(`HTTP ${res.status}: the answer is not JSON`, res.status);
      }
      const b = body as { message?: unknown; items?: unknown; metadata?: { continue?: unknown } } | null;
      if (res.status !== 200) throw new KubeApiError(`HTTP ${res.status}${typeof b?.message === 'string' ? `: ${b.message.slice(0, 300)}` : ''}`, res.status);
      if (!Array.isArray(b?.items)) throw new KubeApiError(`the ${kind} list has no items`);
      const next = b.metadata?.continue;
      return { items: b.items as KubeObject[], ...(typeof next === 'string' && next !== '' ? { continue: next } : {}) };
    },
  };
}

/** The client for these kubeconfig files: client-node when it loads, else the built-in one. */
export async function openKubeClient(files: string[], prefer: 'auto' | 'built-in' = 'auto'): Promise<KubeClient> {
  if (prefer === 'auto') {
    const loaded = await loadClientNode();
    if (loaded.ok) return clientNodeClient(loaded.lib, files);
  }
  return builtInClient(files);
}
