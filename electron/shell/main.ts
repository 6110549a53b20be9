import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { createApp, defaultSettingsDir } from '../app/create-app';
import { APP_VERSION, rendererDir } from '../app/paths';
import { allowedExternalUrl } from '../services/external-links';
import { bindIpc } from './ipc-bridge';
import { safeStorageCipher } from './safe-storage';
import { APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

function serveRenderer(root: string): void {
  // A custom scheme instead of file:// so the renderer has a real origin and cannot read other files.
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return new Response('not found', { status: 404 });
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
    const file = join(root, relative);
    if (!file.startsWith(root + sep)) return new Response('forbidden', { status: 403 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}

function lockDown(window: BrowserWindow): void {
  const contents = window.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Documentation links open in the system browser, and only for allowlisted hosts.
    const allowed = allowedExternalUrl(url);
    if (allowed !== null) void shell.openExternal(allowed);
    return { action: 'deny' };
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveRenderer(resolve(rendererDir()));

  const argv = process.argv.slice(app.isPackaged ? 1 : 2).filter((a) => !a.startsWith('-'));
  let window: BrowserWindow | null = null;
  const stowage = createApp({
    host: 'electron',
    version: APP_VERSION,
    settingsDir: process.env.STOWAGE_HOME ?? defaultSettingsDir(),
    initialProject: argv[0] ? resolve(argv[0]) : null,
    pickFolder: async () => {
      const options = { title: 'Open a werf project', properties: ['openDirectory' as const] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    logger: { info: () => {}, error: (m) => console.error(m) },
    cipher: safeStorageCipher(),
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
