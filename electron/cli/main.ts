import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../../shared/api/result';
import { APP_VERSION } from '../app/paths';
import { NAMING_OPTIONS, NAMING_USAGE } from './naming-flags';
import { REGISTRY_TLS_OPTIONS, REGISTRY_TLS_USAGE } from './registry-flags';
import { EXIT, UsageError, escapeControls, jsonSafe, type CommandOutput } from './output';
import type { GitFields } from '../services/git-info';

// Each command imports its module when it runs: `stowage detect` must not pay for the cloud SDKs,
// the registry drivers or the template engine at start-up (see the start-up bench).

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, unknown>, positionals: string[]): Promise<CommandOutput>;
}

// The command was right but the registry refused or failed it: exit 1, like a check that fails;
// exit 2 stays for bad usage and unreadable input.
const REGISTRY_REFUSALS = new Set(['catalog-refused', 'inventory-failed', 'login-failed', 'registry-error', 'registry-unreachable', 'cancelled', 'plan-changed']);

const envOption = { env: { type: 'string', multiple: true } } as const;
const werfVersionOption = { 'werf-version': { type: 'string' } } as const;
const WERF_VERSION_USAGE = '[--werf-version 1.1|1.2|2|2.47|latest]';

/**
 * For a command that reads a project: starts reading its git state while the command's code loads
 * (see early-git.ts), then loads that code. Start-up, issue #16. `render` needs only the commit
 * (templates read `.Commit`): branch and tag are prefill for naming, which it does not do.
 */
async function withProjectGit<T>(positionals: string[], load: () => Promise<T>, fields: GitFields = 'all'): Promise<T> {
  const dir = positionals.length === 1 ? positionals[0] : undefined;
  const early = dir ? import('./early-git').then((m) => m.startGitRead(dir, fields)) : undefined;
  const [loaded] = await Promise.all([load(), early]);
  return loaded;
}

async function registryAccess() {
  const [{ RegistryAccess }, { defaultSettingsDir }] = await Promise.all([import('../services/registry-access'), import('../app/create-app')]);
  return new RegistryAccess({ settingsDir: defaultSettingsDir() });
}

const COMMANDS: Record<string, Command> = {
  preview: {
    summary: 'Show the final name of every image for an images repo and tagging strategies',
    usage:
      'stowage preview <project-dir> --images-repo R [--images-repo-mode auto|multirepo|monorepo]\n' +
      '        [--implementation auto|ecr|acr|default|dockerhub|gcr|github|gitlab|harbor|quay]\n' +
      `        ${NAMING_USAGE} [--env K=V]... ${WERF_VERSION_USAGE} [--json]`,
    options: {
      ...NAMING_OPTIONS,
      ...envOption,
      ...werfVersionOption,
      json: { type: 'boolean' },
    },
    run: async (values, positionals) => (await withProjectGit(positionals, () => import('./commands/preview'))).runPreview(values, positionals),
  },
  detect: {
    summary: 'Detect the registry implementation of an address',
    usage: 'stowage detect <address> [--json]',
    options: { json: { type: 'boolean' } },
    run: async (values, positionals) => (await import('./commands/detect')).runDetect(values, positionals),
  },
  check: {
    summary: 'Test the connection to an images repo step by step (DNS, TLS, auth, tokens, list, delete permission)',
    usage: `stowage check <images-repo> [--implementation NAME] ${REGISTRY_TLS_USAGE} [--json]`,
    options: { implementation: { type: 'string' }, ...REGISTRY_TLS_OPTIONS, json: { type: 'boolean' } },
    run: async (values, positionals) => {
      const [access, { runCheck }] = await Promise.all([registryAccess(), import('./commands/check')]);
      const settings = await access.settings.list();
      return runCheck(values, positionals, { resolver: access.resolver, settingsFor: (registry) => settings.find((s) => s.registry === registry) });
    },
  },
  catalog: {
    summary: "List a registry's repositories (its /v2/_catalog, or the registry's own project/repository list)",
    usage: 'stowage catalog <registry> [--implementation NAME] [--namespace NS] [--tag-counts] [--json]',
    options: { implementation: { type: 'string' }, namespace: { type: 'string' }, 'tag-counts': { type: 'boolean' }, json: { type: 'boolean' } },
    run: async (values, positionals) => {
      const [access, { runCatalog }, { defaultSettingsDir }] = await Promise.all([registryAccess(), import('./commands/catalog'), import('../app/create-app')]);
      return runCatalog(values, positionals, { access, settingsDir: defaultSettingsDir() });
    },
  },
  credentials: {
    summary: 'List the registry credentials Stowage finds (never the secrets)',
    usage: 'stowage credentials [REGISTRY|IMAGES_REPO...] [--json]',
    options: { json: { type: 'boolean' } },
    run: async (values, positionals) => {
      const [{ runCredentials }, { defaultSettingsDir }] = await Promise.all([import('./commands/credentials'), import('../app/create-app')]);
      return runCredentials(values, positionals, { settingsDir: defaultSettingsDir() });
    },
  },
  tags: {
    summary: 'List every tag of an images repo with digest, size, dates and werf image',
    usage: `stowage tags <images-repo> [--implementation NAME] [--images-repo-mode auto|multirepo|monorepo] [--project DIR [--env K=V]...] [--image NAME] [--no-config] [--concurrency N] [--max-tags N] ${REGISTRY_TLS_USAGE} [--json | --jsonl]`,
    options: {
      ...envOption,
      ...REGISTRY_TLS_OPTIONS,
      implementation: { type: 'string' },
      concurrency: { type: 'string' },
      'max-tags': { type: 'string' },
      'images-repo-mode': { type: 'string' },
      project: { type: 'string' },
      image: { type: 'string' },
      'no-config': { type: 'boolean' },
      json: { type: 'boolean' },
      jsonl: { type: 'boolean' },
    },
    run: async (values, positionals) => {
      const [access, { runTags }] = await Promise.all([registryAccess(), import('./commands/tags')]);
      return runTags(values, positionals, access);
    },
  },
  cleanup: {
    summary: 'Plan a cleanup (--dry-run: which tags are stale and why) or carry it out (--yes), by werf\'s policies or rules',
    usage:
      'stowage cleanup <images-repo> (--dry-run | --yes [--plan FILE]) [--project DIR] [--policy werf-tag-strategy|werf-git-history|FILE]\n' +
      '        [--implementation NAME] [--images-repo-mode auto|multirepo|monorepo] [--now ISO-8601]\n' +
      `        [--kube-context NAME | --without-kube] ${REGISTRY_TLS_USAGE} [--json]`,
    options: {
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean' },
      plan: { type: 'string' },
      project: { type: 'string' },
      policy: { type: 'string' },
      implementation: { type: 'string' },
      'images-repo-mode': { type: 'string' },
      now: { type: 'string' },
      'kube-context': { type: 'string' },
      'without-kube': { type: 'boolean' },
      ...REGISTRY_TLS_OPTIONS,
      json: { type: 'boolean' },
    },
    run: async (values, positionals) => {
      const { runCleanup } = await import('./commands/cleanup');
      // Ctrl-C cancels a run the way the app's Cancel does: nothing new starts, deletes in flight
      // finish and are recorded, and the results say what was done (a second Ctrl-C kills).
      const controller = new AbortController();
      const onInterrupt = (): void => {
        process.stderr.write('stowage cleanup: cancelling; deletes already sent finish and are recorded\n');
        controller.abort();
      };
      process.once('SIGINT', onInterrupt);
      try {
        return await runCleanup(values, positionals, {
          access: await registryAccess(),
          signal: controller.signal,
          // A long run says where it is on stderr; stdout stays the result.
          onProgress: (p) => {
            if (p.waitingUntil) process.stderr.write(`waiting for the registry's rate limit until ${p.waitingUntil}\n`);
          },
        });
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    },
  },
  restore: {
    summary: 'Bring back the tags a cleanup run deleted (all, or --tag T), checked against their original digests',
    usage: 'stowage restore <run-id|audit-file> [--tag T]... [--json]',
    options: { tag: { type: 'string', multiple: true }, json: { type: 'boolean' } },
    run: async (values, positionals) => (await import('./commands/restore')).runRestore(values, positionals, { access: await registryAccess() }),
  },
  images: {
    summary: 'List the images werf.yaml defines (templates rendered)',
    usage: `stowage images <project-dir> [--env K=V]... ${WERF_VERSION_USAGE} [--json]`,
    options: { ...envOption, ...werfVersionOption, json: { type: 'boolean' } },
    run: async (values, positionals) => (await withProjectGit(positionals, () => import('./commands/images'))).runImages(values, positionals),
  },
  publish: {
    summary: 'Build the Dockerfile images with the local Docker engine and push them under the previewed names',
    usage:
      'stowage publish <project-dir> --images-repo R [--images-repo-mode auto|multirepo|monorepo] [--implementation NAME]\n' +
      `        ${NAMING_USAGE} [--image NAME]...\n` +
      `        [--env K=V]... [--insecure-registry] [--create-repositories] ${WERF_VERSION_USAGE} [--json]`,
    options: {
      ...NAMING_OPTIONS,
      image: { type: 'string', multiple: true },
      'insecure-registry': { type: 'boolean' },
      'create-repositories': { type: 'boolean' },
      ...envOption,
      ...werfVersionOption,
      json: { type: 'boolean' },
    },
    run: async (values, positionals) => {
      const [access, { runPublish }, { connectEngine }, { defaultSettingsDir }] = await Promise.all([registryAccess(), import('./commands/publish'), import('../services/docker/engine'), import('../app/create-app')]);
      const progress = process.stderr.isTTY && !values.json ? (line: string) => process.stderr.write(`${escapeControls(line)}\n`) : undefined;
      return runPublish(values, positionals, { access, engine: connectEngine(), settingsDir: defaultSettingsDir(), ...(progress ? { progress } : {}) });
    },
  },
  render: {
    summary: 'Print werf.yaml after rendering its templates',
    usage: `stowage render <project-dir> [--env K=V]... ${WERF_VERSION_USAGE}`,
    options: { ...envOption, ...werfVersionOption },
    run: async (values, positionals) => (await withProjectGit(positionals, () => import('./commands/render'), 'commit')).runRender(values, positionals),
  },
};

function completionSpec(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(COMMANDS).map(([name, c]) => [name, Object.keys(c.options).map((o) => `--${o}`).concat('--help')]));
}

function help(): string {
  const lines = [`stowage ${APP_VERSION}: werf images, names and registries, headless`, '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${c.summary}`);
  lines.push('', 'Run `stowage help <command>` for its options. Add --json for machine-readable output.', '`stowage completion bash|zsh` prints a shell completion script.');
  return lines.join('\n');
}

/**
 * Every byte a command prints goes through here: human text has its control characters made
 * visible (registries and projects put text in it), and JSON keeps its value but loses the raw
 * characters JSON.stringify leaves in strings.
 */
function inert(out: { stdout: string; stderr: string; code: number }, machine: boolean): { stdout: string; stderr: string; code: number } {
  return { stdout: machine ? jsonSafe(out.stdout) : escapeControls(out.stdout, { layout: true }), stderr: escapeControls(out.stderr, { layout: true }), code: out.code };
}

export async function runCli(argv: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const machine = argv.includes('--json') || argv.includes('--jsonl');
  return inert(await runCommand(argv), machine);
}

async function runCommand(argv: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest[0] !== undefined) {
    const named = COMMANDS[rest[0]];
    return named ? { stdout: `Usage: ${named.usage}\n`, stderr: '', code: EXIT.ok } : { stdout: '', stderr: `stowage: unknown command "${rest[0]}"\n\n${help()}\n`, code: EXIT.usage };
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') return { stdout: help() + '\n', stderr: '', code: name ? EXIT.ok : EXIT.usage };
  if (name === 'completion') {
    const shell = rest[0];
    if (shell !== 'bash' && shell !== 'zsh') return { stdout: '', stderr: 'Usage: stowage completion bash|zsh\n', code: EXIT.usage };
    const { completionScript } = await import('./completion');
    return { stdout: completionScript(shell, completionSpec()), stderr: '', code: EXIT.ok };
  }
  if (name === '--version' || name === 'version') return { stdout: `${APP_VERSION}\n`, stderr: '', code: EXIT.ok };
  const command = COMMANDS[name];
  if (!command) return { stdout: '', stderr: `stowage: unknown command "${name}"\n\n${help()}\n`, code: EXIT.usage };
  if (rest.includes('--help') || rest.includes('-h')) return { stdout: `Usage: ${command.usage}\n`, stderr: '', code: EXIT.ok };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    return { stdout: '', stderr: `stowage ${name}: ${(error as Error).message}\nUsage: ${command.usage}\n`, code: EXIT.usage };
  }
  try {
    const out = await command.run(parsed.values as Record<string, unknown>, parsed.positionals);
    return { stdout: out.stdout, stderr: out.stderr ?? '', code: out.code };
  } catch (error) {
    if (error instanceof UsageError) return { stdout: '', stderr: `stowage ${name}: ${error.message}\nUsage: ${command.usage}\n`, code: EXIT.usage };
    if (error instanceof UserError) {
      const json = parsed.values.json === true;
      const body = { error: error.toData() };
      const code = REGISTRY_REFUSALS.has(error.code) ? EXIT.problems : EXIT.usage;
      return json
        ? { stdout: JSON.stringify(body, null, 2) + '\n', stderr: '', code }
        : { stdout: '', stderr: `stowage ${name}: ${escapeControls(error.message)}${error.hint ? `\n  fix: ${escapeControls(error.hint)}` : ''}\n`, code };
    }
    return { stdout: '', stderr: `stowage ${name}: unexpected error: ${(error as Error).message}\n`, code: EXIT.internal };
  }
}
