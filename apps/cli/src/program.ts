import { readFileSync } from 'node:fs';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { registerDemo } from './commands/demo.js';
import { registerDistill } from './commands/distill.js';
import { registerEval } from './commands/eval.js';
import { registerList } from './commands/list.js';
import { registerSoftTargets } from './commands/soft-targets.js';
import { registerTrain } from './commands/train.js';
import { EXIT, exitCodeFor, formatError } from './exit.js';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** The `kdkit` program with every command registered. */
export function createProgram(): Command {
  const program = new Command('kdkit')
    .description(
      'Knowledge distillation for TypeScript on TensorFlow.js: train a teacher, distil a student, evaluate.',
    )
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ kdkit demo                                  teacher / scratch / KD on the embedded mini set
  $ kdkit train --model cnn-teacher --dataset fashion-mnist --out runs/teacher
  $ kdkit distill --teacher runs/teacher --student cnn-student --loss hinton --out runs/student
  $ kdkit eval --model runs/student --teacher runs/teacher --dataset fashion-mnist
  $ kdkit list models

Exit codes: 0 success, 1 the run failed or was interrupted, 2 bad usage (nothing ran).`,
    );
  registerDemo(program);
  registerTrain(program);
  registerDistill(program);
  registerEval(program);
  registerList(program);
  registerSoftTargets(program);
  for (const command of program.commands)
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/** Runs the CLI on `argv` (as in `process.argv`) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    await createProgram().parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the help, version or usage error already.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
        return EXIT.ok;
      return EXIT.usage;
    }
    process.stderr.write(`${formatError(error, verbose)}\n`);
    return exitCodeFor(error);
  }
}
