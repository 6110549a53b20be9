/**
 * The one Content-Security-Policy of the renderer, for both hosts: the renderer makes no network
 * call of its own (everything goes through the contract), so the only thing that differs is where
 * the contract travels — Electron IPC (no connection at all) or the browser host's WebSocket.
 */
export function contentSecurityPolicy(connectTo: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${connectTo.length > 0 ? connectTo.join(' ') : "'none'"}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
