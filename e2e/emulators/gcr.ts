import type { ServerResponse } from 'node:http';
import { globMatch, type AccessEntry } from '../services/scope';
import { sendJson } from '../services/http-util';
import { EmulatorHttp, TokenIssuer, bearerAuthorizer, injected429, parseBearer, registryError, serveRegistryToken, startEmulator, type Ctx, type EmulatorHandle, type ListingFaults, type Principal } from './core';
import { backingRegistry, RegistryFront } from './registry-front';
import { RegistryState } from './registry-state';

/** roles/artifactregistry.{reader,writer,repoAdmin}: only repoAdmin may delete. */
export type GcrRole = 'reader' | 'writer' | 'repoAdmin';

export interface GcrAccessToken {
  /** What `gcloud auth print-access-token` prints. */
  token: string;
  principal: string;
  /** Repository glob (`my-project/*`) → role. */
  roles: Record<string, GcrRole>;
  /** Expired tokens are refused by the token endpoint. */
  expiresAt?: Date;
}

export interface GcrEmulatorOptions {
  tokens?: GcrAccessToken[];
  /** `gcr` sends `timeUploadedMs` as a string, Artifact Registry as a number. */
  style?: 'gcr' | 'artifact-registry';
  upstream?: string;
  /**
   * The host name clients use for the registry (`us-docker.pkg.dev`, resolved to 127.0.0.1 by the
   * test's resolver), as the REST API's image URIs name it. Default: 127.0.0.1. (The token realm
   * always names the Host the request came to, as Google's does.)
   */
  hostName?: string;
  /** See `GcrState.tagsListCap`. */
  tagsListCap?: number;
}

export interface GcrState extends ListingFaults {
  registry: RegistryState;
  tokens: Map<string, GcrAccessToken>;
  style: 'gcr' | 'artifact-registry';
  /**
   * Artifact Registry quotas page: the `tags/list` extension "returns an incomplete list if a
   * repository has more than 10,000 images or tags". Which entries are left out is not documented;
   * the emulator keeps the newest `tagsListCap` manifests and at most `tagsListCap` of their tag
   * names (modelled, unconfirmed).
   */
  tagsListCap: number;
}

/** Documented on the Artifact Registry quotas page (tags/list above 10,000 images or tags). */
export const GOOGLE_TAGS_LIST_CAP = 10_000;
/**
 * `dockerImages.list` page size: the REST reference documents `pageSize` and `nextPageToken`; the
 * default of 100 and the ceiling of 1,000 used here are not documented (modelled).
 */
const DOCKER_IMAGES_DEFAULT_PAGE = 100;
const DOCKER_IMAGES_MAX_PAGE = 1000;

export type GcrEmulator = EmulatorHandle<GcrState>;

export const GCR_DEFAULT_TOKENS: GcrAccessToken[] = [
  { token: 'ya29.reader', principal: 'reader@proj.iam.gserviceaccount.com', roles: { 'proj/*': 'reader' } },
  { token: 'ya29.writer', principal: 'ci@proj.iam.gserviceaccount.com', roles: { 'proj/*': 'writer' } },
  { token: 'ya29.admin', principal: 'cleaner@proj.iam.gserviceaccount.com', roles: { 'proj/*': 'repoAdmin' } },
  { token: 'ya29.expired', principal: 'old@proj.iam.gserviceaccount.com', roles: { 'proj/*': 'repoAdmin' }, expiresAt: new Date('2020-01-01T00:00:00Z') },
];

const ROLE_ACTIONS: Record<GcrRole, string[]> = {
  reader: ['pull'],
  writer: ['pull', 'push'],
  repoAdmin: ['pull', 'push', 'delete'],
};

/** User names Google's token endpoint accepts with an OAuth access token as password. */
const TOKEN_USERS = new Set(['oauth2accesstoken', '_token']);

const PERMISSION: Record<string, string> = {
  pull: 'artifactregistry.repositories.downloadArtifacts',
  push: 'artifactregistry.repositories.uploadArtifacts',
  delete: 'artifactregistry.tags.delete',
};

class GcrEmulatorImpl {
  readonly http = new EmulatorHttp();
  readonly state: GcrState;
  private readonly issuer = new TokenIssuer('gcr', 'gcr');

  constructor(private readonly opts: GcrEmulatorOptions) {
    this.state = {
      registry: new RegistryState(),
      tokens: new Map((opts.tokens ?? GCR_DEFAULT_TOKENS).map((t) => [t.token, t])),
      style: opts.style ?? 'artifact-registry',
      tagsListCap: opts.tagsListCap ?? GOOGLE_TAGS_LIST_CAP,
      rateLimit: null,
      listingCalls: 0,
    };
  }

  async start(): Promise<() => Promise<void>> {
    const backing = await backingRegistry(this.opts.upstream);
    await this.http.start();
    const service = this.http.host;
    // Google's realm is on the host the client asked (`https://us-docker.pkg.dev/v2/token`), so the
    // challenge names the request's own Host: one authorizer per host name seen.
    const byHost = new Map<string, ReturnType<typeof bearerAuthorizer>>();
    const bearerFor = (host: string | undefined): ReturnType<typeof bearerAuthorizer> => {
      const origin = host ? `http://${host}` : this.http.url;
      let b = byHost.get(origin);
      if (!b) {
        b = this.authorizer(origin, service);
        byHost.set(origin, b);
      }
      return b;
    };
      // IAM is checked by the registry: a valid token that lacks a permission is a 403, not a new challenge.
    const front = new RegistryFront({
      state: this.state.registry,
      upstream: backing.url,
      // Delete by tag untags (202) and delete by digest answers 400 GOOGLE_MANIFEST_DANGLING_TAG
      // while a tag remains: reported against GCR and Artifact Registry (genuinetools/reg#136,
      // enix/kube-image-keeper#636); go-containerregistry's gcrane untags before deleting for this
      // reason. tags/list is not paginated (AR docs: "GCR does not paginate").
      policy: { deleteByTag: 'untag', deleteByDigest: 'delete-if-untagged', deleteActions: ['delete'], paginateTags: false },
      authorize: (req, need) => bearerFor(req.headers.host)(req.headers.authorization, need),
      virtualRepo: (name) => this.children(name).length > 0,
      tagsListExtra: (name) => this.extension(name),
      beforeList: (ctx, what) => {
        if (what !== 'tags') return false;
        const wait = injected429(this.state);
        if (wait !== null) {
          // (unverified) Google's quota errors reach the Docker API as 429 TOOMANYREQUESTS.
          registryError(ctx.res, 429, 'TOOMANYREQUESTS', 'Quota exceeded for quota metric Requests per project per region', { 'retry-after': String(wait) });
          return true;
        }
        return this.cappedTagsList(ctx);
      },
    });
    this.http.route('GET', /^\/v2\/token$/, (ctx) =>
      serveRegistryToken(ctx, {
        service,
        issuer: this.issuer,
        ttlSeconds: 3600,
        authenticate: (b) => {
          if (!b || !TOKEN_USERS.has(b.username)) return null;
          const t = this.state.tokens.get(b.password);
          if (!t || (t.expiresAt && t.expiresAt.getTime() <= Date.now())) return null;
          return this.principal(t);
        },
        anonymous: null,
      }),
    );
    this.http.route('GET', /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)\/dockerImages$/, (ctx) => this.dockerImages(ctx, ctx.params[0]!, ctx.params[1]!, ctx.params[2]!));
    this.http.fallback = async (ctx) => {
      if (!(await front.handle(ctx))) registryError(ctx.res, 404, 'NOT_FOUND', 'not found');
    };
    return backing.stop;
  }

  private principal(t: GcrAccessToken): Principal {
    return {
      subject: t.principal,
      allowed: (e: AccessEntry) => {
        const out = new Set<string>();
        if (e.type === 'registry') {
          if (Object.keys(t.roles).length > 0) out.add('*');
          return out;
        }
        for (const [pattern, role] of Object.entries(t.roles)) if (globMatch(pattern, e.name)) for (const a of ROLE_ACTIONS[role]) out.add(a);
        return out;
      },
    };
  }

  private authorizer(origin: string, service: string): ReturnType<typeof bearerAuthorizer> {
    return bearerAuthorizer({
      issuer: this.issuer,
      realm: () => `${origin}/v2/token`,
      service,
      // IAM is checked by the registry: a valid token that lacks a permission is a 403, not a new challenge.
      insufficient: (missing) => (res: ServerResponse) => {
        const m = missing[0];
        const perm = PERMISSION[m.actions[0]] ?? 'artifactregistry.repositories.get';
        registryError(res, 403, 'DENIED', `Permission "${perm}" denied on resource "projects/${m.name.split('/')[0]}/locations/emulator/repositories/${m.name.split('/')[1] ?? ''}" (or it may not exist)`);
      },
    });
  }

  /** `http://<hostName>:<port>`, what the registry calls itself in image URIs. */
  private origin(): string {
    return this.opts.hostName ? `http://${this.opts.hostName}:${new URL(this.http.url).port}` : this.http.url;
  }

  /** digest → tags of one repository, built once per answer (tagsOf per manifest is quadratic at 10,000). */
  private tagIndex(name: string): Map<string, string[]> {
    const index = new Map<string, string[]>();
    for (const [tag, t] of this.state.registry.repo(name)?.tags ?? []) {
      const list = index.get(t.digest);
      if (list) list.push(tag);
      else index.set(t.digest, [tag]);
    }
    for (const list of index.values()) list.sort();
    return index;
  }

  /** Answers tags/list itself when the repository is past the cap (the front answers otherwise). */
  private cappedTagsList(ctx: Ctx): boolean {
    const name = /^\/v2\/(.+)\/tags\/list$/.exec(ctx.url.pathname)?.[1];
    const repo = name ? this.state.registry.repo(name) : undefined;
    const cap = this.state.tagsListCap;
    if (!name || !repo || (repo.tags.size <= cap && repo.manifests.size <= cap)) return false;
    const full = this.extension(name);
    const kept = new Set(Object.keys(full.manifest).slice(0, cap));
    const manifest = Object.fromEntries(Object.entries(full.manifest).filter(([d]) => kept.has(d)));
    const tags = [...repo.tags.entries()].filter(([, t]) => kept.has(t.digest)).map(([tag]) => tag).sort().slice(0, cap);
    sendJson(ctx.res, 200, { name, child: full.child, manifest, tags });
    return true;
  }

  /** Google's REST error document. */
  private googleError(ctx: Ctx, code: number, status: string, message: string): void {
    sendJson(ctx.res, code, { error: { code, message, status } });
  }

  /**
   * Artifact Registry REST `projects.locations.repositories.dockerImages.list`
   * (cloud.google.com/artifact-registry/docs/reference/rest/v1/projects.locations.repositories.dockerImages/list):
   * every image of the AR repository `<project>/<repository>`, each with `name`, `uri`, `tags`,
   * `imageSizeBytes` (a string, int64 in JSON), `uploadTime`, `mediaType`, `buildTime`,
   * `updateTime`; paged by `pageSize` / `pageToken` → `nextPageToken`. OAuth access token as
   * Bearer; needs `artifactregistry.dockerimages.list` (reader and up).
   */
  private dockerImages(ctx: Ctx, project: string, location: string, repository: string): void {
    const token = parseBearer(ctx.req.headers.authorization);
    const t = token ? this.state.tokens.get(token) : undefined;
    if (!t || (t.expiresAt && t.expiresAt.getTime() <= Date.now())) {
      this.googleError(ctx, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
      return;
    }
    const prefix = `${project}/${repository}/`;
    const resource = `projects/${project}/locations/${location}/repositories/${repository}`;
    if (!Object.keys(t.roles).some((p) => globMatch(p, `${prefix}x`))) {
      this.googleError(ctx, 403, 'PERMISSION_DENIED', `Permission 'artifactregistry.dockerimages.list' denied on resource '${resource}' (or it may not exist).`);
      return;
    }
    const sizeRaw = ctx.url.searchParams.get('pageSize');
    const size = sizeRaw === null ? DOCKER_IMAGES_DEFAULT_PAGE : Math.min(DOCKER_IMAGES_MAX_PAGE, Number(sizeRaw));
    const tokenRaw = ctx.url.searchParams.get('pageToken');
    const offset = tokenRaw ? Number(Buffer.from(tokenRaw, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(size) || size < 1 || !Number.isInteger(offset) || offset < 0) {
      this.googleError(ctx, 400, 'INVALID_ARGUMENT', 'Invalid page size or page token.');
      return;
    }
    const reg = this.state.registry;
    const host = new URL(this.origin()).host;
    const all = reg
      .repositories()
      .filter((r) => r.startsWith(prefix))
      .flatMap((r) => reg.listManifests(r).map((m) => ({ r, m })));
    const indexes = new Map<string, Map<string, string[]>>();
    const tagsOf = (r: string, d: string): string[] => {
      let index = indexes.get(r);
      if (!index) {
        index = this.tagIndex(r);
        indexes.set(r, index);
      }
      return index.get(d) ?? [];
    };
    const page = all.slice(offset, offset + size).map(({ r, m }) => ({
      name: `${resource}/dockerImages/${encodeURIComponent(r.slice(prefix.length))}@${m.digest}`,
      uri: `${host}/${r}@${m.digest}`,
      // proto3 JSON leaves out empty repeated fields: an untagged image has no `tags` at all.
      ...(tagsOf(r, m.digest).length > 0 ? { tags: tagsOf(r, m.digest) } : {}),
      imageSizeBytes: String(m.size),
      uploadTime: m.pushedAt.toISOString(),
      mediaType: m.mediaType,
      ...(m.created ? { buildTime: m.created.toISOString() } : {}),
      updateTime: m.pushedAt.toISOString(),
    }));
    const next = offset + size < all.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
    sendJson(ctx.res, 200, { ...(page.length > 0 ? { dockerImages: page } : {}), ...(next ? { nextPageToken: next } : {}) });
  }

  /** Immediate sub-repository names below `name`. */
  private children(name: string): string[] {
    const prefix = `${name}/`;
    const out = new Set<string>();
    for (const r of this.state.registry.repositories()) if (r.startsWith(prefix)) out.add(r.slice(prefix.length).split('/')[0]);
    return [...out].sort();
  }

  private extension(name: string): { child: string[]; manifest: Record<string, Record<string, unknown>> } {
    const reg = this.state.registry;
    const manifest: Record<string, Record<string, unknown>> = {};
    const tagsOf = this.tagIndex(name);
    for (const m of reg.listManifests(name)) {
      const uploaded = m.pushedAt.getTime();
      manifest[m.digest] = {
        imageSizeBytes: String(m.size),
        layerId: '',
        mediaType: m.mediaType,
        tag: tagsOf.get(m.digest) ?? [],
        // The image config's creation time; Google answers "0" when the image has none.
        timeCreatedMs: String(m.created?.getTime() ?? 0),
        timeUploadedMs: this.state.style === 'gcr' ? String(uploaded) : uploaded,
      };
    }
    return { child: this.children(name), manifest };
  }
}

export async function startGcrEmulator(opts: GcrEmulatorOptions = {}): Promise<GcrEmulator> {
  return startEmulator(new GcrEmulatorImpl(opts));
}
