import type { ArgsOf, CallEventName, EventName, EventPayload, MethodName, ResultOf } from '../../shared/api/contract';
import type { AppError, Result } from '../../shared/api/result';
import type { ConnectionStatus, Transport } from './transport';

export interface CallOptions {
  signal?: AbortSignal;
}

/** A call on its way: awaits to its Result; `id` is stamped on every event the call sends. */
export type PendingCall<T> = Promise<Result<T>> & { readonly id: string };

/** Which call sent an event: its id, or null for a broadcast that belongs to no call. */
export type EventSource<E extends EventName> = { call: E extends CallEventName ? string : null };

export interface ApiClient {
  call<M extends MethodName>(method: M, args: ArgsOf<M>, options?: CallOptions): PendingCall<ResultOf<M>>;
  /**
   * Listens to one event of the contract. A call's events reach listeners only while that call is
   * waiting for its result and was not cancelled; compare `source.call` with `PendingCall.id` to
   * take only the events of the call a view is showing.
   */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>, source: EventSource<E>) => void): () => void;
  onStatus(listener: (status: ConnectionStatus) => void): void;
}

const DISCONNECTED: AppError = { code: 'disconnected', message: 'Lost the connection to Stowage.', hint: 'Restart Stowage (npm start) and reload this page.' };
const CANCELLED: AppError = { code: 'cancelled', message: 'Cancelled.' };

/** The renderer's typed view of the contract. Errors come back as data, never as exceptions. */
export function createClient(transport: Transport): ApiClient {
  let sequence = 0;
  const pending = new Map<string, (result: Result<unknown>) => void>();
  /** Calls whose events are still wanted: pending and not cancelled. */
  const live = new Set<string>();
  const listeners = new Map<string, Set<(payload: unknown, source: { call: string | null }) => void>>();
  let connected = true;

  const settle = (id: string, result: Result<unknown>) => {
    const done = pending.get(id);
    pending.delete(id);
    live.delete(id);
    done?.(result);
  };

  transport.onStatus((status) => {
    connected = status !== 'closed';
    if (!connected) for (const id of [...pending.keys()]) settle(id, { ok: false, error: DISCONNECTED });
  });

  transport.subscribe((message) => {
    if (message.type === 'result') settle(message.id, message.result);
    else if (message.type === 'protocol-error') {
      // The host could not read something we sent: end that call instead of waiting forever.
      if (message.id !== null) settle(message.id, { ok: false, error: message.error });
    } else {
      if (message.call !== null && !live.has(message.call)) return;
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload, { call: message.call });
    }
  });

  return {
    call(method, args, options = {}) {
      const id = `c${++sequence}`;
      const promise = new Promise<Result<unknown>>((resolve) => {
        if (!connected) return resolve({ ok: false, error: { ...DISCONNECTED, message: 'Not connected to Stowage.' } });
        const { signal } = options;
        if (signal?.aborted) return resolve({ ok: false, error: CANCELLED });
        const onAbort = () => {
          // Events already on their way for this call are dropped from here on.
          live.delete(id);
          transport.send({ type: 'cancel', id });
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        });
        live.add(id);
        transport.send({ type: 'call', id, method, args });
      });
      return Object.assign(promise as Promise<Result<ResultOf<typeof method>>>, { id });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const wrapped = listener as (payload: unknown, source: { call: string | null }) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    onStatus: (listener) => transport.onStatus(listener),
  };
}
