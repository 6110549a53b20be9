/**
 * Which builder publish uses with an engine, told from what the engine itself says, the way the
 * Docker CLI decides (cli/command/image/build.go, with DOCKER_BUILDKIT unset):
 *   - `/_ping` answers `Builder-Version: 2` (the engine prefers BuildKit) or `1` (the engine was
 *     configured with `features.buildkit: false`);
 *   - without the header the engine leaves the choice to the client: BuildKit is there on Linux
 *     engines from API 1.39 (1.38 with experimental features), never on Windows engines.
 */
export interface EngineFacts {
  /** The `Builder-Version` header of `/_ping`, null when absent. */
  builderVersion: string | null;
  apiVersion: string;
  osType: string;
  experimental: boolean;
}

export interface BuilderChoice {
  kind: 'classic' | 'buildkit';
  /** One sentence for the engine card and the CLI, always naming why. */
  reason: string;
  /** Whether a build may ask for a platform (`platform` of werf.yaml); why not when it may not. */
  platform: { supported: true } | { supported: false; reason: string };
}

/** "1.41" → [1, 41]; anything unreadable compares as the oldest API. */
function apiParts(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function apiAtLeast(version: string, wanted: string): boolean {
  const [a, b] = apiParts(version);
  const [c, d] = apiParts(wanted);
  return a > c || (a === c && b >= d);
}

export const NO_BUILDKIT = 'classic builder: the engine offers no BuildKit';

export function chooseBuilder(f: EngineFacts): BuilderChoice {
  const platform = platformSupport(f);
  const classic = (why: string): BuilderChoice => ({ kind: 'classic', reason: `${NO_BUILDKIT} (${why})`, platform });
  if (f.osType.toLowerCase() === 'windows') return classic('a Windows engine builds with the classic builder only');
  if (f.builderVersion === '1') return { kind: 'classic', reason: 'classic builder: the engine is set to it (features.buildkit is false in its daemon.json)', platform };
  const api = apiAtLeast(f.apiVersion, '1.39') || (apiAtLeast(f.apiVersion, '1.38') && f.experimental);
  if (f.builderVersion === '2') return { kind: 'buildkit', reason: 'BuildKit: the engine prefers it (its /_ping answers Builder-Version 2)', platform };
  if (!api) return classic(`API ${f.apiVersion}; BuildKit needs API 1.39, or 1.38 with experimental features`);
  return { kind: 'buildkit', reason: `BuildKit: the engine offers it (API ${f.apiVersion} on ${f.osType})`, platform };
}

/** `platform` on /build: API 1.40, or 1.38 with experimental features (the engine refuses it otherwise). */
function platformSupport(f: EngineFacts): BuilderChoice['platform'] {
  if (apiAtLeast(f.apiVersion, '1.40') || (apiAtLeast(f.apiVersion, '1.38') && f.experimental)) return { supported: true };
  return { supported: false, reason: `The engine (API ${f.apiVersion}) cannot build for a chosen platform: that needs API 1.40, or 1.38 with experimental features.` };
}
