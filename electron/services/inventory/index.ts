/**
 * The registry inventory: `listInventory` and the driver contract native drivers implement.
 */
export { listInventory } from './engine';
export { planInventory, type InventoryPlan } from './plan';
export { ConfigCache, type ConfigFacts } from './config-cache';
export { driverFor, genericDriver } from './drivers';
export { listTagsViaRegistryApi, getManifest, headManifest, getBlob, parseTagList, errorText } from './registry-api';
export { parseNextLink, failureFrom } from './drivers/common';
export type { DriverContext, DriverFailure, InventoryDriver, ListEvent, ListInventoryDeps, ListedTag, RegistryApiRequest } from './types';
