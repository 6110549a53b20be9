import * as re2js from 're2js';

/**
 * The regexp engine (re2js, a port of Go's own). Reached through this one function so that a build
 * can load it on first use instead: the CLI's project loader does (see
 * electron/cli/project-loader/re2-on-demand.ts), since a project that uses no Go regexp or glob
 * should not pay for 270 KB of engine at start-up.
 */
export function re2(): typeof re2js {
  return re2js;
}
