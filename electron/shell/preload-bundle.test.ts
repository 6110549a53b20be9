// The preload as the build makes it: small, no package inside, and the bridge it exposes accepts
// exactly the contract's methods. The bundle runs in a bare VM context with a stand-in `electron`.
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { PRELOAD_MAX_BYTES, preloadBundleProblems, preloadOptions } from '../../scripts/preload-bundle.mjs';
import { METHOD_NAMES } from '../../shared/api/contract';
import { IPC_CHANNELS } from '../../shared/api/messages';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function bundle(entry?: string) {
  const result = await build({
    ...preloadOptions,
    absWorkingDir: root,
    write: false,
    outfile: 'out/electron/preload.cjs',
    ...(entry ? { entryPoints: [], stdin: { contents: entry, resolveDir: `${root}/electron/shell`, loader: 'ts' as const } } : {}),
  });
  const output = result.outputFiles!.find((f) => f.path.endsWith('.cjs'))!;
  return { code: output.text, bytes: output.contents.length, metafile: result.metafile, packages: Object.keys(result.metafile.inputs).filter((i) => i.includes('node_modules/')) };
}

interface Bridge {
  call(id: string, method: string, args: unknown): void;
  cancel(id: string): void;
  onMessage(listener: (message: unknown) => void): void;
}

function load(code: string) {
  const exposed: Record<string, Bridge> = {};
  const sent: [string, unknown][] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: Bridge) => void (exposed[name] = api) },
    ipcRenderer: { send: (channel: string, message: unknown) => void sent.push([channel, message]), on: () => undefined },
  };
  const module = { exports: {} };
  const require = (name: string) => {
    if (name === 'electron') return electron;
    throw new Error(`the preload required ${name}`);
  };
  runInNewContext(code, { module, exports: module.exports, require });
  return { bridge: exposed.stowage!, sent };
}

describe('the preload bundle', () => {
  it(`holds no package and stays under ${PRELOAD_MAX_BYTES} bytes (it was 761 KB with zod)`, async () => {
    const built = await bundle();
    console.log(`preload bundle: ${built.bytes} bytes, ${Object.keys(built.metafile.inputs).length} modules`);
    expect(built.packages).toEqual([]);
    expect(preloadBundleProblems(built.metafile)).toEqual([]);
    expect(built.bytes).toBeLessThan(PRELOAD_MAX_BYTES);
  });

  it('the build check refuses a preload that imports the contract (and so zod)', async () => {
    const built = await bundle("import { isMethodName } from '../../shared/api/contract'; console.log(isMethodName('x'));");
    expect(built.packages.some((p) => p.includes('node_modules/zod/'))).toBe(true);
    const problems = preloadBundleProblems(built.metafile);
    expect(problems.join('\n')).toMatch(/module\(s\) from packages/);
    expect(problems.join('\n')).toMatch(/over the preload budget/);
  });

  it('exposes a frozen bridge that sends exactly the contract’s methods and nothing else', async () => {
    const { bridge, sent } = load((await bundle()).code);
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'cancel', 'onMessage']);
    for (const method of METHOD_NAMES) bridge.call(`id-${method}`, method, {});
    expect(sent).toEqual(METHOD_NAMES.map((method) => [IPC_CHANNELS.call, { type: 'call', id: `id-${method}`, method, args: {} }]));
    for (const bad of ['fs.deleteEverything', 'toString', '__proto__', 'constructor', '']) {
      expect(() => bridge.call('x', bad, {})).toThrow(/Unknown method/);
    }
    bridge.cancel('id-1');
    expect(sent.at(-1)).toEqual([IPC_CHANNELS.cancel, 'id-1']);
    expect(sent).toHaveLength(METHOD_NAMES.length + 1);
  });
});
