import type { EventName, EventPayload } from './contract';
import type { AppError, Result } from './result';

// Runtime code here must stay dependency-free: the preload bundles this module (type imports vanish).

/** The wire protocol shared by every transport (Electron IPC, loopback WebSocket, in-memory tests). */
export interface CallMessage {
  type: 'call';
  /** Chosen by the client, unique per connection; used to cancel and stamped on the call's events. */
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

/** One event; `call` is the id of the call that sent it, null for a broadcast (`project.changed`). */
export type EventMessage = {
  [E in EventName]: { type: 'event'; event: E; call: string | null; payload: EventPayload<E> };
}[EventName];

/**
 * The answer to a message the host could not read as a call or a cancel (not JSON, not an object,
 * no usable id, unknown type), so a client never waits for a reply that will not come. `id` is the
 * message's id when it had a usable one.
 */
export interface ProtocolErrorMessage {
  type: 'protocol-error';
  id: string | null;
  error: AppError;
}

export type ServerMessage = ResultMessage | EventMessage | ProtocolErrorMessage;

/** Electron IPC channel names; the only three the preload ever touches. */
export const IPC_CHANNELS = {
  call: 'stowage:call',
  cancel: 'stowage:cancel',
  event: 'stowage:event',
} as const;

export const MAX_ID_LENGTH = 100;
export const MAX_METHOD_LENGTH = 100;

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; id: string | null; error: AppError };

/** The error for a message the host cannot read as a call or a cancel. */
export function badMessageError(message: string): AppError {
  return { code: 'bad-message', message, hint: 'Send {"type":"call","id","method","args"} or {"type":"cancel","id"} as one JSON text message.' };
}

const badMessage = (id: string | null, message: string): ParsedClientMessage => ({ ok: false, id, error: badMessageError(message) });

/** Reads one decoded message; says what is wrong with it (never echoing more than a few characters of it). */
export function parseClientMessage(value: unknown): ParsedClientMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return badMessage(null, 'The message is not a JSON object.');
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || v.id.length === 0) return badMessage(null, 'The message has no id (a non-empty string).');
  if (v.id.length > MAX_ID_LENGTH) return badMessage(null, `The message id is longer than ${MAX_ID_LENGTH} characters.`);
  const id = v.id;
  if (v.type === 'cancel') return { ok: true, message: { type: 'cancel', id } };
  if (v.type !== 'call') {
    const shown = typeof v.type === 'string' ? `"${clip(v.type, 40)}"` : typeof v.type;
    return badMessage(id, `Unknown message type ${shown}; expected "call" or "cancel".`);
  }
  if (typeof v.method !== 'string' || v.method.length === 0) return badMessage(id, 'The call names no method.');
  if (v.method.length > MAX_METHOD_LENGTH) return badMessage(id, `The method name is longer than ${MAX_METHOD_LENGTH} characters.`);
  return { ok: true, message: { type: 'call', id, method: v.method, args: v.args } };
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
