import { createClient, type ApiClient } from './client';
import { electronTransport, takeToken, webSocketTransport, type Transport } from './transport';

function pickTransport(): Transport {
  if (window.stowage) return electronTransport(window.stowage);
  const token = takeToken();
  // Without a token the socket is refused; the status banner explains how to get the right URL.
  return webSocketTransport(token ?? 'missing');
}

export const api: ApiClient = createClient(pickTransport());
export type { ApiClient } from './client';
