import type { z } from 'zod';
import type { BroadcastEventName, CallEventName, EventPayload, MethodSpec } from '../../shared/api/contract';
import { badMessageError, clip, parseClientMessage, type EventMessage, type ServerMessage } from '../../shared/api/messages';
import { capError, UserError, type AppError, type Result } from '../../shared/api/result';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the variance of a generic method table
type AnySpec = Record<string, MethodSpec<z.ZodType, any>>;

export interface CallContext {
  /** Aborted when the client cancels the call or disconnects. */
  signal: AbortSignal;
  /**
   * Sends an event of the contract to the client that made this call only, stamped with the call's
   * id (the steps of a running check, inventory rows). Dropped once the call is cancelled or over.
   */
  emit<E extends CallEventName>(event: E, payload: EventPayload<E>): void;
}

export type Handlers<C extends AnySpec> = {
  [M in keyof C]: (args: z.output<C[M]['args']>, ctx: CallContext) => Promise<C[M]['result']> | C[M]['result'];
};

export interface Connection {
  /** A decoded message (Electron IPC hands over structured clones). */
  receive(message: unknown): void;
  /** A text frame as it came off the wire (the browser host's WebSocket). */
  receiveText(text: string): void;
  close(): void;
}

export interface ConnectionOptions {
  /** Ends the transport with a WebSocket-style close code; called when a client keeps sending garbage. */
  terminate?(code: number, reason: string): void;
}

/** What a transport needs from the host: one Connection per client. */
export interface RpcEndpoint {
  connect(send: (message: ServerMessage) => void, options?: ConnectionOptions): Connection;
}

export interface HostLogger {
  info(message: string): void;
  error(message: string): void;
}

const MAX_CONCURRENT_CALLS = 64;
/** Malformed messages a connection may send before it is closed: a confused client gets answers, a flood does not. */
export const MAX_PROTOCOL_ERRORS = 100;
/** RFC 6455 "policy violation". */
export const CLOSE_POLICY_VIOLATION = 1008;

/**
 * Transport-agnostic RPC host: validates every call against the contract's schema, runs the handler,
 * and answers with a Result envelope. Electron IPC and the browser host's WebSocket each create one
 * Connection per client. Call events go to the calling connection only, broadcasts to every one.
 */
export class RpcHost<C extends AnySpec> implements RpcEndpoint {
  private readonly connections = new Set<(message: ServerMessage) => void>();

  constructor(
    private readonly spec: C,
    private readonly handlers: Handlers<C>,
    private readonly logger?: HostLogger,
  ) {}

  /** Sends an event that belongs to no call to every connected client. */
  emit<E extends BroadcastEventName>(event: E, payload: EventPayload<E>): void {
    const message = { type: 'event', event, call: null, payload } as EventMessage;
    for (const send of this.connections) send(message);
  }

  connect(send: (message: ServerMessage) => void, options: ConnectionOptions = {}): Connection {
    const pending = new Map<string, AbortController>();
    this.connections.add(send);
    let open = true;
    let protocolErrors = 0;
    const reply = (message: ServerMessage) => {
      if (open) send(message);
    };
    const close = () => {
      open = false;
      this.connections.delete(send);
      for (const controller of pending.values()) controller.abort();
      pending.clear();
    };
    const refuse = (id: string | null, error: AppError) => {
      this.logger?.error(`rpc: answered a malformed message: ${error.message}`);
      reply({ type: 'protocol-error', id, error: capError(error) });
      if (++protocolErrors >= MAX_PROTOCOL_ERRORS && options.terminate) {
        close();
        options.terminate(CLOSE_POLICY_VIOLATION, 'Too many malformed messages');
      }
    };

    const receive = (raw: unknown) => {
      if (!open) return;
      const parsed = parseClientMessage(raw);
      if (!parsed.ok) return refuse(parsed.id, parsed.error);
      const message = parsed.message;
      if (message.type === 'cancel') {
        pending.get(message.id)?.abort();
        return;
      }
      const id = message.id;
      if (pending.has(id)) {
        reply({ type: 'result', id, result: failure('bad-request', 'A call with this id is already running.') });
        return;
      }
      if (pending.size >= MAX_CONCURRENT_CALLS) {
        reply({ type: 'result', id, result: failure('busy', 'Too many calls at once.', 'Wait for running work to finish.') });
        return;
      }
      const controller = new AbortController();
      pending.set(id, controller);
      let running = true;
      void this.dispatch(message.method, message.args, {
        signal: controller.signal,
        emit: (event, payload) => {
          // A cancelled call's handler may still be unwinding; the client has moved on.
          if (running && !controller.signal.aborted) reply({ type: 'event', event, call: id, payload } as EventMessage);
        },
      }).then((result) => {
        running = false;
        pending.delete(id);
        reply({ type: 'result', id, result });
      });
    };

    return {
      receive,
      receiveText: (text) => {
        if (!open) return;
        let decoded: unknown;
        try {
          decoded = JSON.parse(text);
        } catch (error) {
          // Only the position: V8's own message quotes a piece of the text, which is not echoed.
          const position = error instanceof Error ? /at position (\d+)/.exec(error.message)?.[1] : undefined;
          return refuse(null, badMessageError(`The message is not valid JSON${position ? ` (at character ${position})` : ''}.`));
        }
        receive(decoded);
      },
      close,
    };
  }

  /** Runs one call; also used directly by tests and the CLI. Never throws; errors come back capped. */
  async dispatch(method: string, args: unknown, ctx: CallContext): Promise<Result<unknown>> {
    const result = await this.run(method, args, ctx);
    return result.ok ? result : { ok: false, error: capError(result.error) };
  }

  private async run(method: string, args: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (!Object.prototype.hasOwnProperty.call(this.spec, method)) {
      return failure('unknown-method', `Unknown method "${clip(method, 80)}".`);
    }
    const parsed = this.spec[method]!.args.safeParse(args ?? {});
    if (!parsed.success) {
      return failure('bad-args', `Invalid arguments for ${method}${describeIssue(parsed.error.issues[0])}.`);
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

/**
 * The first schema problem in a sentence of bounded size: a call with 50,000 unknown keys is told
 * how many there were and the first few, not all of them.
 */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return ': rejected';
  const path = issue.path.length > 0 ? ` at ${clip(issue.path.map(String).join('.'), 120)}` : '';
  if (issue.code === 'unrecognized_keys') {
    const shown = issue.keys.slice(0, 5).map((key) => `"${clip(key, 40)}"`).join(', ');
    const more = issue.keys.length > 5 ? `, … (${issue.keys.length} in all)` : '';
    return `${path}: unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${shown}${more}`;
  }
  return `${path}: ${clip(issue.message, 200)}`;
}

function failure(code: string, message: string, hint?: string): { ok: false; error: AppError } {
  return { ok: false, error: { code, message, ...(hint ? { hint } : {}) } };
}

function cancelled(): { ok: false; error: AppError } {
  return failure('cancelled', 'Cancelled.');
}
