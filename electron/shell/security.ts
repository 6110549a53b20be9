export const APP_SCHEME = 'stowage';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** The renderer makes no network calls of its own: everything goes through the contract. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
