import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { startDistribution, type DistributionHandle, type DistributionOptions } from './distribution';
import { closeServer, listen, parseBasic, readBody, sendJson } from './http-util';
import { loadSigner, type JwtKeyHint } from './jwt';
import { formatScope, globMatch, intersect, parseScopes, type AccessEntry } from './scope';
import { createSigningCert } from './tls';
import { makeTempDir, removeDir } from './util';

export type GrantAction = 'pull' | 'push' | 'delete' | '*';
/** Repository glob (`team/*`, `*`) → actions the user may receive. */
export type Grants = Record<string, GrantAction[]>;

export interface TokenUser {
  username: string;
  password: string;
  grants: Grants;
  /** May receive `registry:catalog:*`. */
  catalog?: boolean;
}

export interface TokenServerOptions {
  users: TokenUser[];
  /** Grants for requests without credentials; when omitted anonymous token requests get 401. */
  anonymous?: Grants;
  service?: string;
  issuer?: string;
  /** Token lifetime in seconds (claim `exp` and `expires_in`); default 300. */
  expiresIn?: number;
  /** JWT header form; default `x5c`. Both verify against distribution 2.8.2. */
  keyHint?: JwtKeyHint;
}

export interface IssuedToken {
  /** null for anonymous. */
  username: string | null;
  /** Granted scopes, e.g. `repository:app:pull`. */
  scopes: string[];
  /** Scopes as requested. */
  requested: string[];
  via: 'get' | 'password' | 'refresh_token';
  refreshToken: boolean;
}

export interface TokenServerHandle {
  url: string;
  /** `${url}/token`, the `realm` for the registry config and challenges. */
  realm: string;
  service: string;
  issuer: string;
  /** Path of the PEM bundle for distribution's `auth.token.rootcertbundle`. */
  rootCertBundle: string;
  stop(): Promise<void>;
  issued(): IssuedToken[];
  /** Shifts the clock used for `iat`/`nbf`/`exp` (seconds; negative issues already-old tokens). */
  setClockSkew(seconds: number): void;
  /** Forgets every refresh token (a revoked identity token). */
  revokeRefreshTokens(): void;
}

const unauthorized = (res: ServerResponse, realm: string, message: string): void =>
  sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message, detail: null }] }, { 'www-authenticate': `Basic realm="${realm}"` });

const oauthError = (res: ServerResponse, status: number, error: string, description: string): void =>
  sendJson(res, status, { error, error_description: description });

/**
 * A Docker token-auth server (distribution's `auth.token`): GET with Basic or anonymously, and the
 * OAuth2 POST form. Grants are the intersection of asked and allowed, as real servers do.
 */
export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServerHandle> {
  const dir = await makeTempDir('token');
  try {
    const signerCert = await createSigningCert(dir);
    const signer = await loadSigner(signerCert.certFile, signerCert.keyFile, opts.keyHint ?? 'x5c');
    const service = opts.service ?? 'stowage-test-registry';
    const issuer = opts.issuer ?? 'stowage-test-token-issuer';
    const expiresIn = opts.expiresIn ?? 300;
    const issued: IssuedToken[] = [];
    const refreshTokens = new Map<string, string>();
    let skewMs = 0;
    let realm = '';

    const users = new Map(opts.users.map((u) => [u.username, u]));

    const allowedFor = (user: TokenUser | null) => (e: AccessEntry): Set<string> => {
      const grants = user ? user.grants : opts.anonymous ?? {};
      if (e.type === 'registry' && e.name === 'catalog') return user?.catalog ? new Set(['*']) : new Set();
      if (e.type !== 'repository') return new Set();
      const out = new Set<string>();
      for (const [pattern, actions] of Object.entries(grants)) if (globMatch(pattern, e.name)) for (const a of actions) out.add(a);
      return out;
    };

    const mint = (user: TokenUser | null, requested: AccessEntry[]): { token: string; granted: AccessEntry[]; issuedAt: string } => {
      const granted = intersect(requested, allowedFor(user));
      const nowMs = Date.now() + skewMs;
      const now = Math.floor(nowMs / 1000);
      const token = signer.sign({
        iss: issuer,
        sub: user?.username ?? '',
        aud: service,
        exp: now + expiresIn,
        nbf: now - 1,
        iat: now,
        jti: randomUUID(),
        access: granted,
      });
      return { token, granted, issuedAt: new Date(nowMs).toISOString() };
    };

    const record = (user: TokenUser | null, requested: AccessEntry[], granted: AccessEntry[], via: IssuedToken['via'], refresh: boolean): void => {
      issued.push({ username: user?.username ?? null, scopes: granted.map(formatScope), requested: requested.map(formatScope), via, refreshToken: refresh });
    };

    const newRefreshToken = (username: string): string => {
      const t = randomBytes(24).toString('base64url');
      refreshTokens.set(t, username);
      return t;
    };

    const checkService = (res: ServerResponse, asked: string | null): boolean => {
      if (asked !== null && asked !== service) {
        sendJson(res, 400, { errors: [{ code: 'DENIED', message: `unknown service ${asked}`, detail: null }] });
        return false;
      }
      return true;
    };

    const handleGet = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
      if (!checkService(res, url.searchParams.get('service'))) return;
      const requested = parseScopes(url.searchParams.getAll('scope'));
      let user: TokenUser | null = null;
      if (req.headers.authorization) {
        const basic = parseBasic(req.headers.authorization);
        const candidate = basic ? users.get(basic.username) : undefined;
        if (!basic || !candidate || candidate.password !== basic.password) {
          unauthorized(res, realm, 'invalid username or password');
          return;
        }
        user = candidate;
      } else if (!opts.anonymous) {
        unauthorized(res, realm, 'authentication required');
        return;
      }
      const { token, granted, issuedAt } = mint(user, requested);
      const offline = url.searchParams.get('offline_token') === 'true' && user !== null;
      const body: Record<string, unknown> = { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt };
      if (offline && user) body.refresh_token = newRefreshToken(user.username);
      record(user, requested, granted, 'get', offline);
      sendJson(res, 200, body);
    };

    const handlePost = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const form = new URLSearchParams((await readBody(req)).toString('utf8'));
      if (!checkService(res, form.get('service'))) return;
      if (!form.get('client_id')) {
        oauthError(res, 400, 'invalid_request', 'client_id is required');
        return;
      }
      const requested = parseScopes(form.getAll('scope'));
      const grantType = form.get('grant_type');
      let user: TokenUser | undefined;
      if (grantType === 'password') {
        user = users.get(form.get('username') ?? '');
        if (!user || user.password !== form.get('password')) {
          oauthError(res, 401, 'invalid_grant', 'invalid username or password');
          return;
        }
      } else if (grantType === 'refresh_token') {
        const owner = refreshTokens.get(form.get('refresh_token') ?? '');
        user = owner === undefined ? undefined : users.get(owner);
        if (!user) {
          oauthError(res, 401, 'invalid_grant', 'invalid refresh token');
          return;
        }
      } else {
        oauthError(res, 400, 'unsupported_grant_type', `unsupported grant_type ${grantType ?? ''}`);
        return;
      }
      const { token, granted, issuedAt } = mint(user, requested);
      const offline = form.get('access_type') === 'offline';
      const body: Record<string, unknown> = {
        access_token: token,
        scope: granted.map(formatScope).join(' '),
        expires_in: expiresIn,
        issued_at: issuedAt,
      };
      if (offline) body.refresh_token = grantType === 'refresh_token' ? form.get('refresh_token') : newRefreshToken(user.username);
      record(user, requested, granted, grantType, offline);
      sendJson(res, 200, body);
    };

    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/token') {
        sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found', detail: null }] });
        return;
      }
      if (req.method === 'GET') handleGet(req, res, url);
      else if (req.method === 'POST') handlePost(req, res).catch((err: unknown) => sendJson(res, 500, { error: String(err) }));
      else sendJson(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'method not allowed', detail: null }] });
    });
    const port = await listen(server);
    const url = `http://127.0.0.1:${port}`;
    realm = `${url}/token`;
    return {
      url,
      realm,
      service,
      issuer,
      rootCertBundle: signerCert.certFile,
      issued: () => issued.map((i) => ({ ...i, scopes: [...i.scopes], requested: [...i.requested] })),
      setClockSkew: (seconds) => {
        skewMs = seconds * 1000;
      },
      revokeRefreshTokens: () => refreshTokens.clear(),
      stop: async () => {
        await closeServer(server);
        await removeDir(dir);
      },
    };
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
}

export interface TokenAuthRegistry {
  registry: DistributionHandle;
  tokenServer: TokenServerHandle;
  stop(): Promise<void>;
}

/** A real distribution registry whose `auth.token` points at a fresh token server. */
export async function startTokenAuthRegistry(
  users: TokenUser[],
  opts: Omit<TokenServerOptions, 'users'> & Omit<DistributionOptions, 'auth'> = {},
): Promise<TokenAuthRegistry> {
  const { anonymous, service, issuer, expiresIn, keyHint, ...registryOpts } = opts;
  const tokenServer = await startTokenServer({ users, anonymous, service, issuer, expiresIn, keyHint });
  try {
    const registry = await startDistribution({
      ...registryOpts,
      auth: { kind: 'token', realm: tokenServer.realm, service: tokenServer.service, issuer: tokenServer.issuer, rootCertBundle: tokenServer.rootCertBundle },
    });
    return {
      registry,
      tokenServer,
      stop: async () => {
        await registry.stop();
        await tokenServer.stop();
      },
    };
  } catch (err) {
    await tokenServer.stop();
    throw err;
  }
}
