import { DescribeImagesCommand, DescribeRepositoriesCommand, type DescribeImagesCommandOutput, type ECRClient } from '@aws-sdk/client-ecr';
import { detectImplementation } from '../../../../shared/registry/detect';
import { awsErrorParts, ecrClient, ecrTarget, isAwsTimeout, type EcrSdkTimeouts, type EcrTarget } from '../../registry/ecr-client';
import { safeUrl } from '../../registry/errors';
import { defaultSleep } from '../../registry/http';
import type { ConcurrencyLimiter } from '../../registry/limiter';
import { listTagsViaRegistryApi } from '../../inventory/registry-api';
import type { DriverContext, DriverFailure, InventoryDriver, ListEvent } from '../../inventory/types';
import { digest, isoTime, MAX_NATIVE_PAGES, pageEvents, perRun, size, str, strings, type NativeTag } from '../../inventory/drivers/common';

/** The fields of an ECR `ImageDetail` we read (SDK objects carry Dates, recorded JSON epoch seconds). */
export interface EcrImageDetailLike {
  imageDigest?: unknown;
  imageTags?: unknown;
  imageSizeInBytes?: unknown;
  imagePushedAt?: unknown;
  lastRecordedPullTime?: unknown;
  imageManifestMediaType?: unknown;
  artifactMediaType?: unknown;
  imageStatus?: unknown;
  lastArchivedAt?: unknown;
}

/**
 * ECR `DescribeImages` → one row per tag. ECR reports per image (manifest): digest, compressed
 * size, push time, last recorded pull (updated at most once a day) and the manifest media type.
 * Untagged images are counted, not listed: the inventory is of tags.
 */
export function ecrRows(repository: string, details: readonly EcrImageDetailLike[]): { rows: NativeTag[]; untagged: number; skipped: string[]; archived: Map<string, string> } {
  const rows: NativeTag[] = [];
  const skipped: string[] = [];
  const archived = new Map<string, string>();
  let untagged = 0;
  for (const d of details) {
    const tags = strings(d.imageTags);
    const dg = digest(d.imageDigest);
    if (tags.length === 0) {
      untagged++;
      continue;
    }
    const status = str(d.imageStatus);
    if (status !== undefined && status !== 'ACTIVE') {
      const since = isoTime(d.lastArchivedAt, 's');
      const why = archivedNote(status, since);
      for (const tag of tags) archived.set(tag, why);
    }
    if (!dg) skipped.push(`${repository}: image with tags ${tags.join(', ')} has no usable imageDigest`);
    // AWS SDK v3 turns epoch seconds into Date; recorded JSON keeps the seconds.
    const pushed = isoTime(d.imagePushedAt, 's');
    const pulled = isoTime(d.lastRecordedPullTime, 's');
    const mediaType = str(d.imageManifestMediaType) ?? null;
    for (const tag of tags) {
      const row: NativeTag = { repository, tag, digest: dg, mediaType, size: size(d.imageSizeInBytes) };
      if (pushed) row.pushed = pushed;
      if (pulled) row.pulled = pulled;
      rows.push(row);
    }
  }
  return { rows, untagged, skipped, archived };
}

/**
 * ECR's archive storage class (issue #18.11). DescribeImages hides archived images unless
 * `filter.imageStatus` asks for them, so a plain listing would show a repository with fewer tags
 * than it has. The inventory asks for every status and shows archived (and still-restoring) tags
 * with this note as the row's error: they are real tags, but ECR does not serve them until they
 * are restored (UpdateImageStorageClass), so the engine does not read them and the cleanup
 * planner keeps them (it never plans from a row it could not read).
 */
export function archivedNote(status: string, since: string | undefined): string {
  return status === 'ARCHIVED'
    ? `archived in ECR${since ? ` since ${since}` : ''}: not pullable until restored (aws ecr update-image-storage-class --target-storage-class STANDARD); cleanup keeps it`
    : `ECR image status ${status} (being restored from the archive): not pullable yet; cleanup keeps it`;
}

/** DescribeImages' largest page. */
export const ECR_PAGE_SIZE = 1000;
/** Attempts per ECR call, the first one included. */
export const ECR_MAX_ATTEMPTS = 4;
/** Attempts when the endpoint timed out: each one already waited the full timeout. */
const ECR_TIMEOUT_ATTEMPTS = 2;

/** The parts of the SDK's retry contract (@smithy RetryStrategyV2) this strategy uses. */
interface RetryTokenLike {
  getRetryCount(): number;
  getRetryDelay(): number;
}
interface RetryErrorLike {
  errorType: 'TRANSIENT' | 'SERVER_ERROR' | 'THROTTLING' | 'CLIENT_ERROR';
  retryAfterHint?: Date;
  error?: unknown;
}

export interface EcrDriverOptions {
  /** First backoff after a throttled or failed call; doubles per retry (default 500 ms). */
  retryBaseMs?: number;
  /** Longest single wait (default 20 s). */
  retryMaxMs?: number;
  /** Per attempt (default AWS_SDK_TIMEOUTS: connect 10 s, request and body silence 30 s). */
  timeouts?: EcrSdkTimeouts;
}

/**
 * Bounded retries that wait inside the strategy with the run's signal, so a cancelled run stops
 * during a backoff instead of sleeping it out (the SDK's own strategy cannot be interrupted), and
 * only throttling, transient and server errors are retried.
 */
export function retryStrategy(signal: AbortSignal, o: Pick<Required<EcrDriverOptions>, 'retryBaseMs' | 'retryMaxMs'>): { acquireInitialRetryToken(scope: string): Promise<RetryTokenLike>; refreshRetryTokenForRetry(t: RetryTokenLike, e: RetryErrorLike): Promise<RetryTokenLike>; recordSuccess(t: RetryTokenLike): void } {
  const token = (count: number): RetryTokenLike => ({ getRetryCount: () => count, getRetryDelay: () => 0 });
  return {
    acquireInitialRetryToken: async () => token(0),
    async refreshRetryTokenForRetry(t, e) {
      const count = t.getRetryCount() + 1;
      if (e.errorType === 'CLIENT_ERROR' || count >= ECR_MAX_ATTEMPTS || signal.aborted) throw new Error('no more retries');
      // A hanging endpoint is tried twice, not four times: timeouts must not add up to minutes.
      if (isAwsTimeout(e.error) && count >= ECR_TIMEOUT_ATTEMPTS) throw new Error('no more retries');
      const hinted = e.retryAfterHint ? e.retryAfterHint.getTime() - Date.now() : undefined;
      const backoff = Math.min(o.retryMaxMs, Math.round(o.retryBaseMs * 2 ** (count - 1) * (0.75 + Math.random() * 0.5)));
      await defaultSleep(Math.max(0, Math.min(o.retryMaxMs, hinted ?? backoff)), signal);
      return token(count);
    },
    recordSuccess: () => undefined,
  };
}

interface EcrRunState {
  /** The account whose registry holds the repositories; resolved once per run when the host does not say. */
  registryId: Promise<EcrStep<string>> | null;
}

export type EcrStep<T> = { ok: true; value: T } | { ok: false; event: ListEvent };

const ecrState = perRun<EcrRunState>(() => ({ registryId: null }));

export function sdkHost(target: EcrTarget, endpoint: string | undefined): string {
  if (endpoint) {
    try {
      return new URL(endpoint).host.toLowerCase();
    } catch {
      // An unusable endpoint fails in the SDK with its own message; the slot key does not matter then.
    }
  }
  return `api.ecr${target.fips ? '-fips' : ''}.${target.region}.amazonaws.com`;
}

/**
 * `registryId` for every call: from the host name, else the account DescribeRepositories reports
 * for this repository (once per run; a failed lookup, e.g. a missing repository, is not shared).
 */
export async function resolveRegistryId(ctx: DriverContext, client: ECRClient, slot: ConcurrencyLimiter, target: EcrTarget, repository: string, where: string): Promise<EcrStep<string>> {
  if (target.registryId !== undefined) return { ok: true, value: target.registryId };
  const state = ecrState(ctx);
  if (state.registryId) {
    const known = await state.registryId;
    if (known.ok) return known;
  }
  const lookup = (async (): Promise<EcrStep<string>> => {
    try {
      const out = await slot.run(() => client.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }), { abortSignal: ctx.signal }), ctx.signal);
      const id = out.repositories?.[0]?.registryId;
      if (id) return { ok: true, value: id };
      return {
        ok: false,
        event: { type: 'failed', failure: { message: `DescribeRepositories in ${where} did not say which account owns ${repository}`, hint: 'Use the ECR host name (<account>.dkr.ecr.<region>.amazonaws.com) as the images repo.' } },
      };
    } catch (error) {
      return { ok: false, event: ecrFailure(error, ctx, repository, `DescribeRepositories in ${where}`) };
    }
  })();
  state.registryId = lookup;
  const r = await lookup;
  if (!r.ok && state.registryId === lookup) state.registryId = null;
  return r;
}

/** An SDK failure as an engine event, with the fix. */
function ecrFailure(error: unknown, ctx: DriverContext, repository: string, call: string): ListEvent {
  if (ctx.signal.aborted) return { type: 'failed', failure: { message: `${call} for ${repository} was cancelled`, hint: 'Cancelled on request; run it again when ready.' } };
  const e = awsErrorParts(error);
  if (e.name === 'RepositoryNotFoundException') return { type: 'missing', message: `${repository} does not exist in ECR (${e.message})` };
  const hint =
    e.hint ??
    (e.name === 'AccessDeniedException'
      ? `This AWS identity may not call ecr:DescribeImages on ${repository}: attach AmazonEC2ContainerRegistryReadOnly (or a policy allowing ecr:DescribeImages and ecr:DescribeRepositories).`
      : e.name === 'ThrottlingException'
        ? 'ECR kept throttling the listing after retries: wait a little and list again.'
        : 'The ECR API call failed: check the region, the SDK endpoint and the AWS credentials.');
  const failure: DriverFailure = { message: `${call} for ${repository}: ${e.name}: ${e.message}`, hint, code: e.name };
  if (e.status !== undefined) failure.status = e.status;
  return { type: 'failed', failure };
}

/**
 * AWS ECR through `DescribeImages` (AWS SDK, SigV4 to the ECR API endpoint only: the region's, or
 * settings.sdkEndpoint): up to 1000 images a page with digest, tags, size, push time, last
 * recorded pull and media type. `registryId` is always sent: from the host name, or, for a host
 * that is not an ECR name (a private endpoint, an emulator), the account DescribeRepositories
 * reports for the caller. Calls take the SDK host's slot in the run's per-host limiter, stop on
 * the run's signal and time out (AWS_SDK_TIMEOUTS per attempt; a timed-out call is tried twice at
 * most). Credentials that are not AWS ones list through the Registry API.
 */
export function createEcrDriver(options: EcrDriverOptions = {}): InventoryDriver {
  const retry = { retryBaseMs: options.retryBaseMs ?? 500, retryMaxMs: options.retryMaxMs ?? 20_000 };
  return {
    id: 'ecr',
    async *listTags(ctx, repository) {
      const secret = ctx.credential?.secret;
      if (secret?.kind !== 'aws') {
        ctx.warn(`${repository}: ECR's API needs AWS credentials; the registry login came from ${ctx.credential ? ctx.credential.summary.source : 'nowhere (anonymous)'}, so tags are listed through the Registry API.`);
        yield* listTagsViaRegistryApi(ctx, repository);
        return;
      }
      const target = ecrTarget(detectImplementation(ctx.registry).details?.ecr);
      const endpoint = ctx.settings?.sdkEndpoint;
      const client = ecrClient(target, secret.provider, ctx.settings, { timeouts: options.timeouts, retryStrategy: retryStrategy(ctx.signal, retry) });
      const slot = ctx.http.limiters.for(sdkHost(target, endpoint));
      const where = `${target.region}${endpoint ? ` via ${safeUrl(endpoint)}` : ''}`;
      try {
        const registryId = await resolveRegistryId(ctx, client, slot, target, repository, where);
        if (!registryId.ok) {
          yield registryId.event;
          return;
        }
        let nextToken: string | undefined;
        const tokens = new Set<string>();
        let untagged = 0;
        for (let pages = 0; ; pages++) {
          let out: DescribeImagesCommandOutput;
          try {
            out = await slot.run(
              () =>
                client.send(
                  new DescribeImagesCommand({
                    repositoryName: repository,
                    registryId: registryId.value,
                    maxResults: ECR_PAGE_SIZE,
                    // Untagged images are not tags: ECR filters them server-side. ANY: archived
                    // images are tags too (see archivedNote), and ECR omits them by default.
                    filter: { tagStatus: 'TAGGED', imageStatus: 'ANY' },
                    ...(nextToken ? { nextToken } : {}),
                  }),
                  { abortSignal: ctx.signal },
                ),
              ctx.signal,
            );
          } catch (error) {
            yield ecrFailure(error, ctx, repository, `DescribeImages in ${where} (account ${registryId.value})`);
            return;
          }
          const page = ecrRows(repository, out.imageDetails ?? []);
          untagged += page.untagged;
          for (const event of pageEvents(ctx, page)) {
            if (event.type === 'tags' && page.archived.size > 0) {
              for (const t of event.tags) {
                const note = page.archived.get(t.tag);
                if (note !== undefined) t.error = note;
              }
            }
            yield event;
          }
          nextToken = out.nextToken;
          if (!nextToken) break;
          if (tokens.has(nextToken) || pages + 1 >= MAX_NATIVE_PAGES) {
            yield { type: 'failed', failure: { message: `${repository}: ECR's nextToken repeated; listing stopped`, hint: 'The tags read so far are shown.' } };
            return;
          }
          tokens.add(nextToken);
        }
        if (untagged > 0) ctx.warn(`${repository}: ${untagged} untagged image${untagged === 1 ? '' : 's'} listed by ECR despite the TAGGED filter; not shown.`);
      } finally {
        client.destroy();
      }
    },
  };
}

export const ecrDriver: InventoryDriver = createEcrDriver();
