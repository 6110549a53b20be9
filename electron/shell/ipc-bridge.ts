import type { IpcMain, IpcMainEvent, WebContents } from 'electron';
import { IPC_CHANNELS, type ServerMessage } from '../../shared/api/messages';
import type { RpcEndpoint } from '../rpc/host';
import { APP_ORIGIN } from './security';

/**
 * Carries the contract over Electron IPC for one window. Every message is checked to come from that
 * window's top frame at our own origin; anything else is dropped.
 */
export function bindIpc(ipcMain: IpcMain, contents: WebContents, rpc: RpcEndpoint): void {
  const connection = rpc.connect((message: ServerMessage) => {
    if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.event, message);
  });
  const trusted = (event: IpcMainEvent): boolean => {
    const frame = event.senderFrame;
    return event.sender === contents && frame !== null && frame.parent === null && frame.url.startsWith(`${APP_ORIGIN}/`);
  };
  const onCall = (event: IpcMainEvent, message: unknown) => {
    if (trusted(event)) connection.receive(message);
  };
  const onCancel = (event: IpcMainEvent, id: unknown) => {
    if (trusted(event) && typeof id === 'string') connection.receive({ type: 'cancel', id });
  };
  ipcMain.on(IPC_CHANNELS.call, onCall);
  ipcMain.on(IPC_CHANNELS.cancel, onCancel);
  contents.once('destroyed', () => {
    ipcMain.off(IPC_CHANNELS.call, onCall);
    ipcMain.off(IPC_CHANNELS.cancel, onCancel);
    connection.close();
  });
}
