import type { PreviewProblem } from '../naming/preview';
import type { RequestedRepoMode } from '../naming/repo-mode';
import type { TagStrategy } from '../naming/tags';
import type { ImplementationChoice } from '../registry/implementations';
import type { BuilderChoice } from './builder-choice';

/** What the user asks to publish: the preview's inputs plus which images. */
export interface PublishRequest {
  imagesRepo: string;
  implementation: ImplementationChoice;
  mode: RequestedRepoMode;
  tags: { strategy: TagStrategy; raw: string }[];
  /** werf.yaml image names to publish (null: the nameless image); all final images when absent. */
  images?: (string | null)[];
  /** ECR: create missing repositories (CreateRepository). Without it a missing one is an error that asks for consent. */
  createRepositories?: boolean;
  /** werf's --insecure-registry for this run: plain HTTP to the registry for the read-back. */
  insecureRegistry?: boolean;
}

/** The engine card: what the local Docker engine is, and how Stowage reached it. */
export interface EngineInfo {
  /** How it was found: `DOCKER_HOST`, `context "name"` or `default socket`. */
  source: string;
  /** unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host. Never a credential. */
  endpoint: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  storageDriver: string;
  rootless: boolean;
  /** Which builder publish uses with this engine, and why; whether it builds for a chosen platform. */
  builder: BuilderChoice;
  /** What Stowage could not use of the way the engine is reached (ssh without ssh2, …), said plainly. */
  connectionNote?: string;
}

export type PublishPhase = 'queued' | 'building' | 'tagging' | 'pushing' | 'verifying' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface PushedName {
  reference: string;
  strategy: TagStrategy;
  /** The manifest digest the registry answers for the tag (HEAD after the push), not only the engine's word. */
  digest: string;
  /** Bytes of the manifest plus its config and layers, as the registry's manifest lists them. */
  size: number | null;
  /** Milliseconds the push of this name took. */
  ms: number;
}

/** One werf.yaml image in the report, in build order. */
export interface PublishedImage {
  name: string | null;
  built: boolean;
  /** Why it was not built (Stapel image, not selected, a dependency failed, …). */
  skipped?: string;
  /** The engine's image id of the build, when built. */
  imageId?: string;
  pushed: PushedName[];
  /** Build or push failure, with the hint to fix it. */
  error?: { code: string; message: string; hint?: string; dockerfileLine?: { file: string; line: number } };
  buildMs?: number;
}

export interface PublishReport {
  engine: EngineInfo | null;
  imagesRepo: string;
  mode: 'multirepo' | 'monorepo' | null;
  images: PublishedImage[];
  problems: PreviewProblem[];
  /** True when any build or push failed (the CLI's exit 1). */
  failed: boolean;
  cancelled: boolean;
}

/** Streamed while a publish runs: one image's phase, a step, log lines or a layer's progress. */
export type PublishProgress =
  | { kind: 'plan'; images: { name: string | null; references: string[]; skipped?: string }[] }
  | { kind: 'phase'; image: string | null; phase: PublishPhase; message?: string }
  | { kind: 'step'; image: string | null; step: number; total: number; instruction: string }
  | { kind: 'log'; image: string | null; lines: string[] }
  | { kind: 'layer'; image: string | null; reference: string; layer: string; status: string; current?: number; total?: number }
  | { kind: 'pushed'; image: string | null; name: PushedName };
