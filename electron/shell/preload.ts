import { contextBridge, ipcRenderer } from 'electron';
import { isMethodName } from '../../shared/api/contract';
import { IPC_CHANNELS, type ServerMessage } from '../../shared/api/messages';

/**
 * The whole surface the renderer gets: send a call for a contract method, cancel it by id, and
 * receive results and events. ipcRenderer itself is never exposed.
 */
const bridge = {
  call(id: string, method: string, args: unknown): void {
    if (typeof id !== 'string' || !isMethodName(method)) throw new Error(`Unknown method ${String(method)}`);
    ipcRenderer.send(IPC_CHANNELS.call, { type: 'call', id, method, args });
  },
  cancel(id: string): void {
    if (typeof id === 'string') ipcRenderer.send(IPC_CHANNELS.cancel, id);
  },
  onMessage(listener: (message: ServerMessage) => void): void {
    ipcRenderer.on(IPC_CHANNELS.event, (_event, message: ServerMessage) => listener(message));
  },
};

contextBridge.exposeInMainWorld('stowage', Object.freeze(bridge));
