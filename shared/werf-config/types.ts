import type { SourceLocation } from '../problems';
import type { WerfVersion } from './werf-version';

export type { SourceLocation } from '../problems';

export type ImageKind = 'dockerfile' | 'stapel' | 'artifact';

/**
 * The key sets and path rules of a werf generation: `v1.1`, or `v2` for v1.2 and newer. Derived
 * from the werf version the user picked (see werf-version.ts), which decides the finer rules.
 */
export type WerfDialect = 'v1.1' | 'v2';

/** A keep-policy value written as `/RE/`: a Go (RE2) regular expression, without the slashes. */
export interface RegExpString {
  regex: string;
}

export type ReferenceMatcher = string | RegExpString;

export interface KeepPolicyLimit {
  last?: number;
  /** The Go duration exactly as written, e.g. `168h`. */
  in?: string;
  /** `in` in milliseconds. */
  inMs?: number;
  /** werf fills in `And` when both `last` and `in` are set and no operator is given. */
  operator?: 'And' | 'Or';
}

export interface KeepPolicy {
  references: {
    branch?: ReferenceMatcher;
    tag?: ReferenceMatcher;
    limit?: KeepPolicyLimit;
  };
  imagesPerReference?: KeepPolicyLimit;
  source: SourceLocation;
}

export interface WerfCleanup {
  keepPolicies: KeepPolicy[];
  disable?: boolean;
  disableKubernetesBasedPolicy?: boolean;
  disableGitHistoryBasedPolicy?: boolean;
  disableBuiltWithinLastNHoursPolicy?: boolean;
  /** Only when written; werf v2 uses 2 otherwise (see DEFAULT_KEEP_IMAGES_BUILT_WITHIN_LAST_N_HOURS). */
  keepImagesBuiltWithinLastNHours?: number;
  source: SourceLocation;
}

export interface WerfDeploy {
  helmChartDir?: string;
  helmRelease?: string;
  helmReleaseSlug?: boolean;
  namespace?: string;
  namespaceSlug?: boolean;
  source: SourceLocation;
}

export interface ImageSpecHealthcheck {
  test?: string[];
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  retries?: number;
}

export interface ImageSpecConfig {
  removeWerfLabels?: boolean;
  keepEssentialWerfLabels?: boolean;
  clearWerfLabels?: boolean;
  removeLabels?: string[];
  removeVolumes?: string[];
  removeEnv?: string[];
  clearCmd?: boolean;
  clearEntrypoint?: boolean;
  clearUser?: boolean;
  clearWorkingDir?: boolean;
  volumes?: string[];
  labels?: Record<string, string>;
  env?: Record<string, string>;
  expose?: string[];
  user?: string;
  cmd?: string[];
  entrypoint?: string[];
  workingDir?: string;
  stopSignal?: string;
  healthcheck?: ImageSpecHealthcheck;
}

export interface ImageSpec {
  author?: string;
  clearHistory?: boolean;
  config?: ImageSpecConfig;
}

export interface WerfBuild {
  platform?: string[];
  imageSpec?: ImageSpec;
  cacheVersion?: string;
  staged?: boolean;
}

export interface WerfGitWorktree {
  forceShallowClone?: boolean;
  allowUnshallow?: boolean;
  allowFetchOriginBranchesAndTags?: boolean;
}

export interface WerfMeta {
  project: string;
  configVersion: number;
  deploy?: WerfDeploy;
  cleanup?: WerfCleanup;
  build?: WerfBuild;
  gitWorktree?: WerfGitWorktree;
  document: number;
  /** Where `configVersion:` is. */
  source: SourceLocation;
  fields: Record<string, SourceLocation>;
  raw: Record<string, unknown>;
}

export interface StageDependencies {
  install: string[];
  beforeSetup: string[];
  setup: string[];
}

export interface GitMapping {
  /** `remote` when `url` is set. */
  kind: 'local' | 'remote';
  url?: string;
  branch?: string;
  tag?: string;
  commit?: string;
  /** Defaults to `/`. */
  add: string;
  to?: string;
  owner?: string;
  group?: string;
  includePaths: string[];
  excludePaths: string[];
  stageDependencies: StageDependencies;
  source: SourceLocation;
}

export interface StapelInstructions<T> {
  beforeInstall: T[];
  install: T[];
  beforeSetup: T[];
  setup: T[];
  cacheVersion?: string;
  beforeInstallCacheVersion?: string;
  installCacheVersion?: string;
  beforeSetupCacheVersion?: string;
  setupCacheVersion?: string;
  source: SourceLocation;
}

export interface MountEntry {
  /** `custom_dir` when `fromPath` is used. */
  type: 'tmp_dir' | 'build_dir' | 'custom_dir';
  fromPath?: string;
  to: string;
  source: SourceLocation;
}

export interface ImportEntry {
  image?: string;
  artifact?: string;
  /** v2 `from:`; may name an image of this config or an external image with a tag or digest. */
  from?: string;
  /** True when `from` names an image outside this config. */
  external: boolean;
  add: string;
  /** Defaults to `add`. */
  to: string;
  includePaths: string[];
  excludePaths: string[];
  owner?: string;
  group?: string;
  before?: string;
  after?: string;
  stage?: string;
  source: SourceLocation;
}

export interface DockerDirectives {
  VOLUME: string[];
  EXPOSE: string[];
  ENV: Record<string, string>;
  LABEL: Record<string, string>;
  CMD?: string | string[];
  ENTRYPOINT?: string | string[];
  WORKDIR?: string;
  USER?: string;
  HEALTHCHECK?: string;
  source: SourceLocation;
}

export interface DependencyImport {
  type?: string;
  targetBuildArg?: string;
  targetEnv?: string;
  source: SourceLocation;
}

export interface ImageDependency {
  image: string;
  before?: string;
  after?: string;
  imports: DependencyImport[];
  source: SourceLocation;
}

export interface ImageSecret {
  kind: 'env' | 'src' | 'value';
  /** As werf derives it: the env name, the file's base name, or the explicit `id`. */
  id: string;
  /** The variable name or file path; never the plain `value`. */
  reference?: string;
  source: SourceLocation;
}

export interface WerfImage {
  /** null for the nameless image (`image: ~` or `image: ""`). */
  name: string | null;
  kind: ImageKind;
  /** 0-based index among the non-empty YAML documents. */
  document: number;
  /** Where the `image:` / `artifact:` key is. */
  source: SourceLocation;
  /** Where this image's own name is written (differs from `source` for `image: [a, b]`). */
  nameSource: SourceLocation;
  fields: Record<string, SourceLocation>;

  // Dockerfile images
  dockerfile?: string;
  context?: string;
  target?: string;
  args?: Record<string, string>;
  addHost?: string[];
  network?: string;
  ssh?: string;
  staged?: boolean;
  contextAddFiles?: string[];
  /**
   * What `dockerfile` is relative to: the project dir in werf v1.1, `context` since v1.2.
   * Set for Dockerfile images only.
   */
  dockerfileRelativeTo?: 'project' | 'context';
  /** `dockerfile` resolved against the project dir (POSIX separators), e.g. `backend/Dockerfile`. */
  dockerfilePath?: string;

  // Stapel images and artifacts
  from?: string;
  fromLatest?: boolean;
  fromCacheVersion?: string;
  fromImage?: string;
  fromArtifact?: string;
  fromImageArtifact?: string;
  disableGitAfterPatch?: boolean;
  asLayers?: boolean;
  git?: GitMapping[];
  shell?: StapelInstructions<string>;
  /** Ansible tasks are kept as written. */
  ansible?: StapelInstructions<unknown>;
  mount?: MountEntry[];
  import?: ImportEntry[];
  docker?: DockerDirectives;

  // Both kinds (v2)
  cacheVersion?: string;
  dependencies: ImageDependency[];
  secrets?: ImageSecret[];
  imageSpec?: ImageSpec;
  platform?: string[];

  /** Image and artifact names this one needs: fromImage, fromArtifact, fromImageArtifact, imports, dependencies. */
  dependsOn: string[];
  /** v2 `final`, default true; artifacts are never final. */
  final: boolean;
  /** The decoded document, JSON-safe, for display. */
  raw: Record<string, unknown>;
}

export type DocumentKind = 'meta' | 'dockerfile' | 'stapel' | 'artifact' | 'unknown';

export interface WerfDocument {
  index: number;
  /** First and last non-blank lines of the document (1-based, inclusive). */
  startLine: number;
  endLine: number;
  kind: DocumentKind;
}

export interface WerfConfig {
  meta: WerfMeta | null;
  images: WerfImage[];
  documents: WerfDocument[];
  dialect: WerfDialect;
  /** Whose rules the config was read with. */
  werfVersion: WerfVersion;
  /**
   * Indices into `images` in the order werf lists them (`werf config list`): Dockerfile images
   * first, then Stapel images and artifacts, each in document order. Build order is the
   * dependency graph's, not this.
   */
  werfOrder: number[];
}

export interface ParseOptions {
  /** Path shown in problems, e.g. `werf.yaml`. */
  file: string;
  /** Default 4 MiB. */
  maxBytes?: number;
  /** Whose rules apply; the current werf release when absent. */
  werfVersion?: WerfVersion;
  /** Older spelling: 1 = werf v1.1 rules, 2 = the current release's. `werfVersion` wins. */
  configVersionHint?: 1 | 2;
  /** The project folder's name, used to suggest a `project:` value when the meta section is missing. */
  projectDirName?: string;
}
