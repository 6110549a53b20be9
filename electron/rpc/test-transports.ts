// Test helpers: the renderer's client over each real transport, driven from Node.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { ClientMessage, ServerMessage } from '../../shared/api/messages';
import { IPC_CHANNELS } from '../../shared/api/messages';
import type { ConnectionStatus, Transport } from '../../renderer/api/transport';
import type { RpcEndpoint } from './host';
import { bindIpc } from '../shell/ipc-bridge';
import { APP_ORIGIN } from '../shell/security';

export function nodeWebSocketTransport(url: string, origin: string): Transport & { socket: WebSocket } {
  const socket = new WebSocket(url, { origin });
  const listeners: ((m: ServerMessage) => void)[] = [];
  const statusListeners: ((s: ConnectionStatus) => void)[] = [];
  const queue: string[] = [];
  let status: ConnectionStatus = 'connecting';
  const setStatus = (s: ConnectionStatus) => {
    status = s;
    statusListeners.forEach((l) => l(s));
  };
  socket.on('open', () => {
    setStatus('open');
    queue.splice(0).forEach((m) => socket.send(m));
  });
  socket.on('close', () => setStatus('closed'));
  socket.on('error', () => setStatus('closed'));
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    listeners.forEach((l) => l(message));
  });
  return {
    socket,
    send: (m: ClientMessage) => (socket.readyState === WebSocket.OPEN ? socket.send(JSON.stringify(m)) : queue.push(JSON.stringify(m))),
    subscribe: (l) => listeners.push(l),
    onStatus: (l) => {
      statusListeners.push(l);
      l(status);
    },
  };
}

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

/**
 * Electron's ipcMain and a window's WebContents, reduced to what bindIpc uses, so the real bridge
 * (with its sender checks) runs in plain Node. `frame` decides who the sender appears to be.
 */
export function fakeElectronIpc(rpc: RpcEndpoint, frame: FakeFrame = { url: `${APP_ORIGIN}/index.html`, parent: null }) {
  const ipcMain = new EventEmitter();
  const contents = Object.assign(new EventEmitter(), {
    isDestroyed: () => false,
    send: (_channel: string, message: ServerMessage) => rendererSide.emit('message', message),
  });
  const rendererSide = new EventEmitter();
  bindIpc(ipcMain as never, contents as never, rpc);
  const event = () => ({ sender: contents, senderFrame: frame });
  const transport: Transport = {
    send: (m) => {
      if (m.type === 'call') ipcMain.emit(IPC_CHANNELS.call, event(), m);
      else ipcMain.emit(IPC_CHANNELS.cancel, event(), m.id);
    },
    subscribe: (l) => rendererSide.on('message', l),
    onStatus: (l) => l('open'),
  };
  return { transport, frame, destroy: () => contents.emit('destroyed') };
}
