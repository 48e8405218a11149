// Issue 17: what the CLI does when a hostile user tries things. Each numbered case of the issue
// has a test here or beside the code it concerns (trainers, models, datasets, config).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, runCli, startCli } from './cli.js';

let dir: string;
/** A tiny saved teacher, shared by the tests below. */
let teacher: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdkit-cli-reliability-'));
  teacher = join(dir, 'teacher');
  const trained = await runCli(['train', '--model', 'mlp-800', ...TINY, '--out', teacher]);
  if (trained.code !== 0) throw new Error(trained.stderr);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Tiny and fast on the cpu backend: a 33k-parameter MLP, 96 images, 12 steps per epoch. */
const TINY = [
  '--width',
  '0.05',
  '--limit',
  '96',
  '--test-limit',
  '20',
  '--batch-size',
  '8',
  '--epochs',
  '2',
  '--backend',
  'cpu',
  '--quiet',
];

describe('refused before any work (issue 17 #3, #6, #7)', () => {
  it('#3 --out equal to or inside the teacher folder; #7 --out in /proc; #6 bad output paths', async () => {
    const teacherJSON = await readFile(join(teacher, 'model.json'), 'utf8');
    const aFile = join(dir, 'a-file');
    await writeFile(aFile, 'x');
    const full = join(dir, 'full');
    await mkdir(full);
    await writeFile(join(full, 'notes.txt'), 'mine');
    const distill = ['distill', '--teacher', teacher, '--student', 'mlp-800', ...TINY];
    const train = ['train', '--model', 'mlp-800', ...TINY];
    const cases: [string[], string][] = [
      [[...distill, '--out', teacher], `--out '${teacher}' overlaps --teacher '${teacher}'`],
      [[...distill, '--out', join(teacher, 'inner')], 'overlaps --teacher'],
      [[...train, '--out', '/proc/kdkit-out'], "--out '/proc/kdkit-out' is not writable"],
      [[...train, '--out', aFile], `--out '${aFile}' exists and is not a directory`],
      [[...train, '--out', full], `--out '${full}' is a non-empty directory without model.json`],
      [
        [...train, '--out', join(dir, 'ok'), '--checkpoint-dir', aFile],
        `--checkpoint-dir '${aFile}' exists and is not a directory`,
      ],
      [['demo', '--loss', 'nosuch', '--backend', 'cpu'], 'nosuch'],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    runs.forEach((run, i) => {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(cases[i]?.[1]);
      expect(run.stderr).not.toMatch(/EPERM|EEXIST|at .*\.ts:\d+/);
      expect(run.stderr).not.toContain('epoch 1/');
    });
    expect(await readFile(join(teacher, 'model.json'), 'utf8')).toBe(teacherJSON);
  }, 120_000);
});

describe('--loss-module from any folder (issue 17 #4)', () => {
  it('a module outside the repository, importing nothing, default-exports its loss', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'kdkit-user-loss-'));
    const file = join(outside, 'outside-loss.mjs');
    await writeFile(
      file,
      `// cross-entropy on the labels plus KL to the teacher, written with the CLI's own tfjs.
export default {
  name: 'outside-loss',
  description: 'CE + KL, from a folder outside the repository',
  create(options, { tf, losses }) {
    return {
      name: 'outside-loss',
      compute({ student, teacher, labels }) {
        const hard = losses.hardCrossEntropy({ student, labels });
        const soft = losses.klDivergence({ student, teacher }, { temperature: 2 });
        return { total: tf.add(hard, soft), hard, soft };
      },
    };
  },
};
`,
    );
    try {
      const listed = await runCli(['list', 'losses', '--loss-module', file]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/^outside-loss\s/m);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  }, 60_000);
});

/** The weight shards of a saved model, concatenated. */
const weightsOf = async (model: string): Promise<Buffer> =>
  readFile(join(model, 'group1-shard1of1.bin'));

/** Runs `args` to completion, SIGKILLing it `kills` times at random moments and resuming. */
async function runWithKills(args: string[], kills: number, log: string[]): Promise<void> {
  let resume = false;
  for (let attempt = 0; attempt < kills + 8; attempt++) {
    const child = startCli(resume ? [...args, '--resume'] : args);
    const done = finished(child);
    if (attempt < kills) {
      const delay = 2000 + Math.floor(Math.random() * 9000);
      log.push(`kill after ${delay} ms`);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const run = await done;
      clearTimeout(timer);
      if (run.code === 0) return; // finished before the kill
    } else {
      const run = await done;
      if (run.code === 0) return;
      if (!run.stderr.includes('--resume: no checkpoint')) throw new Error(run.stderr);
    }
    // Resume when a checkpoint survived the kill, else start over.
    resume = await readFile(
      join(`${args[args.indexOf('--out') + 1]}.checkpoint`, 'checkpoint.kdkc'),
    )
      .then(() => true)
      .catch(() => false);
  }
  throw new Error(`never finished: ${log.join(', ')}`);
}

describe('kill tests (issue 17)', () => {
  it('SIGKILL at random points of train and distill, then --resume: the final weights equal an uninterrupted run bit for bit', async () => {
    const train = (out: string) => ['train', '--model', 'mlp-800', ...TINY, '--out', out];
    const distill = (out: string) => [
      'distill',
      '--teacher',
      teacher,
      '--student',
      'mlp-800',
      ...TINY,
      '--out',
      out,
    ];
    const log: string[] = [];
    const [trainRef, distillRef] = await Promise.all([
      runCli(train(join(dir, 'train-ref'))),
      runCli(distill(join(dir, 'distill-ref'))),
    ]);
    expect(trainRef.code, trainRef.stderr).toBe(0);
    expect(distillRef.code, distillRef.stderr).toBe(0);
    await Promise.all([
      runWithKills(train(join(dir, 'train-killed')), 2, log),
      runWithKills(distill(join(dir, 'distill-killed')), 2, log),
    ]);
    expect(await weightsOf(join(dir, 'train-killed')), log.join(', ')).toEqual(
      await weightsOf(join(dir, 'train-ref')),
    );
    expect(await weightsOf(join(dir, 'distill-killed')), log.join(', ')).toEqual(
      await weightsOf(join(dir, 'distill-ref')),
    );
  }, 400_000);

  it('SIGINT stops within one step, exits 1, keeps the checkpoint; a resume changing --lr is refused', async () => {
    const out = join(dir, 'sigint');
    const args = [
      'train',
      '--model',
      'mlp-800',
      ...TINY.filter((a) => a !== '--quiet'),
      '--epochs',
      '6',
      '--out',
      out,
    ];
    const child = startCli(args);
    const done = finished(child);
    let stderr = '';
    let sentAt = 0;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (sentAt === 0 && stderr.includes('epoch 1/6 ·')) {
        sentAt = Date.now();
        child.kill('SIGINT');
      }
    });
    const run = await done;
    expect(sentAt).toBeGreaterThan(0);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('stopping after this step');
    expect(run.stderr).toMatch(/interrupted during epoch 2\/6, after the current step/);
    expect(run.stderr).toContain(`kdkit ${args.join(' ')} --resume`);
    const checkpoint = join(`${out}.checkpoint`, 'checkpoint.kdkc');
    const bytes = await readFile(checkpoint);
    const header = JSON.parse(bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString()) as {
      completedEpochs: number;
      globalStep: number;
    };
    // One step after the first epoch's 12, at most: the stop came within one step.
    expect(header.completedEpochs).toBe(1);
    expect(header.globalStep).toBeLessThanOrEqual(14);

    const changed = await runCli([...args, '--lr', '0.01', '--resume']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('learningRates [0.001] in the checkpoint, [0.01] now');
    expect(changed.stderr).toContain('lr 0.001 in the checkpoint, 0.01 now');
  }, 200_000);
});
