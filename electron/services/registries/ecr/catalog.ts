import { DescribeRepositoriesCommand, type DescribeRepositoriesCommandOutput } from '@aws-sdk/client-ecr';
import type { CatalogRepository } from '../../../../shared/api/registries';
import { detectImplementation } from '../../../../shared/registry/detect';
import { isoTime, MAX_NATIVE_PAGES, str } from '../../inventory/drivers/common';
import { awsErrorParts, ecrClient, ecrTarget } from '../../registry/ecr-client';
import { safeUrl } from '../../registry/errors';
import { catalogRow, listRegistryCatalog } from '../catalog/common';
import type { CatalogLister } from '../catalog/types';
import { retryStrategy, sdkHost } from './listing';

/** DescribeRepositories' largest page (registry-apis.md §2: maxResults 1–1000). */
const ECR_REPOSITORIES_PAGE = 1000;

/**
 * ECR: `DescribeRepositories` through the AWS SDK (SigV4 to the ECR API endpoint or the
 * settings' SDK endpoint), 1000 a page following `nextToken`, `registryId` from the host name.
 * A login that is not an AWS identity lists through `/v2/_catalog`, which ECR serves for the
 * repositories the password may read.
 */
export const ecrCatalog: CatalogLister = {
  needsNamespace: false,
  async *list(ctx) {
    const secret = ctx.credential?.secret;
    if (secret?.kind !== 'aws') {
      yield* listRegistryCatalog(ctx);
      return;
    }
    const target = ecrTarget(detectImplementation(ctx.registry).details?.ecr);
    const endpoint = ctx.settings?.sdkEndpoint;
    const where = `${target.region}${endpoint ? ` via ${safeUrl(endpoint)}` : ''}`;
    yield { type: 'source', source: `ECR DescribeRepositories in ${where}` };
    const client = ecrClient(target, secret.provider, ctx.settings, { retryStrategy: retryStrategy(ctx.signal, { retryBaseMs: 500, retryMaxMs: 20_000 }) });
    const slot = ctx.http.limiters.for(sdkHost(target, endpoint));
    const tokens = new Set<string>();
    let nextToken: string | undefined;
    try {
      for (let pages = 0; ; pages++) {
        let out: DescribeRepositoriesCommandOutput;
        try {
          out = await slot.run(
            () => client.send(new DescribeRepositoriesCommand({ maxResults: ECR_REPOSITORIES_PAGE, ...(target.registryId ? { registryId: target.registryId } : {}), ...(nextToken ? { nextToken } : {}) }), { abortSignal: ctx.signal }),
            ctx.signal,
          );
        } catch (error) {
          const e = awsErrorParts(error);
          const hint = e.hint ?? (e.name === 'AccessDeniedException' ? 'This AWS identity may not call ecr:DescribeRepositories: attach AmazonEC2ContainerRegistryReadOnly, or type a repository.' : 'Check the region, the SDK endpoint and the AWS credentials.');
          yield { type: 'failed', failure: { message: `DescribeRepositories in ${where}: ${e.name}: ${e.message}`, hint, code: e.name, ...(e.status !== undefined ? { status: e.status } : {}) } };
          return;
        }
        const repositories: CatalogRepository[] = [];
        for (const r of out.repositories ?? []) {
          const row = catalogRow(str(r.repositoryName) ?? '', undefined, isoTime(r.createdAt, 's'));
          if (row) repositories.push(row);
        }
        if (repositories.length > 0) yield { type: 'repositories', repositories };
        nextToken = out.nextToken;
        if (!nextToken) return;
        if (tokens.has(nextToken) || pages + 1 >= MAX_NATIVE_PAGES) {
          yield { type: 'failed', failure: { message: `ECR's nextToken repeated; the catalog stopped`, hint: 'The repositories read so far are shown.' } };
          return;
        }
        tokens.add(nextToken);
      }
    } finally {
      client.destroy();
    }
  },
};
