import { DOC_HOSTS } from '../../shared/registry/catalogue';

const EXTRA_HOSTS = ['werf.io', 'github.com'];

/**
 * Only https links to known documentation hosts ever reach the system browser. Returns the URL to
 * hand to it, normalised by the same parse that was checked (so a leading space or a backslash
 * cannot mean one thing here and another to the browser), or null.
 */
export function allowedExternalUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return null;
  const hosts = new Set([...DOC_HOSTS, ...EXTRA_HOSTS]);
  return hosts.has(url.hostname) ? url.href : null;
}
