// Stands in for `ssh2` inside the bundles (scripts/build.mjs): docker-modem requires ssh2 when it
// loads, but only an ssh:// engine uses it. ssh2 cannot live in an ESM bundle (its emscripten
// parts read __dirname), so it is required from node_modules, and only when an ssh connection is
// made; without it, that connection fails with a message saying so, and nothing else is affected.
'use strict';

function loadSsh2() {
  const name = 'ssh2';
  try {
    return require(name);
  } catch (error) {
    throw new Error(`An ssh:// Docker engine needs the ssh2 package next to Stowage (${error && error.message}); use DOCKER_HOST=unix:// or tcp:// instead, or install ssh2.`);
  }
}

class Client {
  constructor(...args) {
    const Real = loadSsh2().Client;
    return new Real(...args);
  }
}

module.exports = { Client };
