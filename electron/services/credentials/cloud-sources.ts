import { join } from 'node:path';
import { awsRequestHandler } from '../registry/ecr-client';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { helperGet, type RunHelper } from './credential-helper';
import { googleTokenCandidate } from './env-sources';
import { displayPath, dockerConfigKeyFor, normaliseRegistryHost } from './hosts';
import { SecretScrubber } from './redact';
import { unusableCandidate, usableCandidate } from './summary';
import type { CredentialCandidate, Environment } from './types';

// ---------------------------------------------------------------------------------------------
// AWS

/**
 * The AWS SDK's default Node chain (`fromNodeProviderChain`), composed from the same providers of
 * `@aws-sdk/credential-providers` in the same order, with one difference: every input comes from
 * the injected environment and home folder. `fromNodeProviderChain` reads `process.env` and `$HOME`
 * itself, so what list() reported and what the ECR driver then used could come from two different
 * environments (the CLI's `--env`, tests). Order, as in @aws-sdk/credential-provider-node:
 *   1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), skipped when AWS_PROFILE is set
 *   2. the profile (AWS_PROFILE, else "default") in the shared credentials and config files:
 *      static keys, assume-role, credential_process, SSO, web identity, `aws login`
 *   3. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS IRSA, GitHub OIDC)
 *   4. container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI: ECS, EKS Pod Identity)
 *   5. EC2 instance metadata, unless AWS_EC2_METADATA_DISABLED; one attempt with a 1 s timeout
 * (The SDK's explicit-SSO link is left out: it only runs with SSO options passed in code.)
 */

export interface AwsChainOptions {
  env: Environment;
  homeDir: string;
  /** Bound on one probe; the SDK's own timeouts apply per network call underneath. */
  timeoutMs?: number;
  scrubber?: SecretScrubber;
}

export interface AwsIdentityReport {
  /** Which link answered, e.g. `environment variables (AWS_ACCESS_KEY_ID)` or `profile "dev" (SSO)`. */
  via: string;
  profile?: string;
  expiresAt?: Date;
}

export type AwsProbe = { ok: true; report: AwsIdentityReport } | { ok: false; problem: string; hint: string };

export interface AwsChain {
  /** AWS_PROFILE, when set. */
  readonly profile: string | undefined;
  /** Memoized; what the ECR driver gets. Refreshes five minutes before the credentials expire. */
  readonly provider: AwsCredentialIdentityProvider;
  /** Resolves the chain once (bounded) and says which link answered. Never throws except on abort. */
  probe(signal?: AbortSignal): Promise<AwsProbe>;
}

export const DEFAULT_AWS_TIMEOUT_MS = 5_000;
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * For the SDK's inner STS, SSO, SSO-OIDC and sign-in clients of the profile and web identity
 * links. Built without it they have no connect or request timeout, and the ECR client waits on
 * them (through `provider`) with no bound of its own: a silent STS endpoint would hang every call.
 */
const AWS_INNER_CLIENT_CONFIG = { requestHandler: awsRequestHandler(), maxAttempts: 2 };

class NextLink extends Error {
  readonly tryNextLink = true;
}

interface Link {
  name: string;
  run(): Promise<AwsCredentialIdentity>;
}

interface Resolved {
  credentials: AwsCredentialIdentity;
  link: string;
}

function envValue(env: Environment, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function isTruthyFlag(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v.toLowerCase() !== 'false';
}

function features(credentials: AwsCredentialIdentity): Set<string> {
  const source = (credentials as { $source?: Record<string, unknown> }).$source;
  return new Set(source ? Object.keys(source) : []);
}

export function createAwsChain(options: AwsChainOptions): AwsChain {
  const { env, homeDir } = options;
  const scrubber = options.scrubber ?? new SecretScrubber();
  const timeoutMs = options.timeoutMs ?? DEFAULT_AWS_TIMEOUT_MS;
  const profile = envValue(env, 'AWS_PROFILE');
  const profileName = profile ?? 'default';
  const credentialsFile = envValue(env, 'AWS_SHARED_CREDENTIALS_FILE') ?? join(homeDir, '.aws', 'credentials');
  const configFile = envValue(env, 'AWS_CONFIG_FILE') ?? join(homeDir, '.aws', 'config');
  const filesLabel = `${displayPath(credentialsFile, homeDir)}, ${displayPath(configFile, homeDir)}`;

  const links: Link[] = [
    {
      name: 'environment variables',
      run: async () => {
        if (profile !== undefined) throw new NextLink('AWS_PROFILE is set, so the SDK skips AWS_ACCESS_KEY_ID');
        const accessKeyId = envValue(env, 'AWS_ACCESS_KEY_ID');
        const secretAccessKey = envValue(env, 'AWS_SECRET_ACCESS_KEY');
        if (accessKeyId === undefined || secretAccessKey === undefined) throw new NextLink('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set');
        scrubber.remember(secretAccessKey);
        const sessionToken = envValue(env, 'AWS_SESSION_TOKEN');
        scrubber.remember(sessionToken);
        const expiration = envValue(env, 'AWS_CREDENTIAL_EXPIRATION');
        const accountId = envValue(env, 'AWS_ACCOUNT_ID');
        return {
          accessKeyId,
          secretAccessKey,
          ...(sessionToken !== undefined ? { sessionToken } : {}),
          ...(expiration !== undefined && !Number.isNaN(Date.parse(expiration)) ? { expiration: new Date(expiration) } : {}),
          ...(accountId !== undefined ? { accountId } : {}),
        };
      },
    },
    {
      name: 'profile',
      run: async () => {
        const { fromIni } = await import('@aws-sdk/credential-providers');
        return fromIni({ profile: profileName, filepath: credentialsFile, configFilepath: configFile, ignoreCache: true, clientConfig: AWS_INNER_CLIENT_CONFIG })();
      },
    },
    {
      name: 'web identity token',
      run: async () => {
        const webIdentityTokenFile = envValue(env, 'AWS_WEB_IDENTITY_TOKEN_FILE');
        const roleArn = envValue(env, 'AWS_ROLE_ARN');
        if (webIdentityTokenFile === undefined || roleArn === undefined) throw new NextLink('no web identity token');
        const { fromTokenFile } = await import('@aws-sdk/credential-providers');
        const roleSessionName = envValue(env, 'AWS_ROLE_SESSION_NAME');
        return fromTokenFile({ webIdentityTokenFile, roleArn, ...(roleSessionName !== undefined ? { roleSessionName } : {}), clientConfig: AWS_INNER_CLIENT_CONFIG })();
      },
    },
    {
      name: 'container credentials',
      run: async () => {
        const full = envValue(env, 'AWS_CONTAINER_CREDENTIALS_FULL_URI');
        const relative = envValue(env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
        if (full === undefined && relative === undefined) throw new NextLink('not in a container with AWS credentials');
        const { fromHttp } = await import('@aws-sdk/credential-providers');
        const token = envValue(env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN');
        const tokenFile = envValue(env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE');
        return fromHttp({
          ...(full !== undefined ? { awsContainerCredentialsFullUri: full } : { awsContainerCredentialsRelativeUri: relative }),
          ...(token !== undefined ? { awsContainerAuthorizationToken: token } : {}),
          ...(tokenFile !== undefined ? { awsContainerAuthorizationTokenFile: tokenFile } : {}),
          maxRetries: 1,
          timeout: 1000,
        })();
      },
    },
    {
      name: 'EC2 instance metadata',
      run: async () => {
        if (isTruthyFlag(envValue(env, 'AWS_EC2_METADATA_DISABLED'))) throw new NextLink('AWS_EC2_METADATA_DISABLED is set');
        const { fromInstanceMetadata } = await import('@aws-sdk/credential-providers');
        return fromInstanceMetadata({ timeout: 1000, maxRetries: 0 })();
      },
    },
  ];

  const describe = (r: Resolved): string => {
    if (r.link === 'environment variables') return `environment variables (AWS_ACCESS_KEY_ID${r.credentials.sessionToken ? ' + AWS_SESSION_TOKEN' : ''})`;
    if (r.link === 'profile') {
      const f = features(r.credentials);
      const how = f.has('CREDENTIALS_PROFILE_SOURCE_PROFILE')
        ? 'assume role'
        : f.has('CREDENTIALS_PROFILE_PROCESS')
          ? 'credential_process'
          : f.has('CREDENTIALS_PROFILE_SSO') || f.has('CREDENTIALS_PROFILE_SSO_LEGACY')
            ? 'IAM Identity Center (SSO)'
            : f.has('CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN')
              ? 'web identity'
              : f.has('CREDENTIALS_PROFILE_LOGIN')
                ? 'aws login'
                : 'access keys';
      return `profile "${profileName}" (${how}) from ${filesLabel}`;
    }
    if (r.link === 'web identity token') return 'web identity token (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)';
    return r.link;
  };

  // Run the links in order; a link that does not apply says so with tryNextLink, anything else stops the chain.
  const runChain = async (): Promise<Resolved> => {
    const skipped: { link: string; message: string }[] = [];
    for (const link of links) {
      try {
        const credentials = await link.run();
        return { credentials, link: link.name };
      } catch (error) {
        // SDK messages can quote a credential_process's output; they are scrubbed before anyone sees them.
        const message = scrubber.scrub(error instanceof Error ? error.message : String(error), 240);
        if ((error as { tryNextLink?: boolean } | null)?.tryNextLink === true) {
          skipped.push({ link: link.name, message });
          continue;
        }
        throw new ChainError(link.name, message, skipped);
      }
    }
    throw new ChainError(null, 'no link of the chain found credentials', skipped);
  };

  let cached: Resolved | null = null;
  let inFlight: Promise<Resolved> | null = null;
  const resolveMemo = (): Promise<Resolved> => {
    const fresh = cached && (cached.credentials.expiration === undefined || cached.credentials.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS);
    if (cached && fresh) return Promise.resolve(cached);
    if (!inFlight) {
      inFlight = runChain()
        .then((r) => {
          cached = r;
          return r;
        })
        .finally(() => {
          inFlight = null;
        });
    }
    return inFlight;
  };

  const provider: AwsCredentialIdentityProvider = async () => (await resolveMemo()).credentials;

  const probe = async (signal?: AbortSignal): Promise<AwsProbe> => {
    try {
      const r = await bounded(resolveMemo(), timeoutMs, signal);
      const report: AwsIdentityReport = { via: describe(r) };
      if (profile !== undefined) report.profile = profile;
      if (r.credentials.expiration) report.expiresAt = r.credentials.expiration;
      return { ok: true, report };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return awsFailure(error, { profile, profileName, filesLabel, timeoutMs, scrubber });
    }
  };

  return { profile, provider, probe };
}

class ChainError extends Error {
  constructor(
    readonly link: string | null,
    readonly detail: string,
    readonly skipped: { link: string; message: string }[],
  ) {
    super(detail);
  }
}

class TimeoutError extends Error {}

function awsFailure(
  error: unknown,
  ctx: { profile: string | undefined; profileName: string; filesLabel: string; timeoutMs: number; scrubber: SecretScrubber },
): AwsProbe {
  const profileHint = ctx.profile !== undefined
    ? `Check that profile "${ctx.profile}" exists in ${ctx.filesLabel}; for SSO run "aws sso login --profile ${ctx.profile}", otherwise "aws configure --profile ${ctx.profile}".`
    : 'Run "aws configure" (or "aws sso login"), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. ECR also needs ecr:GetAuthorizationToken.';
  if (error instanceof TimeoutError) {
    return { ok: false, problem: `the AWS credential chain did not answer within ${ctx.timeoutMs / 1000} s`, hint: profileHint };
  }
  if (error instanceof ChainError && error.link !== null) {
    return { ok: false, problem: `AWS ${error.link} failed: ${ctx.scrubber.scrub(error.detail, 240)}`, hint: profileHint };
  }
  if (error instanceof ChainError) {
    const profileMiss = error.skipped.find((s) => s.link === 'profile');
    const why = ctx.profile !== undefined && profileMiss ? `: profile "${ctx.profile}": ${ctx.scrubber.scrub(profileMiss.message, 200)}` : '';
    return { ok: false, problem: `no AWS credentials found${why}`, hint: profileHint };
  }
  return { ok: false, problem: `the AWS credential chain failed: ${ctx.scrubber.scrub(error instanceof Error ? error.message : String(error), 240)}`, hint: profileHint };
}

/** Waits at most `ms`; the work itself is not cancellable, it is only no longer waited for. */
function bounded<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TimeoutError('timeout'));
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export async function awsCandidate(chain: AwsChain, registry: string, now: Date, signal?: AbortSignal): Promise<CredentialCandidate> {
  const host = normaliseRegistryHost(registry);
  const result = await chain.probe(signal);
  if (!result.ok) {
    return unusableCandidate({ registry: host, source: 'aws-chain', sourceDetail: 'AWS default credential chain', kind: 'aws' }, result.problem, result.hint);
  }
  return usableCandidate(
    { registry: host, source: 'aws-chain', sourceDetail: `AWS default credential chain: ${result.report.via}`, kind: 'aws' },
    { kind: 'aws', provider: chain.provider, ...(chain.profile !== undefined ? { profile: chain.profile } : {}) },
    {
      at: result.report.expiresAt,
      now,
      renew: chain.profile !== undefined ? `Refresh the session: aws sso login --profile ${chain.profile} (or renew the profile's keys).` : 'Refresh the AWS session (aws sso login, or new temporary keys).',
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Azure

export type AzureCloud = 'public' | 'china' | 'usgov';

export type AzureCredentialFactory = (options: { cloud: AzureCloud; authorityHost?: string }) => TokenCredential | Promise<TokenCredential>;

const AZURE_CLOUDS: Record<AzureCloud, { scope: string; authorityHost?: string }> = {
  // Default audience of @azure/container-registry; sovereign clouds use their ARM audience.
  public: { scope: 'https://containerregistry.azure.net/.default' },
  china: { scope: 'https://management.chinacloudapi.cn/.default', authorityHost: 'https://login.chinacloudapi.cn' },
  usgov: { scope: 'https://management.usgovcloudapi.net/.default', authorityHost: 'https://login.microsoftonline.us' },
};

export function azureCloudOf(host: string): AzureCloud {
  const h = normaliseRegistryHost(host);
  if (h.endsWith('.azurecr.cn')) return 'china';
  if (h.endsWith('.azurecr.us')) return 'usgov';
  return 'public';
}

/** DefaultAzureCredential, imported only when an ACR host is actually looked at. */
export const defaultAzureCredentialFactory: AzureCredentialFactory = async ({ authorityHost }) => {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential({ ...(authorityHost !== undefined ? { authorityHost } : {}), processTimeoutInMs: 10_000 });
};

export interface AzureSourceOptions {
  factory?: AzureCredentialFactory;
  timeoutMs?: number;
  scrubber?: SecretScrubber;
}

export interface AzureSource {
  candidate(registry: string, now: Date, signal?: AbortSignal): Promise<CredentialCandidate>;
}

export const DEFAULT_AZURE_TIMEOUT_MS = 15_000;
export const AZURE_NOT_SIGNED_IN = 'not signed in — run `az login`';

export function createAzureSource(options: AzureSourceOptions = {}): AzureSource {
  const factory = options.factory ?? defaultAzureCredentialFactory;
  const timeoutMs = options.timeoutMs ?? DEFAULT_AZURE_TIMEOUT_MS;
  const credentials = new Map<AzureCloud, Promise<TokenCredential>>();
  const probes = new Map<AzureCloud, Promise<AccessToken>>();
  const good = new Map<AzureCloud, AccessToken>();

  const credentialFor = (cloud: AzureCloud): Promise<TokenCredential> => {
    let c = credentials.get(cloud);
    if (!c) {
      const authorityHost = AZURE_CLOUDS[cloud].authorityHost;
      c = Promise.resolve().then(() => factory({ cloud, ...(authorityHost !== undefined ? { authorityHost } : {}) }));
      // A failed construction is retried next time (the user may have fixed the environment).
      c.catch(() => credentials.delete(cloud));
      credentials.set(cloud, c);
    }
    return c;
  };

  const tokenFor = (cloud: AzureCloud): Promise<AccessToken> => {
    const known = good.get(cloud);
    if (known && known.expiresOnTimestamp - Date.now() > REFRESH_MARGIN_MS) return Promise.resolve(known);
    let p = probes.get(cloud);
    if (!p) {
      p = credentialFor(cloud)
        // The deadline ends the sign-in itself, not only the wait (bounded() below), so a hung
        // attempt does not stay the shared probe for this cloud.
        .then((credential) => credential.getToken(AZURE_CLOUDS[cloud].scope, { abortSignal: AbortSignal.timeout(timeoutMs) }))
        .then((token) => {
          if (!token) throw new Error('no token');
          good.set(cloud, token);
          return token;
        })
        .finally(() => probes.delete(cloud));
      probes.set(cloud, p);
    }
    return p;
  };

  return {
    async candidate(registry, now, signal) {
      const host = normaliseRegistryHost(registry);
      const cloud = azureCloudOf(host);
      const b = { registry: host, source: 'azure-chain' as const, sourceDetail: 'DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI, Azure Developer CLI, PowerShell)', kind: 'azure' as const };
      const hint = `Sign in with az login${cloud === 'public' ? '' : cloud === 'china' ? ' --cloud AzureChinaCloud' : ' --cloud AzureUSGovernment'} (then az account set to the subscription of the registry), or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal.`;
      try {
        const token = await bounded(tokenFor(cloud), timeoutMs, signal);
        const credential = await credentialFor(cloud);
        return usableCandidate(b, { kind: 'azure', credential }, { at: new Date(token.expiresOnTimestamp), now, renew: hint });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof TimeoutError) return unusableCandidate(b, `${AZURE_NOT_SIGNED_IN} (the Azure sign-in check did not finish within ${timeoutMs / 1000} s)`, hint);
        return unusableCandidate(b, AZURE_NOT_SIGNED_IN, hint);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Google

export interface GoogleLookup {
  env: Environment;
  runHelper: RunHelper;
  now: Date;
  signal?: AbortSignal;
  scrubber?: SecretScrubber;
  /** True when config.json already routes this host to the gcloud helper, so it ran in that step. */
  gcloudAlreadyAsked: boolean;
  helperTimeoutMs?: number;
}

/** GOOGLE_OAUTH_ACCESS_TOKEN, then `docker-credential-gcloud` when gcloud is installed. */
export async function* googleCandidates(registry: string, ctx: GoogleLookup): AsyncGenerator<CredentialCandidate> {
  const host = normaliseRegistryHost(registry);
  const fromEnv = googleTokenCandidate(ctx.env, host, ctx.scrubber ? { scrubber: ctx.scrubber } : {});
  if (fromEnv) yield fromEnv;
  if (ctx.gcloudAlreadyAsked) return;
  const result = await helperGet(ctx.runHelper, 'gcloud', dockerConfigKeyFor(host), {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.scrubber ? { scrubber: ctx.scrubber } : {}),
    ...(ctx.helperTimeoutMs !== undefined ? { timeoutMs: ctx.helperTimeoutMs } : {}),
    configuredIn: 'the Google Cloud CLI',
  });
  const b = { registry: host, source: 'google-token' as const, sourceDetail: 'docker-credential-gcloud (gcloud auth)', kind: 'google-token' as const };
  // No gcloud on this machine is not a problem to report: it is simply not a source here.
  if (result.status === 'not-found' || (result.status === 'failed' && result.reason === 'missing')) return;
  if (result.status === 'failed') {
    yield unusableCandidate(b, result.problem, 'Sign in with gcloud auth login (or gcloud auth activate-service-account), then try again.');
    return;
  }
  yield usableCandidate({ ...b, username: 'oauth2accesstoken' }, { kind: 'google-token', token: result.secret });
}
