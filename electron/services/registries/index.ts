import type { Implementation } from '../../../shared/registry/implementations';
import { acrRegistry } from './acr';
import { defaultRegistry } from './default';
import { dockerhubRegistry } from './dockerhub';
import { ecrRegistry } from './ecr';
import { gcrRegistry } from './gcr';
import { githubRegistry } from './github';
import { gitlabRegistry } from './gitlab';
import { harborRegistry } from './harbor';
import { quayRegistry } from './quay';
import type { RegistryDriver } from './types';

export type { MutationOutcome, RegistryDriver } from './types';

/**
 * One driver per implementation. The record is exhaustive: a new entry in IMPLEMENTATIONS does not
 * compile until its driver (listing, check, login, mutations) exists here.
 */
export const REGISTRY_DRIVERS: Readonly<Record<Implementation, RegistryDriver>> = {
  default: defaultRegistry,
  ecr: ecrRegistry,
  acr: acrRegistry,
  dockerhub: dockerhubRegistry,
  gcr: gcrRegistry,
  github: githubRegistry,
  gitlab: gitlabRegistry,
  harbor: harborRegistry,
  quay: quayRegistry,
};

export function registryDriver(implementation: Implementation): RegistryDriver {
  return REGISTRY_DRIVERS[implementation];
}
