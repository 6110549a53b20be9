import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from '../../package.json';

export const APP_VERSION: string = pkg.version;

/**
 * The built renderer. Bundles live in out/, the renderer in out/renderer; when running from source
 * (tests via vitest) the same folder is found from the repository root.
 */
export function rendererDir(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (let i = 0; i < 5; i++) {
    for (const candidate of [join(dir, 'renderer', 'index.html'), join(dir, 'out', 'renderer', 'index.html')]) {
      if (existsSync(candidate)) return dirname(candidate);
    }
    dir = dirname(dir);
  }
  return resolve('out/renderer');
}
