import { allowedExternalUrl } from '../services/external-links';
import { APP_ORIGIN } from './security';

/** The window only ever shows the app's own pages; a link elsewhere must not replace it. */
export function navigationAllowed(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`);
}

/**
 * A `target=_blank` link never opens an Electron window: documentation links go to the system
 * browser (allowlisted), anything else goes nowhere.
 */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: string | null } {
  return { action: 'deny', openExternally: allowedExternalUrl(url) };
}

/**
 * The folder a launch names (`stowage ~/src/app`, or the desktop file's `%U` with a file:// URL):
 * the first argument that is not an option, resolved against the launching shell's directory.
 * Electron puts its own executable first, and an unpackaged run also the app path.
 */
export function folderArgument(argv: readonly string[], packaged: boolean, resolveFrom: (path: string) => string): string | null {
  const args = argv.slice(packaged ? 1 : 2).filter((a) => !a.startsWith('-'));
  const first = args[0];
  if (first === undefined || first === '') return null;
  if (first.startsWith('file://')) {
    try {
      return decodeURIComponent(new URL(first).pathname);
    } catch {
      return null;
    }
  }
  return resolveFrom(first);
}
