import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { KdkitError } from '@kdkit/engine';
import { z } from 'zod';
import { resolveOptions } from '../config.js';
import { startCommand } from '../context.js';
import {
  addBackendOption,
  addOutputOptions,
  backendShape,
  integerArg,
  outputShape,
} from '../options.js';
import { count, Output, seconds } from '../output.js';

export const softTargetsSchema = z.strictObject({
  ...outputShape,
  ...backendShape,
  teacher: z.string({ error: 'required: the directory of a saved teacher (kdkit train --out)' }),
  dataset: z.string().optional(),
  split: z.enum(['train', 'test']).default('train'),
  dataDir: z.string().optional(),
  limit: z.int().min(1).optional(),
  shard: z.string({ error: "required: 'I/N', this shard I (from 0) of N" }),
  out: z.string({ error: 'required: the store folder' }),
  topK: z.int().min(1).optional(),
  batchSize: z.int().min(1).default(256),
  rowGroupSize: z.int().min(1).default(4096),
});
export type SoftTargetsOptions = z.infer<typeof softTargetsSchema>;

const shardArg = (value: string): string => {
  if (!/^\d+\/\d+$/.test(value) || Number(value.split('/')[0]) >= Number(value.split('/')[1])) {
    throw new InvalidArgumentError(`expected I/N with 0 ≤ I < N (e.g. 0/4), got '${value}'.`);
  }
  return value;
};

export function registerSoftTargets(program: Command): void {
  const command = program
    .command('soft-targets')
    .summary('write a shard of a soft-target store (teacher logits in Parquet), or merge one')
    .description(
      'Runs a saved teacher over shard I of N of a dataset (contiguous id ranges: the same ids in ' +
        'the same shard on every machine) and writes its raw logits, all or the top k, to ' +
        '<out>/part-IIIII-of-NNNNN.parquet, atomically. A finished shard is skipped on a rerun. ' +
        "Once all N shards exist, 'kdkit soft-targets merge <out>' checks that they cover every " +
        'id exactly once and writes manifest.json. Fan the shards out with a Kubernetes Indexed ' +
        'Job or a Slurm job array (deploy/).',
    )
    .option('--teacher <dir>', 'directory of the saved teacher (from kdkit train)')
    .option('--dataset <name>', "dataset (default: the teacher's)")
    .option('--split <split>', 'train or test', 'train')
    .option('--data-dir <dir>', 'directory holding the dataset files')
    .option('--limit <n>', 'use only the first n images of the split', integerArg(1))
    .option('--shard <I/N>', 'write shard I (from 0, as JOB_COMPLETION_INDEX) of N', shardArg)
    .option('--out <store>', 'the store folder (shared by all shards)')
    .option('--top-k <k>', 'keep the k largest logits per image (default: all)', integerArg(1))
    .option('--batch-size <n>', 'images per teacher call', integerArg(1), 256)
    .option(
      '--row-group-size <n>',
      'rows per Parquet row group (the reader streams by row group)',
      integerArg(1),
      4096,
    );
  addBackendOption(command);
  addOutputOptions(command);
  command
    .addHelpText(
      'after',
      `
Examples:
  $ kdkit soft-targets --teacher runs/teacher --dataset fashion-mnist --shard 0/4 --out stores/fmnist --top-k 10
  $ kdkit soft-targets merge stores/fmnist`,
    )
    .action(async (_options, self) => {
      await runSoftTargets(await resolveOptions(self, softTargetsSchema));
    });
  const merge = command
    .command('merge')
    .summary('check that the shards cover every id once, and write manifest.json')
    .argument('<store>', 'the store folder')
    .option('--json', 'print the manifest as JSON on stdout')
    .option('-q, --quiet', 'print only the result')
    .option('--verbose', 'print the stack trace of an error');
  // Commander hands flags it finds anywhere to the parent command too: read both.
  merge.action(async (store, options, self) => {
    await runMerge(store, { ...self.parent?.opts(), ...options });
  });
}

/** SHA-256 over the teacher directory's files (model.json and weights), in name order. */
async function hashModelDir(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile());
  for (const name of entries.map((e) => e.name).sort()) {
    hash.update(name);
    hash.update(await readFile(join(dir, name)));
  }
  return hash.digest('hex');
}

export async function runSoftTargets(options: SoftTargetsOptions): Promise<void> {
  const started = Date.now();
  const { loadModel } = await import('@kdkit/models/node');
  const { parseShardSpec } = await import('@kdkit/soft-targets');
  const { layersTeacher } = await import('@kdkit/trainers');
  const { writeShard } = await import('@kdkit/soft-targets/node');
  const { loadSplit } = await import('../training.js');
  const spec = parseShardSpec(options.shard);
  const { out } = await startCommand(options);
  const teacherDir = resolve(options.teacher);
  const { model, meta } = await loadModel(teacherDir);
  try {
    const dataset = options.dataset ?? meta.dataset;
    if (dataset === undefined) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `--dataset: the teacher in ${teacherDir} does not record its dataset; pass --dataset <name>.`,
      );
    }
    const data = await loadSplit(dataset, options.split, options);
    const teacherName = meta.zooName ?? teacherDir;
    out.info(
      `kdkit soft-targets: ${teacherName} on ${dataset} (${options.split}, ${count(data.size)} images), shard ${spec.shard}/${spec.of}, ${options.topK === undefined ? 'all logits' : `top ${options.topK}`} → ${resolve(options.out)}`,
    );
    const result = await writeShard({
      teacher: layersTeacher(model, { name: teacherName }),
      teacherHash: await hashModelDir(teacherDir),
      dataset: data,
      datasetName: options.split === 'train' ? dataset : `${dataset}:${options.split}`,
      shard: spec.shard,
      of: spec.of,
      out: options.out,
      batchSize: options.batchSize,
      rowGroupSize: options.rowGroupSize,
      ...(options.topK === undefined ? {} : { topK: options.topK }),
    });
    const elapsed = Date.now() - started;
    out.result({ ...result, seconds: elapsed / 1000 }, () =>
      result.skipped
        ? `shard ${spec.shard}/${spec.of} is already complete (${result.file}); nothing to do`
        : `shard ${spec.shard}/${spec.of}: ids ${result.start}…${result.end - 1}, ${count(result.rows)} rows, ${count(result.bytes)} bytes in ${seconds(elapsed)} → ${result.file}`,
    );
  } finally {
    model.dispose();
  }
}

export async function runMerge(
  store: string,
  options: { json?: boolean; quiet?: boolean; verbose?: boolean },
): Promise<void> {
  const { mergeStore } = await import('@kdkit/soft-targets/node');
  const out = new Output(options);
  const manifest = await mergeStore(store);
  const rows = manifest.shards.reduce((s, e) => s + e.rows, 0);
  out.result(
    manifest,
    () =>
      `${resolve(store)}: ${manifest.shards.length} shards, ${count(rows)} rows cover ids 0…${manifest.dataset.size - 1} of ${manifest.dataset.name} exactly once (${manifest.teacher.name}, ${manifest.k === null ? 'all logits' : `top ${manifest.k}`}); wrote manifest.json`,
  );
}
