import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { startDistribution } from '../services/distribution';
import { readBody, sendJson } from '../services/http-util';
import type { AccessEntry } from '../services/scope';
import { registryError, type AuthResult, type Ctx } from './core';
import { isIndexType, type RegistryState, type TagRecord } from './registry-state';

export type DeleteRefusal = { status: number; code: string; message: string };

/** Distribution's answer to a DELETE the registry does not do (Hub, GHCR; ACR by tag). */
export const UNSUPPORTED_DELETE: Readonly<DeleteRefusal> = Object.freeze({ status: 405, code: 'UNSUPPORTED', message: 'The operation is unsupported.' });

export interface FrontPolicy {
  /** `untag` (OCI 1.1 / GCR / Quay / GitLab) or a refusal (distribution 2.8, Hub, GHCR, Harbor). */
  deleteByTag: 'untag' | DeleteRefusal;
  /**
   * `delete`; `delete-if-untagged` (Google: 400 GOOGLE_MANIFEST_DANGLING_TAG); `untag-all` (Quay:
   * every tag on the digest goes, the manifest stays, 404 MANIFEST_UNKNOWN when it has no tag); or a refusal.
   */
  deleteByDigest: 'delete' | 'delete-if-untagged' | 'untag-all' | DeleteRefusal;
  /** Token actions a DELETE needs: distribution asks `delete`, Quay `push`. */
  deleteActions: string[];
  /** Honour `n`/`last` on tags/list with a `Link` header (distribution 2.8 does not). */
  paginateTags: boolean;
}

export interface FrontOptions {
  state: RegistryState;
  /** Base URL of an anonymous distribution registry holding the bytes. */
  upstream: string;
  policy: FrontPolicy;
  authorize(req: IncomingMessage, need: AccessEntry[]): AuthResult | Promise<AuthResult>;
  /** Names that answer tags/list although they hold no images (Google's intermediate paths). */
  virtualRepo?(name: string): boolean;
  /** Extra fields for tags/list (Google's `manifest` and `child`). */
  tagsListExtra?(repo: string): Record<string, unknown>;
  /** Serve `/v2/_catalog` (GHCR has none); default true. */
  catalog?: boolean;
  /** The catalog shows only what the caller may see (Quay); every repository when absent. */
  catalogVisible?(subject: string, repository: string): boolean;
  /** Refuses pushes to repositories that do not exist (ECR needs CreateRepository first). */
  refusePush?(repo: string): ((res: ServerResponse) => void) | null;
  /** Called for manifest GETs (not HEADs): extra headers, or a response that replaces the pull. */
  onManifestGet?(ctx: Ctx, subject: string): { headers?: Record<string, string>; reject?: (res: ServerResponse) => void };
  /** Extra headers for manifest HEADs (Docker Hub shows its pull budget there without charging it). */
  onManifestHead?(ctx: Ctx, subject: string): Record<string, string>;
  /** Runs before tags/list and _catalog answer (after auth); returning true means it answered (fault injection). */
  beforeList?(ctx: Ctx, what: 'tags' | 'catalog'): boolean;
  /** Told of every tag a `/v2` DELETE removed, with its record as it was (Quay keeps tag history). */
  onUntagged?(name: string, tag: string, record: TagRecord): void;
  /** Runs before a `/v2` manifest DELETE (after auth); returning true means it answered (fault injection). */
  beforeDelete?(ctx: Ctx): boolean;
}

export interface BackingRegistry {
  url: string;
  stop(): Promise<void>;
}

/** The emulator's own anonymous distribution, or a caller-provided one (left running on stop). */
export async function backingRegistry(upstream: string | undefined): Promise<BackingRegistry> {
  if (upstream) return { url: upstream.replace(/\/+$/, ''), stop: async () => undefined };
  const reg = await startDistribution({ auth: { kind: 'none' }, relativeUrls: true });
  return { url: reg.url, stop: () => reg.stop() };
}

const PATH = /^\/v2\/(.+?)\/(tags\/list|manifests\/([^/]+)|blobs\/uploads\/([^/]*)|blobs\/([^/]+))$/;
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'proxy-authorization', 'te', 'trailer']);

function needFor(method: string, name: string, policy: FrontPolicy): AccessEntry[] {
  if (method === 'GET' || method === 'HEAD') return [{ type: 'repository', name, actions: ['pull'] }];
  if (method === 'DELETE') return [{ type: 'repository', name, actions: [...policy.deleteActions] }];
  return [{ type: 'repository', name, actions: ['pull', 'push'] }];
}

/** Serves `/v2` in front of a real registry: vendor auth here, bytes there, tags in `state`. */
export class RegistryFront {
  constructor(private readonly o: FrontOptions) {}

  /** Handles `/v2…` requests; returns false for other paths. */
  async handle(ctx: Ctx): Promise<boolean> {
    const { req, res, url } = ctx;
    const path = url.pathname;
    if (path !== '/v2' && !path.startsWith('/v2/')) return false;
    const method = req.method ?? 'GET';
    if (path === '/v2' || path === '/v2/') {
      const auth = await this.o.authorize(req, []);
      if (!auth.ok) auth.send(res);
      else sendJson(res, 200, {}, { 'docker-distribution-api-version': 'registry/2.0' });
      return true;
    }
    if (path === '/v2/_catalog' && this.o.catalog !== false) {
      const auth = await this.o.authorize(req, [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
      if (!auth.ok) auth.send(res);
      else if (!this.o.beforeList?.(ctx, 'catalog')) {
        const visible = this.o.catalogVisible;
        const subject = auth.subject;
        const all = this.o.state.repositories();
        this.paginated(ctx, 'repositories', visible ? all.filter((r) => visible(subject, r)) : all, '/v2/_catalog', {});
      }
      return true;
    }
    const m = PATH.exec(path);
    if (!m) {
      registryError(res, 404, 'NOT_FOUND', 'not found');
      return true;
    }
    const name = m[1];
    const auth = await this.o.authorize(req, needFor(method, name, this.o.policy));
    if (!auth.ok) {
      auth.send(res);
      return true;
    }
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      const refusal = this.o.refusePush?.(name);
      if (refusal) {
        refusal(res);
        return true;
      }
    }
    if (m[2] === 'tags/list') {
      if (!this.o.beforeList?.(ctx, 'tags')) this.tagsList(ctx, name);
    }
    else if (m[3] !== undefined) await this.manifest(ctx, name, decodeURIComponent(m[3]), auth.subject);
    else await this.proxy(req, res, path + url.search, null);
    return true;
  }

  private tagsList(ctx: Ctx, name: string): void {
    const repo = this.o.state.repo(name);
    if (!repo && !this.o.virtualRepo?.(name)) {
      registryError(ctx.res, 404, 'NAME_UNKNOWN', 'repository name not known to registry', {}, { name });
      return;
    }
    const extra = { name, ...(this.o.tagsListExtra?.(name) ?? {}) };
    if (!this.o.policy.paginateTags) {
      sendJson(ctx.res, 200, { ...extra, tags: this.o.state.listTags(name) });
      return;
    }
    this.paginated(ctx, 'tags', this.o.state.listTags(name), `/v2/${name}/tags/list`, extra);
  }

  private paginated(ctx: Ctx, key: string, all: string[], base: string, extra: Record<string, unknown>): void {
    const nRaw = ctx.url.searchParams.get('n');
    const last = ctx.url.searchParams.get('last');
    const n = nRaw === null ? all.length : Number(nRaw);
    if (!Number.isInteger(n) || n < 0) {
      registryError(ctx.res, 400, 'PAGINATION_NUMBER_INVALID', 'invalid number of results requested');
      return;
    }
    const from = last === null ? all : all.filter((x) => x > last);
    const page = from.slice(0, n);
    const headers: Record<string, string> = {};
    if (nRaw !== null && n > 0 && from.length > n) {
      headers.link = `<${base}?last=${encodeURIComponent(page[page.length - 1])}&n=${n}>; rel="next"`;
    }
    sendJson(ctx.res, 200, { ...extra, [key]: page }, headers);
  }

  private async manifest(ctx: Ctx, name: string, ref: string, subject: string): Promise<void> {
    const { req, res } = ctx;
    const method = req.method ?? 'GET';
    const state = this.o.state;
    const isDigest = ref.includes(':');
    if (method === 'PUT') {
      await this.putManifest(req, res, name, ref, isDigest);
      return;
    }
    if (method === 'DELETE') {
      if (!this.o.beforeDelete?.(ctx)) await this.deleteManifest(res, name, ref, isDigest);
      return;
    }
    const digest = state.resolve(name, ref);
    if (!digest) {
      registryError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown', {}, { Tag: ref });
      return;
    }
    let extraHeaders: Record<string, string> = {};
    if (method === 'GET' && this.o.onManifestGet) {
      const hook = this.o.onManifestGet(ctx, subject);
      if (hook.reject) {
        hook.reject(res);
        return;
      }
      extraHeaders = hook.headers ?? {};
      const rec = state.manifest(name, digest);
      if (rec) rec.lastPulledAt = new Date();
      const repo = state.repo(name);
      if (repo) repo.pullCount += 1;
    } else if (method === 'HEAD' && this.o.onManifestHead) {
      extraHeaders = this.o.onManifestHead(ctx, subject);
    }
    await this.proxy(req, res, `/v2/${name}/manifests/${digest}`, null, extraHeaders);
  }

  private async putManifest(req: IncomingMessage, res: ServerResponse, name: string, ref: string, isDigest: boolean): Promise<void> {
    const body = await readBody(req, 4 * 1024 * 1024);
    let parsed: {
      mediaType?: string;
      config?: { size: number; digest: string };
      layers?: { size: number }[];
      manifests?: { digest: string; size: number; platform?: { os: string; architecture: string } }[];
    } = {};
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      // The backing registry answers MANIFEST_INVALID; nothing to record.
    }
    // Read before forwarding: the client sees the 201 as soon as the backing registry answers, and
    // the state must be complete by then (the config blob was uploaded before the manifest).
    const config = parsed.config?.digest ? await this.readConfig(name, parsed.config.digest) : null;
    const result = await this.proxy(req, res, `/v2/${name}/manifests/${encodeURIComponent(ref)}`, body);
    const digest = result.headers['docker-content-digest'];
    if (result.status !== 201 || typeof digest !== 'string') return;
    const state = this.o.state;
    const mediaType = parsed.mediaType ?? String(req.headers['content-type'] ?? '');
    const repo = state.ensureRepo(name);
    const existing = repo.manifests.get(digest);
    if (!existing) {
      const children = isIndexType(mediaType) ? (parsed.manifests ?? []).map((c) => c.digest) : [];
      const size = isIndexType(mediaType)
        ? (parsed.manifests ?? []).reduce((sum, c) => sum + (repo.manifests.get(c.digest)?.size ?? c.size), 0)
        : (parsed.config?.size ?? 0) + (parsed.layers ?? []).reduce((s, l) => s + l.size, 0);
      state.addImage(name, {
        digest,
        mediaType,
        size,
        children,
        configDigest: parsed.config?.digest,
        ...(config?.created ? { created: config.created } : {}),
        ...(config?.labels ? { labels: config.labels } : {}),
        ...(config?.platform ? { platform: config.platform } : {}),
      });
      for (const c of parsed.manifests ?? []) {
        const child = repo.manifests.get(c.digest);
        if (child && c.platform) child.platform = { os: c.platform.os, architecture: c.platform.architecture };
      }
    }
    if (!isDigest) state.setTag(name, ref, digest);
  }

  private async deleteManifest(res: ServerResponse, name: string, ref: string, isDigest: boolean): Promise<void> {
    const policy = this.o.policy;
    const state = this.o.state;
    if (!isDigest) {
      if (policy.deleteByTag !== 'untag') {
        registryError(res, policy.deleteByTag.status, policy.deleteByTag.code, policy.deleteByTag.message);
        return;
      }
      const record = state.repo(name)?.tags.get(ref);
      if (!record || state.untag(name, ref) === undefined) registryError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown', {}, { Tag: ref });
      else {
        this.o.onUntagged?.(name, ref, record);
        sendJson(res, 202, undefined);
      }
      return;
    }
    if (typeof policy.deleteByDigest === 'object') {
      registryError(res, policy.deleteByDigest.status, policy.deleteByDigest.code, policy.deleteByDigest.message);
      return;
    }
    if (!state.manifest(name, ref)) {
      registryError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown', {}, { Digest: ref });
      return;
    }
    if (policy.deleteByDigest === 'untag-all') {
      const tags = state.tagsOf(name, ref);
      if (tags.length === 0) {
        registryError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown', {}, { Digest: ref });
        return;
      }
      for (const tag of tags) {
        const record = state.repo(name)?.tags.get(tag);
        state.untag(name, tag);
        if (record) this.o.onUntagged?.(name, tag, record);
      }
      sendJson(res, 202, undefined);
      return;
    }
    if (policy.deleteByDigest === 'delete-if-untagged' && state.tagsOf(name, ref).length > 0) {
      registryError(res, 400, 'GOOGLE_MANIFEST_DANGLING_TAG', 'Manifest is still referenced by one or more tags.');
      return;
    }
    await this.removeFromUpstream(name, ref);
    state.deleteManifest(name, ref);
    sendJson(res, 202, undefined);
  }

  /**
   * The pushed image config, as registries that parse configs (Harbor, Google) see it: `created`,
   * labels and platform. Null when the blob is missing, large or not a config.
   */
  private async readConfig(name: string, digest: string): Promise<{ created?: string; labels?: Record<string, string>; platform?: { os: string; architecture: string } } | null> {
    const body = await new Promise<Buffer | null>((resolve) => {
      const u = new URL(`/v2/${name}/blobs/${digest}`, this.o.upstream);
      const r = httpRequest(u, { method: 'GET' }, (up) => {
        if (up.statusCode !== 200) {
          up.resume();
          resolve(null);
          return;
        }
        readBody(up, 1024 * 1024).then(resolve, () => resolve(null));
      });
      r.on('error', () => resolve(null));
      r.end();
    });
    if (!body) return null;
    try {
      const cfg = JSON.parse(body.toString('utf8')) as { created?: unknown; os?: unknown; architecture?: unknown; config?: { Labels?: unknown } };
      const out: { created?: string; labels?: Record<string, string>; platform?: { os: string; architecture: string } } = {};
      if (typeof cfg.created === 'string') out.created = cfg.created;
      const labels = cfg.config?.Labels;
      if (labels && typeof labels === 'object' && !Array.isArray(labels)) {
        out.labels = Object.fromEntries(Object.entries(labels as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
      }
      if (typeof cfg.os === 'string' && typeof cfg.architecture === 'string') out.platform = { os: cfg.os, architecture: cfg.architecture };
      return out;
    } catch {
      return null;
    }
  }

  /** Deletes the bytes' manifest upstream; a 404 there (a state-only image) is fine. */
  async removeFromUpstream(name: string, digest: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const u = new URL(`/v2/${name}/manifests/${digest}`, this.o.upstream);
      const r = httpRequest(u, { method: 'DELETE' }, (up) => {
        up.resume();
        up.on('end', () => resolve());
      });
      r.on('error', reject);
      r.end();
    });
  }

  private proxy(req: IncomingMessage, res: ServerResponse, pathAndQuery: string, body: Buffer | null, extraHeaders: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers'] }> {
    const upstream = new URL(this.o.upstream);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) headers[k] = v;
    if (body) headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const up = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: pathAndQuery, headers },
        (upRes) => {
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) out[k] = v;
          const loc = upRes.headers.location;
          // Upload locations must come back through the emulator, never point at the backing registry.
          if (loc && loc.startsWith(upstream.origin)) out.location = loc.slice(upstream.origin.length);
          res.writeHead(upRes.statusCode ?? 502, { ...out, ...extraHeaders });
          upRes.pipe(res);
          upRes.on('end', () => resolve({ status: upRes.statusCode ?? 502, headers: upRes.headers }));
          upRes.on('error', reject);
        },
      );
      up.on('error', (err) => {
        if (!res.headersSent) registryError(res, 502, 'UNKNOWN', `backing registry unreachable: ${err.message}`);
        resolve({ status: 502, headers: {} });
      });
      if (body) up.end(body);
      else req.pipe(up);
    });
  }
}
