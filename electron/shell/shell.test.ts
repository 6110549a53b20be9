import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../shared/api/messages';
import { CONTENT_SECURITY_POLICY } from './security';
import { folderArgument } from './window-policy';

/**
 * Electron's binary cannot be downloaded on these machines, so the shell runs here against a
 * recording stand-in for the `electron` module: the real main.ts wires the real services, and the
 * test checks what it asked Electron to do and how its handlers answer.
 */
type Handler = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const listeners = new Map<string, Handler[]>();
  const on = (map: Map<string, Handler[]>) => (event: string, fn: Handler) => {
    map.set(event, [...(map.get(event) ?? []), fn]);
  };
  const state = {
    privileged: [] as unknown[],
    protocolHandlers: new Map<string, Handler>(),
    sandbox: false,
    lock: true,
    quit: 0,
    appListeners: listeners,
    permissionRequest: null as Handler | null,
    permissionCheck: null as Handler | null,
    menu: null as unknown[] | null,
    windows: [] as { options: Record<string, unknown>; focused: number; restored: number; loaded: string[]; webContents: unknown; contents: { listeners: Map<string, Handler[]>; openHandler: Handler | null; sent: unknown[] } }[],
    ipc: new Map<string, Handler[]>(),
    opened: [] as string[],
  };
  class BrowserWindow {
    readonly webContents: { on: Handler; once: Handler; setWindowOpenHandler: Handler; send: Handler; isDestroyed: () => boolean };
    readonly record: (typeof state.windows)[number];
    constructor(options: Record<string, unknown>) {
      const contents = { listeners: new Map<string, Handler[]>(), openHandler: null as Handler | null, sent: [] as unknown[] };
      this.record = { options, focused: 0, restored: 0, loaded: [], contents, webContents: null };
      state.windows.push(this.record);
      this.record.webContents = this.webContents = {
        on: on(contents.listeners) as Handler,
        once: on(contents.listeners) as Handler,
        setWindowOpenHandler: (fn: unknown) => {
          contents.openHandler = fn as Handler;
        },
        send: (_channel: unknown, message: unknown) => contents.sent.push(message),
        isDestroyed: () => false,
      };
    }
    once(): void {}
    show(): void {}
    isMinimized(): boolean {
      return true;
    }
    restore(): void {
      this.record.restored++;
    }
    focus(): void {
      this.record.focused++;
    }
    async loadURL(url: string): Promise<void> {
      this.record.loaded.push(url);
    }
  }
  const electron = {
    app: {
      enableSandbox: () => {
        state.sandbox = true;
      },
      requestSingleInstanceLock: () => state.lock,
      whenReady: () => Promise.resolve(),
      isPackaged: false,
      on: on(listeners),
      quit: () => {
        state.quit++;
      },
      exit: () => undefined,
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privileged.push(...schemes),
      handle: (scheme: string, fn: Handler) => state.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Handler) => {
          state.permissionRequest = fn;
        },
        setPermissionCheckHandler: (fn: Handler) => {
          state.permissionCheck = fn;
        },
      },
    },
    ipcMain: { on: on(state.ipc), off: () => undefined },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
    shell: {
      openExternal: async (url: string) => {
        state.opened.push(url);
      },
    },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '', getSelectedStorageBackend: () => 'basic_text' },
    Menu: {
      buildFromTemplate: (template: unknown[]) => ({ template }),
      setApplicationMenu: (menu: { template: unknown[] } | null) => {
        state.menu = menu?.template ?? null;
      },
    },
    BrowserWindow,
  };
  return { state, electron };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

describe('the Electron shell, run against a stand-in for Electron', () => {
  const home = mkdtempSync(join(tmpdir(), 'stowage-shell-'));
  const state = fake.state;
  let argv: string[];

  beforeAll(async () => {
    process.env.STOWAGE_HOME = home;
    argv = process.argv;
    process.argv = ['/opt/Stowage/electron', '/opt/Stowage/app', '--inspect=0', 'projects/shop'];
    await import('./main');
    // start() is not awaited by main.ts: wait until the window has loaded the app.
    await vi.waitFor(() => expect(state.windows[0]?.loaded.length).toBe(1));
  });
  afterAll(() => {
    process.argv = argv;
    delete process.env.STOWAGE_HOME;
    rmSync(home, { recursive: true, force: true });
  });

  it('turns the sandbox on, takes the single-instance lock and opens the app origin in a locked-down window', () => {
    expect(state.sandbox).toBe(true);
    expect(state.privileged).toEqual([{ scheme: 'stowage', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    const window = state.windows[0]!;
    expect(window.loaded).toEqual(['stowage://app/index.html']);
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(String((window.options.webPreferences as Record<string, unknown>).preload)).toMatch(/preload\.cjs$/);
  });

  it('denies every permission request and check but writing to the clipboard', () => {
    const asked = (permission: string) => {
      let granted: boolean | null = null;
      state.permissionRequest!({}, permission, (g: boolean) => {
        granted = g;
      });
      return granted;
    };
    for (const permission of ['media', 'clipboard-read', 'notifications', 'geolocation', 'openExternal']) {
      expect(asked(permission), permission).toBe(false);
      expect(state.permissionCheck!({}, permission), permission).toBe(false);
    }
    expect(asked('clipboard-sanitized-write')).toBe(true);
    expect(state.permissionCheck!({}, 'clipboard-sanitized-write')).toBe(true);
  });

  it('sets its own menu: the edit roles for the clipboard keys, no page reload on Ctrl+R / F5 (the project screen reads the project again)', () => {
    const roles: string[] = [];
    const accelerators: string[] = [];
    const walk = (items: unknown): void => {
      for (const item of (Array.isArray(items) ? items : []) as { role?: string; accelerator?: string; submenu?: unknown }[]) {
        if (item.role) roles.push(item.role.toLowerCase());
        if (item.accelerator) accelerators.push(item.accelerator);
        walk(item.submenu);
      }
    };
    expect(state.menu).not.toBeNull();
    walk(state.menu);
    expect(roles).toContain('editmenu');
    expect(roles).not.toContain('reload');
    expect(roles).not.toContain('forcereload');
    expect(roles).not.toContain('viewmenu');
    expect(accelerators.filter((a) => /\+R$|^F5$/i.test(a))).toEqual([]);
  });

  it('serves only the renderer folder over stowage://, always with the CSP', async () => {
    const handler = state.protocolHandlers.get('stowage')!;
    const index = (await handler({ url: 'stowage://app/index.html' })) as Response;
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'none'");
    for (const url of ['stowage://app/../../../etc/passwd', 'stowage://app/%2e%2e/%2e%2e/etc/passwd', 'stowage://app/..%5c..%5cetc/passwd', 'stowage://other/index.html', 'stowage://app/%E0%A4%A', 'stowage://app/index.html%00.png']) {
      const r = (await handler({ url })) as Response;
      expect([403, 404], url).toContain(r.status);
    }
  });

  it('keeps the window on the app: navigation elsewhere is stopped, new windows are denied, documentation opens in the browser', () => {
    const contents = state.windows[0]!.contents;
    const navigate = contents.listeners.get('will-navigate')![0]!;
    let prevented = 0;
    navigate({ preventDefault: () => prevented++ }, 'https://evil.example/');
    navigate({ preventDefault: () => prevented++ }, 'stowage://app/index.html#/cleanup');
    expect(prevented).toBe(1);
    expect(contents.openHandler!({ url: 'https://docs.docker.com/security/access-tokens/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'https://github.com/attacker/x' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(state.opened).toEqual(['https://docs.docker.com/security/access-tokens/']);
    let webview = 0;
    contents.listeners.get('will-attach-webview')![0]!({ preventDefault: () => webview++ });
    expect(webview).toBe(1);
  });

  it('answers IPC only from its own window\'s top frame at the app origin', async () => {
    const window = state.windows[0]!;
    const call = state.ipc.get(IPC_CHANNELS.call)![0]!;
    const results = () => window.contents.sent.filter((m) => (m as { type: string }).type === 'result').length;
    const message = (id: string) => ({ type: 'call', id, method: 'app.info', args: {} });
    const top = { parent: null, url: 'stowage://app/index.html' };
    call({ sender: {}, senderFrame: top }, message('other-sender'));
    call({ sender: window.webContents, senderFrame: { parent: top, url: 'stowage://app/index.html' } }, message('sub-frame'));
    call({ sender: window.webContents, senderFrame: { parent: null, url: 'https://evil.example/' } }, message('other-origin'));
    call({ sender: window.webContents, senderFrame: null }, message('no-frame'));
    await new Promise((r) => setTimeout(r, 50));
    expect(results()).toBe(0);
    call({ sender: window.webContents, senderFrame: top }, message('own'));
    await vi.waitFor(() => expect(results()).toBe(1));
    expect(window.contents.sent.find((m) => (m as { type: string }).type === 'result')).toMatchObject({ id: 'own', result: { ok: true } });
  });

  it('a second launch focuses the window and opens the folder it names, resolved where it was launched', () => {
    const window = state.windows[0]!;
    const second = state.appListeners.get('second-instance')![0]!;
    second({}, ['/opt/Stowage/electron', '/opt/Stowage/app', '--no-sandbox', 'other'], '/home/me/src');
    expect(window.restored).toBe(1);
    expect(window.focused).toBe(1);
    expect(window.contents.sent).toContainEqual({ type: 'event', event: 'app.openFolder', call: null, payload: { path: resolve('/home/me/src', 'other') } });
  });

  it('the first launch names the folder on its command line (options skipped) as the project to open', () => {
    const info = state.windows[0]!.contents.sent.find((m) => (m as { id?: string }).id === 'own') as { result: { value: { initialProject: string; host: string } } };
    expect(info.result.value).toMatchObject({ host: 'electron', initialProject: resolve('projects/shop') });
    expect(folderArgument(['/opt/Stowage/stowage', 'file:///home/me/My%20App'], true, (p) => p)).toBe('/home/me/My App');
    expect(folderArgument(['/opt/Stowage/stowage', '--flag'], true, (p) => p)).toBeNull();
  });
});
