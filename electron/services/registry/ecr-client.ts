import { ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { RegistrySettings } from '../../../shared/credentials/types';
import type { EcrDetails } from '../../../shared/registry/detect';

export interface EcrTarget {
  region: string;
  /** The AWS account that owns the registry (from the host); undefined when the host is not an ECR host. */
  registryId?: string;
  fips: boolean;
  /** Where the region came from, for the step detail. */
  regionSource: 'host' | 'environment' | 'default';
}

/**
 * Region and account from the host (`<acct>.dkr.ecr.<region>.amazonaws.com`). A private endpoint
 * or an emulator behind another host name falls back to AWS_REGION, as the AWS CLI does.
 */
export function ecrTarget(details: EcrDetails | undefined, env: NodeJS.ProcessEnv = process.env): EcrTarget {
  if (details) return { region: details.region, registryId: details.accountId, fips: details.fips, regionSource: 'host' };
  const fromEnv = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (fromEnv) return { region: fromEnv, fips: false, regionSource: 'environment' };
  return { region: 'us-east-1', fips: false, regionSource: 'default' };
}

/** Bounds on every ECR API attempt (the SDK's own defaults: no connect or request timeout, a 5-minute idle socket). */
export interface EcrSdkTimeouts {
  /** TCP (and TLS) connection set-up. */
  connectionTimeoutMs: number;
  /** From sending the request to the response headers; also the longest silence while the body streams. */
  requestTimeoutMs: number;
}

/** The defaults for every AWS SDK client Stowage builds; callers (tests) may pass shorter ones. */
export const AWS_SDK_TIMEOUTS: Readonly<EcrSdkTimeouts> = Object.freeze({ connectionTimeoutMs: 10_000, requestTimeoutMs: 30_000 });

/**
 * The `requestHandler` option in its plain-object form (the SDK builds its NodeHttpHandler from
 * it). `throwOnRequestTimeout` is needed: without it the request timeout only logs a warning.
 */
export function awsRequestHandler(t: EcrSdkTimeouts = AWS_SDK_TIMEOUTS) {
  return { connectionTimeout: t.connectionTimeoutMs, requestTimeout: t.requestTimeoutMs, throwOnRequestTimeout: true, socketTimeout: t.requestTimeoutMs };
}

export interface EcrClientOptions {
  timeouts?: EcrSdkTimeouts | undefined;
  /** Replaces the default of 2 attempts (the inventory retries throttling with its own strategy). */
  retryStrategy?: ECRClientConfig['retryStrategy'];
}

/** Worst case per call by default: 2 attempts × (connection + request timeout), about a minute. */
export function ecrClient(target: EcrTarget, provider: AwsCredentialIdentityProvider, settings: RegistrySettings | undefined, options: EcrClientOptions = {}): ECRClient {
  return new ECRClient({
    region: target.region,
    credentials: provider,
    ...(target.fips ? { useFipsEndpoint: true } : {}),
    // The SDK endpoint is a setting real users have too (VPC endpoints, LocalStack-style mirrors).
    ...(settings?.sdkEndpoint ? { endpoint: settings.sdkEndpoint } : {}),
    requestHandler: awsRequestHandler(options.timeouts),
    ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : { maxAttempts: 2 }),
  });
}

/** Node's codes for an endpoint that cannot be reached or dropped the connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const AWS_NETWORK_HINT =
  'The AWS API endpoint did not respond: check the SDK endpoint setting of this registry (if set), the region, and the network path to the endpoint (proxy, firewall, VPC endpoint), then try again.';

/** The errors AWS gives for credentials it does not accept. */
const REJECTED_CREDENTIALS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException']);

/** True for the SDK's timeouts (connection, request, idle socket). */
export function isAwsTimeout(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'TimeoutError';
}

/**
 * AWS SDK errors carry their type in `name`; the message is the service's and holds no secret.
 * Timeouts and network failures get a plain message, and they and credential failures a `hint`
 * every AWS call shares; a call site adds only what is its own (which permission is missing).
 */
export function awsErrorParts(error: unknown): { name: string; message: string; status?: number; hint?: string } {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  let message = typeof e?.message === 'string' ? e.message : String(error);
  const status = typeof e?.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  let hint: string | undefined;
  if (isAwsTimeout(error)) {
    const ms = /(\d+) ms/.exec(message)?.[1];
    const within = ms !== undefined ? `within ${Number(ms) / 1000} s` : 'in time';
    message = /establish a connection/.test(message)
      ? `the AWS API endpoint could not be connected to ${within} (connection timeout)`
      : /inactivity/.test(message)
        ? `the AWS API endpoint stopped sending and did not answer ${within} (idle timeout)`
        : `the AWS API endpoint accepted the connection but did not answer ${within} (request timeout)`;
    hint = AWS_NETWORK_HINT;
  } else if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) {
    hint = AWS_NETWORK_HINT;
  } else if (name === 'CredentialsProviderError') {
    hint = 'No AWS credentials were found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run `aws configure` or `aws sso login`, or pick a profile.';
  } else if (REJECTED_CREDENTIALS.has(name)) {
    hint = 'AWS rejected the credentials (wrong, expired or for another partition): refresh them.';
  }
  return { name, message, ...(status !== undefined ? { status } : {}), ...(hint !== undefined ? { hint } : {}) };
}
