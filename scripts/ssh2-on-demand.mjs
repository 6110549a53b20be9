// dockerode's ssh transport: ssh2 is not bundled (its emscripten-built parts read __dirname, which
// an ESM bundle does not have); docker-modem gets a stand-in that loads ssh2 only for an ssh://
// engine (electron/services/docker/ssh2-on-demand.cjs). Used by the build and the bench bundles.
import { fileURLToPath } from 'node:url';

const shim = fileURLToPath(new URL('../electron/services/docker/ssh2-on-demand.cjs', import.meta.url));

export const ssh2OnDemand = {
  name: 'ssh2-on-demand',
  setup(b) {
    b.onResolve({ filter: /^ssh2$/ }, (args) => (/docker-modem/.test(args.importer) ? { path: shim } : undefined));
  },
};

/** ssh2's optional native add-ons stay out of the bundles; ssh2 falls back to JavaScript. */
export const optionalNative = ['cpu-features', '*.node'];
