import { runCli } from './main';

void runCli(process.argv.slice(2)).then(({ stdout, stderr, code }) => {
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = code;
});
