import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

interface TrainJson {
  augment?: string;
  history: { losses: { total: number } }[];
}
interface DistillJson {
  augment?: string;
  epochs: number;
  teacherCache?: { hits: number; misses: number };
}

const LIMIT = 64;
const tiny = ['--limit', String(LIMIT), '--test-limit', '64', '--batch-size', '32'];
const wasm = ['--backend', 'wasm'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdkit-cli-augment-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The recipe saved with a model (model.json's kdkit metadata). */
async function savedRecipe(modelDir: string): Promise<Record<string, unknown>> {
  const json = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as {
    userDefinedMetadata: { kdkit: { recipe: Record<string, unknown> } };
  };
  return json.userDefinedMetadata.kdkit.recipe;
}

describe('--augment', () => {
  it('refuses a bad spec (flag or config file) naming --augment, the value and the valid forms', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'model: lenet5\naugment: flip,views2,views3\n');
    const [train, distill, demo, config, store] = await Promise.all([
      runCli(['train', '--model', 'lenet5', '--augment', 'crop0']),
      runCli(['distill', '--teacher', 'x', '--student', 'cnn-student', '--augment', 'flipp']),
      runCli(['demo', '--augment', 'views2']),
      runCli(['train', '--config', file]),
      runCli([
        ...['distill', '--teacher-store', join(dir, 'no-store'), '--student', 'cnn-student'],
        ...['--augment', 'flip', ...wasm],
      ]),
    ]);
    for (const run of [train, distill, demo, config]) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain("expected 'cropN'");
      expect(run.stderr).toContain("'viewsN'");
      expect(run.stderr).not.toContain('kdkit: backend'); // refused before anything ran
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(train.stderr).toContain("kdkit train: --augment: 'crop0' in 'crop0' crops by 0 pixels");
    expect(distill.stderr).toContain("kdkit distill: --augment: unknown part 'flipp' in 'flipp'");
    expect(demo.stderr).toContain("--augment: 'views2' in 'views2' has nothing to view");
    expect(config.stderr).toContain("key 'augment': 'views' given twice in 'flip,views2,views3'");
    // A soft-target store holds un-augmented logits only.
    expect(store.code).toBe(2);
    expect(store.stderr).toContain('--augment flip: a soft-target store (--teacher-store)');
  }, 120_000);

  it('reaches the trainers: train augments its batches, distill caches the teacher per view', async () => {
    const teacher = join(dir, 'teacher');
    const augmented = join(dir, 'augmented');
    const trainArgs = ['train', '--model', 'lenet5', '--epochs', '1', ...tiny, ...wasm, '--json'];
    const [plain, flipped] = await Promise.all([
      runCli([...trainArgs, '--out', teacher]),
      runCli([...trainArgs, '--out', augmented, '--augment', 'flip,crop1']),
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(flipped.code, flipped.stderr).toBe(0);
    const [plainJson, flippedJson] = [plain, flipped].map((r) => JSON.parse(r.stdout) as TrainJson);
    expect(plainJson?.augment).toBeUndefined();
    expect(flippedJson?.augment).toBe('crop1,flip'); // normalized
    expect((await savedRecipe(augmented))['augment']).toBe('crop1,flip');
    expect(flipped.stderr).toContain('augment crop1,flip');
    // Same seed, same init and order: only the augmented images change the loss.
    expect(flippedJson?.history[0]?.losses.total).not.toBe(plainJson?.history[0]?.losses.total);

    const student = join(dir, 'student');
    const distill = await runCli([
      ...['distill', '--teacher', teacher, '--student', 'cnn-student', '--epochs', '3'],
      ...[...tiny, ...wasm, '--augment', 'crop1,flip,views2', '--out', student, '--json'],
    ]);
    expect(distill.code, distill.stderr).toBe(0);
    expect(distill.stderr).toContain(
      'augment crop1,flip,views2 (teacher logits cached per image and view: 2 teacher passes per image)',
    );
    const distilled = JSON.parse(distill.stdout) as DistillJson;
    expect(distilled.augment).toBe('crop1,flip,views2');
    expect(distilled.epochs).toBe(3);
    // Epochs 1 and 2 run the teacher on views 0 and 1; epoch 3 shows view 0 again, from the cache.
    expect(distilled.teacherCache).toMatchObject({ misses: 2 * LIMIT, hits: LIMIT });
    expect((await savedRecipe(student))['augment']).toBe('crop1,flip,views2');
  }, 240_000);

  it("demo passes it to both students' triplet config", async () => {
    const run = await runCli([
      ...['demo', '--teacher', 'lenet5', '--epochs', '1', ...tiny, ...wasm],
      ...['--augment', 'crop1,flip,views2', '--json'],
    ]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { config: { augment?: unknown } };
    expect(out.config.augment).toEqual({ cropPadding: 1, horizontalFlip: true, views: 2 });
    expect(run.stderr).toContain(
      'distilling the student from the teacher (hinton loss, teacher logits cached per image and view: 2 teacher passes per image)',
    );
  }, 120_000);
});
