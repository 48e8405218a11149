import { Argument, type Command } from '@commander-js/extra-typings';
import { initBackend } from '@kdkit/engine';
import { z } from 'zod';
import { resolveOptions } from '../config.js';
import { loadLossModules } from '../loss-modules.js';
import { addLossModuleOption, addOutputOptions, lossModuleShape, outputShape } from '../options.js';
import { count, Output } from '../output.js';

export const LISTABLE = ['models', 'losses', 'datasets'] as const;
export type Listable = (typeof LISTABLE)[number];

export const listSchema = z.strictObject({ ...outputShape, ...lossModuleShape });

export function registerList(program: Command): void {
  const command = program
    .command('list')
    .summary('list the zoo models, registered losses or datasets, one per line')
    .description('Prints what is available by name, one line each.');
  addLossModuleOption(command);
  addOutputOptions(command);
  command
    .addArgument(new Argument('<what>', 'what to list').choices(LISTABLE))
    .addHelpText(
      'after',
      `
Examples:
  $ kdkit list models
  $ kdkit list losses --loss-module ./my-loss.mjs     includes the losses the module registers
  $ kdkit list datasets --json`,
    )
    .action(async (what, _options, self) => {
      const options = await resolveOptions(self, listSchema);
      await loadLossModules(options.lossModule);
      await runList(what, new Output(options));
    });
}

export async function runList(what: Listable, out: Output): Promise<void> {
  if (what === 'models') {
    const { listModels } = await import('@kdkit/models');
    // Parameter counts build each model once; the pure-JS backend is enough for that.
    await initBackend('cpu', { log: false, env: {} });
    const models = listModels();
    out.result(models, () =>
      models
        .map(
          (m) =>
            `${m.name.padEnd(14)} ${m.role.padEnd(8)} ${count(m.params).padStart(10)} params  ${m.description}`,
        )
        .join('\n'),
    );
  } else if (what === 'losses') {
    const { listLosses } = await import('@kdkit/losses');
    const losses = listLosses();
    out.result(losses, () =>
      losses
        .map((l) => `${l.name.padEnd(22)} ${l.builtIn ? '' : '(user) '}${l.description}`)
        .join('\n'),
    );
  } else {
    const { listDatasets } = await import('@kdkit/datasets');
    const datasets = listDatasets();
    out.result(datasets, () =>
      datasets
        .map(
          (d) =>
            `${d.name.padEnd(20)} ${d.shape.join('×').padEnd(8)} ${String(d.numClasses).padStart(3)} classes  ${count(d.sizes.train).padStart(6)} train / ${count(d.sizes.test).padStart(6)} test  ${d.embedded ? '(embedded) ' : ''}${d.description}`,
        )
        .join('\n'),
    );
  }
}
