import type { IncomingMessage } from 'node:http';
import type { AccessEntry } from '../services/scope';
import { EmulatorHttp, RateLimit, TokenIssuer, bearerAuthorizer, injected429, intParam, pageParams, pageSlice, pageUrl, parseBearer, registryError, sendJson, sendText, serveRegistryToken, startEmulator, type Ctx, type EmulatorHandle, type ListingFaults, type Principal } from './core';
import { backingRegistry, RegistryFront } from './registry-front';
import { RegistryState } from './registry-state';

export type GitLabRegistryKind = 'metadata-db' | 'no-metadata-db' | 'legacy';

export type GitLabScope = 'api' | 'read_api' | 'read_user' | 'read_registry' | 'write_registry';
/** 10 Guest, 20 Reporter, 30 Developer, 40 Maintainer, 50 Owner. */
export type AccessLevel = 10 | 20 | 30 | 40 | 50;

export interface GlToken {
  token: string;
  name: string;
  scopes: GitLabScope[];
  /** ISO date (YYYY-MM-DD); an expired token gets 401 invalid_token. */
  expiresAt?: string;
  revoked?: boolean;
}

export interface GlUser {
  username: string;
  password: string;
  tokens: GlToken[];
  admin?: boolean;
}

export interface GlProject {
  id: number;
  /** `group/project`; its registry repositories are this path and paths below it. */
  path: string;
  visibility: 'private' | 'internal' | 'public';
  members: Record<string, AccessLevel>;
}

export interface GitLabEmulatorOptions {
  users?: GlUser[];
  projects?: GlProject[];
  /** Authenticated API requests per minute (RateLimit-* headers). */
  rateLimit?: number;
  /**
   * `metadata-db` (GitLab.com, new registry): GraphQL tags have mediaType and publishedAt.
   * `no-metadata-db` (current self-managed default, registry without its metadata database): the
   * fields exist in the schema and come back null; createdAt is the image config's time.
   * `legacy` (old GitLab): those fields do not exist at all and createdAt is the config's time.
   * (gitlabhq app/graphql/types/container_registry/container_repository_tag_type.rb; published_at
   * and media_type are filled from the registry's metadata database only.)
   */
  registryKind?: GitLabRegistryKind;
  /** Serve `/api/graphql` (default true); off = an instance where it is unreachable (404). */
  graphql?: boolean;
  /** CI job tokens (`CI_JOB_TOKEN`), each acting for its user in its own project. */
  jobTokens?: GlJobToken[];
  /** Protected container tag rules (GitLab 17.x). */
  protectedTags?: GlProtectedTagRule[];
  /**
   * How `/v2` deletes a tag: `manifests` (container registry 16.4+: `DELETE /v2/<name>/manifests/<tag>`,
   * the deprecated `/tags/reference/<tag>` still answers), `tags-reference` (older GitLab registry:
   * only `DELETE /v2/<name>/tags/reference/<tag>`, manifests/<tag> is distribution's 400
   * DIGEST_INVALID), `none` (plain distribution behaviour: only by digest).
   * Sources: gitlabhq doc/api/container_registry.md, werf.md §3.2 (werf's fallbacks).
   */
  v2TagDelete?: 'manifests' | 'tags-reference' | 'none';
  upstream?: string;
}

/** `CI_JOB_TOKEN` of a running job: its user's rights, limited to the project that runs the pipeline. */
export interface GlJobToken {
  token: string;
  /** Project path (`group/app`). */
  project: string;
  user: string;
}

/** A protected container tag rule: tags matching `pattern` (RE2, unanchored like GitLab's) need this role to be deleted. */
export interface GlProtectedTagRule {
  projectId: number;
  pattern: string;
  /** 40 Maintainer, 50 Owner, 60 Admin. */
  minimumAccessLevelForDelete: 40 | 50 | 60;
}

export interface GitLabState extends ListingFaults {
  registry: RegistryState;
  users: Map<string, GlUser>;
  projects: GlProject[];
  rate: RateLimit;
  registryKind: GitLabRegistryKind;
  jobTokens: Map<string, GlJobToken>;
  protectedTags: GlProtectedTagRule[];
  /** Repository id → when its last bulk delete was accepted (once an hour). */
  bulkDeletes: Map<number, number>;
  /** 429 injection for tag deletes (REST, bulk and `/v2`), counted apart from listings. */
  mutationFaults: ListingFaults;
}

export interface GitLabEmulator extends EmulatorHandle<GitLabState> {
  /** GitLab root; REST at `${url}/api/v4`; the registry is served here too. */
  url: string;
  apiUrl: string;
}

export const GL_DEFAULT_USERS: GlUser[] = [
  {
    username: 'dev',
    password: 'dev-password',
    tokens: [
      { token: 'glpat-dev-api', name: 'stowage', scopes: ['api'] },
      { token: 'glpat-dev-readapi', name: 'read only', scopes: ['read_api', 'read_registry'] },
      { token: 'glpat-dev-registry', name: 'registry', scopes: ['read_registry', 'write_registry'] },
      { token: 'glpat-dev-expired', name: 'old', scopes: ['api'], expiresAt: '2020-01-01' },
    ],
  },
  { username: 'reporter', password: 'reporter-password', tokens: [{ token: 'glpat-reporter-api', name: 'stowage', scopes: ['api'] }] },
];

export const GL_DEFAULT_PROJECTS: GlProject[] = [
  { id: 42, path: 'group/app', visibility: 'private', members: { dev: 30, reporter: 20 } },
  { id: 43, path: 'group/public', visibility: 'public', members: { dev: 40 } },
];

const SERVICE = 'container_registry';

class GitLabEmulatorImpl {
  readonly http = new EmulatorHttp();
  readonly state: GitLabState;
  private readonly registryTokens = new TokenIssuer('gitlab-issuer', SERVICE);
  /** The job token a REST request came with, if any (its project is the only one it reaches). */
  private readonly jobs = new WeakMap<IncomingMessage, GlJobToken>();

  constructor(private readonly opts: GitLabEmulatorOptions) {
    this.state = {
      registry: new RegistryState(),
      users: new Map((opts.users ?? GL_DEFAULT_USERS).map((u) => [u.username, u])),
      projects: opts.projects ?? GL_DEFAULT_PROJECTS,
      rate: new RateLimit(opts.rateLimit ?? 2000, 60),
      registryKind: opts.registryKind ?? 'metadata-db',
      jobTokens: new Map((opts.jobTokens ?? []).map((j) => [j.token, j])),
      protectedTags: opts.protectedTags ?? [],
      bulkDeletes: new Map(),
      mutationFaults: { rateLimit: null, listingCalls: 0 },
      rateLimit: null,
      listingCalls: 0,
    };
  }

  get apiUrl(): string {
    return `${this.http.url}/api/v4`;
  }

  async start(): Promise<() => Promise<void>> {
    const backing = await backingRegistry(this.opts.upstream);
    await this.http.start();
    const bearer = bearerAuthorizer({ issuer: this.registryTokens, realm: () => `${this.http.url}/jwt/auth`, service: SERVICE });
    const mode = this.opts.v2TagDelete ?? 'manifests';
    const front = new RegistryFront({
      state: this.state.registry,
      upstream: backing.url,
      policy: {
        deleteByTag: mode === 'manifests' ? 'untag' : { status: 400, code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' },
        deleteByDigest: 'delete',
        deleteActions: ['delete'],
        paginateTags: true,
      },
      authorize: (req, need) => bearer(req.headers.authorization, need),
      beforeDelete: (ctx) => this.registryDeleteRefused(ctx),
    });
    // The deprecated tag delete of GitLab's registry fork (replaced by manifests/<tag> in 16.4).
    this.http.route('DELETE', /^\/v2\/(.+)\/tags\/reference\/([^/]+)$/, async (ctx) => {
      const [name, tag] = ctx.params;
      const auth = bearer(ctx.req.headers.authorization, [{ type: 'repository', name, actions: ['delete'] }]);
      if (!auth.ok) return auth.send(ctx.res);
      if (mode === 'none') return registryError(ctx.res, 404, 'NOT_FOUND', 'not found');
      if (this.registryDeleteRefused(ctx, { name, tag })) return;
      if (this.state.registry.untag(name, tag) === undefined) registryError(ctx.res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown', {}, { Tag: tag });
      else sendJson(ctx.res, 202, undefined);
    });
    this.http.route('GET', /^\/jwt\/auth$/, (ctx) =>
      serveRegistryToken(ctx, {
        service: SERVICE,
        issuer: this.registryTokens,
        ttlSeconds: 300,
        shape: 'token',
        authenticate: (b) => {
          if (!b) return null;
          const job = b.username === 'gitlab-ci-token' ? this.state.jobTokens.get(b.password) : undefined;
          if (job) return this.jobPrincipal(job);
          const user = this.state.users.get(b.username);
          if (!user) return null;
          if (user.password === b.password) return this.registryPrincipal(user, ['api']);
          const t = user.tokens.find((x) => x.token === b.password);
          return t && this.tokenUsable(t) ? this.registryPrincipal(user, t.scopes) : null;
        },
        anonymous: this.registryPrincipal(null, []),
      }),
    );
    const api = (h: (ctx: Ctx, user: GlUser, token: GlToken) => void | Promise<void>, scopes: GitLabScope[]) => (ctx: Ctx) => this.api(ctx, scopes, h);
    // docs.gitlab.com/api/container_registry: "pass the $CI_JOB_TOKEN variable as the JOB-TOKEN
    // header. The job token only has access to the container registry of the project that created
    // the pipeline" (gitlab MR !49750 added DELETE). Other endpoints refuse it.
    const registryApi = (h: (ctx: Ctx, user: GlUser, token: GlToken) => void | Promise<void>, scopes: GitLabScope[]) => (ctx: Ctx) => this.api(ctx, scopes, h, true);
    const proj = '([^/]+)';
    this.http
      .route('GET', /^\/api\/v4\/personal_access_tokens\/self$/, api((ctx, u, t) => this.tokenSelf(ctx, u, t), []))
      .route('GET', /^\/api\/v4\/user$/, api((ctx, u) => this.userShape(ctx, u), ['api', 'read_api', 'read_user']))
      .route('GET', new RegExp(`^/api/v4/projects/${proj}$`), api((ctx, u) => this.project(ctx, u), ['api', 'read_api']), { raw: true })
      .route('GET', new RegExp(`^/api/v4/projects/${proj}/registry/repositories$`), registryApi((ctx, u) => this.repositories(ctx, u), ['api', 'read_api']), { raw: true })
      .route('GET', new RegExp(`^/api/v4/projects/${proj}/registry/repositories/(\\d+)/tags$`), registryApi((ctx, u) => this.tags(ctx, u), ['api', 'read_api']), { raw: true })
      .route('DELETE', new RegExp(`^/api/v4/projects/${proj}/registry/repositories/(\\d+)/tags$`), registryApi((ctx, u) => this.bulkDelete(ctx, u), ['api']), { raw: true })
      .route('GET', new RegExp(`^/api/v4/projects/${proj}/registry/repositories/(\\d+)/tags/([^/]+)$`), registryApi((ctx, u) => this.tag(ctx, u), ['api', 'read_api']), { raw: true })
      .route('DELETE', new RegExp(`^/api/v4/projects/${proj}/registry/repositories/(\\d+)/tags/([^/]+)$`), registryApi((ctx, u) => this.deleteTag(ctx, u), ['api']), { raw: true })
      .route('POST', /^\/api\/graphql$/, (ctx) => (this.opts.graphql === false ? sendJson(ctx.res, 404, { message: '404 Not Found' }) : api((c, u) => this.graphql(c, u), ['api', 'read_api'])(ctx)))
      .route('*', /^\/api\/v4\//, (ctx) => sendJson(ctx.res, 404, { error: '404 Not Found' }));
    this.http.fallback = async (ctx) => {
      if (!(await front.handle(ctx))) sendJson(ctx.res, 404, { message: '404 Not Found' });
    };
    return backing.stop;
  }

  private tokenUsable(t: GlToken): boolean {
    return !t.revoked && (!t.expiresAt || Date.parse(`${t.expiresAt}T23:59:59Z`) > Date.now());
  }

  private role(user: GlUser | null, p: GlProject): number {
    if (user?.admin) return 50;
    return user ? p.members[user.username] ?? 0 : 0;
  }

  private projectFor(repo: string): GlProject | undefined {
    return this.state.projects.find((p) => repo === p.path || repo.startsWith(`${p.path}/`));
  }

  /** Registry JWT abilities: token scopes ∩ role (pull Reporter+, push and delete Developer+). */
  private registryPrincipal(user: GlUser | null, scopes: GitLabScope[]): Principal {
    return {
      subject: user?.username ?? '',
      allowed: (e: AccessEntry) => {
        const out = new Set<string>();
        if (e.type === 'registry') {
          if (user?.admin && scopes.includes('api')) out.add('*');
          return out;
        }
        const p = this.projectFor(e.name);
        if (!p) return out;
        const role = this.role(user, p);
        const canRead = scopes.includes('api') || scopes.includes('read_registry') || scopes.includes('write_registry');
        if ((p.visibility === 'public' || role >= 20) && (canRead || !user)) out.add('pull');
        // (unverified) whether write_registry alone grants registry delete; GitLab ties delete to
        // destroy_container_image (Developer+) and a token that can write the registry.
        if (role >= 30 && (scopes.includes('api') || scopes.includes('write_registry'))) {
          out.add('push');
          out.add('delete');
        }
        return out;
      },
    };
  }

  private async api(ctx: Ctx, scopes: GitLabScope[], h: (ctx: Ctx, user: GlUser, token: GlToken) => void | Promise<void>, jobTokenOk = false): Promise<void> {
    const jobHeader = ctx.req.headers['job-token'];
    let found: { user: GlUser; token: GlToken } | undefined;
    if (typeof jobHeader === 'string') {
      const job = this.state.jobTokens.get(jobHeader);
      const user = job ? this.state.users.get(job.user) : undefined;
      if (!job || !user || !jobTokenOk) {
        sendJson(ctx.res, 401, { message: '401 Unauthorized' });
        return;
      }
      this.jobs.set(ctx.req, job);
      found = { user, token: { token: job.token, name: 'CI job token', scopes: ['api'] } };
    }
    const header = ctx.req.headers['private-token'];
    const value = typeof header === 'string' ? header : parseBearer(ctx.req.headers.authorization);
    for (const user of found ? [] : this.state.users.values()) {
      const token = user.tokens.find((t) => t.token === value);
      if (token) found = { user, token };
    }
    if (!found) {
      sendJson(ctx.res, 401, { message: '401 Unauthorized' });
      return;
    }
    if (!this.tokenUsable(found.token)) {
      sendJson(ctx.res, 401, { error: 'invalid_token', error_description: found.token.revoked ? 'Token was revoked. You have to re-authorize from the user.' : 'Token is expired. You can either do re-authorization or token refresh.' });
      return;
    }
    const r = this.state.rate;
    if (!r.take()) {
      sendText(ctx.res, 429, 'Retry later\n', { 'retry-after': String(Math.max(1, r.resetAt - Math.floor(Date.now() / 1000))), 'ratelimit-limit': String(r.limit), 'ratelimit-remaining': '0', 'ratelimit-reset': String(r.resetAt) });
      return;
    }
    ctx.res.setHeader('ratelimit-limit', String(r.limit));
    ctx.res.setHeader('ratelimit-remaining', String(r.remaining));
    ctx.res.setHeader('ratelimit-observed', String(r.used()));
    ctx.res.setHeader('ratelimit-reset', String(r.resetAt));
    if (scopes.length > 0 && !scopes.some((s) => found.token.scopes.includes(s))) {
      sendJson(ctx.res, 403, { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: scopes.join(' ') });
      return;
    }
    await h(ctx, found.user, found.token);
  }

  private tokenSelf(ctx: Ctx, user: GlUser, t: GlToken): void {
    sendJson(ctx.res, 200, {
      id: this.state.registry.idOf('gl-token', t.token),
      name: t.name,
      revoked: Boolean(t.revoked),
      created_at: '2024-01-01T00:00:00.000Z',
      scopes: t.scopes,
      user_id: this.state.registry.idOf('gl-user', user.username),
      last_used_at: new Date().toISOString(),
      active: this.tokenUsable(t),
      expires_at: t.expiresAt ?? null,
    });
  }

  private userShape(ctx: Ctx, user: GlUser): void {
    sendJson(ctx.res, 200, { id: this.state.registry.idOf('gl-user', user.username), username: user.username, name: user.username, state: 'active', is_admin: Boolean(user.admin) });
  }

  /** `:id` is numeric or the URL-encoded path (`group%2Fapp`); 404 when the user may not see it. */
  private findProject(ctx: Ctx, user: GlUser): GlProject | null {
    const raw = decodeURIComponent(ctx.params[0]);
    const p = /^\d+$/.test(raw) ? this.state.projects.find((x) => x.id === Number(raw)) : this.state.projects.find((x) => x.path === raw);
    const job = this.jobs.get(ctx.req);
    // (unverified) the status for another project's registry with a job token; GitLab hides it.
    if (!p || (p.visibility === 'private' && this.role(user, p) < 10) || (job !== undefined && job.project !== p.path)) {
      sendJson(ctx.res, 404, { message: '404 Project Not Found' });
      return null;
    }
    return p;
  }

  private project(ctx: Ctx, user: GlUser): void {
    const p = this.findProject(ctx, user);
    if (!p) return;
    const role = this.role(user, p);
    const name = p.path.split('/').pop() ?? p.path;
    sendJson(ctx.res, 200, {
      id: p.id,
      name,
      path: name,
      path_with_namespace: p.path,
      visibility: p.visibility,
      container_registry_enabled: true,
      container_registry_image_prefix: `${this.http.host}/${p.path}`,
      permissions: { project_access: role ? { access_level: role, notification_level: 3 } : null, group_access: null },
    });
  }

  private paginate<T>(ctx: Ctx, all: T[]): T[] | null {
    const p = pageParams(ctx.url, 'per_page', 20);
    if (p === null) {
      sendJson(ctx.res, 400, { error: 'page is invalid' });
      return null;
    }
    const { page, size: perPage } = p;
    const totalPages = Math.max(1, Math.ceil(all.length / perPage));
    const link = (n: number, rel: string): string => `<${pageUrl(ctx.url, this.http.url, 'per_page', perPage, n).toString()}>; rel="${rel}"`;
    const links = [link(1, 'first'), link(totalPages, 'last')];
    if (page < totalPages) links.unshift(link(page + 1, 'next'));
    if (page > 1) links.unshift(link(page - 1, 'prev'));
    const h = ctx.res;
    h.setHeader('x-page', String(page));
    h.setHeader('x-per-page', String(perPage));
    h.setHeader('x-total', String(all.length));
    h.setHeader('x-total-pages', String(totalPages));
    h.setHeader('x-next-page', page < totalPages ? String(page + 1) : '');
    h.setHeader('x-prev-page', page > 1 ? String(page - 1) : '');
    h.setHeader('link', links.join(', '));
    return pageSlice(all, p);
  }

  private repoShape(p: GlProject, repo: string, withTags: boolean, withCount: boolean): Record<string, unknown> {
    const rec = this.state.registry.repo(repo);
    const tags = this.state.registry.listTags(repo);
    return {
      id: this.state.registry.idOf('gl-repo', repo),
      name: repo === p.path ? '' : repo.slice(p.path.length + 1),
      path: repo,
      project_id: p.id,
      location: `${this.http.host}/${repo}`,
      created_at: rec?.createdAt.toISOString(),
      cleanup_policy_started_at: null,
      status: null,
      ...(withCount ? { tags_count: tags.length } : {}),
      ...(withTags ? { tags: tags.map((t) => ({ name: t, path: `${repo}:${t}`, location: `${this.http.host}/${repo}:${t}` })) } : {}),
    };
  }

  private readable(ctx: Ctx, user: GlUser, p: GlProject): boolean {
    if (p.visibility === 'public' || this.role(user, p) >= 20) return true;
    sendJson(ctx.res, 403, { message: '403 Forbidden' });
    return false;
  }

  private repositories(ctx: Ctx, user: GlUser): void {
    const p = this.findProject(ctx, user);
    if (!p || !this.readable(ctx, user, p)) return;
    const repos = this.state.registry.repositories().filter((r) => this.projectFor(r) === p);
    const page = this.paginate(ctx, repos);
    if (!page) return;
    const q = ctx.url.searchParams;
    sendJson(ctx.res, 200, page.map((r) => this.repoShape(p, r, q.get('tags') === 'true', q.get('tags_count') === 'true')));
  }

  private repoById(ctx: Ctx, p: GlProject): string | null {
    const key = this.state.registry.keyOf('gl-repo', Number(ctx.params[1]));
    if (!key || this.projectFor(key) !== p || !this.state.registry.repo(key)) {
      sendJson(ctx.res, 404, { message: '404 Repository Not Found' });
      return null;
    }
    return key;
  }

  /** GitLab's 429: plain text "Retry later" with Retry-After, as Rack::Attack answers. */
  private throttled(ctx: Ctx): boolean {
    const wait = injected429(this.state);
    if (wait === null) return false;
    sendText(ctx.res, 429, 'Retry later\n', { 'retry-after': String(wait) });
    return true;
  }

  /**
   * Keyset pagination (`pagination=keyset`, GitLab.com's registry API): ordered by name, `last` is
   * the cursor, and the only way on is the `Link: rel="next"` URL; no totals, no X-Next-Page.
   */
  private keyset(ctx: Ctx, all: string[]): string[] | null {
    const perPage = intParam(ctx.url, 'per_page', 20, 1, 100);
    if (perPage === null) {
      sendJson(ctx.res, 400, { error: 'per_page is invalid' });
      return null;
    }
    const last = ctx.url.searchParams.get('last');
    const from = last === null ? all : all.filter((t) => t > last);
    const page = from.slice(0, perPage);
    if (from.length > perPage) {
      const u = new URL(ctx.url.pathname + ctx.url.search, this.http.url);
      u.searchParams.set('last', page[page.length - 1]);
      u.searchParams.set('per_page', String(perPage));
      ctx.res.setHeader('link', `<${u.toString()}>; rel="next"`);
    }
    ctx.res.setHeader('x-per-page', String(perPage));
    return page;
  }

  private tags(ctx: Ctx, user: GlUser): void {
    const p = this.findProject(ctx, user);
    if (!p || !this.readable(ctx, user, p)) return;
    const repo = this.repoById(ctx, p);
    if (!repo) return;
    if (this.throttled(ctx)) return;
    const all = this.state.registry.listTags(repo);
    const page = ctx.url.searchParams.get('pagination') === 'keyset' ? this.keyset(ctx, all) : this.paginate(ctx, all);
    if (page) sendJson(ctx.res, 200, page.map((t) => ({ name: t, path: `${repo}:${t}`, location: `${this.http.host}/${repo}:${t}` })));
  }

  private tag(ctx: Ctx, user: GlUser): void {
    const p = this.findProject(ctx, user);
    if (!p || !this.readable(ctx, user, p)) return;
    const repo = this.repoById(ctx, p);
    if (!repo) return;
    const tag = decodeURIComponent(ctx.params[2]);
    const digest = this.state.registry.resolve(repo, tag);
    const m = digest ? this.state.registry.manifest(repo, digest) : undefined;
    if (!m) {
      sendJson(ctx.res, 404, { message: '404 Tag Not Found' });
      return;
    }
    sendJson(ctx.res, 200, {
      name: tag,
      path: `${repo}:${tag}`,
      location: `${this.http.host}/${repo}:${tag}`,
      revision: m.configDigest?.slice(7) ?? m.digest.slice(7),
      short_revision: (m.configDigest ?? m.digest).slice(7, 16),
      digest: m.digest,
      created_at: m.pushedAt.toISOString(),
      total_size: m.size,
    });
  }

  /**
   * Just enough GraphQL for `containerRepository(id) { tags(first, after) { … } }`: tag fields are
   * answered only when the query selects them, unknown fields are errors as in GraphQL (a legacy
   * registry has no mediaType/publishedAt), `first` is capped at GitLab's max page size of 100,
   * and a repository the user may not read is `null`, not an error.
   */
  private async graphql(ctx: Ctx, user: GlUser): Promise<void> {
    const body = await ctx.json<{ query?: unknown; variables?: Record<string, unknown> }>();
    const query = typeof body.query === 'string' ? body.query : '';
    const vars = body.variables ?? {};
    const fail = (message: string): void => sendJson(ctx.res, 200, { errors: [{ message, locations: [{ line: 1, column: 1 }] }] });
    if (!/containerRepository\s*\(/.test(query)) {
      fail("Field 'unsupported' doesn't exist on type 'Query'");
      return;
    }
    const nodes = /nodes\s*\{([^}]*)\}/.exec(query)?.[1] ?? '';
    const fields = nodes.split(/[\s,]+/).filter((f) => f !== '');
    const known = new Set(['name', 'path', 'location', 'digest', 'revision', 'shortRevision', 'totalSize', 'createdAt', 'canDelete']);
    if (this.state.registryKind !== 'legacy') for (const f of ['mediaType', 'publishedAt']) known.add(f);
    const unknown = fields.find((f) => !known.has(f));
    if (unknown) {
      fail(`Field '${unknown}' doesn't exist on type 'ContainerRepositoryTag'`);
      return;
    }
    if (this.throttled(ctx)) return;
    const gid = typeof vars.id === 'string' ? vars.id : (/containerRepository\s*\(\s*id:\s*"([^"]+)"/.exec(query)?.[1] ?? '');
    const m = /^gid:\/\/gitlab\/ContainerRepository\/(\d+)$/.exec(gid);
    const repo = m ? this.state.registry.keyOf('gl-repo', Number(m[1])) : undefined;
    const p = repo ? this.projectFor(repo) : undefined;
    if (!repo || !p || !this.state.registry.repo(repo) || !(p.visibility === 'public' || this.role(user, p) >= 20)) {
      sendJson(ctx.res, 200, { data: { containerRepository: null } });
      return;
    }
    const first = Math.min(100, Math.max(1, Number(vars.first ?? 100) || 100));
    const after = typeof vars.after === 'string' && vars.after !== '' ? Buffer.from(vars.after, 'base64').toString('utf8') : null;
    const all = this.state.registry.listTags(repo).filter((t) => after === null || t > after);
    const page = all.slice(0, first);
    const reg = this.state.registry;
    const metadataDb = this.state.registryKind === 'metadata-db';
    const node = (tag: string): Record<string, unknown> => {
      const t = reg.repo(repo)?.tags.get(tag);
      const man = t ? reg.manifest(repo, t.digest) : undefined;
      const full: Record<string, unknown> = {
        name: tag,
        path: `${repo}:${tag}`,
        location: `${this.http.host}/${repo}:${tag}`,
        digest: t?.digest ?? null,
        revision: man?.configDigest?.slice(7) ?? null,
        shortRevision: man?.configDigest?.slice(7, 16) ?? null,
        // BigInt scalars are serialized as strings.
        totalSize: man ? String(man.size) : null,
        // Without the metadata database createdAt is read from the image config; with it, the
        // registry's record of the tag.
        createdAt: metadataDb ? (t?.updatedAt.toISOString() ?? null) : (man?.created?.toISOString() ?? null),
        publishedAt: metadataDb ? (t?.updatedAt.toISOString() ?? null) : null,
        mediaType: metadataDb ? (man?.mediaType ?? null) : null,
        canDelete: this.role(user, p) >= 30,
      };
      return Object.fromEntries(fields.map((f) => [f, full[f]]));
    };
    const last = page[page.length - 1];
    sendJson(ctx.res, 200, {
      data: {
        containerRepository: {
          tags: {
            pageInfo: { hasNextPage: all.length > first, endCursor: last !== undefined ? Buffer.from(last).toString('base64') : null },
            nodes: page.map(node),
          },
        },
      },
    });
  }

  /**
   * `DELETE …/tags/:tag_name` (doc/api/container_registry.md): destroy_container_image, Developer
   * and above; a protected tag needs its rule's role, else 403. (unverified) the 403's wording.
   */
  private deleteTag(ctx: Ctx, user: GlUser): void {
    const p = this.findProject(ctx, user);
    if (!p) return;
    if (this.role(user, p) < 30) {
      sendJson(ctx.res, 403, { message: '403 Forbidden' });
      return;
    }
    const repo = this.repoById(ctx, p);
    if (!repo) return;
    const tag = decodeURIComponent(ctx.params[2]);
    if (!this.state.registry.repo(repo)?.tags.has(tag)) {
      sendJson(ctx.res, 404, { message: '404 Tag Not Found' });
      return;
    }
    if (this.protectedFrom(user, p, tag)) {
      sendJson(ctx.res, 403, { message: '403 Forbidden - Protected tags cannot be deleted' });
      return;
    }
    if (this.throttledMutation(ctx)) return;
    this.state.registry.untag(repo, tag);
    ctx.res.writeHead(200, { 'content-length': '0' });
    ctx.res.end();
  }

  /** A protected-tag rule of the project matches the tag and the user's role is below its delete level. */
  private protectedFrom(user: GlUser | null, p: GlProject, tag: string): boolean {
    const role = this.role(user, p);
    return this.state.protectedTags.some((r) => r.projectId === p.id && new RegExp(r.pattern).test(tag) && role < r.minimumAccessLevelForDelete);
  }

  /** GitLab's 429 on mutations: "Retry later" with Retry-After, as for listings, counted apart. */
  private throttledMutation(ctx: Ctx): boolean {
    const wait = injected429(this.state.mutationFaults);
    if (wait === null) return false;
    sendText(ctx.res, 429, 'Retry later\n', { 'retry-after': String(wait) });
    return true;
  }

  /**
   * Registry-side refusals before a `/v2` delete: 429 injection, and protected tags, which the
   * registry enforces from the JWT GitLab issued (by tag: that tag; by digest: any tag on it).
   * (unverified) the registry's error code and status for a protected tag; modelled as 403 DENIED.
   */
  private registryDeleteRefused(ctx: Ctx, by?: { name: string; tag: string }): boolean {
    const wait = injected429(this.state.mutationFaults);
    if (wait !== null) {
      registryError(ctx.res, 429, 'TOOMANYREQUESTS', 'too many requests', { 'retry-after': String(wait) });
      return true;
    }
    let name = by?.name;
    let tags = by ? [by.tag] : [];
    if (!by) {
      const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(ctx.url.pathname);
      if (!m) return false;
      name = m[1];
      const ref = decodeURIComponent(m[2]);
      tags = ref.includes(':') ? this.state.registry.tagsOf(m[1], ref) : [ref];
    }
    const p = name ? this.projectFor(name) : undefined;
    if (!p || tags.length === 0) return false;
    const sub = this.registryTokens.verify(parseBearer(ctx.req.headers.authorization) ?? '')?.sub ?? '';
    const user = this.state.users.get(sub) ?? null;
    const blocked = tags.find((t) => this.protectedFrom(user, p, t));
    if (blocked === undefined) return false;
    registryError(ctx.res, 403, 'DENIED', `tag ${blocked} is protected`);
    return true;
  }

  /**
   * Registry JWT abilities of a CI job token: its user's, on its own project only (and public
   * ones to pull). (unverified) delete: gitlab#19606 reported the registry refusing job-token
   * deletes, and the REST API (JOB-TOKEN) is GitLab's answer, so no delete here.
   */
  private jobPrincipal(job: GlJobToken): Principal {
    const user = this.state.users.get(job.user) ?? null;
    return {
      subject: job.user,
      allowed: (e: AccessEntry) => {
        const out = new Set<string>();
        if (e.type !== 'repository') return out;
        const p = this.projectFor(e.name);
        if (!p) return out;
        const own = p.path === job.project;
        const role = this.role(user, p);
        if ((own && role >= 20) || p.visibility === 'public') out.add('pull');
        if (own && role >= 30) out.add('push');
        return out;
      },
    };
  }

  /**
   * `DELETE …/registry/repositories/:id/tags` (doc/api/container_registry.md, bulk delete):
   * admin_container_image (Maintainer+), name_regex_delete required (or the deprecated
   * name_regex), name_regex_keep, keep_n; answered 202 and carried out later; never deletes
   * `latest`; skips protected tags; at most once an hour per repository (400 after that).
   */
  private bulkDelete(ctx: Ctx, user: GlUser): void {
    const p = this.findProject(ctx, user);
    if (!p) return;
    if (this.role(user, p) < 40) {
      sendJson(ctx.res, 403, { message: '403 Forbidden' });
      return;
    }
    const repo = this.repoById(ctx, p);
    if (!repo) return;
    const q = ctx.url.searchParams;
    const del = q.get('name_regex_delete') ?? q.get('name_regex');
    if (!del) {
      sendJson(ctx.res, 400, { error: 'name_regex_delete is missing' });
      return;
    }
    const id = Number(ctx.params[1]);
    const last = this.state.bulkDeletes.get(id);
    if (last !== undefined && Date.now() - last < 3600_000) {
      sendJson(ctx.res, 400, { message: '400 Bad request - This request has already been made. You can run this at most once an hour for a given container repository' });
      return;
    }
    if (this.throttledMutation(ctx)) return;
    this.state.bulkDeletes.set(id, Date.now());
    const keep = q.get('name_regex_keep');
    const keepN = q.get('keep_n') === null ? 0 : Number(q.get('keep_n'));
    const full = (re: string) => new RegExp(`^(?:${re})$`);
    setTimeout(() => {
      const r = this.state.registry.repo(repo);
      if (!r) return;
      const candidates = [...r.tags.entries()]
        .filter(([name]) => name !== 'latest' && full(del).test(name) && !(keep && full(keep).test(name)) && !this.protectedFrom(user, p, name))
        .sort((a, b) => b[1].updatedAt.getTime() - a[1].updatedAt.getTime());
      for (const [name] of candidates.slice(keepN)) this.state.registry.untag(repo, name);
    }, 20);
    ctx.res.writeHead(202, { 'content-type': 'application/json' });
    ctx.res.end('202');
  }
}

export async function startGitLabEmulator(opts: GitLabEmulatorOptions = {}): Promise<GitLabEmulator> {
  const emu = new GitLabEmulatorImpl(opts);
  return { ...(await startEmulator(emu)), apiUrl: emu.apiUrl };
}
