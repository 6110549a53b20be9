import { DOC_HOSTS } from '../../shared/registry/catalogue';

const EXTRA_HOSTS = ['werf.io', 'github.com'];

/** Only https links to known documentation hosts ever reach the system browser. */
export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  const hosts = new Set([...DOC_HOSTS, ...EXTRA_HOSTS]);
  return hosts.has(url.hostname);
}
