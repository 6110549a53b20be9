import { runCli } from './main';

// A reader that stops early (`stowage tags … | head`) closes the pipe; that is not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

void runCli(process.argv.slice(2)).then(({ stdout, stderr, code }) => {
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = code;
});
