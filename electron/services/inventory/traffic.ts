import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Counts the HTTP requests a run really sends and the connections it really opens, retries,
 * redirects and token requests included. RegistryHttp keeps its undici Agents private, so we
 * listen to undici's diagnostics channels and attribute each event to a run: each run's own
 * RegistryHttp sends a User-Agent with a run marker; a request is the run's when its header block
 * carries the marker, and a connection is the run's when the first request on it is. (An
 * AsyncLocalStorage would do it too, but in Node 20 it taxes every promise in the process.)
 */
export interface TrafficCounter {
  requests: number;
  connections: number;
}

const byMarker = new Map<string, TrafficCounter>();
/** Sockets connected but not yet used: their first request says whose they are. */
const fresh = new WeakSet<object>();
let subscribed = false;

interface SendHeaders {
  headers?: unknown;
  socket?: object;
}

interface Connected {
  socket?: object;
}

function counterFor(message: SendHeaders): TrafficCounter | undefined {
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
