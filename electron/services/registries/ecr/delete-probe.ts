import { BatchDeleteImageCommand } from '@aws-sdk/client-ecr';
import { awsErrorParts, ecrClient, ecrTarget } from '../../registry/ecr-client';
import { safeUrl } from '../../registry/errors';
import { ZERO_DIGEST } from '../../registry/permissions/common';
import type { DeletePermissionProbe, PermissionProbeResult } from '../../registry/permissions/types';

/**
 * ECR deletes through the AWS API, so the probe is `BatchDeleteImage` of an image that cannot
 * exist (the all-zero digest: unlike any tag name, no image can ever have it). IAM is evaluated
 * before the lookup: `ImageNotFound` means the call was authorised, `AccessDeniedException` that
 * it was not. The managed PowerUser and ReadOnly policies land in the second case.
 */
export const ecrProbe: DeletePermissionProbe = {
  method: 'AWS ECR BatchDeleteImage of a digest that cannot exist (ImageNotFound = allowed, AccessDeniedException = denied)',
  async probe(ctx): Promise<PermissionProbeResult> {
    const secret = ctx.credential?.secret;
    if (secret?.kind !== 'aws') {
      return {
        verdict: 'unknown',
        detail: `The registry login came from ${ctx.credential ? ctx.credential.summary.source : 'nowhere (anonymous)'}, not from AWS credentials, so the ECR API cannot be asked`,
        hint: 'ECR deletes go through the AWS API: make AWS credentials available (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, `aws configure`, SSO or a profile).',
      };
    }
    const target = ecrTarget(ctx.ecr);
    const client = ecrClient(target, secret.provider, ctx.settings, { timeouts: ctx.sdkTimeouts });
    const call = `BatchDeleteImage(${ctx.repository}@sha256:000…0) in ${target.region}${target.registryId ? ` for account ${target.registryId}` : ''}${ctx.settings?.sdkEndpoint ? ` via ${safeUrl(ctx.settings.sdkEndpoint)}` : ''}`;
    try {
      const out = await client.send(
        new BatchDeleteImageCommand({
          repositoryName: ctx.repository,
          ...(target.registryId ? { registryId: target.registryId } : {}),
          imageIds: [{ imageDigest: ZERO_DIGEST }],
        }),
        ctx.signal ? { abortSignal: ctx.signal } : {},
      );
      const failure = out.failures?.[0];
      if (failure?.failureCode === 'ImageNotFound') {
        return { verdict: 'allowed', detail: `${call} → failure ImageNotFound: IAM allowed ecr:BatchDeleteImage, and nothing was deleted`, registryError: 'ImageNotFound' };
      }
      if ((out.imageIds?.length ?? 0) > 0) return { verdict: 'allowed', detail: `${call} → accepted` };
      return {
        verdict: 'unknown',
        detail: `${call} → ${failure ? `failure ${failure.failureCode ?? '?'}: ${failure.failureReason ?? ''}` : 'no result'}`,
        ...(failure?.failureCode ? { registryError: failure.failureCode } : {}),
      };
    } catch (error) {
      const e = awsErrorParts(error);
      const base: PermissionProbeResult = { verdict: 'unknown', detail: `${call} → ${e.name}: ${e.message}`, registryError: e.name };
      if (e.status !== undefined) base.httpStatus = e.status;
      if (e.name === 'AccessDeniedException') {
        return {
          ...base,
          verdict: 'denied',
          hint: `This AWS identity may not call ecr:BatchDeleteImage on ${ctx.repository} (AmazonEC2ContainerRegistryPowerUser and ReadOnly cannot delete): attach AmazonEC2ContainerRegistryFullAccess or a policy allowing ecr:BatchDeleteImage on this repository.`,
        };
      }
      if (e.name === 'RepositoryNotFoundException') {
        return {
          ...base,
          detail: `${base.detail}: the call got past IAM, but the repository does not exist`,
          hint: `ECR does not create repositories on push: create ${ctx.repository} first (aws ecr create-repository --repository-name ${ctx.repository} --region ${target.region}).`,
        };
      }
      return { ...base, hint: e.hint ?? 'The ECR API call failed: check the region, the endpoint and the AWS credentials.' };
    } finally {
      client.destroy();
    }
  },
};
