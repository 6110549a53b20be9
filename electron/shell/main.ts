import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell } from 'electron';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createApp, defaultSettingsDir } from '../app/create-app';
import { APP_VERSION, rendererDir } from '../app/paths';
import { appMenuTemplate, permissionGranted } from './app-menu';
import { bindIpc } from './ipc-bridge';
import { rendererFileFor } from './renderer-files';
import { safeStorageCipher } from './safe-storage';
import { APP_ORIGIN, APP_SCHEME } from './security';
import { folderArgument, navigationAllowed, windowOpenDecision } from './window-policy';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

function serveRenderer(root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const target = rendererFileFor(root, request.url);
    if (!target.ok) return new Response(target.status === 403 ? 'forbidden' : 'not found', { status: target.status });
    try {
      return new Response(await readFile(target.file), { headers: target.headers });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}

function lockDown(window: BrowserWindow): void {
  const contents = window.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!navigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url);
    if (decision.openExternally !== null) void shell.openExternal(decision.openExternally);
    return { action: decision.action };
  });
}

async function start(): Promise<void> {
  // One Stowage per user: a second launch hands its folder to the running window and exits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permissionGranted(permission)));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => permissionGranted(permission));
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform)));
  serveRenderer(resolve(rendererDir()));

  const initial = folderArgument(process.argv, app.isPackaged, (p) => resolve(p));
  let window: BrowserWindow | null = null;
  const stowage = createApp({
    host: 'electron',
    version: APP_VERSION,
    settingsDir: process.env.STOWAGE_HOME ?? defaultSettingsDir(),
    initialProject: initial,
    pickFolder: async () => {
      const options = { title: 'Open a werf project', properties: ['openDirectory' as const] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    logger: { info: () => {}, error: (m) => console.error(m) },
    cipher: safeStorageCipher(),
  });

  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
    const folder = folderArgument(argv, app.isPackaged, (p) => resolve(workingDirectory, p));
    if (folder !== null) stowage.rpc.emit('app.openFolder', { path: folder });
  });

  window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    title: 'Stowage',
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  lockDown(window);
  bindIpc(ipcMain, window.webContents, stowage.rpc);
  window.once('ready-to-show', () => window?.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', () => {
    stowage.dispose();
    app.quit();
  });
}

start().catch((error: unknown) => {
  console.error(`Stowage could not start: ${error instanceof Error ? error.message : String(error)}`);
  app.exit(1);
});
