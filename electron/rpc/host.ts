import type { z } from 'zod';
import type { MethodSpec } from '../../shared/api/contract';
import { isClientMessage, type ServerMessage } from '../../shared/api/messages';
import { UserError, type AppError, type Result } from '../../shared/api/result';
import type { TaskProgress } from '../../shared/api/types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the variance of a generic method table
type AnySpec = Record<string, MethodSpec<z.ZodType, any>>;

export interface CallContext {
  /** Aborted when the client cancels the call or disconnects. */
  signal: AbortSignal;
  /** Reports progress of this call to the client that made it, as a `task.progress` event. */
  progress(update: Omit<TaskProgress, 'task'>): void;
  /** Sends an event to the client that made this call only (e.g. the steps of a running check). */
  emit(event: string, payload: unknown): void;
}

export type Handlers<C extends AnySpec> = {
  [M in keyof C]: (args: z.output<C[M]['args']>, ctx: CallContext) => Promise<C[M]['result']> | C[M]['result'];
};

export interface Connection {
  receive(message: unknown): void;
  close(): void;
}

/** What a transport needs from the host: one Connection per client. */
export interface RpcEndpoint {
  connect(send: (message: ServerMessage) => void): Connection;
}

export interface HostLogger {
  info(message: string): void;
  error(message: string): void;
}

const MAX_CONCURRENT_CALLS = 64;

/**
 * Transport-agnostic RPC host: validates every call against the contract's schema, runs the handler,
 * and answers with a Result envelope. Electron IPC and the browser host's WebSocket each create one
 * Connection per client; events go to every connection.
 */
export class RpcHost<C extends AnySpec> implements RpcEndpoint {
  private readonly connections = new Set<(message: ServerMessage) => void>();

  constructor(
    private readonly spec: C,
    private readonly handlers: Handlers<C>,
    private readonly logger?: HostLogger,
  ) {}

  emit(event: string, payload: unknown): void {
    for (const send of this.connections) send({ type: 'event', event, payload });
  }

  connect(send: (message: ServerMessage) => void): Connection {
    const pending = new Map<string, AbortController>();
    this.connections.add(send);
    let open = true;
    const reply = (message: ServerMessage) => {
      if (open) send(message);
    };

    return {
      receive: (message: unknown) => {
        if (!isClientMessage(message)) {
          this.logger?.error('rpc: dropped a malformed message');
          return;
        }
        if (message.type === 'cancel') {
          pending.get(message.id)?.abort();
          return;
        }
        if (pending.has(message.id)) {
          reply({ type: 'result', id: message.id, result: failure('bad-request', 'A call with this id is already running.') });
          return;
        }
        if (pending.size >= MAX_CONCURRENT_CALLS) {
          reply({ type: 'result', id: message.id, result: failure('busy', 'Too many calls at once.', 'Wait for running work to finish.') });
          return;
        }
        const controller = new AbortController();
        pending.set(message.id, controller);
        void this.dispatch(message.method, message.args, {
          signal: controller.signal,
          progress: (update) => reply({ type: 'event', event: 'task.progress', payload: { task: message.id, ...update } }),
          emit: (event, payload) => reply({ type: 'event', event, payload }),
        }).then((result) => {
          pending.delete(message.id);
          reply({ type: 'result', id: message.id, result });
        });
      },
      close: () => {
        open = false;
        this.connections.delete(send);
        for (const controller of pending.values()) controller.abort();
        pending.clear();
      },
    };
  }

  /** Runs one call; also used directly by tests and the CLI. Never throws. */
  async dispatch(method: string, args: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (!Object.prototype.hasOwnProperty.call(this.spec, method)) {
      return failure('unknown-method', `Unknown method "${method.slice(0, 80)}".`);
    }
    const parsed = this.spec[method]!.args.safeParse(args ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
      return failure('bad-args', `Invalid arguments for ${method}${where}: ${first?.message ?? 'rejected'}.`);
    }
    const handler = this.handlers[method as keyof C] as (args: unknown, ctx: CallContext) => unknown;
    const started = Date.now();
    try {
      const value = await handler(parsed.data, ctx);
      if (ctx.signal.aborted) return cancelled();
      this.logger?.info(`rpc ${method} ok ${Date.now() - started}ms`);
      return { ok: true, value };
    } catch (error) {
      if (ctx.signal.aborted) return cancelled();
      if (error instanceof UserError) {
        this.logger?.info(`rpc ${method} failed: ${error.code}`);
        return { ok: false, error: error.toData() };
      }
      // Unexpected errors keep only their message: stacks and causes may carry paths or secrets.
      this.logger?.error(`rpc ${method} crashed: ${error instanceof Error ? error.message : String(error)}`);
      return failure('internal', `Stowage hit an unexpected error in ${method}.`, 'This is a bug; the log has details.');
    }
  }
}

function failure(code: string, message: string, hint?: string): { ok: false; error: AppError } {
  return { ok: false, error: { code, message, ...(hint ? { hint } : {}) } };
}

function cancelled(): { ok: false; error: AppError } {
  return failure('cancelled', 'Cancelled.');
}
