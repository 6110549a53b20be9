import { createHash, createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { EmulatorHttp, injected429, parseBasic, registryError, sendJson, sendText, startEmulator, type AuthResult, type Ctx, type EmulatorHandle, type ListingFaults } from './core';
import { backingRegistry, RegistryFront } from './registry-front';
import { isIndexType, RegistryState, type ManifestRecord } from './registry-state';
import { globMatch } from '../services/scope';

/** IAM actions of the `ecr:` service the emulator knows (without the prefix). */
export type EcrAction =
  | 'GetAuthorizationToken'
  | 'CreateRepository'
  | 'DescribeRepositories'
  | 'DescribeImages'
  | 'ListImages'
  | 'BatchGetImage'
  | 'BatchDeleteImage'
  | 'PutImage';

const READ: EcrAction[] = ['GetAuthorizationToken', 'DescribeRepositories', 'DescribeImages', 'ListImages', 'BatchGetImage'];

/** The AWS managed policies, reduced to the actions above. PowerUser cannot delete. */
export const ECR_POLICIES = {
  ReadOnly: READ,
  PowerUser: [...READ, 'PutImage'] as EcrAction[],
  FullAccess: [...READ, 'PutImage', 'BatchDeleteImage', 'CreateRepository'] as EcrAction[],
} as const;

export interface EcrKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** IAM user name for ARNs in error messages. */
  user: string;
  actions: readonly EcrAction[];
  /** Resource restriction: repository globs; all repositories when omitted. */
  repositories?: string[];
}

export interface EcrEmulatorOptions {
  keys?: EcrKey[];
  accountId?: string;
  region?: string;
  /** Repositories that exist from the start. */
  repositories?: string[];
  /** Anonymous distribution registry for `/v2` bytes; one is started when omitted. */
  upstream?: string;
  /** Lifetime of GetAuthorizationToken passwords (real ECR: 12 h). */
  tokenTtlSeconds?: number;
  /** Check SigV4 signatures with the key's secret (default true). */
  verifySignatures?: boolean;
}

export interface EcrState extends ListingFaults {
  registry: RegistryState;
  accountId: string;
  region: string;
  keys: Map<string, EcrKey>;
  /** GetAuthorizationToken passwords → owning key and expiry (ms). */
  registryPasswords: Map<string, { accessKeyId: string; expiresAt: number }>;
  /** The next N API calls answer ThrottlingException. */
  throttleNext: number;
  /**
   * Images (`<repo>@<digest>`) in ECR's archive storage class, with when they were archived.
   * DescribeImages hides them unless `filter.imageStatus` asks for them (API_DescribeImagesFilter:
   * "If not specified, only images with ACTIVE status are returned").
   */
  archived: Map<string, Date>;
  /**
   * Per-item failures BatchDeleteImage reports for these tags (`<repo>:<tag>` → failureCode), to
   * model what the emulator cannot cause itself (KmsError, ImageInaccessible, Upstream* codes).
   */
  deleteFailures: Map<string, string>;
  /**
   * Repositories created (or set) with `imageTagMutability: IMMUTABLE`: PutImage of a tag that
   * already points at another image is ImageTagAlreadyExistsException (API_PutImage). Deleting
   * tags stays allowed there (registry-apis.md §2 marks this unverified).
   */
  immutableRepos: Set<string>;
  /** Every API call the emulator dispatched (operation and its JSON input; inputs carry no secrets). */
  apiCalls: { op: string; input: Record<string, unknown> }[];
}

export type EcrEmulator = EmulatorHandle<EcrState>;

export const ECR_DEFAULT_KEYS: EcrKey[] = [
  { accessKeyId: 'AKIAFULLACCESS000001', secretAccessKey: 'full-secret', user: 'ci-admin', actions: ECR_POLICIES.FullAccess },
  { accessKeyId: 'AKIAPOWERUSER0000001', secretAccessKey: 'power-secret', user: 'ci-pusher', actions: ECR_POLICIES.PowerUser },
  { accessKeyId: 'AKIAREADONLY00000001', secretAccessKey: 'read-secret', user: 'viewer', actions: ECR_POLICIES.ReadOnly },
];

class AwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

interface ImageIdentifier {
  imageDigest?: string;
  imageTag?: string;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Recomputes a SigV4 signature from the request as received. */
function sigv4Matches(req: IncomingMessage, url: URL, body: Buffer, secret: string, auth: { credential: string; signedHeaders: string[]; signature: string }): boolean {
  const [, date, region, service] = auth.credential.split('/');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const canonicalQuery = [...url.searchParams.entries()]
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)])
    .sort((a, b) => (a[0] === b[0] ? a[1].localeCompare(b[1]) : a[0].localeCompare(b[0])))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = auth.signedHeaders
    .map((h) => {
      const v = req.headers[h];
      const value = Array.isArray(v) ? v.join(',') : String(v ?? '');
      return `${h}:${value.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? createHash('sha256').update(body).digest('hex'));
  const canonicalPath = url.pathname.split('/').map((seg) => encodeRfc3986(decodeURIComponent(seg))).join('/');
  const canonical = [req.method, canonicalPath || '/', canonicalQuery, canonicalHeaders, auth.signedHeaders.join(';'), payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === auth.signature;
}

function parseSigV4(header: string | undefined): { accessKeyId: string; credential: string; signedHeaders: string[]; signature: string } | null {
  if (!header) return null;
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(header.trim());
  if (!m) return null;
  return { accessKeyId: m[1].split('/')[0], credential: m[1], signedHeaders: m[2].split(';'), signature: m[3] };
}

function epochSeconds(d: Date): number {
  return d.getTime() / 1000;
}

/**
 * AWS ECR over the JSON 1.1 protocol the SDK speaks (`POST /` + `X-Amz-Target`), plus a Basic-auth
 * `/v2` in front of a real registry that takes the `AWS:<password>` from GetAuthorizationToken.
 */
class EcrEmulatorImpl {
  readonly http = new EmulatorHttp();
  readonly state: EcrState;
  private front!: RegistryFront;
  private readonly ttl: number;
  private readonly verifySignatures: boolean;

  constructor(private readonly opts: EcrEmulatorOptions) {
    this.state = {
      registry: new RegistryState(),
      accountId: opts.accountId ?? '123456789012',
      region: opts.region ?? 'us-east-1',
      keys: new Map((opts.keys ?? ECR_DEFAULT_KEYS).map((k) => [k.accessKeyId, k])),
      registryPasswords: new Map(),
      throttleNext: 0,
      archived: new Map(),
      deleteFailures: new Map(),
      apiCalls: [],
      immutableRepos: new Set(),
      rateLimit: null,
      listingCalls: 0,
    };
    for (const r of opts.repositories ?? []) this.state.registry.ensureRepo(r);
    this.ttl = opts.tokenTtlSeconds ?? 12 * 3600;
    this.verifySignatures = opts.verifySignatures ?? true;
  }

  private upstream = '';

  async start(): Promise<() => Promise<void>> {
    const backing = await backingRegistry(this.opts.upstream);
    this.upstream = backing.url;
    this.front = new RegistryFront({
      state: this.state.registry,
      upstream: backing.url,
      policy: {
        // (unverified) ECR's /v2 DELETE behaviour is undocumented; treat it like distribution 2.8.
        deleteByTag: { status: 400, code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' },
        deleteByDigest: 'delete',
        deleteActions: ['delete'],
        paginateTags: true,
      },
      authorize: (req, need) => this.authorizeRegistry(req, need),
      refusePush: (repo) =>
        this.state.registry.repo(repo)
          ? null
          : (res) => registryError(res, 404, 'NAME_UNKNOWN', `The repository with name '${repo}' does not exist in the registry with id '${this.state.accountId}'`),
    });
    this.http.route('POST', /^\/$/, (ctx) => this.api(ctx));
    this.http.fallback = async (ctx) => {
      if (!(await this.front.handle(ctx))) sendJson(ctx.res, 404, { message: 'Not Found' });
    };
    await this.http.start();
    return backing.stop;
  }

  private authorizeRegistry(req: IncomingMessage, need: { type: string; name: string; actions: string[] }[]): AuthResult {
    const challenge = { 'www-authenticate': `Basic realm="${this.http.url}/",service="ecr.amazonaws.com"` };
    const basic = parseBasic(req.headers.authorization);
    const entry = basic && basic.username === 'AWS' ? this.state.registryPasswords.get(basic.password) : undefined;
    const key = entry && entry.expiresAt > Date.now() ? this.state.keys.get(entry.accessKeyId) : undefined;
    if (!key) return { ok: false, send: (res) => sendText(res, 401, 'Not Authorized\n', challenge) };
    for (const n of need) {
      for (const a of n.actions) {
        const action: EcrAction = n.type === 'registry' ? 'DescribeRepositories' : a === 'pull' ? 'BatchGetImage' : a === 'delete' ? 'BatchDeleteImage' : 'PutImage';
        if (!this.allowed(key, action, n.type === 'repository' ? n.name : undefined)) {
          const msg = this.denyMessage(key, action, n.name);
          return { ok: false, send: (res) => registryError(res, 403, 'DENIED', msg) };
        }
      }
    }
    return { ok: true, subject: key.user };
  }

  private allowed(key: EcrKey, action: EcrAction, repo?: string): boolean {
    if (!key.actions.includes(action)) return false;
    if (repo === undefined || !key.repositories) return true;
    return key.repositories.some((p) => globMatch(p, repo));
  }

  private denyMessage(key: EcrKey, action: EcrAction, repo?: string): string {
    const resource = repo ? `arn:aws:ecr:${this.state.region}:${this.state.accountId}:repository/${repo}` : '*';
    return `User: arn:aws:iam::${this.state.accountId}:user/${key.user} is not authorized to perform: ecr:${action} on resource: ${resource} because no identity-based policy allows the ecr:${action} action`;
  }

  private async api(ctx: Ctx): Promise<void> {
    const { req, res } = ctx;
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomBytes(16).toString('hex') };
    const fail = (e: AwsError): void => sendJson(res, e.status, { __type: e.type, message: e.message }, { ...headers, 'x-amzn-errortype': e.type });
    try {
      const body = await ctx.body();
      const key = this.authenticate(req, ctx.url, body);
      const target = String(req.headers['x-amz-target'] ?? '');
      if (!target.startsWith(TARGET_PREFIX)) throw new AwsError('UnknownOperationException', 'Unknown operation');
      if (this.state.throttleNext > 0) {
        this.state.throttleNext -= 1;
        throw new AwsError('ThrottlingException', 'Rate exceeded');
      }
      let input: Record<string, unknown>;
      try {
        input = (body.length ? JSON.parse(body.toString('utf8')) : {}) as Record<string, unknown>;
      } catch {
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      }
      this.state.apiCalls.push({ op: target.slice(TARGET_PREFIX.length), input });
      const out = this.dispatch(target.slice(TARGET_PREFIX.length), input, key);
      sendJson(res, 200, await out, headers);
    } catch (err) {
      if (err instanceof AwsError) fail(err);
      else fail(new AwsError('ServerException', String(err), 500));
    }
  }

  private authenticate(req: IncomingMessage, url: URL, body: Buffer): EcrKey {
    const sig = parseSigV4(req.headers.authorization);
    if (!sig) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const key = this.state.keys.get(sig.accessKeyId);
    if (!key) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (this.verifySignatures && !sigv4Matches(req, url, body, key.secretAccessKey, sig)) {
      throw new AwsError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    return key;
  }

  private require(key: EcrKey, action: EcrAction, repo?: string): void {
    if (!this.allowed(key, action, repo)) throw new AwsError('AccessDeniedException', this.denyMessage(key, action, repo));
  }

  private checkRegistryId(input: Record<string, unknown>, repo: string): void {
    const id = input.registryId;
    if (id !== undefined && id !== this.state.accountId) {
      throw new AwsError('RepositoryNotFoundException', `The repository with name '${repo}' does not exist in the registry with id '${String(id)}'`);
    }
  }

  private repoOrThrow(input: Record<string, unknown>): string {
    const name = input.repositoryName;
    if (typeof name !== 'string' || !name) throw new AwsError('InvalidParameterException', "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must not be empty'");
    this.checkRegistryId(input, name);
    if (!this.state.registry.repo(name)) {
      throw new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${this.state.accountId}'`);
    }
    return name;
  }

  private page<T>(items: T[], input: Record<string, unknown>, op: string, def = 100): { items: T[]; nextToken?: string } {
    const max = input.maxResults === undefined ? def : Number(input.maxResults);
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      throw new AwsError('InvalidParameterException', "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'");
    }
    let offset = 0;
    if (typeof input.nextToken === 'string') {
      try {
        const parsed = JSON.parse(Buffer.from(input.nextToken, 'base64url').toString('utf8')) as { op: string; offset: number };
        if (parsed.op !== op || !Number.isInteger(parsed.offset)) throw new Error('mismatch');
        offset = parsed.offset;
      } catch {
        throw new AwsError('InvalidParameterException', "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'");
      }
    }
    const slice = items.slice(offset, offset + max);
    const more = offset + max < items.length;
    return { items: slice, ...(more ? { nextToken: Buffer.from(JSON.stringify({ op, offset: offset + max })).toString('base64url') } : {}) };
  }

  private async dispatch(op: string, input: Record<string, unknown>, key: EcrKey): Promise<unknown> {
    switch (op) {
      case 'GetAuthorizationToken':
        return this.getAuthorizationToken(key);
      case 'CreateRepository':
        return this.createRepository(input, key);
      case 'DescribeRepositories':
        return this.describeRepositories(input, key);
      case 'DescribeImages':
        return this.describeImages(input, key);
      case 'ListImages':
        return this.listImages(input, key);
      case 'BatchDeleteImage':
        return this.batchDeleteImage(input, key);
      case 'PutImage':
        return this.putImage(input, key);
      default:
        throw new AwsError('UnknownOperationException', `The emulator does not implement ${op}`);
    }
  }

  private getAuthorizationToken(key: EcrKey): unknown {
    this.require(key, 'GetAuthorizationToken');
    const password = randomBytes(24).toString('base64url');
    const expiresAt = Date.now() + this.ttl * 1000;
    this.state.registryPasswords.set(password, { accessKeyId: key.accessKeyId, expiresAt });
    return {
      authorizationData: [
        { authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'), expiresAt: expiresAt / 1000, proxyEndpoint: this.http.url },
      ],
    };
  }

  private repositoryShape(name: string): Record<string, unknown> {
    const r = this.state.registry.repo(name);
    return {
      repositoryArn: `arn:aws:ecr:${this.state.region}:${this.state.accountId}:repository/${name}`,
      registryId: this.state.accountId,
      repositoryName: name,
      repositoryUri: `${this.http.host}/${name}`,
      createdAt: epochSeconds(r?.createdAt ?? new Date()),
      imageTagMutability: this.state.immutableRepos.has(name) ? 'IMMUTABLE' : 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    };
  }

  private createRepository(input: Record<string, unknown>, key: EcrKey): unknown {
    const name = String(input.repositoryName ?? '');
    this.require(key, 'CreateRepository', name);
    if (!/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name) || name.length < 2 || name.length > 256) {
      throw new AwsError('InvalidParameterException', `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression'`);
    }
    if (this.state.registry.repo(name)) {
      throw new AwsError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${this.state.accountId}'`);
    }
    this.state.registry.ensureRepo(name);
    if (input.imageTagMutability === 'IMMUTABLE') this.state.immutableRepos.add(name);
    return { repository: this.repositoryShape(name) };
  }

  private describeRepositories(input: Record<string, unknown>, key: EcrKey): unknown {
    this.require(key, 'DescribeRepositories');
    const names = Array.isArray(input.repositoryNames) ? (input.repositoryNames as string[]) : null;
    if (names) {
      for (const n of names) {
        this.checkRegistryId(input, n);
        if (!this.state.registry.repo(n)) throw new AwsError('RepositoryNotFoundException', `The repository with name '${n}' does not exist in the registry with id '${this.state.accountId}'`);
      }
    }
    const all = (names ?? this.state.registry.repositories()).filter((n) => this.allowed(key, 'DescribeRepositories', n));
    const page = this.page(all, input, 'DescribeRepositories');
    return { repositories: page.items.map((n) => this.repositoryShape(n)), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  private imageDetail(repo: string, m: ManifestRecord): Record<string, unknown> {
    const tags = this.state.registry.tagsOf(repo, m.digest);
    return {
      registryId: this.state.accountId,
      repositoryName: repo,
      imageDigest: m.digest,
      ...(tags.length ? { imageTags: tags } : {}),
      imageSizeInBytes: m.size,
      imagePushedAt: epochSeconds(m.pushedAt),
      imageManifestMediaType: m.mediaType,
      ...(m.configDigest ? { artifactMediaType: m.mediaType.includes('oci') ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json' } : {}),
      ...(m.lastPulledAt ? { lastRecordedPullTime: epochSeconds(m.lastPulledAt) } : {}),
      ...this.statusOf(repo, m.digest),
    };
  }

  private statusOf(repo: string, digest: string): { imageStatus: string; lastArchivedAt?: number } {
    const at = this.state.archived.get(`${repo}@${digest}`);
    return at ? { imageStatus: 'ARCHIVED', lastArchivedAt: epochSeconds(at) } : { imageStatus: 'ACTIVE' };
  }

  private tagFilter(input: Record<string, unknown>): (repo: string, m: ManifestRecord) => boolean {
    const filter = input.filter as { tagStatus?: string; imageStatus?: string } | undefined;
    const status = filter?.tagStatus ?? 'ANY';
    // API_DescribeImagesFilter: imageStatus ACTIVE | ARCHIVED | ACTIVATING (the SDK's
    // ImageStatusFilter adds ANY); without it only ACTIVE images are returned.
    const imageStatus = filter?.imageStatus ?? 'ACTIVE';
    if (!['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY'].includes(imageStatus)) {
      throw new AwsError('InvalidParameterException', `Invalid parameter at 'filter.imageStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]'`);
    }
    return (repo, m) => {
      const tagged = this.state.registry.tagsOf(repo, m.digest).length > 0;
      const archived = this.state.archived.has(`${repo}@${m.digest}`);
      const statusOk = imageStatus === 'ANY' || (imageStatus === 'ARCHIVED' ? archived : imageStatus === 'ACTIVE' ? !archived : false);
      return statusOk && (status === 'ANY' || (status === 'TAGGED' ? tagged : !tagged));
    };
  }

  /**
   * ECR has no Retry-After: throttled calls get ThrottlingException (HTTP 400) and the SDK backs off
   * on its own; the injection counts DescribeImages and ListImages calls.
   */
  private throttleListing(): void {
    if (injected429(this.state) !== null) throw new AwsError('ThrottlingException', 'Rate exceeded');
  }

  private describeImages(input: Record<string, unknown>, key: EcrKey): unknown {
    this.throttleListing();
    const repo = this.repoOrThrow(input);
    this.require(key, 'DescribeImages', repo);
    const ids = Array.isArray(input.imageIds) ? (input.imageIds as ImageIdentifier[]) : null;
    if (ids) {
      if (input.nextToken !== undefined) throw new AwsError('InvalidParameterException', 'Cannot specify both nextToken and imageIds');
      const details = ids.map((id) => {
        const digest = id.imageDigest ?? (id.imageTag ? this.state.registry.resolve(repo, id.imageTag) : undefined);
        const m = digest ? this.state.registry.manifest(repo, digest) : undefined;
        if (!m || (id.imageTag && this.state.registry.resolve(repo, id.imageTag) !== m.digest)) {
          throw new AwsError(
            'ImageNotFoundException',
            `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo}' in the registry with id '${this.state.accountId}'`,
          );
        }
        return this.imageDetail(repo, m);
      });
      return { imageDetails: details };
    }
    const keep = this.tagFilter(input);
    const all = this.state.registry.listManifests(repo).filter((m) => keep(repo, m));
    const page = this.page(all, input, `DescribeImages:${repo}`);
    return { imageDetails: page.items.map((m) => this.imageDetail(repo, m)), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  private listImages(input: Record<string, unknown>, key: EcrKey): unknown {
    this.throttleListing();
    const repo = this.repoOrThrow(input);
    this.require(key, 'ListImages', repo);
    const keep = this.tagFilter(input);
    const ids: ImageIdentifier[] = [];
    for (const m of this.state.registry.listManifests(repo)) {
      if (!keep(repo, m)) continue;
      const tags = this.state.registry.tagsOf(repo, m.digest);
      if (tags.length === 0) ids.push({ imageDigest: m.digest });
      for (const t of tags) ids.push({ imageDigest: m.digest, imageTag: t });
    }
    const page = this.page(ids, input, `ListImages:${repo}`);
    return { imageIds: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  /**
   * API_BatchDeleteImage: 1–100 image ids; `{imageTag}` removes that tag and the image goes with
   * its last tag; `{imageDigest}` removes the image with all its tags. Missing or bad items are
   * per-item `failures[]` (ImageNotFound, InvalidImageTag, …) in a 200 answer, never an exception.
   */
  private async batchDeleteImage(input: Record<string, unknown>, key: EcrKey): Promise<unknown> {
    const repo = this.repoOrThrow(input);
    // IAM is evaluated for the call as a whole, before any item is looked at: a key without
    // ecr:BatchDeleteImage gets an exception even for tags that do not exist.
    this.require(key, 'BatchDeleteImage', repo);
    const ids = Array.isArray(input.imageIds) ? (input.imageIds as ImageIdentifier[]) : [];
    if (ids.length < 1 || ids.length > 100) {
      throw new AwsError('InvalidParameterException', "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100 and greater than or equal to 1'");
    }
    const reg = this.state.registry;
    const deleted: ImageIdentifier[] = [];
    const failures: { imageId: ImageIdentifier; failureCode: string; failureReason: string }[] = [];
    const fail = (imageId: ImageIdentifier, failureCode: string, failureReason: string): void => {
      failures.push({ imageId, failureCode, failureReason });
    };
    for (const id of ids) {
      if (!id.imageDigest && !id.imageTag) {
        fail(id, 'MissingDigestAndTag', 'Invalid request, need to specify either a tag or digest');
        continue;
      }
      if (id.imageDigest && !DIGEST_RE.test(id.imageDigest)) {
        fail(id, 'InvalidImageDigest', 'Invalid image digest');
        continue;
      }
      if (id.imageTag && !TAG_RE.test(id.imageTag)) {
        fail(id, 'InvalidImageTag', 'Invalid image tag');
        continue;
      }
      if (id.imageTag) {
        const digest = reg.resolve(repo, id.imageTag);
        if (!digest) {
          fail(id, 'ImageNotFound', 'Requested image not found');
          continue;
        }
        const injected = this.state.deleteFailures.get(`${repo}:${id.imageTag}`);
        if (injected) {
          fail(id, injected, `The emulator was told to fail this item with ${injected}`);
          continue;
        }
        if (id.imageDigest && id.imageDigest !== digest) {
          fail(id, 'ImageTagDoesNotMatchDigest', 'Invalid request, tag and digest do not match');
          continue;
        }
        reg.untag(repo, id.imageTag);
        deleted.push({ imageDigest: digest, imageTag: id.imageTag });
        // ECR has no untagged-but-tagged-before state after removing the last tag: the image goes.
        if (reg.tagsOf(repo, digest).length === 0 && reg.parents(repo, digest).length === 0) await this.removeImage(repo, digest);
        continue;
      }
      const digest = id.imageDigest as string;
      if (!reg.manifest(repo, digest)) {
        fail(id, 'ImageNotFound', 'Requested image not found');
        continue;
      }
      const parents = reg.parents(repo, digest);
      if (parents.length > 0) {
        fail(id, 'ImageReferencedByManifestList', `Requested image referenced by manifest list: [${parents.join(', ')}]`);
        continue;
      }
      const tags = reg.tagsOf(repo, digest);
      await this.removeImage(repo, digest);
      if (tags.length === 0) deleted.push({ imageDigest: digest });
      for (const t of tags) deleted.push({ imageDigest: digest, imageTag: t });
    }
    return { imageIds: deleted, failures };
  }

  /**
   * PutImage (API_PutImage): the manifest as a string, its media type, an optional tag and digest.
   * The layers (or, for an index, the referenced images) must already be in the repository —
   * LayersNotFoundException / ReferencedImagesNotFoundException otherwise; the same manifest under
   * the same tag again is ImageAlreadyExistsException; a digest that does not match the bytes is
   * ImageDigestDoesNotMatchException. Bytes go to the backing registry, which checks the blobs.
   */
  private async putImage(input: Record<string, unknown>, key: EcrKey): Promise<unknown> {
    const repo = this.repoOrThrow(input);
    this.require(key, 'PutImage', repo);
    const text = input.imageManifest;
    if (typeof text !== 'string' || text === '') throw new AwsError('InvalidParameterException', "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Member must not be null'");
    const bytes = Buffer.from(text, 'utf8');
    let parsed: { mediaType?: unknown; config?: { digest?: unknown; size?: unknown }; layers?: { size?: unknown }[]; manifests?: { digest?: unknown; size?: unknown }[] };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new AwsError('InvalidParameterException', 'Invalid parameter at \'ImageManifest\' failed to satisfy constraint: \'Invalid JSON syntax\'');
    }
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const given = input.imageDigest;
    if (typeof given === 'string' && given !== digest) {
      throw new AwsError('ImageDigestDoesNotMatchException', `The specified digest ${given} does not match the digest of the manifest ${digest}`);
    }
    const tag = typeof input.imageTag === 'string' ? input.imageTag : undefined;
    if (tag !== undefined && !TAG_RE.test(tag)) throw new AwsError('InvalidParameterException', "Invalid parameter at 'imageTag' failed to satisfy constraint");
    const mediaType = typeof input.imageManifestMediaType === 'string' ? input.imageManifestMediaType : typeof parsed.mediaType === 'string' ? parsed.mediaType : 'application/vnd.docker.distribution.manifest.v2+json';
    const reg = this.state.registry;
    if (reg.manifest(repo, digest) && (tag === undefined || reg.resolve(repo, tag) === digest)) {
      throw new AwsError('ImageAlreadyExistsException', `Image with digest '${digest}'${tag ? ` and tag '${tag}'` : ''} already exists in the repository with name '${repo}' in registry with id '${this.state.accountId}'`);
    }
    const current = tag === undefined ? undefined : reg.resolve(repo, tag);
    if (current !== undefined && current !== digest && this.state.immutableRepos.has(repo)) {
      throw new AwsError('ImageTagAlreadyExistsException', `The image tag '${tag}' already exists in the '${repo}' repository and cannot be overwritten because the repository is immutable.`);
    }
    if (!reg.manifest(repo, digest)) {
      const status = await this.putUpstream(repo, digest, mediaType, bytes);
      if (status !== 201) {
        if (isIndexType(mediaType)) throw new AwsError('ReferencedImagesNotFoundException', `Some of the images referenced by the manifest list ${digest} do not exist in the repository with name '${repo}'`);
        throw new AwsError('LayersNotFoundException', `Layers required for pushing image ${digest} into repository with name '${repo}' in registry with id '${this.state.accountId}' do not exist`);
      }
      const children = (parsed.manifests ?? []).map((c) => String(c.digest));
      const size = isIndexType(mediaType)
        ? children.reduce((sum, c) => sum + (reg.manifest(repo, c)?.size ?? 0), 0)
        : Number(parsed.config?.size ?? 0) + (parsed.layers ?? []).reduce((sum, l) => sum + Number(l.size ?? 0), 0);
      reg.addImage(repo, { digest, mediaType, size, children, ...(typeof parsed.config?.digest === 'string' ? { configDigest: parsed.config.digest } : {}) });
    }
    if (tag !== undefined) reg.setTag(repo, tag, digest);
    return {
      image: { registryId: this.state.accountId, repositoryName: repo, imageId: { imageDigest: digest, ...(tag ? { imageTag: tag } : {}) }, imageManifest: text, imageManifestMediaType: mediaType },
    };
  }

  /** PUTs manifest bytes by digest to the backing registry; its status (201, or 400 when blobs are missing). */
  private putUpstream(repo: string, digest: string, mediaType: string, body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const r = httpRequest(new URL(`/v2/${repo}/manifests/${digest}`, this.upstream), { method: 'PUT', headers: { 'content-type': mediaType, 'content-length': String(body.length) } }, (up) => {
        up.resume();
        up.on('end', () => resolve(up.statusCode ?? 502));
      });
      r.on('error', reject);
      r.end(body);
    });
  }

  private async removeImage(repo: string, digest: string): Promise<void> {
    this.state.archived.delete(`${repo}@${digest}`);
    this.state.registry.deleteManifest(repo, digest);
    await this.front.removeFromUpstream(repo, digest).catch(() => undefined);
  }
}

export async function startEcrEmulator(opts: EcrEmulatorOptions = {}): Promise<EcrEmulator> {
  return startEmulator(new EcrEmulatorImpl(opts));
}
