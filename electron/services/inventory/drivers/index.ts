import type { Implementation } from '../../../../shared/registry/implementations';
import type { InventoryDriver } from '../types';
import { acrDriver } from './acr';
import { dockerhubDriver } from './dockerhub';
import { ecrDriver } from './ecr';
import { gcrDriver } from './gcr';
import { genericDriver } from './generic';
import { githubDriver } from './github';
import { gitlabDriver } from './gitlab';
import { harborDriver } from './harbor';
import { quayDriver } from './quay';

/**
 * The driver per implementation. Each native driver lists through its vendor's API (one request
 * per page, not per tag) and falls back to the Registry API when its credential cannot use that
 * API; an implementation without one uses the Registry API, which every supported registry speaks.
 */
export const DRIVERS: Partial<Record<Implementation, InventoryDriver>> = {
  ecr: ecrDriver,
  acr: acrDriver,
  dockerhub: dockerhubDriver,
  github: githubDriver,
  gitlab: gitlabDriver,
  quay: quayDriver,
  harbor: harborDriver,
  gcr: gcrDriver,
};

export function driverFor(implementation: Implementation): InventoryDriver {
  return DRIVERS[implementation] ?? genericDriver;
}

export { genericDriver };
