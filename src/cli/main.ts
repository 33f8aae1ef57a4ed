// The `slipway` command line. Each subcommand lives in its own module and is
// loaded only when used. Exit codes: 0 ok, 1 the command found problems or
// failed, 2 usage error. Never a stack trace for expected failures.

import { CliError, type Command } from './command';
import { engineCommand } from './engine';
import { lintCommand } from './lint';
import { machineCommand } from './machine';

const commands: Command[] = [engineCommand, lintCommand, machineCommand];

const VERSION = '0.1.0';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: slipway <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "slipway <command> --help" for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`slipway ${VERSION}\n`);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`slipway: unknown command "${name}".\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await cmd.run(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`slipway ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`slipway ${name}: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`slipway: ${(err as Error)?.message ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
