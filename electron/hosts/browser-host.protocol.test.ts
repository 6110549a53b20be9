// Malformed WebSocket traffic against the real browser host and the real app behind it: every
// message is answered (a protocol error or a result) or the socket is closed with a code, quickly,
// and what an answer echoes back is capped.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/api/messages';
import { ERROR_LIMITS } from '../../shared/api/result';
import { createApp, type App } from '../app/create-app';
import { MAX_PROTOCOL_ERRORS } from '../rpc/host';
import { startBrowserHost, type BrowserHost } from './browser-host';

const ANSWER_WITHIN_MS = 1000;
/** Half a megabyte of JSON to parse and check first: still bounded, with room for a loaded machine. */
const BIG_ANSWER_WITHIN_MS = 3000;

const work = mkdtempSync(join(tmpdir(), 'stowage-protocol-'));
mkdirSync(join(work, 'renderer'));
writeFileSync(join(work, 'renderer', 'index.html'), '<!doctype html><title>t</title>');

let app: App;
let host: BrowserHost;

beforeAll(async () => {
  app = createApp({ host: 'browser', version: '0.0.0-test', settingsDir: join(work, 'settings'), initialProject: null });
  host = await startBrowserHost({ rendererDir: join(work, 'renderer'), rpc: app.rpc });
});
afterAll(async () => {
  app.dispose();
  await host.close();
});

type Outcome = { kind: 'message'; message: ServerMessage; bytes: number; ms: number } | { kind: 'close'; code: number; ms: number } | { kind: 'silence' };

/** A client that records what the host sends back, one outcome at a time. */
async function connect() {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc?token=${host.token}`, { origin: host.origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const outcomes: Outcome[] = [];
  let wake: (() => void) | null = null;
  let sentAt = 0;
  ws.on('message', (data: Buffer) => {
    outcomes.push({ kind: 'message', message: JSON.parse(data.toString()) as ServerMessage, bytes: data.length, ms: Date.now() - sentAt });
    wake?.();
  });
  ws.on('close', (code) => {
    outcomes.push({ kind: 'close', code, ms: Date.now() - sentAt });
    wake?.();
  });
  const next = async (withinMs = ANSWER_WITHIN_MS): Promise<Outcome> => {
    if (outcomes.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, withinMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
    return outcomes.shift() ?? { kind: 'silence' };
  };
  return {
    ws,
    /** Sends one frame and returns the first thing the host does about it. */
    exchange(data: string | Buffer, binary = false, withinMs = ANSWER_WITHIN_MS): Promise<Outcome> {
      sentAt = Date.now();
      ws.send(data, { binary });
      return next(withinMs);
    },
    next,
    /** The connection still carries calls after whatever came before. */
    async stillAnswers(): Promise<boolean> {
      const answer = await this.exchange(JSON.stringify({ type: 'call', id: 'after', method: 'app.info', args: {} }));
      return answer.kind === 'message' && answer.message.type === 'result' && answer.message.id === 'after' && answer.message.result.ok;
    },
  };
}

function protocolError(outcome: Outcome) {
  expect(outcome.kind).toBe('message');
  if (outcome.kind !== 'message') throw new Error('no answer');
  expect(outcome.ms).toBeLessThan(ANSWER_WITHIN_MS);
  expect(outcome.message.type).toBe('protocol-error');
  if (outcome.message.type !== 'protocol-error') throw new Error(`a ${outcome.message.type} message`);
  expect(outcome.message.error.code).toBe('bad-message');
  expect(outcome.message.error.hint).toBeTruthy();
  return { ...outcome.message, bytes: outcome.bytes };
}

describe('the browser host answers malformed WebSocket messages', () => {
  it('text that is not JSON: a protocol error, without echoing the text', async () => {
    const client = await connect();
    const answer = protocolError(await client.exchange('{"type":"call","id":"x1","method":"app.info", SECRET-ISH'));
    expect(answer.id).toBeNull();
    expect(answer.error.message).toMatch(/not valid JSON \(at character \d+\)/);
    expect(JSON.stringify(answer)).not.toContain('SECRET-ISH');
    expect(await client.stillAnswers()).toBe(true);
    client.ws.close();
  });

  it.each([
    ['an array', '[1,2,3]'],
    ['a string', '"call"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('JSON that is %s: a protocol error', async (_what, text) => {
    const client = await connect();
    expect(protocolError(await client.exchange(text)).error.message).toMatch(/not a JSON object/);
    expect(await client.stillAnswers()).toBe(true);
    client.ws.close();
  });

  it('a call without an id, or with an id that is not a string: a protocol error', async () => {
    const client = await connect();
    for (const id of [undefined, '', 7, { nested: true }]) {
      const answer = protocolError(await client.exchange(JSON.stringify({ type: 'call', id, method: 'app.info', args: {} })));
      expect(answer.id).toBeNull();
      expect(answer.error.message).toMatch(/no id/);
    }
    expect(await client.stillAnswers()).toBe(true);
    client.ws.close();
  });

  it('an over-long id: a protocol error that does not echo it; an id at the limit works', async () => {
    const client = await connect();
    const long = 'i'.repeat(101);
    const answer = protocolError(await client.exchange(JSON.stringify({ type: 'call', id: long, method: 'app.info', args: {} })));
    expect(answer.id).toBeNull();
    expect(JSON.stringify(answer)).not.toContain(long);
    const atLimit = 'j'.repeat(100);
    const ok = await client.exchange(JSON.stringify({ type: 'call', id: atLimit, method: 'app.info', args: {} }));
    expect(ok.kind === 'message' && ok.message.type === 'result' && ok.message.id === atLimit && ok.message.result.ok).toBe(true);
    client.ws.close();
  });

  it('an unknown message type: a protocol error naming the id, so the sender can give up on it', async () => {
    const client = await connect();
    const answer = protocolError(await client.exchange(JSON.stringify({ type: 'subscribe'.repeat(1000), id: 'x2' })));
    expect(answer.id).toBe('x2');
    expect(answer.error.message).toMatch(/Unknown message type/);
    expect(answer.bytes).toBeLessThan(500);
    const untyped = protocolError(await client.exchange(JSON.stringify({ id: 'x3' })));
    expect(untyped.id).toBe('x3');
    expect(await client.stillAnswers()).toBe(true);
    client.ws.close();
  });

  it('a call with no method or an over-long one: a protocol error naming the id', async () => {
    const client = await connect();
    expect(protocolError(await client.exchange(JSON.stringify({ type: 'call', id: 'm1', args: {} }))).id).toBe('m1');
    const long = protocolError(await client.exchange(JSON.stringify({ type: 'call', id: 'm2', method: 'x'.repeat(5000), args: {} })));
    expect(long.id).toBe('m2');
    expect(long.bytes).toBeLessThan(500);
    client.ws.close();
  });

  it('a call with 50,000 unknown keys: a bad-args result of bounded size that counts them', async () => {
    const client = await connect();
    const args = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 1]));
    const outcome = await client.exchange(JSON.stringify({ type: 'call', id: 'k1', method: 'app.info', args }), false, BIG_ANSWER_WITHIN_MS);
    expect(outcome.kind).toBe('message');
    if (outcome.kind !== 'message' || outcome.message.type !== 'result') throw new Error('no result');
    expect(outcome.ms).toBeLessThan(BIG_ANSWER_WITHIN_MS);
    expect(outcome.message.id).toBe('k1');
    expect(outcome.message.result.ok).toBe(false);
    if (outcome.message.result.ok) return;
    expect(outcome.message.result.error.code).toBe('bad-args');
    expect(outcome.message.result.error.message).toContain('50000 in all');
    // The first answer to this call echoed every key: 589 KB.
    expect(outcome.bytes).toBeLessThan(1000);
    expect(await client.stillAnswers()).toBe(true);
    client.ws.close();
  });

  it('caps what any error echoes, whatever produced it', async () => {
    const client = await connect();
    const outcome = await client.exchange(JSON.stringify({ type: 'call', id: 'p1', method: 'project.open', args: { path: `/${'deep/'.repeat(800)}` } }));
    if (outcome.kind !== 'message' || outcome.message.type !== 'result' || outcome.message.result.ok) throw new Error('expected an error result');
    expect(outcome.message.result.error.message.length).toBeLessThanOrEqual(ERROR_LIMITS.message);
    expect(outcome.bytes).toBeLessThan(ERROR_LIMITS.message + ERROR_LIMITS.hint + 500);
    client.ws.close();
  });

  it('deeply nested JSON is answered, not a crash', async () => {
    const client = await connect();
    const depth = 100_000;
    const outcome = await client.exchange(`{"type":"call","id":"d1","method":"app.info","args":${'['.repeat(depth)}${']'.repeat(depth)}}`, false, BIG_ANSWER_WITHIN_MS);
    expect(outcome.kind).toBe('message');
    if (outcome.kind !== 'message') return;
    expect(['result', 'protocol-error']).toContain(outcome.message.type);
    expect(await client.stillAnswers()).toBe(true);
    client.ws.close();
  });

  it('a binary frame: the socket closes with 1003', async () => {
    const client = await connect();
    const outcome = await client.exchange(Buffer.from(JSON.stringify({ type: 'call', id: 'b1', method: 'app.info', args: {} })), true);
    expect(outcome).toMatchObject({ kind: 'close', code: 1003 });
  });

  it('a frame over the size limit: the socket closes with 1009', async () => {
    const client = await connect();
    const outcome = await client.exchange(JSON.stringify({ type: 'call', id: 'big', method: 'app.info', args: { pad: 'x'.repeat(1024 * 1024) } }));
    expect(outcome).toMatchObject({ kind: 'close', code: 1009 });
  });

  it('text that is not UTF-8: the socket closes with 1007', async () => {
    const client = await connect();
    const outcome = await client.exchange(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
    expect(outcome).toMatchObject({ kind: 'close', code: 1007 });
  });

  it(`a flood of malformed messages: each answered, then the socket closes with 1008 after ${MAX_PROTOCOL_ERRORS}`, async () => {
    const client = await connect();
    for (let i = 0; i < MAX_PROTOCOL_ERRORS; i++) client.ws.send('nope');
    let errors = 0;
    let outcome = await client.next();
    while (outcome.kind === 'message') {
      if (outcome.message.type === 'protocol-error') errors++;
      outcome = await client.next();
    }
    expect(errors).toBe(MAX_PROTOCOL_ERRORS);
    expect(outcome).toMatchObject({ kind: 'close', code: 1008 });
  });
});
