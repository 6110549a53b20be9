import type { AccessEntry } from '../services/scope';
import { EmulatorHttp, RateLimit, TokenIssuer, bearerAuthorizer, injected429, pageParams, pageSlice, pageUrl, sendJson, serveRegistryToken, startEmulator, type Ctx, type EmulatorHandle, type ListingFaults, type Principal } from './core';
import { backingRegistry, RegistryFront, UNSUPPORTED_DELETE } from './registry-front';
import { RegistryState, type ManifestRecord, type TagRecord } from './registry-state';

export interface GhToken {
  token: string;
  login: string;
  /** Classic PATs and OAuth tokens carry scopes (X-OAuth-Scopes); fine-grained PATs do not. */
  kind: 'classic' | 'fine-grained' | 'oauth';
  scopes: string[];
}

export interface GhAccount {
  login: string;
  type: 'User' | 'Organization';
  /** Organization members and their role. */
  members?: Record<string, 'admin' | 'member'>;
}

export interface GitHubEmulatorOptions {
  accounts?: GhAccount[];
  tokens?: GhToken[];
  /** Packages (`owner/name`) that are public; the rest are private (GHCR's default). */
  publicPackages?: string[];
  /** REST core budget per hour (x-ratelimit-*). */
  rateLimit?: number;
  upstream?: string;
}

/** A package version deleted through the API: restorable for 30 days with the tags it had. */
export interface GhDeletedVersion {
  id: number;
  repo: string;
  manifest: ManifestRecord;
  tags: { name: string; record: TagRecord }[];
  deletedAt: Date;
}

export interface GitHubState extends ListingFaults {
  registry: RegistryState;
  accounts: Map<string, GhAccount>;
  tokens: Map<string, GhToken>;
  publicPackages: Set<string>;
  rate: RateLimit;
  /** Download counts per version (`<owner>/<pkg>@<digest>`); GitHub refuses to delete popular public ones. */
  downloads: Map<string, number>;
  /** Deleted versions by id (GitHub keeps them 30 days). */
  deletedVersions: Map<number, GhDeletedVersion>;
  /** 429 injection for version DELETE and restore calls (secondary rate limit), counted apart from listings. */
  mutationFaults: ListingFaults;
}

export interface GitHubEmulator extends EmulatorHandle<GitHubState> {
  /** Server root; also the container registry (like ghcr.io / containers.<ghes-host>). */
  url: string;
  /** REST base like GitHub Enterprise's `https://<host>/api/v3`. */
  apiUrl: string;
}

export const GH_DEFAULT_ACCOUNTS: GhAccount[] = [
  { login: 'octo', type: 'User' },
  { login: 'mona', type: 'User' },
  { login: 'acme', type: 'Organization', members: { octo: 'admin', mona: 'member' } },
];

export const GH_DEFAULT_TOKENS: GhToken[] = [
  { token: 'ghp_octo_read', login: 'octo', kind: 'classic', scopes: ['read:packages'] },
  { token: 'ghp_octo_write', login: 'octo', kind: 'classic', scopes: ['write:packages', 'read:packages'] },
  { token: 'ghp_octo_delete', login: 'octo', kind: 'classic', scopes: ['delete:packages', 'read:packages', 'write:packages'] },
  { token: 'ghp_octo_repo', login: 'octo', kind: 'classic', scopes: ['repo'] },
  { token: 'github_pat_octo_finegrained', login: 'octo', kind: 'fine-grained', scopes: [] },
  { token: 'ghp_mona_delete', login: 'mona', kind: 'classic', scopes: ['delete:packages', 'read:packages', 'write:packages'] },
];

const DOCS = 'https://docs.github.com/rest';

function ghError(ctx: Ctx, status: number, message: string): void {
  sendJson(ctx.res, status, { message, documentation_url: DOCS, status: String(status) });
}

/** `write:packages` implies `read:packages`, as GitHub documents. */
function hasScope(t: GhToken, scope: 'read:packages' | 'write:packages' | 'delete:packages'): boolean {
  if (t.scopes.includes(scope)) return true;
  return scope === 'read:packages' && t.scopes.includes('write:packages');
}

class GitHubEmulatorImpl {
  readonly http = new EmulatorHttp();
  readonly state: GitHubState;
  private readonly registryTokens = new TokenIssuer('ghcr', 'ghcr');
  private front!: RegistryFront;

  constructor(private readonly opts: GitHubEmulatorOptions) {
    this.state = {
      registry: new RegistryState(),
      accounts: new Map((opts.accounts ?? GH_DEFAULT_ACCOUNTS).map((a) => [a.login, a])),
      tokens: new Map((opts.tokens ?? GH_DEFAULT_TOKENS).map((t) => [t.token, t])),
      publicPackages: new Set(opts.publicPackages ?? []),
      rate: new RateLimit(opts.rateLimit ?? 5000, 3600),
      rateLimit: null,
      listingCalls: 0,
      downloads: new Map(),
      deletedVersions: new Map(),
      mutationFaults: { rateLimit: null, listingCalls: 0 },
    };
  }

  get apiUrl(): string {
    return `${this.http.url}/api/v3`;
  }

  async start(): Promise<() => Promise<void>> {
    const backing = await backingRegistry(this.opts.upstream);
    await this.http.start();
    const service = this.http.host;
    const bearer = bearerAuthorizer({ issuer: this.registryTokens, realm: () => `${this.http.url}/token`, service });
    this.front = new RegistryFront({
      state: this.state.registry,
      upstream: backing.url,
      catalog: false,
      policy: {
        deleteByTag: UNSUPPORTED_DELETE,
        deleteByDigest: UNSUPPORTED_DELETE,
        deleteActions: ['delete'],
        paginateTags: true,
      },
      authorize: (req, need) => bearer(req.headers.authorization, need),
    });
    this.http.route('GET', /^\/token$/, (ctx) =>
      serveRegistryToken(ctx, {
        service,
        issuer: this.registryTokens,
        ttlSeconds: 300,
        authenticate: (b) => {
          const t = b ? this.state.tokens.get(b.password) : undefined;
          // (unverified, see reference §11.6) GHCR documents classic PATs only.
          return t && t.kind !== 'fine-grained' ? this.registryPrincipal(t) : null;
        },
        anonymous: this.registryPrincipal(null),
        shape: 'token',
      }),
    );
    const rest = (h: (ctx: Ctx) => void | Promise<void>) => (ctx: Ctx) => this.rest(ctx, h);
    const pkg = '([^/]+)';
    this.http
      .route('GET', /^\/api\/v3\/user$/, rest((ctx) => this.user(ctx)))
      .route('GET', /^\/api\/v3\/users\/([^/]+)$/, rest((ctx) => this.account(ctx)))
      .route('GET', /^\/api\/v3\/(orgs|users)\/([^/]+)\/packages$/, rest((ctx) => this.listPackages(ctx, ctx.params[1])), { raw: true })
      .route('GET', /^\/api\/v3\/user\/packages$/, rest((ctx) => this.listPackages(ctx, null)), { raw: true })
      .route('GET', new RegExp(`^/api/v3/(orgs|users)/([^/]+)/packages/container/${pkg}/versions$`), rest((ctx) => this.versions(ctx, ctx.params[1], ctx.params[2])), { raw: true })
      .route('GET', new RegExp(`^/api/v3/user/packages/container/${pkg}/versions$`), rest((ctx) => this.versions(ctx, null, ctx.params[0])), { raw: true })
      .route(['GET', 'DELETE'], new RegExp(`^/api/v3/(orgs|users)/([^/]+)/packages/container/${pkg}/versions/(\\d+)$`), rest((ctx) => this.version(ctx, ctx.params[1], ctx.params[2], Number(ctx.params[3]))), { raw: true })
      .route(['GET', 'DELETE'], new RegExp(`^/api/v3/user/packages/container/${pkg}/versions/(\\d+)$`), rest((ctx) => this.version(ctx, null, ctx.params[0], Number(ctx.params[1]))), { raw: true })
      .route('POST', new RegExp(`^/api/v3/(orgs|users)/([^/]+)/packages/container/${pkg}/versions/(\\d+)/restore$`), rest((ctx) => this.restore(ctx, ctx.params[1], ctx.params[2], Number(ctx.params[3]))), { raw: true })
      .route('POST', new RegExp(`^/api/v3/user/packages/container/${pkg}/versions/(\\d+)/restore$`), rest((ctx) => this.restore(ctx, null, ctx.params[0], Number(ctx.params[1]))), { raw: true })
      .route('*', /^\/api\/v3\//, rest((ctx) => ghError(ctx, 404, 'Not Found')));
    this.http.fallback = async (ctx) => {
      if (!(await this.front.handle(ctx))) ghError(ctx, 404, 'Not Found');
    };
    return backing.stop;
  }

  private isMember(login: string, owner: string): 'owner' | 'admin' | 'member' | null {
    if (login === owner) return 'owner';
    return this.state.accounts.get(owner)?.members?.[login] ?? null;
  }

  private canRead(t: GhToken | null, repo: string): boolean {
    if (this.state.publicPackages.has(repo)) return true;
    return t !== null && this.isMember(t.login, repo.split('/')[0]) !== null;
  }

  private registryPrincipal(t: GhToken | null): Principal {
    return {
      subject: t?.login ?? '',
      allowed: (e: AccessEntry) => {
        const out = new Set<string>();
        if (e.type !== 'repository') return out;
        if (this.state.publicPackages.has(e.name) || (t && hasScope(t, 'read:packages') && this.canRead(t, e.name))) out.add('pull');
        if (t && hasScope(t, 'write:packages') && this.isMember(t.login, e.name.split('/')[0])) out.add('push');
        if (t && hasScope(t, 'delete:packages') && this.isMember(t.login, e.name.split('/')[0])) out.add('delete');
        return out;
      },
    };
  }

  private rateHeaders(): Record<string, string> {
    const r = this.state.rate;
    return {
      'x-ratelimit-limit': String(r.limit),
      'x-ratelimit-remaining': String(r.remaining),
      'x-ratelimit-used': String(r.used()),
      'x-ratelimit-reset': String(r.resetAt),
      'x-ratelimit-resource': 'core',
    };
  }

  private currentToken(ctx: Ctx): GhToken | null | 'bad' {
    const h = ctx.req.headers.authorization;
    if (!h) return null;
    const m = /^(?:bearer|token)\s+(\S+)$/i.exec(h.trim());
    return (m && this.state.tokens.get(m[1])) || 'bad';
  }

  private async rest(ctx: Ctx, h: (ctx: Ctx) => void | Promise<void>): Promise<void> {
    const t = this.currentToken(ctx);
    if (t === 'bad') {
      ghError(ctx, 401, 'Bad credentials');
      return;
    }
    if (!this.state.rate.take()) {
      for (const [k, v] of Object.entries(this.rateHeaders())) ctx.res.setHeader(k, v);
      ghError(ctx, 403, `API rate limit exceeded for ${t ? `user ${t.login}` : '127.0.0.1'}.`);
      return;
    }
    for (const [k, v] of Object.entries(this.rateHeaders())) ctx.res.setHeader(k, v);
    ctx.res.setHeader('x-github-api-version-selected', '2022-11-28');
    if (t && t.kind !== 'fine-grained') {
      ctx.res.setHeader('x-oauth-scopes', t.scopes.join(', '));
      ctx.res.setHeader('x-accepted-oauth-scopes', '');
    }
    await h(ctx);
  }

  private requireToken(ctx: Ctx): GhToken | null {
    const t = this.currentToken(ctx);
    if (t === null || t === 'bad') {
      ghError(ctx, 401, 'Requires authentication');
      return null;
    }
    return t;
  }

  private accountShape(a: GhAccount): Record<string, unknown> {
    const id = this.state.registry.idOf('gh-account', a.login);
    return { login: a.login, id, node_id: `U_${id}`, type: a.type, site_admin: false, url: `${this.apiUrl}/users/${a.login}`, html_url: `${this.http.url}/${a.login}` };
  }

  private user(ctx: Ctx): void {
    const t = this.requireToken(ctx);
    if (!t) return;
    const a = this.state.accounts.get(t.login) ?? { login: t.login, type: 'User' as const };
    sendJson(ctx.res, 200, { ...this.accountShape(a), name: a.login });
  }

  private account(ctx: Ctx): void {
    const a = this.state.accounts.get(ctx.params[0]);
    if (!a) ghError(ctx, 404, 'Not Found');
    else sendJson(ctx.res, 200, this.accountShape(a));
  }

  /**
   * Packages endpoints take classic PATs / OAuth tokens only. Scopes per the REST docs
   * (docs.github.com/rest/packages/packages): list read:packages; delete read:packages +
   * delete:packages; restore read:packages + write:packages (+ delete:packages, reference §5).
   */
  private packagesToken(ctx: Ctx, need: 'read:packages' | 'delete:packages' | 'restore'): GhToken | null {
    const t = this.requireToken(ctx);
    if (!t) return null;
    if (t.kind === 'fine-grained') {
      ghError(ctx, 403, 'Resource not accessible by personal access token');
      return null;
    }
    const missing =
      need === 'read:packages'
        ? !hasScope(t, 'read:packages')
        : need === 'delete:packages'
          ? !hasScope(t, 'read:packages') || !hasScope(t, 'delete:packages')
          : !hasScope(t, 'write:packages') || !hasScope(t, 'delete:packages');
    if (missing) {
      const scopes = need === 'read:packages' ? 'read:packages' : need === 'delete:packages' ? 'delete:packages and read:packages' : 'delete:packages and write:packages';
      const verb = need === 'read:packages' ? 'list' : need === 'delete:packages' ? 'delete' : 'restore';
      ghError(ctx, 403, `You need at least ${scopes} scope to ${verb} packages.`);
      return null;
    }
    return t;
  }

  private resolveOwner(ctx: Ctx, owner: string | null, t: GhToken): string | null {
    const o = owner ?? t.login;
    const kind = ctx.url.pathname.split('/')[3];
    const account = this.state.accounts.get(o);
    if (owner !== null && (!account || (kind === 'orgs') !== (account.type === 'Organization'))) {
      ghError(ctx, 404, 'Not Found');
      return null;
    }
    return o;
  }

  private packageRepo(ctx: Ctx, owner: string, encodedName: string, t: GhToken): string | null {
    const repo = `${owner}/${decodeURIComponent(encodedName)}`;
    if (!this.state.registry.repo(repo) || !this.canRead(t, repo)) {
      ghError(ctx, 404, 'Package not found.');
      return null;
    }
    return repo;
  }

  private versionShape(owner: string, repo: string, m: ManifestRecord, deleted?: GhDeletedVersion): Record<string, unknown> {
    const id = this.state.registry.idOf('gh-version', `${repo}@${m.digest}`);
    const name = repo.slice(owner.length + 1);
    const kind = this.state.accounts.get(owner)?.type === 'Organization' ? 'orgs' : 'users';
    const tags = deleted ? deleted.tags.map((t) => t.name) : this.state.registry.tagsOf(repo, m.digest);
    const tagTimes = deleted ? deleted.tags.map((t) => t.record.updatedAt.getTime()) : tags.map((t) => this.state.registry.repo(repo)?.tags.get(t)?.updatedAt.getTime() ?? 0);
    const updated = new Date(Math.max(m.pushedAt.getTime(), ...tagTimes));
    return {
      id,
      name: m.digest,
      url: `${this.apiUrl}/${kind}/${owner}/packages/container/${encodeURIComponent(name)}/versions/${id}`,
      package_html_url: `${this.http.url}/${owner}/packages/container/package/${encodeURIComponent(name)}`,
      html_url: `${this.http.url}/${owner}/packages/container/${encodeURIComponent(name)}/${id}`,
      license: null,
      created_at: m.pushedAt.toISOString(),
      updated_at: updated.toISOString(),
      ...(deleted ? { deleted_at: deleted.deletedAt.toISOString() } : {}),
      metadata: { package_type: 'container', container: { tags } },
    };
  }

  private versions(ctx: Ctx, ownerParam: string | null, encodedName: string): void {
    const t = this.packagesToken(ctx, 'read:packages');
    if (!t) return;
    const owner = this.resolveOwner(ctx, ownerParam, t);
    if (!owner) return;
    const repo = this.packageRepo(ctx, owner, encodedName, t);
    if (!repo) return;
    const wait = injected429(this.state);
    if (wait !== null) {
      // GitHub's secondary rate limit: 429 (or 403) with retry-after in seconds.
      ctx.res.setHeader('retry-after', String(wait));
      ghError(ctx, 429, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.');
      return;
    }
    const p = pageParams(ctx.url, 'per_page', 30);
    if (p === null) {
      ghError(ctx, 422, 'Validation Failed');
      return;
    }
    const { page } = p;
    const state = ctx.url.searchParams.get('state') ?? 'active';
    // `state=deleted` lists versions still inside the 30-day restore window.
    const all: { m: ManifestRecord; deleted?: GhDeletedVersion }[] =
      state === 'deleted'
        ? [...this.state.deletedVersions.values()].filter((d) => d.repo === repo && this.restorable(d)).map((d) => ({ m: d.manifest, deleted: d }))
        : this.state.registry.listManifests(repo).map((m) => ({ m }));
    const lastPage = Math.max(1, Math.ceil(all.length / p.size));
    const link = (n: number, rel: string): string => `<${pageUrl(ctx.url, this.http.url, 'per_page', p.size, n).toString()}>; rel="${rel}"`;
    const links: string[] = [];
    if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    const items = pageSlice(all, p).map((v) => this.versionShape(owner, repo, v.m, v.deleted));
    sendJson(ctx.res, 200, items, links.length ? { link: links.join(', ') } : {});
  }

  private version(ctx: Ctx, ownerParam: string | null, encodedName: string, id: number): void {
    const del = ctx.req.method === 'DELETE';
    const t = this.packagesToken(ctx, del ? 'delete:packages' : 'read:packages');
    if (!t) return;
    const owner = this.resolveOwner(ctx, ownerParam, t);
    if (!owner) return;
    const repo = this.packageRepo(ctx, owner, encodedName, t);
    if (!repo) return;
    const key = this.state.registry.keyOf('gh-version', id);
    const digest = key?.startsWith(`${repo}@`) ? key.slice(repo.length + 1) : undefined;
    const m = digest ? this.state.registry.manifest(repo, digest) : undefined;
    if (!m) {
      ghError(ctx, 404, 'Not Found');
      return;
    }
    if (!del) {
      sendJson(ctx.res, 200, this.versionShape(owner, repo, m));
      return;
    }
    if (!this.mayManage(ctx, t, owner)) return;
    if (this.throttledMutation(ctx)) return;
    const others = this.state.registry.listManifests(repo).filter((x) => x.digest !== m.digest);
    const tags = this.state.registry.tagsOf(repo, m.digest);
    // Observed answer (quoted in issue #18.5; GitHub community discussions on deleting package
    // versions): the only version that still carries tags cannot go; the package must be deleted.
    if (tags.length > 0 && !others.some((x) => this.state.registry.tagsOf(repo, x.digest).length > 0)) {
      ghError(ctx, 400, 'You cannot delete the last tagged version of a package. You must delete the package instead.');
      return;
    }
    // docs.github.com/packages/learn-github-packages/deleting-and-restoring-a-package: "you cannot
    // delete a public package version if it has more than 5,000 downloads" (support ticket only).
    // (unverified) the HTTP status and wording of the refusal; modelled as a 400 like the one above.
    if (this.state.publicPackages.has(repo) && (this.state.downloads.get(`${repo}@${m.digest}`) ?? 0) > 5000) {
      ghError(ctx, 400, 'Public package versions with more than 5,000 downloads cannot be deleted. Contact GitHub Support for help.');
      return;
    }
    const r = this.state.registry.repo(repo);
    this.state.deletedVersions.set(id, {
      id,
      repo,
      manifest: m,
      tags: tags.map((name) => ({ name, record: { ...(r?.tags.get(name) ?? { digest: m.digest, updatedAt: new Date() }) } })),
      deletedAt: new Date(),
    });
    // The bytes stay (the version is restorable for 30 days); the registry no longer serves it.
    this.state.registry.deleteManifest(repo, m.digest);
    ctx.res.writeHead(204);
    ctx.res.end();
  }

  /** Container packages use granular permissions: in an organization only admins may delete or restore. */
  private mayManage(ctx: Ctx, t: GhToken, owner: string): boolean {
    const role = this.isMember(t.login, owner);
    if (role === 'owner' || role === 'admin') return true;
    ghError(ctx, 403, 'You do not have permission to delete this package version.');
    return false;
  }

  /** GitHub's secondary rate limit on mutations (DELETE costs more points than GET): 429 + retry-after. */
  private throttledMutation(ctx: Ctx): boolean {
    const wait = injected429(this.state.mutationFaults);
    if (wait === null) return false;
    ctx.res.setHeader('retry-after', String(wait));
    ghError(ctx, 429, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.');
    return true;
  }

  /** docs.github.com/packages/learn-github-packages/deleting-and-restoring-a-package: 30 days. */
  private restorable(d: GhDeletedVersion): boolean {
    return Date.now() - d.deletedAt.getTime() < 30 * 24 * 3600 * 1000;
  }

  /**
   * `POST …/versions/<id>/restore` (REST packages docs) → 204. The version comes back with the tags
   * it had, except tags another version carries now (pushed since): those stay where they are.
   * (unverified) what GitHub does with a tag that moved meanwhile; this is the safe reading.
   */
  private restore(ctx: Ctx, ownerParam: string | null, encodedName: string, id: number): void {
    const t = this.packagesToken(ctx, 'restore');
    if (!t) return;
    const owner = this.resolveOwner(ctx, ownerParam, t);
    if (!owner) return;
    const repo = `${owner}/${decodeURIComponent(encodedName)}`;
    if (!this.canRead(t, repo)) {
      ghError(ctx, 404, 'Package not found.');
      return;
    }
    const d = this.state.deletedVersions.get(id);
    if (!d || d.repo !== repo || !this.restorable(d)) {
      ghError(ctx, 404, 'Not Found');
      return;
    }
    if (!this.mayManage(ctx, t, owner)) return;
    if (this.throttledMutation(ctx)) return;
    const r = this.state.registry.ensureRepo(repo);
    r.manifests.set(d.manifest.digest, d.manifest);
    for (const tag of d.tags) if (!r.tags.has(tag.name)) r.tags.set(tag.name, tag.record);
    this.state.deletedVersions.delete(id);
    ctx.res.writeHead(204);
    ctx.res.end();
  }

  private listPackages(ctx: Ctx, ownerParam: string | null): void {
    const t = this.packagesToken(ctx, 'read:packages');
    if (!t) return;
    if (ctx.url.searchParams.get('package_type') !== 'container') {
      ghError(ctx, 422, 'Validation Failed: package_type is required');
      return;
    }
    const owner = this.resolveOwner(ctx, ownerParam, t);
    if (!owner) return;
    const repos = this.state.registry.repositories().filter((r) => r.startsWith(`${owner}/`) && this.canRead(t, r));
    // docs.github.com/rest/packages/packages#list-packages-for-an-organization: `page` and
    // `per_page` (default 30, max 100), continued through `Link` like every list endpoint.
    const p = pageParams(ctx.url, 'per_page', 30);
    if (p === null) {
      ghError(ctx, 422, 'Validation Failed');
      return;
    }
    const lastPage = Math.max(1, Math.ceil(repos.length / p.size));
    const link = (n: number, rel: string): string => `<${pageUrl(ctx.url, this.http.url, 'per_page', p.size, n).toString()}>; rel="${rel}"`;
    const links: string[] = [];
    if (p.page < lastPage) links.push(link(p.page + 1, 'next'), link(lastPage, 'last'));
    if (p.page > 1) links.push(link(1, 'first'), link(p.page - 1, 'prev'));
    sendJson(
      ctx.res,
      200,
      pageSlice(repos, p).map((r) => {
        const name = r.slice(owner.length + 1);
        const rec = this.state.registry.repo(r);
        return {
          id: this.state.registry.idOf('gh-package', r),
          name,
          package_type: 'container',
          owner: this.accountShape(this.state.accounts.get(owner) ?? { login: owner, type: 'User' }),
          version_count: rec?.manifests.size ?? 0,
          visibility: this.state.publicPackages.has(r) ? 'public' : 'private',
          url: `${this.apiUrl}/${this.state.accounts.get(owner)?.type === 'Organization' ? 'orgs' : 'users'}/${owner}/packages/container/${encodeURIComponent(name)}`,
          created_at: rec?.createdAt.toISOString(),
          updated_at: rec?.createdAt.toISOString(),
        };
      }),
      links.length ? { link: links.join(', ') } : {},
    );
  }
}

export async function startGitHubEmulator(opts: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const emu = new GitHubEmulatorImpl(opts);
  return { ...(await startEmulator(emu)), apiUrl: emu.apiUrl };
}
