import type { Dispatcher } from 'undici';

export type CollectedResponse =
  | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }
  /** Reading stopped at the size cap; `declared` when Content-Length said so up front. */
  | { ok: false; tooLarge: true; declared?: number };

export interface CollectRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
  signal: AbortSignal;
  maxBytes: number;
}

class SizeCapReached extends Error {
  constructor(readonly declared?: number) {
    super('response size cap reached');
  }
}

/**
 * One HTTP exchange through undici's dispatcher, the body gathered into one Buffer of at most
 * `maxBytes`. Registry bodies are small JSON documents read whole, so the Readable stream and async
 * iterator that `undici.request` puts in between cost more CPU than the bytes themselves (half the
 * client's time in a 5,000-tag inventory). Rejects with undici's own errors (timeouts, resets) or
 * the signal's reason, so callers classify them as before.
 */
export function dispatchAndCollect(dispatcher: Dispatcher, req: CollectRequest): Promise<CollectedResponse> {
  const { url, method, signal, maxBytes } = req;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let controller: Dispatcher.DispatchController | null = null;
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    // Before undici hands over its controller (the request still queued or connecting) the
    // caller is answered at once; the request is dropped as soon as it starts.
    const onAbort = (): void => {
      if (controller) controller.abort(signal.reason);
      else settle(() => reject(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        // Called again when undici retries an idempotent request on a fresh socket.
        controller = c;
        chunks = [];
        size = 0;
        if (settled || signal.aborted) c.abort(signal.reason);
      },
      onResponseStart(c, statusCode, responseHeaders) {
        if (statusCode < 200) return;
        status = statusCode;
        headers = responseHeaders;
        const declared = Number(responseHeaders['content-length']);
        if (method !== 'HEAD' && Number.isFinite(declared) && declared > maxBytes) c.abort(new SizeCapReached(declared));
      },
      onResponseData(c, chunk) {
        size += chunk.length;
        if (size > maxBytes) {
          c.abort(new SizeCapReached());
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        settle(() => resolve({ ok: true, status, headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) }));
      },
      onResponseError(_c, error) {
        settle(() => {
          if (error instanceof SizeCapReached) resolve({ ok: false, tooLarge: true, ...(error.declared !== undefined ? { declared: error.declared } : {}) });
          else reject(error);
        });
      },
    };
    try {
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: method as Dispatcher.HttpMethod,
          headers: req.headers,
          ...(req.body !== undefined ? { body: req.body } : {}),
          // undici closes the socket after a HEAD by default; registries answer HEAD without a
          // body, and a fresh handshake per tag would dominate a Docker Hub listing.
          reset: false,
        },
        handler,
      );
    } catch (error) {
      settle(() => reject(error));
    }
  });
}
