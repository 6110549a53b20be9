import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Counts the HTTP requests a run really sends and the connections it really opens, retries,
 * redirects and token requests included. RegistryHttp keeps its undici Agents private, so we
 * listen to undici's diagnostics channels and attribute each event to a run:
 * - a run with its own RegistryHttp gives it a User-Agent with a run marker; a request is the
 *   run's when its header block carries the marker, and a connection is the run's when the first
 *   request on it is. Nothing else is needed, which matters: the alternative below costs every
 *   promise in the process while it is active.
 * - a run on a shared client is attributed through AsyncLocalStorage (its requests, and the
 *   sockets they open, carry the run's store).
 */
export interface TrafficCounter {
  requests: number;
  connections: number;
}

const current = new AsyncLocalStorage<TrafficCounter>();
const byMarker = new Map<string, TrafficCounter>();
/** Sockets connected but not yet used: their first request says whose they are. */
const fresh = new WeakSet<object>();
let subscribed = false;
let alsActive = 0;

interface SendHeaders {
  headers?: unknown;
  socket?: object;
}

interface Connected {
  socket?: object;
}

function counterFor(message: SendHeaders): TrafficCounter | undefined {
  const store = current.getStore();
  if (store) return store;
  if (byMarker.size === 0 || typeof message.headers !== 'string') return undefined;
  for (const [marker, counter] of byMarker) if (message.headers.includes(marker)) return counter;
  return undefined;
}

function subscribe(): void {
  if (subscribed) return;
  subscribed = true;
  // sendHeaders fires when a request is written to a socket: a request queued and then cancelled is not counted.
  diagnosticsChannel.subscribe('undici:client:sendHeaders', (m) => {
    const message = m as SendHeaders;
    const counter = counterFor(message);
    if (!counter) return;
    counter.requests++;
    if (message.socket && fresh.has(message.socket)) {
      fresh.delete(message.socket);
      counter.connections++;
    }
  });
  diagnosticsChannel.subscribe('undici:client:connected', (m) => {
    const socket = (m as Connected).socket;
    if (socket) fresh.add(socket);
  });
}

/** A User-Agent for a run's own RegistryHttp, and the counting that goes with it. */
export function markedTraffic(counter: TrafficCounter): { userAgent: string; run<T>(fn: () => Promise<T>): Promise<T> } {
  subscribe();
  const marker = `inventory/${randomBytes(6).toString('hex')}`;
  return {
    userAgent: `stowage ${marker}`,
    async run(fn) {
      byMarker.set(marker, counter);
      try {
        return await fn();
      } finally {
        byMarker.delete(marker);
      }
    },
  };
}

/**
 * Runs `fn` with `counter` attributed every request and connection it causes through any client.
 * In Node 20 an enabled AsyncLocalStorage installs promise hooks that tax every promise in the
 * process, so the store is disabled again once no such run is active.
 */
export async function countTraffic<T>(counter: TrafficCounter, fn: () => Promise<T>): Promise<T> {
  subscribe();
  alsActive++;
  try {
    return await current.run(counter, fn);
  } finally {
    if (--alsActive === 0) current.disable();
  }
}
