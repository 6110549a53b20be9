import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ConfigurationOptions, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../../../shared/api/result';

/**
 * How the cluster source talks to Kubernetes: `@kubernetes/client-node` (1.4, which runs on the
 * Node 20 of the CLI and browser host as well as in Electron) reads the kubeconfig and does
 * everything a kubeconfig can ask for — CAs, `insecure-skip-tls-verify`, tokens and token files,
 * client certificates, basic auth, exec credential plugins (EKS, GKE, AKS), OIDC, proxies — and
 * makes the list calls.
 *
 * It is imported lazily, on the first scan: the CLI's other commands do not pay for loading it.
 * Version 1.4 sends through node-fetch and Node's http agents, so loading it leaves the process's
 * fetch dispatcher (undici) alone.
 *
 * The one thing handed to the library is the transport of each call: node-fetch would read any
 * answer whole, and a cluster's answer is untrusted input like a registry's, so each page is read
 * through Node's http(s) with the agent client-node prepared (TLS, client certificate, proxy),
 * at most MAX_PAGE_BYTES, and aborted with the scan's signal.
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

export const MAX_PAGE_BYTES = 64 * 1024 * 1024;

type ClientNode = typeof import('@kubernetes/client-node');

let clientNode: Promise<ClientNode> | null = null;

function loadClientNode(): Promise<ClientNode> {
  clientNode ??= import('@kubernetes/client-node');
  return clientNode;
}

function unreadableConfig(file: string, why: string): UserError {
  return new UserError({
    code: 'kube-bad-config',
    message: `The kubeconfig ${file} could not be read: ${why}`,
    hint: 'Fix the file (kubectl config view shows what kubectl makes of it), or plan without Kubernetes.',
  });
}

/** Rejects with the signal's reason as soon as it fires, whatever `work` is doing (an exec plugin cannot be aborted). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** One page: sent with client-node's agent and headers, read up to the byte cap, aborted by `signal`. */
function sendCapped(lib: ClientNode, req: RequestContext, signal: AbortSignal): Promise<ResponseContext> {
  const url = new URL(req.getUrl());
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const agent = req.getAgent();
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: req.getHttpMethod(), headers: req.getHeaders(), signal, ...(agent ? { agent } : {}) }, (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length']);
      if (declared > MAX_PAGE_BYTES) {
        res.destroy();
        reject(new KubeApiError(`an answer of ${declared} bytes is larger than the ${MAX_PAGE_BYTES / 1024 / 1024} MiB allowed per page`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_PAGE_BYTES) {
          res.destroy();
          reject(new KubeApiError(`an answer passed the ${MAX_PAGE_BYTES / 1024 / 1024} MiB allowed per page`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        resolve(new lib.ResponseContext(res.statusCode ?? 0, headers, new lib.SelfDecodingBody(Promise.resolve(Buffer.concat(chunks)))));
      });
    });
    outgoing.on('error', reject);
    const body = req.getBody();
    if (typeof body === 'string' || body instanceof Uint8Array) outgoing.end(body);
    else outgoing.end();
  });
}

type LoadedUser = InstanceType<ClientNode['KubeConfig']>['users'][number];

/**
 * kubectl's `tokenFile` (a path relative to the kubeconfig) is a field client-node 1.4 does not
 * read, so those users' tokens are read here; a file that cannot be read fails only the contexts
 * of that user.
 */
function withTokenFiles(file: string, text: string, users: LoadedUser[], unreadable: Map<string, string>): LoadedUser[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch {
    return users; // client-node read it; its own parse is the one that counts
  }
  const listed = (doc as { users?: unknown } | null)?.users;
  if (!Array.isArray(listed)) return users;
  const tokenFiles = new Map<string, string>();
  for (const entry of listed) {
    const e = entry as { name?: unknown; user?: { tokenFile?: unknown; token?: unknown } } | null;
    if (typeof e?.name === 'string' && typeof e.user?.tokenFile === 'string' && e.user.token === undefined) tokenFiles.set(e.name, e.user.tokenFile);
  }
  if (tokenFiles.size === 0) return users;
  return users.map((u) => {
    const tokenFile = tokenFiles.get(u.name);
    if (tokenFile === undefined || u.token) return u;
    const path = isAbsolute(tokenFile) ? tokenFile : resolve(dirname(file), tokenFile);
    try {
      return { ...u, token: readFileSync(path, 'utf8').trim() };
    } catch (err) {
      unreadable.set(u.name, `its user's tokenFile ${path} cannot be read (${(err as { code?: string }).code ?? String(err)})`);
      return u;
    }
  });
}

interface ListArgs {
  limit: number;
  _continue?: string;
  namespace?: string;
}
interface ListAnswer {
  items?: unknown[];
  metadata?: { _continue?: string };
}
type ListCall = (args: ListArgs, options: ConfigurationOptions) => Promise<ListAnswer>;
type ListCalls = Record<WorkloadKind, { all: ListCall; ns: ListCall }>;

/** An ApiException carries the status and the API server's Status body; keep its message, nothing else. */
function fromClientNode(err: unknown): unknown {
  const e = err as { code?: unknown; body?: unknown; message?: unknown } | null;
  if (typeof e?.message === 'string' && e.message.startsWith('HTTP protocol is not allowed')) {
    return new KubeApiError('its server is plain http://, which @kubernetes/client-node reaches only when the kubeconfig sets insecure-skip-tls-verify: true for that cluster');
  }
  if (typeof e?.code !== 'number') return err;
  let message = '';
  try {
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: unknown }) : (e.body as { message?: unknown } | undefined);
    if (typeof body?.message === 'string') message = body.message;
  } catch {
    /* not JSON: the status says enough */
  }
  return new KubeApiError(`HTTP ${e.code}${message ? `: ${message.slice(0, 300)}` : ''}`, e.code);
}

function clientFor(lib: ClientNode, files: string[]): KubeClient {
  // kubectl's merge rule (the first file that names a cluster, user or context wins) is client-node's
  // mergeConfig with preserveContext; relative paths stay relative to the file that wrote them.
  const kc = new lib.KubeConfig();
  const unreadableTokens = new Map<string, string>();
  files.forEach((file, i) => {
    const one = new lib.KubeConfig();
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      one.loadFromString(text);
      one.makePathsAbsolute(dirname(file));
    } catch (err) {
      throw unreadableConfig(file, err instanceof Error ? err.message.split('\n')[0]! : String(err));
    }
    const users = withTokenFiles(file, text, one.users, unreadableTokens);
    if (i === 0) kc.loadFromOptions({ clusters: one.clusters, users, contexts: one.contexts, currentContext: one.currentContext });
    else {
      one.loadFromOptions({ clusters: one.clusters, users, contexts: one.contexts, currentContext: one.currentContext });
      kc.mergeConfig(one, true);
    }
  });
  const apis = new Map<string, ListCalls>();
  const callsFor = (context: string): ListCalls => {
    const known = apis.get(context);
    if (known) return known;
    const scoped = new lib.KubeConfig();
    scoped.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: context });
    if (!scoped.getCurrentCluster()?.server) throw new KubeApiError(`context ${context} names no cluster with a server`);
    const tokenProblem = unreadableTokens.get(scoped.getCurrentUser()?.name ?? '');
    if (tokenProblem) throw new KubeApiError(tokenProblem);
    const core = scoped.makeApiClient(lib.CoreV1Api);
    const apps = scoped.makeApiClient(lib.AppsV1Api);
    const batch = scoped.makeApiClient(lib.BatchV1Api);
    const calls: ListCalls = {
      Pod: { all: (a, o) => core.listPodForAllNamespaces(a, o), ns: (a, o) => core.listNamespacedPod({ ...a, namespace: a.namespace! }, o) },
      Deployment: { all: (a, o) => apps.listDeploymentForAllNamespaces(a, o), ns: (a, o) => apps.listNamespacedDeployment({ ...a, namespace: a.namespace! }, o) },
      StatefulSet: { all: (a, o) => apps.listStatefulSetForAllNamespaces(a, o), ns: (a, o) => apps.listNamespacedStatefulSet({ ...a, namespace: a.namespace! }, o) },
      DaemonSet: { all: (a, o) => apps.listDaemonSetForAllNamespaces(a, o), ns: (a, o) => apps.listNamespacedDaemonSet({ ...a, namespace: a.namespace! }, o) },
      ReplicaSet: { all: (a, o) => apps.listReplicaSetForAllNamespaces(a, o), ns: (a, o) => apps.listNamespacedReplicaSet({ ...a, namespace: a.namespace! }, o) },
      Job: { all: (a, o) => batch.listJobForAllNamespaces(a, o), ns: (a, o) => batch.listNamespacedJob({ ...a, namespace: a.namespace! }, o) },
      CronJob: { all: (a, o) => batch.listCronJobForAllNamespaces(a, o), ns: (a, o) => batch.listNamespacedCronJob({ ...a, namespace: a.namespace! }, o) },
    };
    apis.set(context, calls);
    return calls;
  };
  return {
    contexts: () =>
      kc.getContexts().map((c) => {
        const server = kc.getCluster(c.cluster)?.server;
        return { name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}), ...(server ? { server } : {}) };
      }),
    async list(context, kind, opts, signal) {
      const calls = callsFor(context)[kind];
      const args: ListArgs = { limit: opts.limit, ...(opts.continue ? { _continue: opts.continue } : {}) };
      // Per call, so the transport carries this scan's signal.
      const options: ConfigurationOptions = { httpApi: lib.wrapHttpLibrary({ send: (req) => sendCapped(lib, req, signal) }) };
      try {
        const page = await untilAborted(opts.namespace !== undefined ? calls.ns({ ...args, namespace: opts.namespace }, options) : calls.all(args, options), signal);
        const next = page.metadata?._continue;
        if (!Array.isArray(page.items)) throw new KubeApiError(`the ${kind} list has no items`);
        return { items: page.items as KubeObject[], ...(next ? { continue: next } : {}) };
      } catch (err) {
        throw fromClientNode(err);
      }
    },
  };
}

/** The client for these kubeconfig files (loads client-node on first use). */
export async function openKubeClient(files: string[]): Promise<KubeClient> {
  return clientFor(await loadClientNode(), files);
}
