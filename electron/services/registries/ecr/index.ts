import { ecrCatalog } from './catalog';
import { CATALOGUE } from '../../../../shared/registry/catalogue';
import { ecrLogin } from './login';
import { namedOr } from '../pending';
import { createEcrMutations } from './mutations';
import type { RegistryDriver } from '../types';
import { ecrProbe } from './delete-probe';
import { ecrDriver } from './listing';

/**
 * Amazon ECR: AWS credentials become a 12-hour registry password (`login.ts`), tags are listed with DescribeImages, deletes are BatchDeleteImage by tag (probed with an image that cannot exist), restores PutImage of the recorded manifest.
 */
export const ecrRegistry: RegistryDriver = {
  implementation: 'ecr',
  info: CATALOGUE.ecr,
  apiHost: (registry) => registry,
  cloudIdentity: 'aws',
  tokenRealmHosts: () => [],
  tokenUser: namedOr('stowage'),
  cloudLogin: (ctx, secret) => (secret.kind === 'aws' ? ecrLogin(ctx, secret.provider, secret.profile) : null),
  missingRepositoryHint: (repository, region) => `Create it first: aws ecr create-repository --repository-name ${repository}${region ? ` --region ${region}` : ''} (multirepo needs one repository per image).`,
  listing: ecrDriver,
  catalog: ecrCatalog,
  deleteProbe: ecrProbe,
  ...createEcrMutations(),
};
