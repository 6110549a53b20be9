import type { AccessEntry } from '../services/scope';
import { EmulatorHttp, TokenIssuer, bearerAuthorizer, injected429, pageParams, pageSlice, pageUrl, parseBasic, registryError, sendJson, serveRegistryToken, startEmulator, type AuthResult, type Ctx, type EmulatorHandle, type ListingFaults, type Principal } from './core';
import { backingRegistry, RegistryFront } from './registry-front';
import { RegistryState, type ManifestRecord } from './registry-state';

export type HarborRole = 'projectAdmin' | 'maintainer' | 'developer' | 'guest' | 'limitedGuest';
export interface HarborAccess {
  resource: string;
  action: string;
}

export interface HarborUser {
  username: string;
  password: string;
  sysadmin?: boolean;
  /** Project name → role. */
  roles?: Record<string, HarborRole>;
}

/** `robot$<name>` (system level) or `robot$<project>+<name>`, with explicit resource/action pairs. */
export interface HarborRobot {
  name: string;
  secret: string;
  /** `project: '*'` applies to every project. */
  permissions: { project: string; access: HarborAccess[] }[];
}

export interface HarborProject {
  name: string;
  id: number;
  public?: boolean;
}

export interface HarborEmulatorOptions {
  users?: HarborUser[];
  robots?: HarborRobot[];
  projects?: HarborProject[];
  upstream?: string;
}

export interface HarborState extends ListingFaults {
  registry: RegistryState;
  users: Map<string, HarborUser>;
  robots: Map<string, HarborRobot>;
  projects: HarborProject[];
}

export interface HarborEmulator extends EmulatorHandle<HarborState> {
  /** API base `${url}/api/v2.0`. */
  apiUrl: string;
}

export const HARBOR_DEFAULT_PROJECTS: HarborProject[] = [
  { name: 'library', id: 1, public: true },
  { name: 'team', id: 2, public: false },
];
export const HARBOR_DEFAULT_USERS: HarborUser[] = [
  { username: 'admin', password: 'Harbor12345', sysadmin: true },
  { username: 'maint', password: 'maint-pw', roles: { team: 'maintainer' } },
  { username: 'dev', password: 'dev-pw', roles: { team: 'developer' } },
  { username: 'guest', password: 'guest-pw', roles: { team: 'guest' } },
];
export const HARBOR_DEFAULT_ROBOTS: HarborRobot[] = [
  {
    name: 'robot$team+cleaner',
    secret: 'cleaner-secret',
    permissions: [
      {
        project: 'team',
        access: [
          { resource: 'repository', action: 'list' },
          { resource: 'repository', action: 'pull' },
          { resource: 'artifact', action: 'list' },
          { resource: 'artifact', action: 'delete' },
          { resource: 'tag', action: 'delete' },
        ],
      },
    ],
  },
  {
    name: 'robot$team+ci',
    secret: 'ci-secret',
    permissions: [
      {
        project: 'team',
        access: [
          { resource: 'repository', action: 'pull' },
          { resource: 'repository', action: 'push' },
          { resource: 'artifact', action: 'list' },
        ],
      },
    ],
  },
];

// A subset of goharbor/harbor src/common/rbac/project/rbac_role.go, enough for list/pull/push/delete.
const ROLE_PERMS: Record<HarborRole, Record<string, string[]>> = {
  projectAdmin: {
    project: ['read', 'update', 'delete'],
    repository: ['list', 'pull', 'push', 'delete', 'read', 'update'],
    artifact: ['list', 'read', 'create', 'delete'],
    tag: ['list', 'create', 'delete'],
    member: ['list', 'create', 'update', 'delete'],
  },
  maintainer: {
    project: ['read'],
    repository: ['list', 'pull', 'push', 'delete', 'read', 'update'],
    artifact: ['list', 'read', 'create', 'delete'],
    tag: ['list', 'create', 'delete'],
    member: ['list'],
  },
  developer: {
    project: ['read'],
    repository: ['list', 'pull', 'push', 'read', 'update'],
    artifact: ['list', 'read', 'create'],
    tag: ['list', 'create'],
    member: ['list'],
  },
  guest: { project: ['read'], repository: ['list', 'pull', 'read'], artifact: ['list', 'read'], tag: ['list'], member: ['list'] },
  limitedGuest: { project: ['read'], repository: ['pull', 'read'], artifact: ['read'], tag: ['list'] },
};

const SERVICE = 'harbor-registry';

type Actor = { kind: 'user'; user: HarborUser } | { kind: 'robot'; robot: HarborRobot } | { kind: 'anonymous' };

class HarborEmulatorImpl {
  readonly http = new EmulatorHttp();
  readonly state: HarborState;
  private readonly registryTokens = new TokenIssuer('harbor-token-issuer', SERVICE);
  private front!: RegistryFront;

  constructor(private readonly opts: HarborEmulatorOptions) {
    this.state = {
      registry: new RegistryState(),
      users: new Map((opts.users ?? HARBOR_DEFAULT_USERS).map((u) => [u.username, u])),
      robots: new Map((opts.robots ?? HARBOR_DEFAULT_ROBOTS).map((r) => [r.name, r])),
      projects: opts.projects ?? HARBOR_DEFAULT_PROJECTS,
      rateLimit: null,
      listingCalls: 0,
    };
  }

  get apiUrl(): string {
    return `${this.http.url}/api/v2.0`;
  }

  async start(): Promise<() => Promise<void>> {
    const backing = await backingRegistry(this.opts.upstream);
    await this.http.start();
    const bearer = bearerAuthorizer({ issuer: this.registryTokens, realm: () => `${this.http.url}/service/token`, service: SERVICE });
    this.front = new RegistryFront({
      state: this.state.registry,
      upstream: backing.url,
      policy: {
        deleteByTag: { status: 400, code: 'UNSUPPORTED', message: 'The operation is unsupported.' },
        deleteByDigest: 'delete',
        deleteActions: ['delete'],
        paginateTags: true,
      },
      authorize: (req, need) => bearer(req.headers.authorization, need),
    });
    this.http.route('GET', /^\/service\/token$/, (ctx) =>
      serveRegistryToken(ctx, {
        service: SERVICE,
        issuer: this.registryTokens,
        ttlSeconds: 1800,
        authenticate: (b) => {
          const a = this.actorFrom(b);
          return a && a.kind !== 'anonymous' ? this.registryPrincipal(a) : null;
        },
        anonymous: this.registryPrincipal({ kind: 'anonymous' }),
      }),
    );
    const A = '/api/v2\\.0';
    const repoPath = `${A}/projects/([^/]+)/repositories/([^/]+)`;
    this.http
      .route('GET', new RegExp(`^${A}/systeminfo$`), (ctx) => this.systeminfo(ctx))
      .route('GET', new RegExp(`^${A}/users/current$`), (ctx) => this.withActor(ctx, false, (a) => this.currentUser(ctx, a)))
      .route('GET', new RegExp(`^${A}/users/current/permissions$`), (ctx) => this.withActor(ctx, false, (a) => this.permissions(ctx, a)))
      .route('GET', new RegExp(`^${A}/projects$`), (ctx) => this.withActor(ctx, true, (a) => this.listProjects(ctx, a)))
      .route('GET', new RegExp(`^${A}/projects/([^/]+)$`), (ctx) => this.withActor(ctx, true, (a) => this.getProject(ctx, a)))
      .route('GET', new RegExp(`^${A}/projects/([^/]+)/repositories$`), (ctx) => this.withActor(ctx, true, (a) => this.listRepositories(ctx, a)))
      .route('GET', new RegExp(`^${repoPath}/artifacts$`), (ctx) => this.withActor(ctx, true, (a) => this.listArtifacts(ctx, a)))
      .route(['GET', 'DELETE'], new RegExp(`^${repoPath}/artifacts/([^/]+)$`), (ctx) => this.withActor(ctx, true, (a) => this.artifact(ctx, a)))
      .route('DELETE', new RegExp(`^${repoPath}/artifacts/([^/]+)/tags/([^/]+)$`), (ctx) => this.withActor(ctx, true, (a) => this.deleteTag(ctx, a)))
      .route('*', new RegExp(`^${A}/`), (ctx) => registryError(ctx.res, 404, 'NOT_FOUND', 'not found'))
      .route('DELETE', /^\/v2\/(.+)\/manifests\/(sha256:[a-f0-9]{64})$/, (ctx) => this.deleteManifestV2(ctx, bearer));
    this.http.fallback = async (ctx) => {
      if (!(await this.front.handle(ctx))) registryError(ctx.res, 404, 'NOT_FOUND', 'not found');
    };
    return backing.stop;
  }

  private actorFrom(b: { username: string; password: string } | null): Actor | null {
    if (!b) return { kind: 'anonymous' };
    const robot = this.state.robots.get(b.username);
    if (robot) return robot.secret === b.password ? { kind: 'robot', robot } : null;
    const user = this.state.users.get(b.username);
    return user && user.password === b.password ? { kind: 'user', user } : null;
  }

  private withActor(ctx: Ctx, anonymousOk: boolean, h: (a: Actor) => void | Promise<void>): void | Promise<void> {
    const header = ctx.req.headers.authorization;
    const a = header ? this.actorFrom(parseBasic(header) ?? { username: '', password: '' }) : { kind: 'anonymous' as const };
    if (!a || (!anonymousOk && a.kind === 'anonymous')) {
      registryError(ctx.res, 401, 'UNAUTHORIZED', 'unauthorized');
      return;
    }
    return h(a);
  }

  private project(ref: string, forceName: boolean): HarborProject | undefined {
    if (!forceName && /^\d+$/.test(ref)) return this.state.projects.find((p) => p.id === Number(ref));
    return this.state.projects.find((p) => p.name === ref);
  }

  /** Everything the actor may do in a project, as resource → actions. */
  private perms(a: Actor, p: HarborProject): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    const add = (resource: string, action: string): void => {
      const s = out.get(resource) ?? new Set<string>();
      s.add(action);
      out.set(resource, s);
    };
    if (a.kind === 'user' && a.user.sysadmin) {
      for (const [res, acts] of Object.entries(ROLE_PERMS.projectAdmin)) for (const act of acts) add(res, act);
      return out;
    }
    if (p.public) for (const [res, acts] of Object.entries(ROLE_PERMS.guest)) for (const act of acts) add(res, act);
    if (a.kind === 'user') {
      const role = a.user.roles?.[p.name];
      if (role) for (const [res, acts] of Object.entries(ROLE_PERMS[role])) for (const act of acts) add(res, act);
    }
    if (a.kind === 'robot') {
      for (const perm of a.robot.permissions) {
        if (perm.project !== '*' && perm.project !== p.name) continue;
        // A robot covering a project can always see the project itself.
        add('project', 'read');
        for (const x of perm.access) add(x.resource, x.action);
      }
    }
    return out;
  }

  private can(a: Actor, p: HarborProject, resource: string, action: string): boolean {
    return this.perms(a, p).get(resource)?.has(action) ?? false;
  }

  private registryPrincipal(a: Actor): Principal {
    return {
      subject: a.kind === 'user' ? a.user.username : a.kind === 'robot' ? a.robot.name : '',
      allowed: (e: AccessEntry) => {
        const out = new Set<string>();
        if (e.type === 'registry') {
          if (a.kind === 'user' && a.user.sysadmin) out.add('*');
          return out;
        }
        const p = this.project(e.name.split('/')[0], true);
        if (!p || e.type !== 'repository') return out;
        if (this.can(a, p, 'repository', 'pull')) out.add('pull');
        if (this.can(a, p, 'repository', 'push')) out.add('push');
        if (this.can(a, p, 'repository', 'delete') || this.can(a, p, 'artifact', 'delete')) out.add('delete');
        return out;
      },
    };
  }

  private systeminfo(ctx: Ctx): void {
    const header = ctx.req.headers.authorization;
    const a = header ? this.actorFrom(parseBasic(header)) : null;
    sendJson(ctx.res, 200, {
      auth_mode: 'db_auth',
      primary_auth_mode: false,
      registry_url: this.http.host,
      external_url: this.http.url,
      project_creation_restriction: 'everyone',
      self_registration: false,
      has_ca_root: false,
      read_only: false,
      with_notary: false,
      registry_storage_provider_name: 'filesystem',
      // Harbor omits the version for anonymous callers.
      ...(a && a.kind !== 'anonymous' ? { harbor_version: 'v2.11.0-stowage-emulator' } : {}),
    });
  }

  private currentUser(ctx: Ctx, a: Actor): void {
    if (a.kind !== 'user') {
      // (unverified) robots are not local users; Harbor answers them as unauthorized here.
      registryError(ctx.res, 401, 'UNAUTHORIZED', 'unauthorized');
      return;
    }
    sendJson(ctx.res, 200, {
      user_id: this.state.registry.idOf('harbor-user', a.user.username),
      username: a.user.username,
      email: `${a.user.username}@example.invalid`,
      realname: a.user.username,
      comment: '',
      sysadmin_flag: Boolean(a.user.sysadmin),
      admin_role_in_auth: false,
      creation_time: '2024-01-01T00:00:00.000Z',
      update_time: '2024-01-01T00:00:00.000Z',
    });
  }

  private permissions(ctx: Ctx, a: Actor): void {
    const scope = ctx.url.searchParams.get('scope') ?? '';
    const relative = ctx.url.searchParams.get('relative') === 'true';
    const m = /^\/project\/(\d+)$/.exec(scope);
    const p = m ? this.project(m[1], false) : undefined;
    if (!p) {
      registryError(ctx.res, 400, 'BAD_REQUEST', `invalid scope ${scope}`);
      return;
    }
    const out: HarborAccess[] = [];
    for (const [resource, actions] of this.perms(a, p)) for (const action of actions) out.push({ resource: relative ? resource : `${scope}/${resource}`, action });
    sendJson(ctx.res, 200, out);
  }

  private pageOf<T>(ctx: Ctx, all: T[]): T[] | null {
    const p = pageParams(ctx.url, 'page_size', 10);
    if (p === null) {
      registryError(ctx.res, 400, 'BAD_REQUEST', 'invalid page or page_size');
      return null;
    }
    const { page, size } = p;
    const link = (n: number, rel: string): string => {
      const u = pageUrl(ctx.url, this.http.url, 'page_size', size, n);
      return `<${u.pathname}${u.search}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page * size < all.length) links.push(link(page + 1, 'next'));
    ctx.res.setHeader('x-total-count', String(all.length));
    if (links.length) ctx.res.setHeader('link', links.join(' , '));
    return pageSlice(all, p);
  }

  private projectShape(p: HarborProject): Record<string, unknown> {
    return {
      project_id: p.id,
      name: p.name,
      metadata: { public: String(Boolean(p.public)) },
      repo_count: this.state.registry.repositories().filter((r) => r.startsWith(`${p.name}/`)).length,
      creation_time: '2024-01-01T00:00:00.000Z',
      update_time: '2024-01-01T00:00:00.000Z',
    };
  }

  private listProjects(ctx: Ctx, a: Actor): void {
    const name = ctx.url.searchParams.get('name');
    const visible = this.state.projects.filter((p) => (!name || p.name.includes(name)) && this.can(a, p, 'project', 'read'));
    const page = this.pageOf(ctx, visible);
    if (page) sendJson(ctx.res, 200, page.map((p) => this.projectShape(p)));
  }

  /** 404 for unknown, 403 when the actor may not `resource:action`, 401 if anonymous. */
  private projectOr(ctx: Ctx, a: Actor, resource: string, action: string): HarborProject | null {
    const p = this.project(ctx.params[0], ctx.req.headers['x-is-resource-name'] === 'true');
    if (!p || !this.can(a, p, 'project', 'read')) {
      if (a.kind === 'anonymous' && p) registryError(ctx.res, 401, 'UNAUTHORIZED', 'unauthorized');
      else registryError(ctx.res, 404, 'NOT_FOUND', `project ${ctx.params[0]} not found`);
      return null;
    }
    if (!this.can(a, p, resource, action)) {
      if (a.kind === 'anonymous') registryError(ctx.res, 401, 'UNAUTHORIZED', 'unauthorized');
      else registryError(ctx.res, 403, 'FORBIDDEN', 'forbidden');
      return null;
    }
    return p;
  }

  private getProject(ctx: Ctx, a: Actor): void {
    const p = this.projectOr(ctx, a, 'project', 'read');
    if (p) sendJson(ctx.res, 200, this.projectShape(p));
  }

  private repoShape(p: HarborProject, repo: string): Record<string, unknown> {
    const rec = this.state.registry.repo(repo);
    return {
      id: this.state.registry.idOf('harbor-repo', repo),
      name: repo,
      project_id: p.id,
      artifact_count: rec?.manifests.size ?? 0,
      pull_count: rec?.pullCount ?? 0,
      creation_time: rec?.createdAt.toISOString(),
      update_time: rec?.createdAt.toISOString(),
    };
  }

  private listRepositories(ctx: Ctx, a: Actor): void {
    const p = this.projectOr(ctx, a, 'repository', 'list');
    if (!p) return;
    const page = this.pageOf(ctx, this.state.registry.repositories().filter((r) => r.startsWith(`${p.name}/`)));
    if (page) sendJson(ctx.res, 200, page.map((r) => this.repoShape(p, r)));
  }

  /** The repository path arrives URL-encoded twice (`a%252Fb`); the router decoded it once already. */
  private repoName(ctx: Ctx, p: HarborProject): string | null {
    const name = `${p.name}/${decodeURIComponent(ctx.params[1])}`;
    if (!this.state.registry.repo(name)) {
      registryError(ctx.res, 404, 'NOT_FOUND', `repository ${name} not found`);
      return null;
    }
    return name;
  }

  private artifactShape(p: HarborProject, repo: string, m: ManifestRecord, withTags: boolean): Record<string, unknown> {
    const reg = this.state.registry;
    const repoId = reg.idOf('harbor-repo', repo);
    const id = reg.idOf('harbor-artifact', `${repo}@${m.digest}`);
    const tags = reg.tagsOf(repo, m.digest).map((t) => {
      const rec = reg.repo(repo)?.tags.get(t);
      return {
        id: reg.idOf('harbor-tag', `${repo}:${t}`),
        repository_id: repoId,
        artifact_id: id,
        name: t,
        push_time: rec?.updatedAt.toISOString(),
        pull_time: '0001-01-01T00:00:00.000Z',
        immutable: Boolean(rec?.immutable),
        signed: false,
      };
    });
    return {
      id,
      type: 'IMAGE',
      media_type: m.mediaType.includes('oci') ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json',
      manifest_media_type: m.mediaType,
      project_id: p.id,
      repository_id: repoId,
      repository_name: repo,
      digest: m.digest,
      size: m.size,
      push_time: m.pushedAt.toISOString(),
      pull_time: m.lastPulledAt?.toISOString() ?? '0001-01-01T00:00:00.000Z',
      // Harbor parses the image config into extra_attrs (architecture, os, created, author, config).
      extra_attrs: {
        ...(m.platform ? { architecture: m.platform.architecture, os: m.platform.os } : {}),
        ...(m.created ? { created: m.created.toISOString(), author: '' } : {}),
        ...(m.labels ? { config: { Labels: Object.keys(m.labels).length ? m.labels : null } } : {}),
      },
      annotations: null,
      references: m.children.length
        ? m.children.map((d) => ({ parent_id: id, child_id: reg.idOf('harbor-artifact', `${repo}@${d}`), child_digest: d, platform: reg.manifest(repo, d)?.platform ?? null }))
        : null,
      tags: withTags && tags.length ? tags : null,
      accessories: null,
    };
  }

  private listArtifacts(ctx: Ctx, a: Actor): void {
    const p = this.projectOr(ctx, a, 'artifact', 'list');
    if (!p) return;
    const repo = this.repoName(ctx, p);
    if (!repo) return;
    const wait = injected429(this.state);
    if (wait !== null) {
      registryError(ctx.res, 429, 'TOO_MANY_REQUEST', 'too many requests', { 'retry-after': String(wait) });
      return;
    }
    const q = ctx.url.searchParams.get('q') ?? '';
    const tagQuery = /(?:^|,)tags=([^,]*)/.exec(q)?.[1];
    const reg = this.state.registry;
    const all = reg.listManifests(repo).filter((m) => {
      const tags = reg.tagsOf(repo, m.digest);
      if (tagQuery === undefined) return true;
      if (tagQuery === '*') return tags.length > 0;
      if (tagQuery === 'nil') return tags.length === 0;
      if (tagQuery.startsWith('~')) return tags.some((t) => t.includes(tagQuery.slice(1)));
      return tags.includes(tagQuery);
    });
    const page = this.pageOf(ctx, all);
    const withTag = ctx.url.searchParams.get('with_tag') !== 'false';
    if (page) sendJson(ctx.res, 200, page.map((m) => this.artifactShape(p, repo, m, withTag)));
  }

  private async artifact(ctx: Ctx, a: Actor): Promise<void> {
    const del = ctx.req.method === 'DELETE';
    const p = this.projectOr(ctx, a, 'artifact', del ? 'delete' : 'read');
    if (!p) return;
    const repo = this.repoName(ctx, p);
    if (!repo) return;
    const digest = this.state.registry.resolve(repo, ctx.params[2]);
    const m = digest ? this.state.registry.manifest(repo, digest) : undefined;
    if (!m) {
      registryError(ctx.res, 404, 'NOT_FOUND', `artifact ${repo}@${ctx.params[2]} not found`);
      return;
    }
    if (!del) {
      sendJson(ctx.res, 200, this.artifactShape(p, repo, m, true));
      return;
    }
    if (this.throttled(ctx)) return;
    const refusal = await this.deleteArtifact(repo, m.digest);
    if (refusal) {
      registryError(ctx.res, 412, 'PRECONDITION', refusal);
      return;
    }
    sendJson(ctx.res, 200, undefined);
  }

  /** Harbor answers throttled API calls 429 TOO_MANY_REQUEST (src/lib/errors/const.go). */
  private throttled(ctx: Ctx): boolean {
    const wait = injected429(this.state);
    if (wait === null) return false;
    registryError(ctx.res, 429, 'TOO_MANY_REQUEST', 'too many requests', { 'retry-after': String(wait) });
    return true;
  }

  /**
   * Harbor's artifact delete (goharbor/harbor src/controller/artifact/controller.go, deleteDeeply),
   * the same for the API and for `/v2` DELETE by digest: refused with 412 PRECONDITION while an
   * index still references the artifact ("referenced by others") or a tag on it is immutable
   * (src/controller/tag/controller.go: "configured as immutable, cannot be deleted"); an index
   * takes its children with it when nothing else holds them (no tag, no other parent).
   * Returns the refusal message, or null when deleted.
   */
  private async deleteArtifact(repo: string, digest: string, cascading = false): Promise<string | null> {
    const reg = this.state.registry;
    if (!cascading && reg.parents(repo, digest).length > 0) return `the deleting artifact ${repo}@${digest} is referenced by others, cannot be deleted`;
    const immutable = reg.tagsOf(repo, digest).filter((t) => reg.repo(repo)?.tags.get(t)?.immutable);
    if (immutable.length) return `the tag ${immutable[0]} is configured as immutable, cannot be deleted`;
    const children = reg.manifest(repo, digest)?.children ?? [];
    reg.deleteManifest(repo, digest);
    await this.front.removeFromUpstream(repo, digest).catch(() => undefined);
    for (const child of children) {
      if (!reg.manifest(repo, child) || reg.tagsOf(repo, child).length > 0 || reg.parents(repo, child).length > 0) continue;
      await this.deleteArtifact(repo, child, true);
    }
    return null;
  }

  /** `/v2` DELETE by digest goes through the same artifact delete (and its 412s) as the API. */
  private async deleteManifestV2(ctx: Ctx, bearer: (authorization: string | undefined, need: AccessEntry[]) => AuthResult): Promise<void> {
    const [repo, digest] = ctx.params;
    const auth = bearer(ctx.req.headers.authorization, [{ type: 'repository', name: repo, actions: ['delete'] }]);
    if (!auth.ok) {
      auth.send(ctx.res);
      return;
    }
    if (this.throttled(ctx)) return;
    if (!this.state.registry.manifest(repo, digest)) {
      registryError(ctx.res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown', {}, { Digest: digest });
      return;
    }
    const refusal = await this.deleteArtifact(repo, digest);
    if (refusal) registryError(ctx.res, 412, 'PRECONDITION', refusal);
    else sendJson(ctx.res, 202, undefined);
  }

  private deleteTag(ctx: Ctx, a: Actor): void {
    const p = this.projectOr(ctx, a, 'tag', 'delete');
    if (!p) return;
    const repo = this.repoName(ctx, p);
    if (!repo) return;
    const digest = this.state.registry.resolve(repo, ctx.params[2]);
    const tag = ctx.params[3];
    const rec = this.state.registry.repo(repo)?.tags.get(tag);
    if (!digest || !rec || rec.digest !== digest) {
      registryError(ctx.res, 404, 'NOT_FOUND', `tag ${tag} not found`);
      return;
    }
    if (this.throttled(ctx)) return;
    if (rec.immutable) {
      registryError(ctx.res, 412, 'PRECONDITION', `the tag ${tag} is configured as immutable, cannot be deleted`);
      return;
    }
    this.state.registry.untag(repo, tag);
    sendJson(ctx.res, 200, undefined);
  }
}

export async function startHarborEmulator(opts: HarborEmulatorOptions = {}): Promise<HarborEmulator> {
  const emu = new HarborEmulatorImpl(opts);
  return { ...(await startEmulator(emu)), apiUrl: emu.apiUrl };
}
