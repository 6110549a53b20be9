import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from './util';

/**
 * A small Kubernetes API server for tests: the list endpoints the cleanup's cluster source calls
 * (`/api/v1/pods`, `/apis/apps/v1/{deployments,statefulsets,daemonsets,replicasets}`,
 * `/apis/batch/v1/{jobs,cronjobs}`, cluster-wide and per namespace), served from fixtures with
 * `limit`/`continue` pagination and a bearer token check. Plain HTTP on 127.0.0.1 only; it stops
 * by itself after `lifetimeMs` so a crashed test leaves nothing listening.
 */

export type KubeKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob';

export interface KubeContainer {
  name: string;
  image: string;
}

/** A workload as the fixtures describe it; the server renders the real object shape per kind. */
export interface KubeWorkload {
  kind: KubeKind;
  namespace: string;
  name: string;
  containers: KubeContainer[];
  initContainers?: KubeContainer[];
  /** Pods only: what the kubelet reports it runs (`imageID` carries the digest). */
  statuses?: { name: string; image: string; imageID: string }[];
}

export interface FakeKubeOptions {
  workloads: KubeWorkload[];
  /** Bearer token every request must carry; omitted = no check. */
  token?: string;
  /** Or the exact Authorization header every request must carry (basic auth). */
  authorization?: string;
  /** Answer these kinds with 403 Forbidden (RBAC without list on them). */
  forbidden?: KubeKind[];
  /** Delay before every answer, to test the client's time bound. */
  delayMs?: number;
  /** Page size used when the client sends none (a real API server sends all). */
  defaultLimit?: number;
  /** Stop on its own after this long (default 10 minutes). */
  lifetimeMs?: number;
  /** Serve HTTPS with this certificate (e2e/services/tls.ts issues one for 127.0.0.1). */
  tls?: { certFile: string; keyFile: string };
  /** Announce this Content-Length on list answers (a cluster, or something posing as one, sending too much). */
  declaredLength?: number;
  /** With `tls`: require a client certificate signed by this CA (PEM file), as a cluster with x509 auth does. */
  clientCaFile?: string;
}

export interface FakeKubeHandle {
  url: string;
  port: number;
  /** Paths requested, in order (with query), for assertions. */
  requests: string[];
  stop(): Promise<void>;
}

const ROUTES: Record<string, { kind: KubeKind; apiVersion: string }> = {
  pods: { kind: 'Pod', apiVersion: 'v1' },
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1' },
  statefulsets: { kind: 'StatefulSet', apiVersion: 'apps/v1' },
  daemonsets: { kind: 'DaemonSet', apiVersion: 'apps/v1' },
  replicasets: { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  jobs: { kind: 'Job', apiVersion: 'batch/v1' },
  cronjobs: { kind: 'CronJob', apiVersion: 'batch/v1' },
};

const PATH = /^\/(?:api\/v1|apis\/apps\/v1|apis\/batch\/v1)(?:\/namespaces\/([a-z0-9-]+))?\/([a-z]+)$/;

function podSpec(w: KubeWorkload): Record<string, unknown> {
  return {
    containers: w.containers.map((c) => ({ name: c.name, image: c.image })),
    ...(w.initContainers ? { initContainers: w.initContainers.map((c) => ({ name: c.name, image: c.image })) } : {}),
  };
}

function render(w: KubeWorkload, apiVersion: string): Record<string, unknown> {
  const metadata = { name: w.name, namespace: w.namespace, uid: `${w.namespace}-${w.name}`, resourceVersion: '1' };
  const base = { apiVersion, kind: w.kind, metadata };
  switch (w.kind) {
    case 'Pod':
      return {
        ...base,
        spec: podSpec(w),
        status: { phase: 'Running', ...(w.statuses ? { containerStatuses: w.statuses.map((s) => ({ ...s, ready: true, restartCount: 0 })) } : {}) },
      };
    case 'CronJob':
      return { ...base, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: podSpec(w) } } } } };
    case 'Job':
      return { ...base, spec: { template: { spec: podSpec(w) } } };
    default:
      return { ...base, spec: { selector: { matchLabels: { app: w.name } }, template: { metadata: { labels: { app: w.name } }, spec: podSpec(w) } } };
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export async function startFakeKubeApi(opts: FakeKubeOptions): Promise<FakeKubeHandle> {
  const requests: string[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${url.pathname}${url.search}`);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    const expected = opts.authorization ?? (opts.token !== undefined ? `Bearer ${opts.token}` : undefined);
    if (expected !== undefined && req.headers.authorization !== expected) {
      status(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const m = req.method === 'GET' ? PATH.exec(url.pathname) : null;
    const route = m ? ROUTES[m[2]!] : undefined;
    if (!m || !route) {
      status(res, 404, 'NotFound', `the server could not find the requested resource (${req.method} ${url.pathname})`);
      return;
    }
    if (opts.forbidden?.includes(route.kind)) {
      status(res, 403, 'Forbidden', `${m[2]} is forbidden: User "test" cannot list resource "${m[2]}" in API group "" at the cluster scope`);
      return;
    }
    const namespace = m[1];
    const all = opts.workloads.filter((w) => w.kind === route.kind && (namespace === undefined || w.namespace === namespace));
    const limit = Number(url.searchParams.get('limit') ?? opts.defaultLimit ?? 0);
    const start = Number(url.searchParams.get('continue') ?? 0);
    const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
    const next = limit > 0 && start + limit < all.length ? String(start + limit) : undefined;
    if (opts.declaredLength !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': opts.declaredLength });
      res.write('{"items":[');
      return;
    }
    sendJson(res, 200, {
      apiVersion: route.apiVersion,
      kind: `${route.kind}List`,
      metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) },
      items: page.map((w) => render(w, route.apiVersion)),
    });
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) status(res, 500, 'InternalError', 'fake kube api failed');
    });
  };
  const clientAuth = opts.clientCaFile ? { ca: readFileSync(opts.clientCaFile), requestCert: true, rejectUnauthorized: true } : {};
  const server: Server = opts.tls ? createHttpsServer({ cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile), ...clientAuth }, onRequest) : createServer(onRequest);
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      server.closeAllConnections();
      server.close(() => resolve());
    });
    return stopped;
  };
  const lifetime = setTimeout(() => void stop(), opts.lifetimeMs ?? 600_000);
  lifetime.unref();
  return { url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`, port, requests, stop };
}

/** A loopback address where nothing listens (the port was free a moment ago): an unreachable cluster. */
export async function unreachableKubeUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

export interface KubeconfigContext {
  name: string;
  server: string;
  token?: string;
  namespace?: string;
  /** PEM of the CA that signed the server's certificate (written as certificate-authority-data). */
  caPem?: string;
  /**
   * The kubeconfig's own opt-out of verifying this cluster's certificate. Default: set for an
   * http:// server, which @kubernetes/client-node talks to only with this opt-out written.
   */
  insecureSkipTlsVerify?: boolean;
  /** The user entry as written (tokenFile, username/password, exec, …); replaces `token`. */
  user?: Record<string, unknown>;
}

/**
 * Writes a kubeconfig with one cluster and user per context (JSON, which is YAML) and returns its
 * path. `current` defaults to the first context.
 */
export async function writeKubeconfig(dir: string, contexts: KubeconfigContext[], current?: string): Promise<string> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': current ?? contexts[0]?.name ?? '',
    clusters: contexts.map((c) => ({
      name: `${c.name}-cluster`,
      cluster: {
        server: c.server,
        ...(c.caPem ? { 'certificate-authority-data': Buffer.from(c.caPem).toString('base64') } : {}),
        ...((c.insecureSkipTlsVerify ?? c.server.startsWith('http:')) ? { 'insecure-skip-tls-verify': true } : {}),
      },
    })),
    users: contexts.map((c) => ({ name: `${c.name}-user`, user: c.user ?? (c.token !== undefined ? { token: c.token } : {}) })),
    contexts: contexts.map((c) => ({
      name: c.name,
      context: { cluster: `${c.name}-cluster`, user: `${c.name}-user`, ...(c.namespace ? { namespace: c.namespace } : {}) },
    })),
  };
  const path = join(dir, 'kubeconfig');
  await writeFile(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

/** The fixture both the unit tests and the e2e use: one image per kind, in two namespaces. */
export function sampleWorkloads(registry: string): KubeWorkload[] {
  return [
    { kind: 'Pod', namespace: 'shop', name: 'api-7d9f', containers: [{ name: 'api', image: `${registry}/shop/api:v1` }], statuses: [{ name: 'api', image: `${registry}/shop/api:v1`, imageID: `docker-pullable://${registry}/shop/api@sha256:${'1'.repeat(64)}` }] },
    { kind: 'Deployment', namespace: 'shop', name: 'web', containers: [{ name: 'web', image: `${registry}/shop/web:release-2` }], initContainers: [{ name: 'migrate', image: `${registry}/shop/migrate:v3` }] },
    { kind: 'StatefulSet', namespace: 'data', name: 'db', containers: [{ name: 'db', image: 'postgres:16' }] },
    { kind: 'DaemonSet', namespace: 'kube-system', name: 'agent', containers: [{ name: 'agent', image: 'docker.io/acme/agent:2.1' }] },
    { kind: 'ReplicaSet', namespace: 'shop', name: 'web-5c6b', containers: [{ name: 'web', image: `${registry}/shop/web:release-1` }] },
    { kind: 'Job', namespace: 'shop', name: 'backfill', containers: [{ name: 'backfill', image: `${registry}/shop/tools@sha256:${'2'.repeat(64)}` }] },
    { kind: 'CronJob', namespace: 'shop', name: 'report', containers: [{ name: 'report', image: `${registry}/shop/report:nightly` }] },
  ];
}
