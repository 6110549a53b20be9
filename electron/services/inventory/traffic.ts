import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Counts the HTTP requests a run really sends and the connections it really opens, retries,
 * redirects and token requests included. RegistryHttp keeps its undici Agents private, so we
 * listen to undici's diagnostics channels and attribute each event to the run whose async
 * context caused it (a run's requests, and the sockets they open, carry its AsyncLocalStorage
 * store). Other work in the process, with its own context or none, is not counted.
 */
export interface TrafficCounter {
  requests: number;
  connections: number;
}

const current = new AsyncLocalStorage<TrafficCounter>();
let subscribed = false;

function subscribe(): void {
  if (subscribed) return;
  subscribed = true;
  // sendHeaders fires when a request is written to a socket: a request queued and then cancelled is not counted.
  diagnosticsChannel.subscribe('undici:client:sendHeaders', () => {
    const c = current.getStore();
    if (c) c.requests++;
  });
  diagnosticsChannel.subscribe('undici:client:connected', () => {
    const c = current.getStore();
    if (c) c.connections++;
  });
}

/** Runs `fn` with `counter` attributed every request and connection it causes. */
export function countTraffic<T>(counter: TrafficCounter, fn: () => Promise<T>): Promise<T> {
  subscribe();
  return current.run(counter, fn);
}
