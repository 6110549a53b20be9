import type { ServerResponse } from 'node:http';
import { globMatch, type AccessEntry } from '../services/scope';
import { EmulatorHttp, RateLimit, TokenIssuer, bearerAuthorizer, injected429, pageParams, pageSlice, parseBearer, registryError, sendJson, serveRegistryToken, type Ctx, type ListingFaults, type Principal, type RecordedRequest } from './core';
import { backingRegistry, RegistryFront, UNSUPPORTED_DELETE } from './registry-front';
import { RegistryState, type ManifestRecord } from './registry-state';

/** PAT access levels as Hub names them: Public Repo Read-only, Read-only, Read & Write, Read, Write, Delete. */
export type HubPatScope = 'repo:public_read' | 'repo:read' | 'repo:write' | 'repo:admin';
type Right = 'read' | 'write' | 'admin';

export interface HubUser {
  username: string;
  password: string;
  pats?: { token: string; scope: HubPatScope }[];
  /** Rights on other namespaces (organizations); the user's own namespace is always admin. */
  namespaces?: Record<string, Right>;
}

/** Organization access token: only Image Pull / Image Push on chosen repositories. */
export interface HubOrgToken {
  org: string;
  token: string;
  repos: Record<string, ('pull' | 'push')[]>;
}

export interface HubEmulatorOptions {
  users?: HubUser[];
  orgTokens?: HubOrgToken[];
  /** `ns/repo` names that are private (everything else is public). */
  privateRepos?: string[];
  /** Hub API budget per window (X-RateLimit-*). */
  apiRateLimit?: { limit: number; windowSeconds?: number };
  /** Registry manifest-GET budget (ratelimit-limit / ratelimit-remaining, window 21600 s). */
  pullRateLimit?: number;
  /**
   * Also send ratelimit-* on manifest HEADs (without spending the budget). Docker documents
   * checking the limit with a HEAD, so real Hub does; off by default because earlier tests pin
   * the GET-only behaviour.
   */
  rateLimitHeadersOnHead?: boolean;
  /** How the Hub API's 429 says when to come back (see `HubState.retryAfterAs`). */
  retryAfterAs?: 'seconds' | 'epoch';
  upstream?: string;
}

export interface HubState extends ListingFaults {
  registry: RegistryState;
  users: Map<string, HubUser>;
  orgTokens: HubOrgToken[];
  privateRepos: Set<string>;
  apiRate: RateLimit;
  /** Pull budgets per subject (`''` = anonymous). */
  pullRates: Map<string, RateLimit>;
  pullLimit: number;
  /**
   * The Hub API's 429 carries `Retry-After`: in seconds as the Hub API reference documents
   * (docs.docker.com/reference/api/hub/latest, "Rate limiting"), or as a Unix timestamp, which
   * is what has been observed in practice (`Retry-After: 1746136938`, issue 18 item 3). Both
   * are modelled; the older `X-Retry-After` header is not sent.
   */
  retryAfterAs: 'seconds' | 'epoch';
  /** Fault switch for the tag DELETE, like `rateLimit` for listings (its own call counter). */
  deleteFaults: ListingFaults;
}

export interface HubEmulator {
  /** Hub API base (what hub.docker.com is). */
  url: string;
  /** Registry base (registry-1.docker.io); its token realm is `${registryUrl}/token`. */
  registryUrl: string;
  registryHost: string;
  state: HubState;
  requests(): RecordedRequest[];
  stop(): Promise<void>;
}

export const HUB_DEFAULT_USERS: HubUser[] = [
  {
    username: 'alice',
    password: 'alice-password',
    pats: [
      { token: 'dckr_pat_alice_admin', scope: 'repo:admin' },
      { token: 'dckr_pat_alice_write', scope: 'repo:write' },
      { token: 'dckr_pat_alice_read', scope: 'repo:read' },
      { token: 'dckr_pat_alice_public', scope: 'repo:public_read' },
    ],
    namespaces: { acme: 'admin' },
  },
  { username: 'bob', password: 'bob-password', pats: [{ token: 'dckr_pat_bob_admin', scope: 'repo:admin' }], namespaces: { acme: 'write' } },
];

export const HUB_DEFAULT_ORG_TOKENS: HubOrgToken[] = [{ org: 'acme', token: 'dckr_oat_acme_pushpull', repos: { 'acme/*': ['pull', 'push'] } }];

const SERVICE = 'registry.docker.io';
const RANK: Record<Right, number> = { read: 1, write: 2, admin: 3 };

type Credential =
  | { kind: 'password'; user: HubUser }
  | { kind: 'pat'; user: HubUser; scope: HubPatScope }
  | { kind: 'oat'; token: HubOrgToken };

class HubEmulatorImpl {
  private readonly recorded: RecordedRequest[] = [];
  readonly api = new EmulatorHttp(this.recorded);
  readonly registry = new EmulatorHttp(this.recorded);
  readonly state: HubState;
  private readonly apiTokens = new TokenIssuer('hub.docker.com', 'hub.docker.com');
  private readonly registryTokens = new TokenIssuer('auth.docker.io', SERVICE);
  private front!: RegistryFront;

  constructor(private readonly opts: HubEmulatorOptions) {
    this.state = {
      registry: new RegistryState(),
      users: new Map((opts.users ?? HUB_DEFAULT_USERS).map((u) => [u.username, u])),
      orgTokens: opts.orgTokens ?? HUB_DEFAULT_ORG_TOKENS,
      privateRepos: new Set(opts.privateRepos ?? []),
      apiRate: new RateLimit(opts.apiRateLimit?.limit ?? 1000, opts.apiRateLimit?.windowSeconds ?? 60),
      pullRates: new Map(),
      pullLimit: opts.pullRateLimit ?? 100,
      retryAfterAs: opts.retryAfterAs ?? 'seconds',
      deleteFaults: { rateLimit: null, listingCalls: 0 },
      rateLimit: null,
      listingCalls: 0,
    };
  }

  async start(): Promise<() => Promise<void>> {
    const backing = await backingRegistry(this.opts.upstream);
    await this.api.start();
    await this.registry.start();
    const bearer = bearerAuthorizer({ issuer: this.registryTokens, realm: () => `${this.registry.url}/token`, service: SERVICE });
    this.front = new RegistryFront({
      state: this.state.registry,
      upstream: backing.url,
      policy: {
        // Observed, not documented: registry-1.docker.io accepted an OCI delete-by-tag in December
        // 2023 (it removed the tag, like the Hub API's tag DELETE). Unconfirmed since; the app
        // deletes through the Hub API and does not depend on this.
        deleteByTag: 'untag',
        // Documented by refusal reports (docker/hub-feedback#2360, containers/skopeo#1880): a
        // manifest delete by digest answers 405 UNSUPPORTED; Hub has no public manifest delete.
        deleteByDigest: UNSUPPORTED_DELETE,
        deleteActions: ['delete'],
        paginateTags: true,
      },
      authorize: (req, need) => bearer(req.headers.authorization, need),
      onManifestGet: (_ctx, subject) => this.countPull(subject),
      onManifestHead: (_ctx, subject) => (this.opts.rateLimitHeadersOnHead ? this.pullHeaders(subject) : {}),
    });
    this.registry.route('GET', /^\/token$/, (ctx) =>
      serveRegistryToken(ctx, {
        service: SERVICE,
        issuer: this.registryTokens,
        ttlSeconds: 300,
        authenticate: (b) => {
          const c = b ? this.credential(b.username, b.password) : null;
          return c ? this.registryPrincipal(c) : null;
        },
        anonymous: this.registryPrincipal(null),
      }),
    );
    this.registry.fallback = async (ctx) => {
      if (!(await this.front.handle(ctx))) registryError(ctx.res, 404, 'NOT_FOUND', 'not found');
    };

    const api = this.api;
    const limited = (h: (ctx: Ctx) => void | Promise<void>) => (ctx: Ctx) => this.rateLimited(ctx, h);
    api.route('POST', /^\/v2\/users\/login\/?$/, limited((ctx) => this.login(ctx)));
    api.route('POST', /^\/v2\/auth\/token\/?$/, limited((ctx) => this.authToken(ctx)));
    api.route('GET', /^\/v2\/namespaces\/([^/]+)\/repositories\/?$/, limited((ctx) => this.listRepos(ctx, ctx.params[0], 'namespaces')));
    api.route('GET', /^\/v2\/repositories\/([^/]+)\/?$/, limited((ctx) => this.listRepos(ctx, ctx.params[0], 'repositories')));
    api.route('GET', /^\/v2\/namespaces\/([^/]+)\/repositories\/([^/]+)\/tags\/?$/, limited((ctx) => this.listTags(ctx, ctx.params[0], ctx.params[1], 'namespaces')));
    api.route('GET', /^\/v2\/repositories\/([^/]+)\/([^/]+)\/tags\/?$/, limited((ctx) => this.listTags(ctx, ctx.params[0], ctx.params[1], 'repositories')));
    api.route(['GET', 'HEAD'], /^\/v2\/(?:namespaces\/([^/]+)\/repositories|repositories\/([^/]+))\/([^/]+)\/tags\/([^/]+)\/?$/, limited((ctx) => this.getTag(ctx, ctx.params[0] || ctx.params[1], ctx.params[2], ctx.params[3])));
    api.route('DELETE', /^\/v2\/repositories\/([^/]+)\/([^/]+)\/tags\/([^/]+)\/?$/, limited((ctx) => this.deleteTag(ctx, ctx.params[0], ctx.params[1], ctx.params[2])));
    api.fallback = limited((ctx) => sendJson(ctx.res, 404, { message: 'page not found', errinfo: {} }));

    return backing.stop;
  }

  async stop(): Promise<void> {
    await this.api.stop();
    await this.registry.stop();
  }

  private credential(identifier: string, secret: string): Credential | null {
    const user = this.state.users.get(identifier);
    if (user) {
      if (user.password === secret) return { kind: 'password', user };
      const pat = user.pats?.find((p) => p.token === secret);
      if (pat) return { kind: 'pat', user, scope: pat.scope };
      return null;
    }
    const oat = this.state.orgTokens.find((t) => t.org === identifier && t.token === secret);
    return oat ? { kind: 'oat', token: oat } : null;
  }

  private isPrivate(repo: string): boolean {
    return this.state.privateRepos.has(repo);
  }

  /** The user's role on the namespace, capped by what the PAT may do. */
  private right(c: Credential | null, repo: string): Right | null {
    const publicRead: Right | null = this.isPrivate(repo) ? null : 'read';
    if (!c) return publicRead;
    if (c.kind === 'oat') {
      const acts = new Set(Object.entries(c.token.repos).filter(([p]) => globMatch(p, repo)).flatMap(([, a]) => a));
      if (acts.has('push')) return 'write';
      return acts.has('pull') ? 'read' : publicRead;
    }
    const ns = repo.split('/')[0];
    const role: Right | null = ns === c.user.username ? 'admin' : c.user.namespaces?.[ns] ?? null;
    const cap: Right = c.kind === 'password' ? 'admin' : c.scope === 'repo:admin' ? 'admin' : c.scope === 'repo:write' ? 'write' : 'read';
    if (c.kind === 'pat' && c.scope === 'repo:public_read') return publicRead;
    if (!role) return publicRead;
    return RANK[role] <= RANK[cap] ? role : cap;
  }

  private registryPrincipal(c: Credential | null): Principal {
    return {
      subject: c ? (c.kind === 'oat' ? c.token.org : c.user.username) : '',
      allowed: (e: AccessEntry) => {
        if (e.type !== 'repository') return new Set();
        const r = this.right(c, e.name);
        const out = new Set<string>();
        if (r) out.add('pull');
        if (r && RANK[r] >= RANK.write) out.add('push');
        if (r === 'admin') out.add('delete');
        return out;
      },
    };
  }

  private pullRate(subject: string): RateLimit {
    let rate = this.state.pullRates.get(subject);
    if (!rate) {
      rate = new RateLimit(this.state.pullLimit, 21600);
      this.state.pullRates.set(subject, rate);
    }
    return rate;
  }

  /** HEAD shows the pull budget without spending it, as Docker documents for checking the limit. */
  private pullHeaders(subject: string): Record<string, string> {
    const rate = this.pullRate(subject);
    return { 'ratelimit-limit': `${rate.limit};w=21600`, 'ratelimit-remaining': `${rate.remaining};w=21600`, 'docker-ratelimit-source': '127.0.0.1' };
  }

  private countPull(subject: string): { headers?: Record<string, string>; reject?: (res: ServerResponse) => void } {
    const rate = this.pullRate(subject);
    const ok = rate.take();
    const headers = this.pullHeaders(subject);
    if (ok) return { headers };
    const who = subject ? 'authenticated' : 'unauthenticated';
    return {
      reject: (res) =>
        registryError(res, 429, 'TOOMANYREQUESTS', `You have reached your ${who} pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit`, headers),
    };
  }

  private rateHeaders(): Record<string, string> {
    const r = this.state.apiRate;
    return { 'x-ratelimit-limit': String(r.limit), 'x-ratelimit-remaining': String(r.remaining), 'x-ratelimit-reset': String(r.resetAt) };
  }

  /** `Retry-After` for a wait of `seconds`, in the form `state.retryAfterAs` says. */
  private retryAfter(seconds: number): Record<string, string> {
    const value = this.state.retryAfterAs === 'epoch' ? Math.floor(Date.now() / 1000) + seconds : seconds;
    return { 'retry-after': String(value) };
  }

  private async rateLimited(ctx: Ctx, h: (ctx: Ctx) => void | Promise<void>): Promise<void> {
    if (!this.state.apiRate.take()) {
      const wait = Math.max(0, this.state.apiRate.resetAt - Math.floor(Date.now() / 1000));
      sendJson(ctx.res, 429, { detail: 'Rate limit exceeded', message: 'Rate limit exceeded' }, { ...this.rateHeaders(), ...this.retryAfter(wait) });
      return;
    }
    const headers = this.rateHeaders();
    for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
    await h(ctx);
  }

  private issueApiToken(c: Credential): string {
    const extra = c.kind === 'oat' ? { kind: 'oat', org: c.token.org } : { kind: c.kind, user: c.user.username, ...(c.kind === 'pat' ? { scope: c.scope } : {}) };
    return this.apiTokens.issue(c.kind === 'oat' ? c.token.org : c.user.username, [], 600, extra).token;
  }

  private apiCredential(ctx: Ctx): Credential | null | 'invalid' {
    const auth = ctx.req.headers.authorization;
    if (!auth) return null;
    const token = parseBearer(auth) ?? /^JWT\s+(\S+)$/i.exec(auth)?.[1];
    const claims = token ? this.apiTokens.verify(token) : null;
    if (!claims) return 'invalid';
    if (claims.kind === 'oat') {
      const t = this.state.orgTokens.find((o) => o.org === claims.org);
      return t ? { kind: 'oat', token: t } : 'invalid';
    }
    const user = this.state.users.get(String(claims.user));
    if (!user) return 'invalid';
    return claims.kind === 'pat' ? { kind: 'pat', user, scope: claims.scope as HubPatScope } : { kind: 'password', user };
  }

  private async login(ctx: Ctx): Promise<void> {
    const body = await ctx.json<{ username?: string; password?: string }>();
    const c = this.credential(body.username ?? '', body.password ?? '');
    if (!c || c.kind === 'oat') {
      sendJson(ctx.res, 401, { detail: 'Incorrect authentication credentials' });
      return;
    }
    sendJson(ctx.res, 200, { token: this.issueApiToken(c) });
  }

  private async authToken(ctx: Ctx): Promise<void> {
    const body = await ctx.json<{ identifier?: string; secret?: string }>();
    const c = this.credential(body.identifier ?? '', body.secret ?? '');
    if (!c) {
      sendJson(ctx.res, 401, { detail: 'Incorrect authentication credentials', message: 'Incorrect authentication credentials' });
      return;
    }
    sendJson(ctx.res, 200, { access_token: this.issueApiToken(c) });
  }

  /** 401 for a bad token; 404 (Hub hides private repositories) when nothing may be read. */
  private readable(ctx: Ctx, repo: string): Credential | null | false {
    const c = this.apiCredential(ctx);
    if (c === 'invalid') {
      sendJson(ctx.res, 401, { detail: 'Authentication credentials were not provided or are invalid.' });
      return false;
    }
    if (!this.state.registry.repo(repo) || !this.right(c, repo)) {
      sendJson(ctx.res, 404, { message: 'object not found', errinfo: {} });
      return false;
    }
    return c;
  }

  private pageParams(ctx: Ctx): { page: number; size: number } | null {
    const p = pageParams(ctx.url, 'page_size', 10);
    if (p === null) sendJson(ctx.res, 400, { message: 'invalid page or page_size', errinfo: {} });
    return p;
  }

  private paged<T>(ctx: Ctx, all: T[], p: { page: number; size: number }): Record<string, unknown> | null {
    const start = (p.page - 1) * p.size;
    if (start > 0 && start >= all.length) {
      sendJson(ctx.res, 404, { message: 'page not found', errinfo: {} });
      return null;
    }
    const link = (page: number): string => {
      const u = new URL(ctx.url.pathname, this.api.url);
      for (const [k, v] of ctx.url.searchParams) u.searchParams.set(k, v);
      u.searchParams.set('page', String(page));
      u.searchParams.set('page_size', String(p.size));
      return u.toString();
    };
    return {
      count: all.length,
      next: start + p.size < all.length ? link(p.page + 1) : null,
      previous: p.page > 1 ? link(p.page - 1) : null,
      results: pageSlice(all, p),
    };
  }

  private imagesOf(repo: string, m: ManifestRecord): Record<string, unknown>[] {
    const one = (x: ManifestRecord): Record<string, unknown> => ({
      architecture: x.platform?.architecture ?? 'amd64',
      os: x.platform?.os ?? 'linux',
      variant: null,
      features: '',
      os_features: '',
      os_version: null,
      digest: x.digest,
      size: x.size,
      status: 'active',
      last_pulled: x.lastPulledAt?.toISOString() ?? null,
      last_pushed: x.pushedAt.toISOString(),
    });
    if (m.children.length === 0) return [one(m)];
    return m.children.map((d) => this.state.registry.manifest(repo, d)).filter((x): x is ManifestRecord => x !== undefined).map(one);
  }

  private tagShape(repo: string, tag: string): Record<string, unknown> {
    const t = this.state.registry.repo(repo)?.tags.get(tag);
    const m = t ? this.state.registry.manifest(repo, t.digest) : undefined;
    const updated = (t?.updatedAt ?? new Date()).toISOString();
    return {
      id: this.state.registry.idOf('hub-tag', `${repo}:${tag}`),
      name: tag,
      repository: this.state.registry.idOf('hub-repo', repo),
      creator: 1,
      last_updater: 1,
      last_updater_username: repo.split('/')[0],
      last_updated: updated,
      tag_last_pushed: updated,
      tag_last_pulled: m?.lastPulledAt?.toISOString() ?? null,
      tag_status: 'active',
      status: 'active',
      v2: true,
      digest: t?.digest ?? null,
      media_type: m?.mediaType ?? null,
      content_type: 'image',
      full_size: m?.size ?? 0,
      images: m ? this.imagesOf(repo, m) : [],
    };
  }

  private listTags(ctx: Ctx, ns: string, name: string, _style: string): void {
    const repo = `${ns}/${name}`;
    if (this.readable(ctx, repo) === false) return;
    const wait = injected429(this.state);
    if (wait !== null) {
      sendJson(ctx.res, 429, { detail: 'Rate limit exceeded', message: 'Rate limit exceeded' }, { ...this.rateHeaders(), ...this.retryAfter(wait) });
      return;
    }
    const p = this.pageParams(ctx);
    if (!p) return;
    const filter = ctx.url.searchParams.get('name');
    const ordering = ctx.url.searchParams.get('ordering') ?? '-last_updated';
    const r = this.state.registry.repo(repo);
    let tags = [...(r?.tags.entries() ?? [])];
    if (filter) tags = tags.filter(([t]) => t.includes(filter));
    tags.sort(([an, a], [bn, b]) => {
      if (ordering === 'name') return an.localeCompare(bn);
      if (ordering === '-name') return bn.localeCompare(an);
      const dir = ordering === 'last_updated' ? 1 : -1;
      return dir * (a.updatedAt.getTime() - b.updatedAt.getTime()) || an.localeCompare(bn);
    });
    const body = this.paged(ctx, tags.map(([t]) => this.tagShape(repo, t)), p);
    if (body) sendJson(ctx.res, 200, body);
  }

  private getTag(ctx: Ctx, ns: string, name: string, tag: string): void {
    const repo = `${ns}/${name}`;
    if (this.readable(ctx, repo) === false) return;
    if (!this.state.registry.repo(repo)?.tags.has(tag)) {
      sendJson(ctx.res, 404, { message: 'object not found', errinfo: {} });
      return;
    }
    sendJson(ctx.res, 200, this.tagShape(repo, tag));
  }

  private listRepos(ctx: Ctx, ns: string, _style: string): void {
    const c = this.apiCredential(ctx);
    if (c === 'invalid') {
      sendJson(ctx.res, 401, { detail: 'Authentication credentials were not provided or are invalid.' });
      return;
    }
    const p = this.pageParams(ctx);
    if (!p) return;
    const names = this.state.registry.repositories().filter((r) => r.split('/')[0] === ns && r.split('/').length === 2 && this.right(c, r));
    const body = this.paged(
      ctx,
      names.map((r) => {
        const rec = this.state.registry.repo(r);
        const latest = [...(rec?.tags.values() ?? [])].reduce<Date | null>((acc, t) => (!acc || t.updatedAt > acc ? t.updatedAt : acc), null);
        return {
          name: r.split('/')[1],
          namespace: ns,
          repository_type: 'image',
          status: 1,
          is_private: this.isPrivate(r),
          star_count: 0,
          pull_count: rec?.pullCount ?? 0,
          last_updated: latest?.toISOString() ?? null,
          date_registered: rec?.createdAt.toISOString(),
          affiliation: '',
          media_types: [],
          content_types: ['image'],
        };
      }),
      p,
    );
    if (body) sendJson(ctx.res, 200, body);
  }

  /**
   * The Hub API tag DELETE: 204 on success, absent from the published OpenAPI but used by Hub's
   * own web UI and reported working (docker/hub-feedback#2360); 403 `access denied: insufficient
   * scope` for a PAT without Delete (reported 2026, fletchto99/nicotine-plus-docker#80); 404 for a
   * missing tag (unconfirmed body). The image the tag pointed at stays, untagged.
   */
  private async deleteTag(ctx: Ctx, ns: string, name: string, tag: string): Promise<void> {
    const repo = `${ns}/${name}`;
    const wait = injected429(this.state.deleteFaults);
    if (wait !== null) {
      sendJson(ctx.res, 429, { detail: 'Rate limit exceeded', message: 'Rate limit exceeded' }, { ...this.rateHeaders(), ...this.retryAfter(wait) });
      return;
    }
    const c = this.apiCredential(ctx);
    if (c === null || c === 'invalid') {
      sendJson(ctx.res, 401, { detail: 'Authentication credentials were not provided.' });
      return;
    }
    if (c.kind === 'oat' || (c.kind === 'pat' && c.scope !== 'repo:admin')) {
      sendJson(ctx.res, 403, { detail: 'access denied: insufficient scope', message: 'access denied: insufficient scope' });
      return;
    }
    const right = this.right(c, repo);
    if (!this.state.registry.repo(repo) || !right) {
      sendJson(ctx.res, 404, { message: 'object not found', errinfo: {} });
      return;
    }
    if (right !== 'admin') {
      sendJson(ctx.res, 403, { detail: 'You do not have permission to perform this action.' });
      return;
    }
    if (this.state.registry.untag(repo, tag) === undefined) {
      sendJson(ctx.res, 404, { message: `tag '${tag}' not found`, errinfo: { namespace: ns, repository: name, tag } });
      return;
    }
    ctx.res.writeHead(204);
    ctx.res.end();
  }
}

export async function startDockerHubEmulator(opts: HubEmulatorOptions = {}): Promise<HubEmulator> {
  const emu = new HubEmulatorImpl(opts);
  const stopBacking = await emu.start();
  return {
    url: emu.api.url,
    registryUrl: emu.registry.url,
    registryHost: emu.registry.host,
    state: emu.state,
    requests: () => [...emu.api.requests()],
    stop: async () => {
      await emu.stop();
      await stopBacking();
    },
  };
}
