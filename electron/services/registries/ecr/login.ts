import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { Secret } from '../../credentials/secret';
import { awsErrorParts, ecrClient, ecrTarget } from '../../registry/ecr-client';
import { safeUrl } from '../../registry/errors';
import type { LoginFailure, LoginOutcome, PrepareLoginContext } from '../../registry/logins';

/**
 * AWS credentials → `GetAuthorizationToken` in the region of the host (or the SDK endpoint the
 * user set) → a 12-hour Basic pair. The password is never saved: the next run asks AWS again.
 */
export async function ecrLogin(ctx: PrepareLoginContext, provider: Parameters<typeof ecrClient>[1], profile: string | undefined): Promise<LoginOutcome> {
  const target = ecrTarget(ctx.ecr);
  const client = ecrClient(target, provider, ctx.settings, { timeouts: ctx.sdkTimeouts });
  const where = `${target.region}${ctx.settings?.sdkEndpoint ? ` via ${safeUrl(ctx.settings.sdkEndpoint)}` : ''}`;
  const chain = profile ? `AWS profile "${profile}"` : 'the AWS credential chain';
  try {
    const out = await client.send(new GetAuthorizationTokenCommand({}), ctx.signal ? { abortSignal: ctx.signal } : {});
    const data = out.authorizationData?.[0];
    const encoded = data?.authorizationToken;
    if (!encoded) {
      return { ok: false, error: { message: `ECR GetAuthorizationToken (${where}) returned no token`, hint: 'Check that the account has an ECR registry in this region.' } };
    }
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon > 0 ? decoded.slice(0, colon) : 'AWS';
    const password = colon > 0 ? decoded.slice(colon + 1) : decoded;
    ctx.onSecret(encoded);
    ctx.onSecret(password);
    const expiresAt = data?.expiresAt instanceof Date ? data.expiresAt.toISOString() : undefined;
    const regionNote = target.regionSource === 'host' ? '' : ` (region ${target.region} from ${target.regionSource === 'environment' ? 'AWS_REGION' : 'the default'}: the host is not an ECR host name)`;
    return {
      ok: true,
      value: {
        login: { kind: 'basic', username, password: new Secret(password) },
        detail: `${chain} → ECR GetAuthorizationToken in ${where}${regionNote} → Basic auth as "${username}"${expiresAt ? ` until ${expiresAt}` : ''}`,
        ...(expiresAt ? { expiresAt } : {}),
      },
    };
  } catch (error) {
    const e = awsErrorParts(error);
    const hint =
      e.hint ??
      (e.name === 'AccessDeniedException'
        ? 'The AWS identity lacks ecr:GetAuthorizationToken: attach a policy such as AmazonEC2ContainerRegistryReadOnly.'
        : `AWS answered ${e.name}: check the region and the credentials.`);
    const err: LoginFailure = { message: `${chain} → ECR GetAuthorizationToken in ${where} failed: ${e.name}: ${e.message}`, hint, registryError: e.name };
    if (e.status !== undefined) err.httpStatus = e.status;
    return { ok: false, error: err };
  } finally {
    client.destroy();
  }
}
