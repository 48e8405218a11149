import { Argument, type Command } from '@commander-js/extra-typings';
import { initBackend } from '@kdkit/backend';
import { z } from 'zod';
import { resolveOptions } from '../config.js';
import { loadLossModules } from '../loss-modules.js';
import { addLossModuleOption, addOutputOptions, lossModuleShape, outputShape } from '../options.js';
import { count, Output } from '../output.js';

export const LISTABLE = ['models', 'losses', 'datasets', 'teachers'] as const;
export type Listable = (typeof LISTABLE)[number];

export const listSchema = z.strictObject({ ...outputShape, ...lossModuleShape });

export function registerList(program: Command): void {
  const command = program
    .command('list')
    .summary(
      'list the zoo models, registered losses, datasets and pretrained teachers, one per line',
    )
    .description(
      'Prints what is available by name, one line each: one kind, or every kind without an argument.',
    );
  addLossModuleOption(command);
  addOutputOptions(command);
  command
    .addArgument(new Argument('[what]', 'what to list (default: everything)').choices(LISTABLE))
    .addHelpText(
      'after',
      `
Examples:
  $ kdkit list                                        models, losses, datasets and teachers
  $ kdkit list models
  $ kdkit list losses --loss-module ./my-loss.mjs     includes the losses the module registers
  $ kdkit list teachers                               the shipped pretrained teachers and their accuracy
  $ kdkit list datasets --json`,
    )
    .action(async (what, _options, self) => {
      const options = await resolveOptions(self, listSchema);
      await loadLossModules(options.lossModule);
      await runList(what, new Output(options));
    });
}

/** One kind's entries (for `--json`) and their lines (for the terminal). */
async function listing(what: Listable): Promise<{ entries: unknown[]; lines: string[] }> {
  if (what === 'models') {
    const { listModels } = await import('@kdkit/models');
    // Parameter counts build each model once; the pure-JS backend is enough for that.
    await initBackend('cpu', { log: false, env: {} });
    const models = listModels();
    return {
      entries: models,
      lines: models.map(
        (m) =>
          `${m.name.padEnd(14)} ${m.role.padEnd(8)} ${count(m.params).padStart(10)} params  ${m.description}`,
      ),
    };
  }
  if (what === 'losses') {
    const { listLosses } = await import('@kdkit/losses');
    const losses = listLosses();
    return {
      entries: losses,
      lines: losses.map(
        (l) => `${l.name.padEnd(22)} ${l.builtIn ? '' : '(user) '}${l.description}`,
      ),
    };
  }
  if (what === 'teachers') {
    const { listPretrained, TRAIN_TEACHER_COMMAND } = await import('@kdkit/pretrained/node');
    const teachers = await listPretrained();
    return {
      entries: teachers,
      lines:
        teachers.length === 0
          ? [`none shipped yet; train one: ${TRAIN_TEACHER_COMMAND}`]
          : teachers.map(
              (t) =>
                `pretrained:${t.model.padEnd(14)} ${t.dataset.padEnd(14)} ${(t.testAccuracy * 100).toFixed(2)}% test (${(t.validationAccuracy * 100).toFixed(2)}% validation)  ${count(t.params).padStart(10)} params  ${t.dtype}`,
            ),
    };
  }
  const { listDatasets } = await import('@kdkit/datasets/node');
  const datasets = listDatasets();
  return {
    entries: datasets,
    lines: datasets.map(
      (d) =>
        `${d.name.padEnd(20)} ${d.shape.join('×').padEnd(8)} ${String(d.numClasses).padStart(3)} classes  ${count(d.sizes.train).padStart(6)} train / ${count(d.sizes.test).padStart(6)} test  ${d.embedded ? '(embedded) ' : ''}${d.description}`,
    ),
  };
}

/**
 * Prints one kind (an array with `--json`), or, without `what`, every kind under its heading (an
 * object keyed by kind with `--json`).
 */
export async function runList(what: Listable | undefined, out: Output): Promise<void> {
  if (what !== undefined) {
    const { entries, lines } = await listing(what);
    out.result(entries, () => lines.join('\n'));
    return;
  }
  const all = await Promise.all(LISTABLE.map(async (kind) => [kind, await listing(kind)] as const));
  out.result(Object.fromEntries(all.map(([kind, { entries }]) => [kind, entries])), () =>
    all.map(([kind, { lines }]) => `${kind}:\n${lines.join('\n')}`).join('\n\n'),
  );
}
