import { isBuiltinImplementation, type BuiltinImplementation, type Implementation } from '../../../shared/registry/implementations';
import { isImplementation } from '../../../shared/registry/implementation-registry';
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
 * One driver per built-in implementation. The record is exhaustive: a new entry in IMPLEMENTATIONS does not
 * compile until its driver (listing, check, login, mutations) exists here.
 */
export const REGISTRY_DRIVERS: Readonly<Record<BuiltinImplementation, RegistryDriver>> = {
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

const registered = new Map<Implementation, RegistryDriver>();

/**
 * Adds the driver of an implementation registered in the registry of implementations
 * (`registerImplementation`, which must come first); returns the function that removes it (tests).
 */
export function registerDriver(driver: RegistryDriver): () => void {
  const id = driver.implementation;
  if (isBuiltinImplementation(id)) throw new Error(`"${id}" is a built-in implementation; its driver is in REGISTRY_DRIVERS`);
  if (!isImplementation(id)) throw new Error(`register implementation "${id}" (its catalogue entry) before its driver`);
  if (registered.has(id)) throw new Error(`a driver for "${id}" is already registered`);
  registered.set(id, driver);
  return () => {
    registered.delete(id);
  };
}

/** The driver of an implementation: a built-in's from REGISTRY_DRIVERS, else the registered one. */
export function registryDriver(implementation: Implementation): RegistryDriver {
  if (isBuiltinImplementation(implementation)) return REGISTRY_DRIVERS[implementation];
  const driver = registered.get(implementation);
  if (!driver) throw new Error(`no driver is registered for the registry implementation "${implementation}"`);
  return driver;
}
