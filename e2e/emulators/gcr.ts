import type { ServerResponse } from 'node:http';
import { globMatch, type AccessEntry } from '../services/scope';
import { EmulatorHttp, TokenIssuer, bearerAuthorizer, injected429, registryError, serveRegistryToken, startEmulator, type EmulatorHandle, type ListingFaults, type Principal } from './core';
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
}

export interface GcrState extends ListingFaults {
  registry: RegistryState;
  tokens: Map<string, GcrAccessToken>;
  style: 'gcr' | 'artifact-registry';
}

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
      rateLimit: null,
      listingCalls: 0,
    };
  }

  async start(): Promise<() => Promise<void>> {
    const backing = await backingRegistry(this.opts.upstream);
    await this.http.start();
    const service = this.http.host;
    const bearer = bearerAuthorizer({
      issuer: this.issuer,
      realm: () => `${this.http.url}/v2/token`,
      service,
      // IAM is checked by the registry: a valid token that lacks a permission is a 403, not a new challenge.
      insufficient: (missing) => (res: ServerResponse) => {
        const m = missing[0];
        const perm = PERMISSION[m.actions[0]] ?? 'artifactregistry.repositories.get';
        registryError(res, 403, 'DENIED', `Permission "${perm}" denied on resource "projects/${m.name.split('/')[0]}/locations/emulator/repositories/${m.name.split('/')[1] ?? ''}" (or it may not exist)`);
      },
    });
    const front = new RegistryFront({
      state: this.state.registry,
      upstream: backing.url,
      // Delete by tag untags (202) and delete by digest answers 400 GOOGLE_MANIFEST_DANGLING_TAG
      // while a tag remains: reported against GCR and Artifact Registry (genuinetools/reg#136,
      // enix/kube-image-keeper#636); go-containerregistry's gcrane untags before deleting for this
      // reason. tags/list is not paginated (AR docs: "GCR does not paginate").
      policy: { deleteByTag: 'untag', deleteByDigest: 'delete-if-untagged', deleteActions: ['delete'], paginateTags: false },
      authorize: (req, need) => bearer(req.headers.authorization, need),
      virtualRepo: (name) => this.children(name).length > 0,
      tagsListExtra: (name) => this.extension(name),
      beforeList: (ctx, what) => {
        if (what !== 'tags') return false;
        const wait = injected429(this.state);
        if (wait === null) return false;
        // (unverified) Google's quota errors reach the Docker API as 429 TOOMANYREQUESTS.
        registryError(ctx.res, 429, 'TOOMANYREQUESTS', 'Quota exceeded for quota metric Requests per project per region', { 'retry-after': String(wait) });
        return true;
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

  /** Immediate sub-repository names below `name`. */
  private children(name: string): string[] {
    const prefix = `${name}/`;
    const out = new Set<string>();
    for (const r of this.state.registry.repositories()) if (r.startsWith(prefix)) out.add(r.slice(prefix.length).split('/')[0]);
    return [...out].sort();
  }

  private extension(name: string): Record<string, unknown> {
    const reg = this.state.registry;
    const manifest: Record<string, Record<string, unknown>> = {};
    for (const m of reg.listManifests(name)) {
      const uploaded = m.pushedAt.getTime();
      manifest[m.digest] = {
        imageSizeBytes: String(m.size),
        layerId: '',
        mediaType: m.mediaType,
        tag: reg.tagsOf(name, m.digest),
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
