import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../shared/api/messages';

/** The preload's whole surface, run against a recording stand-in for Electron's renderer modules. */
const fake = vi.hoisted(() => {
  const state = { exposed: new Map<string, unknown>(), sent: [] as { channel: string; message: unknown }[], listeners: new Map<string, ((event: unknown, message: unknown) => void)[]>() };
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => state.exposed.set(key, api) },
    ipcRenderer: {
      send: (channel: string, message: unknown) => state.sent.push({ channel, message }),
      on: (channel: string, fn: (event: unknown, message: unknown) => void) => state.listeners.set(channel, [...(state.listeners.get(channel) ?? []), fn]),
    },
  };
  return { state, electron };
});
vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

interface Bridge {
  call(id: string, method: string, args: unknown): void;
  cancel(id: string): void;
  onMessage(listener: (message: unknown) => void): void;
}

describe('the preload', () => {
  it('exposes one frozen object with call, cancel and onMessage, and never ipcRenderer', async () => {
    await import('./preload');
    expect([...fake.state.exposed.keys()]).toEqual(['stowage']);
    const bridge = fake.state.exposed.get('stowage') as Bridge;
    expect(Object.keys(bridge).sort()).toEqual(['call', 'cancel', 'onMessage']);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('sends calls only for contract methods, and cancels only by string id', () => {
    const bridge = fake.state.exposed.get('stowage') as Bridge;
    bridge.call('1', 'app.info', {});
    expect(fake.state.sent).toEqual([{ channel: IPC_CHANNELS.call, message: { type: 'call', id: '1', method: 'app.info', args: {} } }]);
    expect(() => bridge.call('2', 'fs.readFile', { path: '/etc/passwd' })).toThrow(/Unknown method/);
    expect(() => bridge.call(3 as unknown as string, 'app.info', {})).toThrow();
    bridge.cancel('1');
    bridge.cancel({ id: '1' } as unknown as string);
    expect(fake.state.sent.slice(1)).toEqual([{ channel: IPC_CHANNELS.cancel, message: '1' }]);
  });

  it('passes the main process\'s messages to the listener without the IPC event object', () => {
    const bridge = fake.state.exposed.get('stowage') as Bridge;
    const got: unknown[] = [];
    bridge.onMessage((m) => got.push(m));
    for (const fn of fake.state.listeners.get(IPC_CHANNELS.event) ?? []) fn({ sender: 'ipc internals' }, { type: 'result', id: '1' });
    expect(got).toEqual([{ type: 'result', id: '1' }]);
  });
});
