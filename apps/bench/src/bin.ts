#!/usr/bin/env node
import { join } from 'node:path';
import { CommanderError } from '@commander-js/extra-typings';
import { isKdkitError } from '@kdkit/engine';
import { settingsFromArgs } from './cli.js';
import { countRuns } from './quality.js';
import { runBench } from './run-bench.js';

async function main(): Promise<void> {
  const settings = settingsFromArgs(process.argv.slice(2));
  if (settings.quality) {
    process.stderr.write(
      settings.quality.storedOnly
        ? `kdkit-bench: reporting the stored runs of up to ${countRuns(settings.quality)} settings in ${settings.out}\n`
        : `kdkit-bench: ${countRuns(settings.quality)} distillation runs → ${settings.out}\n`,
    );
  }
  const record = await runBench(settings);
  process.stdout.write(
    `${join(settings.out, 'REPORT.md')}\n${join(settings.out, 'report.html')}\n`,
  );
  process.stderr.write(`kdkit-bench: done in ${(record.seconds / 60).toFixed(1)} min\n`);
}

main().catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors were already printed by commander.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`kdkit-bench: ${message}\n`);
  if (!isKdkitError(error) && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(1);
});
