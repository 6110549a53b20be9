import type { ArgsOf, EventName, EventPayload, MethodName, ResultOf } from '../../shared/api/contract';
import type { Result } from '../../shared/api/result';
import type { ConnectionStatus, Transport } from './transport';

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ApiClient {
  call<M extends MethodName>(method: M, args: ArgsOf<M>, options?: CallOptions): Promise<Result<ResultOf<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  onStatus(listener: (status: ConnectionStatus) => void): void;
}

/** The renderer's typed view of the contract. Errors come back as data, never as exceptions. */
export function createClient(transport: Transport): ApiClient {
  let sequence = 0;
  const pending = new Map<string, (result: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let connected = true;

  transport.onStatus((status) => {
    connected = status !== 'closed';
    if (!connected) {
      for (const [id, settle] of pending) {
        pending.delete(id);
        settle({ ok: false, error: { code: 'disconnected', message: 'Lost the connection to Stowage.', hint: 'Restart Stowage (npm start) and reload this page.' } });
      }
    }
  });

  transport.subscribe((message) => {
    if (message.type === 'result') {
      const settle = pending.get(message.id);
      pending.delete(message.id);
      settle?.(message.result);
    } else {
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
    }
  });

  return {
    call(method, args, options = {}) {
      const id = `c${++sequence}`;
      return new Promise((resolve) => {
        if (!connected) {
          resolve({ ok: false, error: { code: 'disconnected', message: 'Not connected to Stowage.', hint: 'Restart Stowage (npm start) and reload this page.' } });
          return;
        }
        const { signal } = options;
        if (signal?.aborted) {
          resolve({ ok: false, error: { code: 'cancelled', message: 'Cancelled.' } });
          return;
        }
        const onAbort = () => transport.send({ type: 'cancel', id });
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result as Result<ResultOf<typeof method>>);
        });
        transport.send({ type: 'call', id, method, args });
      });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    onStatus: (listener) => transport.onStatus(listener),
  };
}
