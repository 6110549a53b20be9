import type { IncomingMessage } from 'node:http';
import { globMatch, intersect, parseScopes, type AccessEntry } from '../services/scope';
import { EmulatorHttp, TokenIssuer, bearerAuthorizer, injected429, parseBasic, registryError, sendJson, startEmulator, type AuthResult, type Ctx, type EmulatorHandle, type ListingFaults, type Principal } from './core';
import { backingRegistry, RegistryFront, UNSUPPORTED_DELETE } from './registry-front';
import { RegistryState } from './registry-state';

export type AcrLegacyRole = 'Reader' | 'AcrPull' | 'AcrPush' | 'AcrDelete' | 'Contributor' | 'Owner';
/** The ABAC-enabled roles (container-registry-rbac-abac-repository-permissions), honoured in `rbac-abac` mode. */
export type AcrAbacRole = 'Container Registry Repository Reader' | 'Container Registry Repository Writer' | 'Container Registry Repository Contributor' | 'Container Registry Repository Catalog Lister';
export type AcrRole = AcrLegacyRole | AcrAbacRole;
/**
 * The registry's "role assignment permissions mode": `rbac` ("RBAC Registry Permissions") or
 * `rbac-abac` ("RBAC Registry + ABAC Repository Permissions").
 */
export type AcrRoleAssignmentMode = 'rbac' | 'rbac-abac';
export type AcrScopeMapAction = 'content/read' | 'content/write' | 'content/delete' | 'metadata/read' | 'metadata/write';

/** An Entra ID identity: the AAD access token it presents and its RBAC roles on the registry. */
export interface AcrAadPrincipal {
  name: string;
  aadToken: string;
  roles: AcrRole[];
}

/** A repository-scoped token (`az acr token`) with its scope map. */
export interface AcrScopedToken {
  name: string;
  password: string;
  scopeMap: Record<string, AcrScopeMapAction[]>;
}

export interface AcrEmulatorOptions {
  principals?: AcrAadPrincipal[];
  tokens?: AcrScopedToken[];
  /** Admin user; `null` disables it (the default in Azure). */
  admin?: { username: string; password: string } | null;
  anonymousPull?: boolean;
  /** Default `rbac`. */
  roleAssignmentMode?: AcrRoleAssignmentMode;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  upstream?: string;
}

export interface AcrState extends ListingFaults {
  registry: RegistryState;
  principals: Map<string, AcrAadPrincipal>;
  tokens: Map<string, AcrScopedToken>;
  admin: { username: string; password: string } | null;
  anonymousPull: boolean;
  roleAssignmentMode: AcrRoleAssignmentMode;
  /**
   * Changeable attributes set through PATCH (`tag:<repo>:<tag>`, `manifest:<repo>@<digest>`);
   * absent means all enabled. A TagRecord's `immutable` counts as both flags false.
   */
  locks: Map<string, { deleteEnabled: boolean; writeEnabled: boolean }>;
}

export interface AcrEmulator extends EmulatorHandle<AcrState> {
  /** Login server / token `service`, like `<name>.azurecr.io`. */
  host: string;
  /** Shifts the token clock (seconds) so tests can expire refresh/access tokens. */
  setClockSkew(seconds: number): void;
}

/** The user name docker uses when the password is an ACR refresh token (identity token). */
export const ACR_NULL_GUID = '00000000-0000-0000-0000-000000000000';

export const ACR_DEFAULT_PRINCIPALS: AcrAadPrincipal[] = [
  { name: 'owner-sp', aadToken: 'aad-owner', roles: ['Owner'] },
  { name: 'contributor-sp', aadToken: 'aad-contributor', roles: ['Contributor'] },
  { name: 'pull-sp', aadToken: 'aad-acrpull', roles: ['AcrPull'] },
  { name: 'reader-sp', aadToken: 'aad-reader', roles: ['Reader'] },
  { name: 'push-sp', aadToken: 'aad-acrpush', roles: ['AcrPush'] },
  { name: 'push-delete-sp', aadToken: 'aad-acrpush-acrdelete', roles: ['AcrPush', 'AcrDelete'] },
];

const ROLE_ACTIONS: Record<AcrRole, string[]> = {
  Reader: ['pull', 'metadata_read'],
  AcrPull: ['pull', 'metadata_read'],
  AcrPush: ['pull', 'push', 'metadata_read', 'metadata_write'],
  AcrDelete: ['delete'],
  Contributor: ['pull', 'push', 'delete', 'metadata_read', 'metadata_write'],
  Owner: ['pull', 'push', 'delete', 'metadata_read', 'metadata_write'],
  'Container Registry Repository Reader': ['pull', 'metadata_read'],
  'Container Registry Repository Writer': ['pull', 'push', 'metadata_read', 'metadata_write'],
  'Container Registry Repository Contributor': ['pull', 'push', 'delete', 'metadata_read', 'metadata_write'],
  'Container Registry Repository Catalog Lister': [],
};

/**
 * The roles each mode honours for the data plane. `rbac-abac`: "Legacy ACR roles such as AcrPull,
 * AcrPush, and AcrDelete are not honored", and listing the catalog needs the Catalog Lister role
 * (registry-apis.md §3). (unverified) In that mode Owner, Contributor and Reader are modelled as
 * control-plane only, and in `rbac` mode the ABAC-enabled roles as not honoured.
 */
const HONOURED: Record<AcrRoleAssignmentMode, ReadonlySet<AcrRole>> = {
  rbac: new Set<AcrRole>(['Reader', 'AcrPull', 'AcrPush', 'AcrDelete', 'Contributor', 'Owner']),
  'rbac-abac': new Set<AcrRole>(['Container Registry Repository Reader', 'Container Registry Repository Writer', 'Container Registry Repository Contributor', 'Container Registry Repository Catalog Lister']),
};

/** Who may list the catalog: in `rbac` mode any role that reads (not AcrDelete alone), in `rbac-abac` the Catalog Lister. */
function listsCatalog(mode: AcrRoleAssignmentMode, roles: readonly AcrRole[]): boolean {
  if (mode === 'rbac-abac') return roles.includes('Container Registry Repository Catalog Lister');
  return roles.some((r) => HONOURED.rbac.has(r) && r !== 'AcrDelete');
}

const SCOPE_MAP_ACTIONS: Record<AcrScopeMapAction, string> = {
  'content/read': 'pull',
  'content/write': 'push',
  'content/delete': 'delete',
  'metadata/read': 'metadata_read',
  'metadata/write': 'metadata_write',
};

/** (unverified) status/code for deleting a locked tag; Azure documents only the message. */
const LOCKED = { status: 405, code: 'DENIED', message: 'The operation is disallowed on this registry, repository or image.' };

class AcrEmulatorImpl {
  readonly http = new EmulatorHttp();
  readonly state: AcrState;
  private issuer!: TokenIssuer;
  private front!: RegistryFront;
  private bearer!: ReturnType<typeof bearerAuthorizer>;

  constructor(private readonly opts: AcrEmulatorOptions) {
    this.state = {
      registry: new RegistryState(),
      principals: new Map((opts.principals ?? ACR_DEFAULT_PRINCIPALS).map((p) => [p.aadToken, p])),
      tokens: new Map((opts.tokens ?? []).map((t) => [t.name, t])),
      admin: opts.admin ?? null,
      anonymousPull: opts.anonymousPull ?? false,
      roleAssignmentMode: opts.roleAssignmentMode ?? 'rbac',
      locks: new Map(),
      rateLimit: null,
      listingCalls: 0,
    };
  }

  get service(): string {
    return this.http.host;
  }

  async start(): Promise<() => Promise<void>> {
    const backing = await backingRegistry(this.opts.upstream);
    await this.http.start();
    this.issuer = new TokenIssuer(this.service, this.service);
    this.bearer = bearerAuthorizer({ issuer: this.issuer, realm: () => `${this.http.url}/oauth2/token`, service: this.service });
    this.front = new RegistryFront({
      state: this.state.registry,
      upstream: backing.url,
      policy: {
        deleteByTag: UNSUPPORTED_DELETE, // (unverified) use /acr/v1 to untag
        deleteByDigest: 'delete',
        deleteActions: ['delete'],
        paginateTags: true,
      },
      authorize: (req, need) => this.authorize(req, need),
    });
    this.http
      .route('POST', /^\/oauth2\/exchange$/, (ctx) => this.exchange(ctx))
      .route(['GET', 'POST'], /^\/oauth2\/token$/, (ctx) => this.token(ctx))
      .route('GET', /^\/acr\/v1\/_catalog$/, (ctx) => this.catalog(ctx))
      .route(['GET', 'DELETE', 'PATCH'], /^\/acr\/v1\/(.+)\/_tags\/([^/]+)$/, (ctx) => this.tag(ctx))
      .route('PATCH', /^\/acr\/v1\/(.+)\/_manifests\/(sha256:[a-f0-9]{64})$/, (ctx) => this.patchManifest(ctx))
      .route('GET', /^\/acr\/v1\/(.+)\/_tags$/, (ctx) => this.tags(ctx))
      .route('GET', /^\/acr\/v1\/(.+)\/_manifests$/, (ctx) => this.manifests(ctx))
      .route('DELETE', /^\/acr\/v1\/(.+)$/, (ctx) => this.deleteRepository(ctx))
      .route('DELETE', /^\/v2\/(.+)\/manifests\/(sha256:[a-f0-9]{64})$/, (ctx) => this.deleteManifest(ctx))
      .route('PUT', /^\/v2\/(.+)\/manifests\/([^/:]+)$/, (ctx) => this.putTaggedManifest(ctx));
    this.http.fallback = async (ctx) => {
      if (!(await this.front.handle(ctx))) registryError(ctx.res, 404, 'NOT_FOUND', 'not found');
    };
    return backing.stop;
  }

  setClockSkew(seconds: number): void {
    this.issuer.skewSeconds = seconds;
  }

  private rbacPrincipal(p: AcrAadPrincipal): Principal {
    const mode = this.state.roleAssignmentMode;
    const roles = p.roles.filter((r) => HONOURED[mode].has(r));
    const actions = new Set(roles.flatMap((r) => ROLE_ACTIONS[r]));
    const canList = listsCatalog(mode, roles);
    return {
      subject: p.name,
      allowed: (e) => (e.type === 'repository' ? actions : e.type === 'registry' && e.name === 'catalog' && canList ? new Set(['*']) : new Set()),
    };
  }

  private scopedPrincipal(t: AcrScopedToken): Principal {
    return {
      subject: t.name,
      allowed: (e) => {
        if (e.type !== 'repository') return new Set();
        const out = new Set<string>();
        for (const [pattern, acts] of Object.entries(t.scopeMap)) if (globMatch(pattern, e.name)) for (const a of acts) out.add(SCOPE_MAP_ACTIONS[a]);
        return out;
      },
    };
  }

  private adminPrincipal(): Principal {
    return { subject: this.state.admin?.username ?? 'admin', allowed: () => new Set(['*']) };
  }

  private anonymousPrincipal(): Principal | null {
    if (!this.state.anonymousPull) return null;
    return { subject: '', allowed: (e) => (e.type === 'repository' ? new Set(['pull']) : new Set()) };
  }

  /** Admin user, repository-scoped token, or the null GUID with a refresh token as password. */
  private fromBasic(basic: { username: string; password: string } | null): Principal | null {
    if (!basic) return null;
    const admin = this.state.admin;
    if (admin && basic.username === admin.username && basic.password === admin.password) return this.adminPrincipal();
    const scoped = this.state.tokens.get(basic.username);
    if (scoped && scoped.password === basic.password) return this.scopedPrincipal(scoped);
    if (basic.username === ACR_NULL_GUID) return this.fromRefreshToken(basic.password);
    return null;
  }

  private fromRefreshToken(token: string): Principal | null {
    const claims = this.issuer.verify(token);
    if (!claims || claims.grant_type !== 'refresh_token') return null;
    const p = [...this.state.principals.values()].find((x) => x.name === claims.sub);
    return p ? this.rbacPrincipal(p) : null;
  }

  private authorize(req: IncomingMessage, need: AccessEntry[]): AuthResult {
    const basic = parseBasic(req.headers.authorization);
    if (basic) {
      const p = this.fromBasic(basic);
      if (!p) return this.bearer(undefined, need);
      const missing = need.filter((n) => n.actions.some((a) => !p.allowed(n).has(a) && !p.allowed(n).has('*')));
      if (missing.length === 0) return { ok: true, subject: p.subject };
      return { ok: false, send: (res) => registryError(res, 403, 'DENIED', 'requested access to the resource is denied') };
    }
    return this.bearer(req.headers.authorization, need);
  }

  private async exchange(ctx: Ctx): Promise<void> {
    const form = await ctx.form();
    if (form.get('grant_type') !== 'access_token') {
      registryError(ctx.res, 400, 'UNSUPPORTED', `grant_type ${form.get('grant_type') ?? ''} is not supported`);
      return;
    }
    if (form.get('service') !== this.service) {
      registryError(ctx.res, 400, 'UNAUTHORIZED', `invalid service ${form.get('service') ?? ''}`);
      return;
    }
    const p = this.state.principals.get(form.get('access_token') ?? '');
    if (!p) {
      registryError(ctx.res, 401, 'UNAUTHORIZED', 'the AAD access token is invalid or expired');
      return;
    }
    const t = this.issuer.issue(p.name, [], this.opts.refreshTokenTtlSeconds ?? 3 * 3600, { grant_type: 'refresh_token', tenant: form.get('tenant') ?? 'stowage-tenant' });
    sendJson(ctx.res, 200, { refresh_token: t.token });
  }

  private async token(ctx: Ctx): Promise<void> {
    const { req, res, url } = ctx;
    let principal: Principal | null;
    let params: URLSearchParams;
    if (req.method === 'POST') {
      params = await ctx.form();
      const grant = params.get('grant_type');
      if (grant === 'refresh_token') principal = this.fromRefreshToken(params.get('refresh_token') ?? '');
      else if (grant === 'password') {
        const user = params.get('username');
        principal = user ? this.fromBasic({ username: user, password: params.get('password') ?? '' }) : this.anonymousPrincipal();
      } else {
        registryError(res, 400, 'UNSUPPORTED', `grant_type ${grant ?? ''} is not supported`);
        return;
      }
    } else {
      params = url.searchParams;
      principal = req.headers.authorization ? this.fromBasic(parseBasic(req.headers.authorization)) : this.anonymousPrincipal();
    }
    if (params.get('service') !== this.service) {
      registryError(res, 400, 'UNAUTHORIZED', `invalid service ${params.get('service') ?? ''}`);
      return;
    }
    if (!principal) {
      registryError(res, 401, 'UNAUTHORIZED', 'authentication required, visit https://aka.ms/acr/authorization for more information.');
      return;
    }
    const granted = intersect(parseScopes(params.getAll('scope')), (e) => principal.allowed(e));
    const t = this.issuer.issue(principal.subject, granted, this.opts.accessTokenTtlSeconds ?? 3600, { grant_type: 'access_token' });
    sendJson(res, 200, { access_token: t.token });
  }

  private async need(ctx: Ctx, need: AccessEntry[]): Promise<boolean> {
    const auth = this.authorize(ctx.req, need);
    if (!auth.ok) auth.send(ctx.res);
    return auth.ok;
  }

  /** ACR throttles by SKU with 429 TOOMANYREQUESTS in the distribution error shape. (unverified: Retry-After) */
  private throttled(ctx: Ctx): boolean {
    const wait = injected429(this.state);
    if (wait === null) return false;
    registryError(ctx.res, 429, 'TOOMANYREQUESTS', 'too many requests, please retry later', { 'retry-after': String(wait) });
    return true;
  }

  private tagShape(repo: string, name: string): Record<string, unknown> | null {
    const t = this.state.registry.repo(repo)?.tags.get(name);
    if (!t) return null;
    const m = this.state.registry.manifest(repo, t.digest);
    return {
      name,
      digest: t.digest,
      createdTime: (m?.pushedAt ?? t.updatedAt).toISOString(),
      lastUpdateTime: t.updatedAt.toISOString(),
      signed: false,
      changeableAttributes: { ...this.tagAttrs(repo, name), readEnabled: true, listEnabled: true },
    };
  }

  /**
   * Lock flags (learn.microsoft.com/azure/container-registry/container-registry-image-lock):
   * `deleteEnabled: false` prevents deletion, `writeEnabled: false` locks the image against both
   * update and deletion.
   */
  private tagAttrs(repo: string, tag: string): { deleteEnabled: boolean; writeEnabled: boolean } {
    if (this.state.registry.repo(repo)?.tags.get(tag)?.immutable) return { deleteEnabled: false, writeEnabled: false };
    return this.state.locks.get(`tag:${repo}:${tag}`) ?? { deleteEnabled: true, writeEnabled: true };
  }

  private manifestAttrs(repo: string, digest: string): { deleteEnabled: boolean; writeEnabled: boolean } {
    return this.state.locks.get(`manifest:${repo}@${digest}`) ?? { deleteEnabled: true, writeEnabled: true };
  }

  private static deletable(a: { deleteEnabled: boolean; writeEnabled: boolean }): boolean {
    return a.deleteEnabled && a.writeEnabled;
  }

  private async patchManifest(ctx: Ctx): Promise<void> {
    const [repo, digest] = ctx.params;
    if (!(await this.need(ctx, [{ type: 'repository', name: repo, actions: ['metadata_write'] }]))) return;
    if (!this.repoOr404(ctx, repo)) return;
    if (!this.state.registry.manifest(repo, digest)) {
      registryError(ctx.res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown', {}, { name: repo, digest });
      return;
    }
    const body = await ctx.json<{ deleteEnabled?: boolean; writeEnabled?: boolean }>();
    const now = this.manifestAttrs(repo, digest);
    const next = { deleteEnabled: body.deleteEnabled ?? now.deleteEnabled, writeEnabled: body.writeEnabled ?? now.writeEnabled };
    this.state.locks.set(`manifest:${repo}@${digest}`, next);
    sendJson(ctx.res, 200, { registry: this.service, imageName: repo, manifest: { digest, changeableAttributes: { ...next, readEnabled: true, listEnabled: true } } });
  }

  /**
   * `/v2` manifest delete by digest: removes the manifest and every tag on it (ACR REST "Manifests -
   * Delete"), unless the manifest or one of those tags is locked (container-registry-image-lock:
   * a locked image cannot be deleted). (unverified: the status and code of the refusal, see LOCKED.)
   */
  private async deleteManifest(ctx: Ctx): Promise<void> {
    const [repo, digest] = ctx.params;
    const auth = this.authorize(ctx.req, [{ type: 'repository', name: repo, actions: ['delete'] }]);
    if (!auth.ok) {
      auth.send(ctx.res);
      return;
    }
    if (this.throttled(ctx)) return;
    const reg = this.state.registry;
    if (reg.manifest(repo, digest)) {
      const locked = !AcrEmulatorImpl.deletable(this.manifestAttrs(repo, digest)) || reg.tagsOf(repo, digest).some((t) => !AcrEmulatorImpl.deletable(this.tagAttrs(repo, t)));
      if (locked) {
        registryError(ctx.res, LOCKED.status, LOCKED.code, LOCKED.message);
        return;
      }
    }
    await this.front.handle(ctx);
  }

  /** A manifest PUT under a tag whose writeEnabled is false is refused like a delete (image lock). */
  private async putTaggedManifest(ctx: Ctx): Promise<void> {
    const [repo, tag] = ctx.params;
    if (this.state.registry.resolve(repo, tag) !== undefined && !this.tagAttrs(repo, tag).writeEnabled) {
      const auth = this.authorize(ctx.req, [{ type: 'repository', name: repo, actions: ['push'] }]);
      if (!auth.ok) auth.send(ctx.res);
      else registryError(ctx.res, LOCKED.status, LOCKED.code, LOCKED.message);
      return;
    }
    await this.front.handle(ctx);
  }

  private pageBy<T>(ctx: Ctx, items: T[], keyOf: (x: T) => string, base: string): { page: T[]; link?: string } | null {
    const nRaw = ctx.url.searchParams.get('n');
    const n = nRaw === null ? 100 : Number(nRaw);
    if (!Number.isInteger(n) || n < 1) {
      registryError(ctx.res, 400, 'PAGINATION_NUMBER_INVALID', 'invalid number of results requested');
      return null;
    }
    const last = ctx.url.searchParams.get('last');
    const orderby = ctx.url.searchParams.get('orderby');
    // ACR REST reference (Repository/Tag/Manifests "Get List"): `last` — "Result set will include
    // values lexically after last". So a `last` deleted mid-listing still continues after its
    // place, never from the start. With `orderby` the list is in time order; (unverified) there
    // the emulator continues after the position of `last`, or lexically when it is gone.
    let rest: T[];
    if (last === null) rest = items;
    else {
      const at = orderby ? items.findIndex((x) => keyOf(x) === last) : -1;
      rest = at >= 0 ? items.slice(at + 1) : items.filter((x) => keyOf(x) > last);
    }
    const page = rest.slice(0, n);
    const more = n < rest.length;
    const link = more ? `<${base}?last=${encodeURIComponent(keyOf(page[page.length - 1]))}&n=${n}${orderby ? `&orderby=${orderby}` : ''}>; rel="next"` : undefined;
    return { page, link };
  }

  private async catalog(ctx: Ctx): Promise<void> {
    if (!(await this.need(ctx, [{ type: 'registry', name: 'catalog', actions: ['*'] }]))) return;
    if (this.throttled(ctx)) return;
    const p = this.pageBy(ctx, this.state.registry.repositories(), (x) => x, '/acr/v1/_catalog');
    if (p) sendJson(ctx.res, 200, { repositories: p.page }, p.link ? { link: p.link } : {});
  }

  private repoOr404(ctx: Ctx, repo: string): boolean {
    if (this.state.registry.repo(repo)) return true;
    registryError(ctx.res, 404, 'NAME_UNKNOWN', 'repository name not known to registry', {}, { name: repo });
    return false;
  }

  private async tags(ctx: Ctx): Promise<void> {
    const repo = ctx.params[0];
    if (!(await this.need(ctx, [{ type: 'repository', name: repo, actions: ['metadata_read'] }]))) return;
    if (this.throttled(ctx)) return;
    if (!this.repoOr404(ctx, repo)) return;
    const digest = ctx.url.searchParams.get('digest');
    const orderby = ctx.url.searchParams.get('orderby');
    let shapes = this.state.registry.listTags(repo).map((t) => this.tagShape(repo, t) as { name: string; digest: string; lastUpdateTime: string });
    if (digest) shapes = shapes.filter((s) => s.digest === digest);
    if (orderby === 'timedesc' || orderby === 'timeasc') {
      const dir = orderby === 'timedesc' ? -1 : 1;
      shapes.sort((a, b) => dir * (Date.parse(a.lastUpdateTime) - Date.parse(b.lastUpdateTime)) || a.name.localeCompare(b.name));
    }
    const p = this.pageBy(ctx, shapes, (s) => s.name, `/acr/v1/${repo}/_tags`);
    if (p) sendJson(ctx.res, 200, { registry: this.service, imageName: repo, tags: p.page }, p.link ? { link: p.link } : {});
  }

  private async tag(ctx: Ctx): Promise<void> {
    const [repo, tag] = ctx.params;
    const method = ctx.req.method;
    const action = method === 'DELETE' ? 'delete' : method === 'PATCH' ? 'metadata_write' : 'metadata_read';
    if (!(await this.need(ctx, [{ type: 'repository', name: repo, actions: [action] }]))) return;
    if (!this.repoOr404(ctx, repo)) return;
    const record = this.state.registry.repo(repo)?.tags.get(tag);
    if (!record) {
      registryError(ctx.res, 404, 'TAG_UNKNOWN', 'the specified tag does not exist', {}, { name: repo, tag });
      return;
    }
    if (method === 'DELETE') {
      // ACR REST "Tag - Delete": 202, the manifest stays (untagged); a locked tag is refused.
      if (this.throttled(ctx)) return;
      if (!AcrEmulatorImpl.deletable(this.tagAttrs(repo, tag))) {
        registryError(ctx.res, LOCKED.status, LOCKED.code, LOCKED.message);
        return;
      }
      this.state.registry.untag(repo, tag);
      this.state.locks.delete(`tag:${repo}:${tag}`);
      sendJson(ctx.res, 202, undefined);
      return;
    }
    if (method === 'PATCH') {
      const body = await ctx.json<{ deleteEnabled?: boolean; writeEnabled?: boolean }>();
      const now = this.tagAttrs(repo, tag);
      record.immutable = false;
      this.state.locks.set(`tag:${repo}:${tag}`, { deleteEnabled: body.deleteEnabled ?? now.deleteEnabled, writeEnabled: body.writeEnabled ?? now.writeEnabled });
    }
    sendJson(ctx.res, 200, { registry: this.service, imageName: repo, tag: this.tagShape(repo, tag) });
  }

  private async manifests(ctx: Ctx): Promise<void> {
    const repo = ctx.params[0];
    if (!(await this.need(ctx, [{ type: 'repository', name: repo, actions: ['metadata_read'] }]))) return;
    if (this.throttled(ctx)) return;
    if (!this.repoOr404(ctx, repo)) return;
    const reg = this.state.registry;
    const orderby = ctx.url.searchParams.get('orderby');
    // Without orderby ACR lists manifests by digest; timedesc/timeasc sort by lastUpdateTime.
    const ordered = reg.listManifests(repo).sort((a, b) =>
      orderby === 'timedesc' ? b.pushedAt.getTime() - a.pushedAt.getTime() || a.digest.localeCompare(b.digest) : orderby === 'timeasc' ? a.pushedAt.getTime() - b.pushedAt.getTime() || a.digest.localeCompare(b.digest) : a.digest.localeCompare(b.digest),
    );
    const shapes = ordered.map((m) => ({
      digest: m.digest,
      imageSize: m.size,
      createdTime: m.pushedAt.toISOString(),
      lastUpdateTime: m.pushedAt.toISOString(),
      mediaType: m.mediaType,
      ...(m.configDigest ? { configMediaType: m.mediaType.includes('oci') ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json' } : {}),
      ...(m.platform ? { architecture: m.platform.architecture, os: m.platform.os } : {}),
      ...(m.children.length ? { references: m.children.map((d) => ({ digest: d, ...reg.manifest(repo, d)?.platform })) } : {}),
      tags: reg.tagsOf(repo, m.digest),
      changeableAttributes: { ...this.manifestAttrs(repo, m.digest), readEnabled: true, listEnabled: true },
    }));
    const p = this.pageBy(ctx, shapes, (s) => s.digest, `/acr/v1/${repo}/_manifests`);
    if (p) sendJson(ctx.res, 200, { registry: this.service, imageName: repo, manifests: p.page }, p.link ? { link: p.link } : {});
  }

  private async deleteRepository(ctx: Ctx): Promise<void> {
    const repo = ctx.params[0];
    if (!(await this.need(ctx, [{ type: 'repository', name: repo, actions: ['delete'] }]))) return;
    if (!this.repoOr404(ctx, repo)) return;
    const reg = this.state.registry;
    const manifests = reg.listManifests(repo).map((m) => m.digest);
    const tags = reg.listTags(repo);
    for (const d of manifests) await this.front.removeFromUpstream(repo, d).catch(() => undefined);
    reg.deleteRepo(repo);
    sendJson(ctx.res, 202, { manifestsDeleted: manifests, tagsDeleted: tags });
  }
}

export async function startAcrEmulator(opts: AcrEmulatorOptions = {}): Promise<AcrEmulator> {
  const emu = new AcrEmulatorImpl(opts);
  return { ...(await startEmulator(emu)), setClockSkew: (s: number) => emu.setClockSkew(s) };
}
