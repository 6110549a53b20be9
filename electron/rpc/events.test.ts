// Call events: typed from the one contract, stamped with the call's id, and never delivered after
// the call was cancelled or answered.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient, type ApiClient } from '../../renderer/api/client';
import type { Transport } from '../../renderer/api/transport';
import { methods, type MethodTable } from '../../shared/api/contract';
import type { CheckStep } from '../../shared/credentials/types';
import type { ServerMessage } from '../../shared/api/messages';
import type { ProjectView } from '../../shared/api/types';
import type { InventoryProgress } from '../../shared/inventory/types';
import { RpcHost, type CallContext } from './host';
import { fakeElectronIpc } from './test-transports';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const progress = (listed: number): InventoryProgress => ({ phase: 'listing', listed, inspected: 0, total: null });

// Checked by `tsc` (never run): the compiler rejects what the contract does not allow.
export function emitIsTypedByTheContract(ctx: CallContext, host: RpcHost<Record<string, never>>, client: ApiClient, view: ProjectView): void {
  ctx.emit('inventory.rows', { rows: [] });
  ctx.emit('check.step', { step: {} as CheckStep });
  host.emit('project.changed', view);
  // @ts-expect-error a name outside the contract
  ctx.emit('inventory.row', { rows: [] });
  // @ts-expect-error the payload of another event
  ctx.emit('inventory.rows', { progress: progress(1) });
  // @ts-expect-error a payload missing its field
  ctx.emit('inventory.progress', {});
  // @ts-expect-error a broadcast is not a call's event
  ctx.emit('project.changed', view);
  // @ts-expect-error a call's event is not broadcast to every client
  host.emit('inventory.rows', { rows: [] });
  // @ts-expect-error a payload that is not a ProjectView
  host.emit('project.changed', { path: 1 });
  // @ts-expect-error listening to a name outside the contract
  client.on('inventory.row', () => undefined);
  client.on('inventory.rows', ({ rows }, { call }) => {
    // @ts-expect-error a call event always names its call
    const none: null = call;
    void [rows.length, none];
  });
}

// Checked by `tsc`: the method table and the preload's dependency-free name list cannot drift apart.
export function methodTableMatchesTheNames(): void {
  // @ts-expect-error a method whose name the list lacks (the preload would refuse it)
  void ({ ...methods, 'fs.deleteEverything': methods['app.info'] } satisfies MethodTable);
  const { 'app.info': _dropped, ...withoutAppInfo } = methods;
  // @ts-expect-error a listed name without its schema
  void (withoutAppInfo satisfies MethodTable);
}

const spec = {
  'test.chatty': { args: z.object({ emits: z.number().int().max(1000), everyMs: z.number().int().max(100) }).strict(), result: undefined as unknown as number },
  'test.echoLater': { args: z.object({}).strict(), result: undefined as unknown as null },
};

/** A handler that keeps emitting for a while whatever happens: a service slow to notice its signal. */
function chattyHost() {
  return new RpcHost(spec, {
    'test.chatty': async ({ emits, everyMs }, ctx) => {
      for (let i = 0; i < emits; i++) {
        ctx.emit('inventory.progress', { progress: progress(i) });
        await sleep(everyMs);
      }
      return emits;
    },
    'test.echoLater': (_args, ctx) => {
      setTimeout(() => ctx.emit('inventory.progress', { progress: progress(-1) }), 20);
      return null;
    },
  });
}

/** Server messages reach the client `ms` later than they were sent, in order: a slow link. */
function withLatency(transport: Transport, ms: number): Transport {
  return {
    ...transport,
    subscribe: (listener) => transport.subscribe((message) => void setTimeout(() => listener(message), ms)),
  };
}

describe('the RPC host', () => {
  it('stamps every event of a call with its id and sends nothing of it after the cancel', async () => {
    const sent: ServerMessage[] = [];
    const connection = chattyHost().connect((m) => sent.push(m));
    connection.receive({ type: 'call', id: 'a', method: 'test.chatty', args: { emits: 30, everyMs: 5 } });
    connection.receive({ type: 'call', id: 'b', method: 'test.chatty', args: { emits: 3, everyMs: 5 } });
    await sleep(40);
    connection.receive({ type: 'cancel', id: 'a' });
    const atCancel = sent.length;
    while (!sent.some((m) => m.type === 'result' && m.id === 'a')) await sleep(10);

    const events = sent.filter((m) => m.type === 'event');
    expect(new Set(events.map((m) => m.type === 'event' && m.call))).toEqual(new Set(['a', 'b']));
    expect(sent.slice(0, atCancel).filter((m) => m.type === 'event' && m.call === 'a').length).toBeGreaterThan(1);
    // The handler went on emitting 30 times; none of it after the cancel left the host.
    expect(sent.slice(atCancel).filter((m) => m.type === 'event' && m.call === 'a')).toEqual([]);
    const result = sent.find((m) => m.type === 'result' && m.id === 'a');
    expect(result?.type === 'result' && !result.result.ok && result.result.error.code).toBe('cancelled');
  });

  it('sends no event of a call after its result', async () => {
    const sent: ServerMessage[] = [];
    const connection = chattyHost().connect((m) => sent.push(m));
    connection.receive({ type: 'call', id: 'late', method: 'test.echoLater', args: {} });
    await sleep(80);
    expect(sent.map((m) => m.type)).toEqual(['result']);
  });

  it('broadcasts carry no call id and reach every connection', () => {
    const host = chattyHost();
    const a: ServerMessage[] = [];
    const b: ServerMessage[] = [];
    host.connect((m) => a.push(m));
    host.connect((m) => b.push(m));
    host.emit('project.changed', { path: '/p' } as ProjectView);
    expect(a).toEqual([{ type: 'event', event: 'project.changed', call: null, payload: { path: '/p' } }]);
    expect(b).toEqual(a);
  });

  it('answers a malformed message over any transport with a protocol error', () => {
    const sent: ServerMessage[] = [];
    const connection = chattyHost().connect((m) => sent.push(m));
    connection.receive({ type: 'call', method: 'test.chatty' });
    connection.receive({ type: 'frobnicate', id: 'f1' });
    connection.receive(null);
    expect(sent.map((m) => m.type === 'protocol-error' && [m.id, m.error.code])).toEqual([
      [null, 'bad-message'],
      ['f1', 'bad-message'],
      [null, 'bad-message'],
    ]);
  });
});

describe('the renderer client', () => {
  it('exposes the call id and hands it to listeners with each event', async () => {
    const client = createClient(fakeElectronIpc(chattyHost()).transport);
    const seen: (string | null)[] = [];
    client.on('inventory.progress', (_p, { call }) => seen.push(call));
    const call = (client.call as unknown as (m: string, a: unknown) => ReturnType<ApiClient['call']>)('test.chatty', { emits: 3, everyMs: 1 });
    expect(call.id).toMatch(/^c\d+$/);
    const result = await call;
    expect(result.ok).toBe(true);
    expect(seen).toEqual([call.id, call.id, call.id]);
  });

  it('delivers nothing of a cancelled call, not even events already on their way', async () => {
    // 60 ms of latency: when the user cancels, a dozen events are still in flight.
    const client = createClient(withLatency(fakeElectronIpc(chattyHost()).transport, 60));
    const delivered: number[] = [];
    client.on('inventory.progress', ({ progress: p }) => delivered.push(p.listed));
    const controller = new AbortController();
    const call = (client.call as unknown as (m: string, a: unknown, o: { signal: AbortSignal }) => ReturnType<ApiClient['call']>)(
      'test.chatty',
      { emits: 100, everyMs: 5 },
      { signal: controller.signal },
    );
    while (delivered.length < 3) await sleep(5);
    controller.abort();
    const atCancel = delivered.length;
    const result = await call;
    await sleep(100);
    expect(result.ok ? null : result.error.code).toBe('cancelled');
    expect(delivered.length).toBe(atCancel);
  });
});
