import type { ClientMessage, ServerMessage } from '../../shared/api/messages';

/** How the renderer reaches the main process: Electron IPC through the preload, or the browser host's WebSocket. */
export interface Transport {
  send(message: ClientMessage): void;
  subscribe(listener: (message: ServerMessage) => void): void;
  onStatus(listener: (status: ConnectionStatus) => void): void;
}

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

interface PreloadBridge {
  call(id: string, method: string, args: unknown): void;
  cancel(id: string): void;
  onMessage(listener: (message: ServerMessage) => void): void;
}

declare global {
  interface Window {
    stowage?: PreloadBridge;
  }
}

export function electronTransport(bridge: PreloadBridge): Transport {
  return {
    send: (m) => (m.type === 'call' ? bridge.call(m.id, m.method, m.args) : bridge.cancel(m.id)),
    subscribe: (listener) => bridge.onMessage(listener),
    onStatus: (listener) => listener('open'),
  };
}

const TOKEN_KEY = 'stowage.token';

/** The browser host hands its token over in the URL fragment; keep it for reloads, then hide it. */
export function takeToken(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, match[1]!);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return match[1]!;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Whether this tab was handed a token before (sessionStorage can be refused: then it was not). */
export function hasStoredToken(): boolean {
  try {
    return sessionStorage.getItem(TOKEN_KEY) !== null;
  } catch {
    return false;
  }
}

export function webSocketTransport(token: string): Transport {
  const listeners: ((m: ServerMessage) => void)[] = [];
  const statusListeners: ((s: ConnectionStatus) => void)[] = [];
  const queue: string[] = [];
  let status: ConnectionStatus = 'connecting';
  const setStatus = (s: ConnectionStatus) => {
    status = s;
    for (const l of statusListeners) l(s);
  };
  const socket = new WebSocket(`ws://${window.location.host}/rpc?token=${encodeURIComponent(token)}`);
  socket.addEventListener('open', () => {
    setStatus('open');
    for (const m of queue.splice(0)) socket.send(m);
  });
  // A close code from the host (1003 binary frame, 1008 too many malformed messages, 1009 too big)
  // ends the connection like any other close: pending calls settle as disconnected.
  socket.addEventListener('close', () => setStatus('closed'));
  socket.addEventListener('message', (event) => {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(event.data)) as ServerMessage;
    } catch {
      return;
    }
    for (const l of listeners) l(message);
  });
  return {
    send: (m) => {
      const text = JSON.stringify(m);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (status === 'connecting') queue.push(text);
    },
    subscribe: (listener) => listeners.push(listener),
    onStatus: (listener) => {
      statusListeners.push(listener);
      listener(status);
    },
  };
}
