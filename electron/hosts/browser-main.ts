import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp, defaultSettingsDir } from '../app/create-app';
import { APP_VERSION, rendererDir } from '../app/paths';
import { startBrowserHost } from './browser-host';

/**
 * `npm start` without an Electron binary ends here: the same services, served to a browser on
 * loopback. Prints the URL (with its one-time token) and a machine-readable line for tests.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string' }, quiet: { type: 'boolean' } },
  });
  const initialProject = positionals[0] ? resolve(positionals[0]) : null;
  const app = createApp({
    host: 'browser',
    version: APP_VERSION,
    settingsDir: defaultSettingsDir(),
    initialProject,
    logger: values.quiet ? undefined : { info: () => {}, error: (m) => console.error(m) },
  });
  const host = await startBrowserHost({
    rendererDir: rendererDir(),
    rpc: app.rpc,
    port: values.port ? Number(values.port) : 0,
    log: (line) => console.error(line),
  });
  console.log(`Stowage is running in your browser host at:\n\n  ${host.url}\n\nOpen that address in a browser on this machine. Press Ctrl+C to stop.`);
  console.log(`STOWAGE_URL=${host.url}`);
  const stop = () => {
    app.dispose();
    void host.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`Stowage could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
