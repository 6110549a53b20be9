import type { Implementation } from '../../../../shared/registry/implementations';
import { REGISTRY_DRIVERS } from '../../registries';
import { genericDriver } from '../../registries/default/listing';
import type { InventoryDriver } from '../types';

/** The listing part of the implementation's driver (registries/<impl>/listing.ts). */
export function driverFor(implementation: Implementation): InventoryDriver {
  return REGISTRY_DRIVERS[implementation].listing;
}

export { genericDriver };
