import type { Problem, SourceLocation } from '../problems';
import type { WerfVersion } from '../werf-config/werf-version';

export type ImageKind = 'dockerfile' | 'stapel' | 'artifact';

/** One image of werf.yaml as the views and the CLI show it. */
export interface ImageSummary {
  /** null for the nameless image (`image: ~`). */
  name: string | null;
  kind: ImageKind;
  dockerfile?: string;
  context?: string;
  target?: string;
  args?: Record<string, string>;
  from?: string;
  fromImage?: string;
  fromArtifact?: string;
  /** Images this one needs (fromImage, imports, dependencies). */
  dependsOn: string[];
  /** v2 `final`: false for artifacts and intermediate images, which are not published. */
  final: boolean;
  /** Where the `image:`/`artifact:` key is. */
  source: SourceLocation;
  /** Where each top-level key of the image's document is. */
  fields: Record<string, SourceLocation>;
  /** Dockerfile images: everything a build needs beyond the fields above (publish reads it). */
  build?: DockerfileBuildSpec;
}

/** How werf would build a Dockerfile image, with paths already resolved against the project. */
export interface DockerfileBuildSpec {
  /** The Dockerfile relative to the project folder (POSIX separators). */
  dockerfilePath: string;
  /** The build context relative to the project folder; "." for the folder itself. */
  contextPath: string;
  addHost?: string[];
  network?: string;
  contextAddFiles?: string[];
  platform?: string[];
  /** v2 `dependencies` whose imports become build args of this image. */
  dependencies?: { image: string; imports: { type: string; targetBuildArg: string }[] }[];
}

export interface GitInfo {
  branch: string | null;
  /** A tag pointing exactly at HEAD. */
  tag: string | null;
  commit: string | null;
  /** Committer date of HEAD (ISO 8601), for `.Commit.Date` in werf v2 templates. */
  commitDate: string | null;
}

export interface RenderedConfig {
  text: string;
  documents: { index: number; startLine: number; endLine: number; kind: string }[];
}

export interface ProjectView {
  /** Absolute path of the project folder. */
  path: string;
  /** `werf.yaml` or `werf.yml`, null when missing. */
  configFile: string | null;
  project: string | null;
  configVersion: number | null;
  templated: boolean;
  images: ImageSummary[];
  problems: Problem[];
  git: GitInfo | null;
  /** The config after template rendering (equal to the file for plain YAML). */
  rendered: RenderedConfig | null;
  /** The file a template error points into, so the view can show that line in context. */
  errorSource: { file: string; text: string } | null;
  /** Environment variables the templates read, sorted. */
  envRead: string[];
  /** Values the user set in the app for this project (remembered in the settings folder, never written into the project). */
  envOverrides: Record<string, string>;
  /** Whose rules the project was read with (the werf release generation; the current one unless the user picked another). */
  werfVersion?: WerfVersion;
  loadedAt: string;
  /**
   * Project-relative files this load read or looked for: the config, `.werf` partials, files read
   * through `.Files` (including ones that were missing) and the Dockerfiles the images name. The app
   * watches them, so an edit to any of them re-renders.
   */
  inputs?: string[];
  /**
   * Set when the config on disk no longer renders or parses and the images shown are those of the
   * last version that did: `problems` then hold the current error(s), first.
   */
  stale?: StaleConfig;
}

export interface StaleConfig {
  /** What broke: the YAML itself, or a Go template (including a render stopped by its limits). */
  reason: ConfigBreakage;
  /** When the version still shown was loaded. */
  goodLoadedAt: string;
}

export type ConfigBreakage = 'yaml' | 'template';

export interface RecentProject {
  path: string;
  project: string | null;
  openedAt: string;
}

export interface DirectoryEntry {
  name: string;
  isDirectory: boolean;
  hasWerfConfig: boolean;
}

export interface DirectoryListing {
  path: string;
  parent: string | null;
  entries: DirectoryEntry[];
  /** True when the listing was cut at the entry limit. */
  truncated: boolean;
}

export interface AppInfo {
  version: string;
  host: 'electron' | 'browser';
  platform: string;
  /** The folder given on the command line (`npm start -- <dir>`), opened at start. */
  initialProject: string | null;
  homeDir: string;
  /** The account the app runs as (`~NAME/x` in a typed path is its home folder); null when unknown. */
  userName: string | null;
  canPickFolderNatively: boolean;
}
