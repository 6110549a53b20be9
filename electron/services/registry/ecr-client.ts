import { ECRClient } from '@aws-sdk/client-ecr';
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

export function ecrClient(target: EcrTarget, provider: AwsCredentialIdentityProvider, settings: RegistrySettings | undefined): ECRClient {
  return new ECRClient({
    region: target.region,
    credentials: provider,
    ...(target.fips ? { useFipsEndpoint: true } : {}),
    // The SDK endpoint is a setting real users have too (VPC endpoints, LocalStack-style mirrors).
    ...(settings?.sdkEndpoint ? { endpoint: settings.sdkEndpoint } : {}),
    maxAttempts: 2,
  });
}

/** AWS SDK errors carry their type in `name`; the message is the service's and holds no secret. */
export function awsErrorParts(error: unknown): { name: string; message: string; status?: number } {
  const e = error as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const status = typeof e?.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  return status !== undefined ? { name, message, status } : { name, message };
}
