// Installs the Debian packages the tests need when they are missing (CI runs as root on a fresh
// Debian machine). Never touches anything that is already there.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = {
  chromium: ['/usr/bin/chromium'],
  'docker-registry': ['/usr/bin/docker-registry'],
  'docker.io': ['/usr/sbin/dockerd', '/usr/bin/dockerd'],
  // Only `npm run bench:inventory` compares with skopeo; tests do not need it.
  skopeo: ['/usr/bin/skopeo'],
  // The Go oracle of the differential template tests (e2e/oracle): Go's text/template with sprig
  // 3.2.3 (werf's pin; it pulls in xstrings, semver, goutils and the rest) and yaml.v2.
  'golang-go': ['/usr/bin/go', '/usr/lib/go/bin/go'],
  'golang-github-masterminds-sprig-dev': ['/usr/share/gocode/src/github.com/Masterminds/sprig/functions.go'],
  'golang-gopkg-yaml.v2-dev': ['/usr/share/gocode/src/gopkg.in/yaml.v2/yaml.go'],
};

const FOR_TESTS = ['chromium', 'docker-registry', 'docker.io', 'golang-go', 'golang-github-masterminds-sprig-dev', 'golang-gopkg-yaml.v2-dev'];

function missing(names) {
  return names.filter((name) => !PACKAGES[name].some((path) => existsSync(path)));
}

export function ensureSystemPackages(names = FOR_TESTS) {
  const absent = missing(names);
  if (absent.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : spawnSync('sudo', ['-n', 'true']).status === 0 ? ['sudo', '-n'] : null;
  if (sudo === null) {
    throw new Error(`missing system packages: ${absent.join(', ')}. Install them with: sudo apt-get install -y ${absent.join(' ')}`);
  }
  console.error(`stowage: installing ${absent.join(', ')} with apt-get…`);
  const run = (args) => {
    const [cmd, ...rest] = [...sudo, ...args];
    execFileSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['apt-get', 'update', '-q']);
  run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...absent]);
  const still = missing(names);
  if (still.length > 0) throw new Error(`apt-get did not provide: ${still.join(', ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemPackages(process.argv.slice(2).length ? process.argv.slice(2) : undefined);
