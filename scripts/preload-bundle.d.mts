import type { BuildOptions, Metafile } from 'esbuild';

export const PRELOAD_MAX_BYTES: number;
export const preloadOptions: BuildOptions & { metafile: true };
export function preloadBundleProblems(metafile: Metafile): string[];
