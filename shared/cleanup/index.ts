export * from './types';
export { planCleanup, choosePolicy, summarize } from './planner';
export { planDocument, planJson, type PlanDocument } from './export';
export { parsePolicyFile, type PolicyFileResult } from './policy-file';
export { defaultKeepPolicies, validateKeepPolicies, describeKeepPolicy } from './keep-policies';
export { parseImageReference, normalizeRegistryHost, normalizeRepository, type ImageReference } from './reference';
export { canonicalJson } from './plan-id';
export { planInputFor, type PlanChoices, type PolicyChoice } from './plan-input';
