import { extname, join, normalize, sep } from 'node:path';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY } from './security';

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

export type RendererFile = { ok: true; file: string; headers: Record<string, string> } | { ok: false; status: 403 | 404 };

/**
 * The file a `stowage://app/...` request may read: inside the renderer folder only. A custom scheme
 * instead of file:// gives the renderer a real origin and no way to read other files; every
 * answer carries the CSP, since a page served without it would run without one.
 */
export function rendererFileFor(root: string, requestUrl: string): RendererFile {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 404 };
  }
  if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return { ok: false, status: 404 };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 404 };
  }
  if (path.includes('\0')) return { ok: false, status: 404 };
  const relative = normalize(path).replace(/^([/\\])+/, '') || 'index.html';
  const file = join(root, relative);
  if (!file.startsWith(root + sep)) return { ok: false, status: 403 };
  return {
    ok: true,
    file,
    headers: { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
  };
}
