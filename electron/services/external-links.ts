import { CREDENTIAL_GUIDES } from '../../shared/credentials/guides';
import { CATALOGUE, DOC_HOSTS } from '../../shared/registry/catalogue';

/**
 * github.com hosts anyone's pages, so it is never allowed whole: only the documentation pages the
 * app itself links to (the catalogue's and the credential guides' links), matched by path.
 */
const OPEN_CONTENT_HOSTS = new Set(['github.com']);

function linkedPages(): Set<string> {
  const urls = [
    ...Object.values(CATALOGUE).flatMap((info) => info.docs.map((d) => d.url)),
    ...Object.values(CREDENTIAL_GUIDES).flatMap((g) => [g.createAt.url, ...g.docs.map((d) => d.url)]),
  ];
  const pages = new Set<string>();
  for (const raw of urls) {
    const url = new URL(raw);
    if (OPEN_CONTENT_HOSTS.has(url.hostname)) pages.add(`${url.hostname}${url.pathname}`);
  }
  return pages;
}

const DOCUMENTATION_HOSTS = new Set(['werf.io', ...DOC_HOSTS.filter((h) => !OPEN_CONTENT_HOSTS.has(h))]);
const LINKED_PAGES = linkedPages();

/**
 * Only https links to documentation ever reach the system browser: any page of a documentation
 * host, and on github.com only the pages the app links to. Returns the URL to hand to the browser,
 * normalised by the same parse that was checked (so a leading space or a backslash cannot mean
 * one thing here and another to the browser), or null.
 */
export function allowedExternalUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return null;
  if (DOCUMENTATION_HOSTS.has(url.hostname)) return url.href;
  return LINKED_PAGES.has(`${url.hostname}${url.pathname}`) ? url.href : null;
}
