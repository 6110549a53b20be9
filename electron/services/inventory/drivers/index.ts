import type { Implementation } from '../../../../shared/registry/implementations';
import { registryDriver } from '../../registries';
import { genericDriver } from '../../registries/default/listing';
import type { InventoryDriver } from '../types';

/** The listing part of the implementation's driver (registries/<impl>/listing.ts). */
export function driverFor(implementation: Implementation): InventoryDriver {
  return registryDriver(implementation).listing;
}

export { genericDriver };
