import type { Result } from './result';

/** The wire protocol shared by every transport (Electron IPC, loopback WebSocket, in-memory tests). */
export interface CallMessage {
  type: 'call';
  /** Chosen by the client, unique per connection; used to cancel. */
  id: string;
  method: string;
  args: unknown;
}

export interface CancelMessage {
  type: 'cancel';
  id: string;
}

export type ClientMessage = CallMessage | CancelMessage;

export interface ResultMessage {
  type: 'result';
  id: string;
  result: Result<unknown>;
}

export interface EventMessage {
  type: 'event';
  event: string;
  payload: unknown;
}

export type ServerMessage = ResultMessage | EventMessage;

/** Electron IPC channel names; the only three the preload ever touches. */
export const IPC_CHANNELS = {
  call: 'stowage:call',
  cancel: 'stowage:cancel',
  event: 'stowage:event',
} as const;

export function isClientMessage(value: unknown): value is ClientMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || v.id.length === 0 || v.id.length > 100) return false;
  if (v.type === 'cancel') return true;
  return v.type === 'call' && typeof v.method === 'string' && v.method.length < 100;
}
