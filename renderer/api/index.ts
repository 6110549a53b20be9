import { createClient, type ApiClient } from './client';
import { electronTransport, takeToken, webSocketTransport, type Transport } from './transport';

function pickTransport(): Transport {
  if (window.stowage) return electronTransport(window.stowage);
  const token = takeToken();
  // Without a token the socket is refused; the status banner explains how to get the right URL.
  return webSocketTransport(token ?? 'missing');
}

// Connects on first use, not on import: stores are built from a client (`createXStore(api)`), and
// importing them (tests in Node, where there is no window) must not open a connection.
let client: ApiClient | null = null;
const connected = (): ApiClient => (client ??= createClient(pickTransport()));

export const api: ApiClient = {
  call: (method, args, options) => connected().call(method, args, options),
  on: (event, listener) => connected().on(event, listener),
  onStatus: (listener) => connected().onStatus(listener),
};
export type { ApiClient, PendingCall } from './client';
