import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS, type ServerMessage } from '../../shared/api/messages';
import { isMethodName } from '../../shared/api/names';

// Only dependency-free modules may be imported here (names, messages): the build refuses a
// preload bundle that pulls in a package or grows past its budget (scripts/preload-bundle.mjs).

/**
 * The whole surface the renderer gets: send a call for a contract method, cancel it by id, and
 * receive results and events. ipcRenderer itself is never exposed.
 */
const bridge = {
  call(id: string, method: string, args: unknown): void {
    if (typeof id !== 'string' || !isMethodName(method)) throw new Error(`Unknown method ${String(method).slice(0, 100)}`);
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
