import { BatchDeleteImageCommand, PutImageCommand, type BatchDeleteImageCommandOutput, type ECRClient } from '@aws-sdk/client-ecr';
import type { AppError } from '../../../../shared/api/result';
import { detectImplementation } from '../../../../shared/registry/detect';
import { awsErrorParts, ecrClient, ecrTarget, type EcrSdkTimeouts } from '../../registry/ecr-client';
import { safeUrl } from '../../registry/errors';
import type { DriverContext } from '../../inventory/types';
import { recordedManifest } from '../mutations-toolkit';
import type { DeleteGroup, MutationOutcome, RegistryDriver, RestoreEntry, TagDeleteResult } from '../types';
import { resolveRegistryId, retryStrategy, sdkHost } from './listing';

/** BatchDeleteImage takes 1–100 image ids per call (API_BatchDeleteImage). */
export const ECR_DELETE_BATCH = 100;

export interface EcrMutationOptions {
  /** First backoff after ThrottlingException; doubles per retry (default 500 ms). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  timeouts?: EcrSdkTimeouts;
}

const NEEDS_AWS: AppError = {
  code: 'needs-aws-credentials',
  message: 'ECR deletes and restores go through the AWS API, and this registry login is not an AWS credential.',
  hint: 'Make AWS credentials available (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, `aws configure`, SSO or a profile) with ecr:BatchDeleteImage and ecr:PutImage. Nothing was changed.',
};

/** What to do about a per-item failure code of BatchDeleteImage (API_ImageFailure). */
function failureHint(code: string): string {
  switch (code) {
    case 'ImageReferencedByManifestList':
      return 'The image is a child of an image index that stays: delete the index first, or keep this tag.';
    case 'KmsError':
      return 'ECR could not use the repository\'s KMS key: check the key policy and that the key is enabled.';
    case 'ImageInaccessible':
      return 'ECR cannot reach this image (a pull-through cache or a replication source): check the upstream, then run again.';
    case 'InvalidImageTag':
    case 'MissingDigestAndTag':
    case 'InvalidImageDigest':
      return 'ECR refused the tag name: it is not a tag ECR can hold; nothing was deleted.';
    default:
      return code.startsWith('Upstream')
        ? 'The repository is a pull-through cache and its upstream refused: check the cache rule\'s credentials.'
        : 'ECR refused this item; the other tags were handled. Run the cleanup again after fixing the cause.';
  }
}

/** An SDK exception for the whole call, as a user-facing error with the fix. */
function callError(error: unknown, what: string, action: 'ecr:BatchDeleteImage' | 'ecr:PutImage', signal: AbortSignal): AppError {
  if (signal.aborted) return { code: 'cancelled', message: `${what} was cancelled before ECR answered`, hint: 'Run it again: a rerun reports tags already gone as such.' };
  const e = awsErrorParts(error);
  const hint =
    e.hint ??
    (e.name === 'AccessDeniedException'
      ? `This AWS identity may not call ${action} on the repository${action === 'ecr:BatchDeleteImage' ? ' (the PowerUser and ReadOnly managed policies cannot delete)' : ''}: attach a policy that allows it.`
      : e.name === 'ThrottlingException'
        ? 'ECR kept throttling after retries: wait a little and run again (a rerun skips what is gone).'
        : 'The ECR API call failed: check the region, the SDK endpoint and the AWS credentials.');
  return { code: e.name, message: `${what}: ${e.name}: ${e.message}`, hint, ...(e.status !== undefined ? { details: { status: e.status } } : {}) };
}

interface EcrCall {
  client: ECRClient;
  registryId: string;
  run<T>(send: () => Promise<T>): Promise<T>;
  where: string;
}

/** The SDK client, the account (always sent as registryId) and the host slot for one mutation. */
async function openCall(ctx: DriverContext, repository: string, options: EcrMutationOptions): Promise<{ ok: true; call: EcrCall; close(): void } | { ok: false; error: AppError; missing: boolean }> {
  const secret = ctx.credential?.secret;
  if (secret?.kind !== 'aws') return { ok: false, error: NEEDS_AWS, missing: false };
  const target = ecrTarget(detectImplementation(ctx.registry).details?.ecr);
  const endpoint = ctx.settings?.sdkEndpoint;
  const client = ecrClient(target, secret.provider, ctx.settings, {
    timeouts: options.timeouts,
    retryStrategy: retryStrategy(ctx.signal, { retryBaseMs: options.retryBaseMs ?? 500, retryMaxMs: options.retryMaxMs ?? 20_000 }),
  });
  const slot = ctx.http.limiters.for(sdkHost(target, endpoint));
  const where = `${target.region}${endpoint ? ` via ${safeUrl(endpoint)}` : ''}`;
  const id = await resolveRegistryId(ctx, client, slot, target, repository, where);
  if (!id.ok) {
    client.destroy();
    const e = id.event;
    if (e.type === 'missing') return { ok: false, missing: true, error: { code: 'RepositoryNotFoundException', message: e.message } };
    const failure = e.type === 'failed' ? e.failure : { message: `ECR did not say which account owns ${repository}` };
    return { ok: false, missing: false, error: { code: failure.code ?? 'ecr-account', message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) } };
  }
  return {
    ok: true,
    call: { client, registryId: id.value, where, run: (send) => slot.run(send, ctx.signal) },
    close: () => client.destroy(),
  };
}

/**
 * ECR removes tags, not manifests: `BatchDeleteImage` with `{ imageTag }` drops that tag and the
 * image goes when its last tag goes (API_BatchDeleteImage), so one call shape serves both a
 * group whose digest goes and one whose digest stays. Up to 100 tags a call, `registryId` on
 * every call, and each item's fate read from `imageIds` / `failures[]` (partial success is a 200).
 */
async function deleteTags(ctx: DriverContext, group: DeleteGroup, options: EcrMutationOptions): Promise<TagDeleteResult[]> {
  const method = (registryId: string) => `ECR BatchDeleteImage {imageTag} in ${group.repository} (registryId ${registryId})`;
  const opened = await openCall(ctx, group.repository, options);
  if (!opened.ok) {
    // A repository that no longer exists holds none of these tags: a rerun must not fail on it.
    if (opened.missing) return group.tags.map((tag) => ({ tag, outcome: 'already-gone', method: 'ECR BatchDeleteImage', detail: opened.error.message }));
    return group.tags.map((tag) => ({ tag, outcome: 'failed', method: 'ECR BatchDeleteImage', error: opened.error }));
  }
  const { call } = opened;
  const removed = new Set<string>();
  const results = new Map<string, TagDeleteResult>();
  try {
    for (let i = 0; i < group.tags.length; i += ECR_DELETE_BATCH) {
      const batch = group.tags.slice(i, i + ECR_DELETE_BATCH);
      const what = `BatchDeleteImage of ${batch.length} tag${batch.length === 1 ? '' : 's'} in ${group.repository} (${call.where}, account ${call.registryId})`;
      let out: BatchDeleteImageCommandOutput;
      try {
        out = await call.run(() =>
          call.client.send(new BatchDeleteImageCommand({ repositoryName: group.repository, registryId: call.registryId, imageIds: batch.map((imageTag) => ({ imageTag })) }), { abortSignal: ctx.signal }),
        );
      } catch (error) {
        const name = awsErrorParts(error).name;
        for (const tag of batch) {
          results.set(
            tag,
            name === 'RepositoryNotFoundException' && !ctx.signal.aborted
              ? { tag, outcome: 'already-gone', method: method(call.registryId), detail: `${group.repository} no longer exists in ECR` }
              : { tag, outcome: 'failed', method: method(call.registryId), error: callError(error, what, 'ecr:BatchDeleteImage', ctx.signal) },
          );
        }
        continue;
      }
      for (const id of out.imageIds ?? []) if (id.imageTag && batch.includes(id.imageTag)) removed.add(id.imageTag);
      for (const f of out.failures ?? []) {
        const tag = f.imageId?.imageTag;
        if (!tag || !batch.includes(tag) || removed.has(tag)) continue;
        const code = f.failureCode ?? 'Unknown';
        results.set(
          tag,
          code === 'ImageNotFound'
            ? { tag, outcome: 'already-gone', method: method(call.registryId), detail: `ECR: ${f.failureReason ?? 'Requested image not found'}` }
            : { tag, outcome: 'failed', method: method(call.registryId), error: { code, message: `ECR did not delete ${group.repository}:${tag}: ${code}${f.failureReason ? ` (${f.failureReason})` : ''}`, hint: failureHint(code) } },
        );
      }
      for (const tag of batch) {
        if (!removed.has(tag) && !results.has(tag)) {
          results.set(tag, { tag, outcome: 'failed', method: method(call.registryId), error: { code: 'ecr-no-answer', message: `ECR's answer to ${what} did not mention ${tag}`, hint: 'Check the tag in the ECR console, then run the cleanup again.' } });
        }
      }
    }
  } finally {
    opened.close();
  }
  // The image went with its last tag only when every tag on it went (the executor checked that no
  // other tag points at it); a failed sibling keeps it, and the removed tags were only untagged.
  const digestWent = group.digestGoes && group.tags.every((t) => removed.has(t) || results.get(t)?.outcome === 'already-gone');
  return group.tags.map((tag) => {
    if (!removed.has(tag)) return results.get(tag) as TagDeleteResult;
    return digestWent
      ? { tag, outcome: 'deleted', method: method(call.registryId), detail: `the image ${group.digest} went with its last tag (unless an image index still references it)` }
      : { tag, outcome: 'untagged', method: method(call.registryId), detail: `the image ${group.digest} stays${group.digestGoes ? ' (a sibling tag could not be deleted)' : ' with its other tags'}` };
  });
}

function putImageHint(name: string): string | undefined {
  switch (name) {
    case 'LayersNotFoundException':
      return 'ECR no longer has the image\'s layers (a lifecycle policy or the image\'s deletion freed them): push the image again instead.';
    case 'ReferencedImagesNotFoundException':
      return 'The index\'s child images are gone from the repository: restore or push the children first, then restore this tag.';
    case 'ImageTagAlreadyExistsException':
      return 'The repository has immutable tags and the tag now points at another image: restore under another tag, or delete that tag first.';
    case 'AccessDeniedException':
      return 'This AWS identity may not call ecr:PutImage on the repository: attach a policy that allows it (PowerUser and FullAccess do).';
    default:
      return undefined;
  }
}

/** `PutImage` of the recorded manifest under its tag (undo 'reput'): ECR keeps no deleted images. */
async function restoreTag(ctx: DriverContext, entry: RestoreEntry, options: EcrMutationOptions): Promise<MutationOutcome> {
  const manifest = recordedManifest(entry);
  if (!manifest.ok) return { ok: false, error: manifest.error };
  const opened = await openCall(ctx, entry.repository, options);
  if (!opened.ok) return { ok: false, error: opened.error };
  const { call } = opened;
  const what = `PutImage ${entry.repository}:${entry.tag} (${entry.digest}) in ${call.where}, account ${call.registryId}`;
  try {
    await call.run(() =>
      call.client.send(
        new PutImageCommand({
          repositoryName: entry.repository,
          registryId: call.registryId,
          // ECR takes the manifest as a string; the recorded bytes are JSON (UTF-8), so the digest holds.
          imageManifest: manifest.bytes.toString('utf8'),
          imageManifestMediaType: manifest.mediaType,
          imageTag: entry.tag,
          imageDigest: entry.digest,
        }),
        { abortSignal: ctx.signal },
      ),
    );
    return { ok: true, detail: `${what} → the tag points at ${entry.digest} again` };
  } catch (error) {
    const e = awsErrorParts(error);
    // The same manifest under the same tag is already there: a restore run twice restores once.
    if (e.name === 'ImageAlreadyExistsException') return { ok: true, detail: `${what} → already there (${e.message})` };
    const err = callError(error, what, 'ecr:PutImage', ctx.signal);
    const hint = ctx.signal.aborted ? undefined : putImageHint(e.name);
    return { ok: false, error: hint ? { ...err, hint } : err };
  } finally {
    opened.close();
  }
}

/** An unexpected exception still ends as data: the contract says mutations never throw. */
function unexpected(error: unknown): AppError {
  return { code: 'internal', message: `ECR mutation failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`, hint: 'Check the tags in the ECR console; a rerun reports what is already gone.' };
}

export function createEcrMutations(options: EcrMutationOptions = {}): Pick<RegistryDriver, 'deleteTags' | 'restoreTag'> {
  return {
    deleteTags: (ctx, group) =>
      deleteTags(ctx, group, options).catch((error: unknown) => group.tags.map((tag) => ({ tag, outcome: 'failed' as const, method: 'ECR BatchDeleteImage', error: unexpected(error) }))),
    restoreTag: (ctx, entry) => restoreTag(ctx, entry, options).catch((error: unknown) => ({ ok: false as const, error: unexpected(error) })),
  };
}
