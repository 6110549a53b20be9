/**
 * werf.yaml reader: the rendered (already templated) text in, the config model and werf's own
 * validation problems out. Pure TypeScript; runs in the renderer, the main process and the CLI.
 */
export { parseWerfConfig, DEFAULT_MAX_BYTES } from './parse';
export { werfListOrder } from './list-order';
export { CURRENT_WERF_VERSION, WERF_VERSIONS, WERF_VERSION_LABELS, isWerfVersion, parseWerfVersion, werfRules } from './werf-version';
export type { WerfRules, WerfVersion } from './werf-version';
export type { ParseResult } from './parse';
export { splitWerfDocuments } from './split';
export { parseGoDuration } from './go-duration';
export { checkGoRegex, matchesReference } from './go-regex';
export type { GoRegexCheck } from './go-regex';
export {
  DEFAULT_KEEP_IMAGES_BUILT_WITHIN_LAST_N_HOURS,
  PROJECT_NAME_MAX,
  PROJECT_NAME_RE,
  suggestProjectName,
} from './meta';
export { WERF_CONFIG_PROBLEM_CODES } from './codes';
export type { WerfConfigProblemCode } from './codes';
export type * from './types';
