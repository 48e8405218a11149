import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from './cli.js';

interface TrainJson {
  model: string;
  out: string;
  params: number;
  epochs: number;
  accuracy: number;
  history: unknown[];
}
interface DistillJson {
  student: { accuracy: number; agreement: number; out: string };
  loss: string;
  epochs: number;
}
interface EvalJson {
  accuracy: number;
  topK: number;
  k: number;
  ece: number;
  agreement: number;
  count: number;
  confusion: number[][];
}

const tiny = ['--limit', '600', '--test-limit', '200', '--batch-size', '32', '--backend', 'wasm'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdkit-cli-roundtrip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('train → distill → eval', () => {
  it('trains a teacher, distils a student with a user loss, and scores it', async () => {
    const teacherDir = join(dir, 'teacher');
    const studentDir = join(dir, 'student');

    const train = await runCli([
      'train',
      '--model',
      'lenet5',
      '--epochs',
      '2',
      ...tiny,
      '--out',
      teacherDir,
      '--json',
    ]);
    expect(train.stderr).toContain("kdkit: backend 'wasm'");
    expect(train.code).toBe(0);
    const trained = JSON.parse(train.stdout) as TrainJson;
    expect(trained.model).toBe('lenet5');
    expect(trained.epochs).toBe(2);
    expect(trained.history).toHaveLength(2);
    expect(trained.accuracy).toBeGreaterThan(0.3); // chance is 0.1
    expect(await readdir(teacherDir)).toContain('model.json');
    expect(await readdir(dir)).not.toContain('teacher.checkpoint'); // removed after success

    const distill = await runCli([
      'distill',
      '--teacher',
      teacherDir,
      '--student',
      'cnn-student',
      '--loss-module',
      join(FIXTURES, 'my-loss.mjs'),
      '--loss',
      'my-loss',
      '--loss-option',
      'weight=0.7',
      '-T',
      '3',
      '--epochs',
      '2',
      ...tiny,
      '--out',
      studentDir,
      '--validate',
      '--json',
    ]);
    expect(distill.code).toBe(0);
    const distilled = JSON.parse(distill.stdout) as DistillJson;
    expect(distilled.loss).toBe('my-loss');
    expect(distill.stderr).toContain('"weight":0.7');
    expect(distill.stderr).toContain('"temperature":3');
    expect(distill.stderr).toMatch(
      /epoch 2\/2 · total [\d.]+ · soft [\d.]+ · hard [\d.]+ · val acc \d+\.\d\d%/,
    );
    expect(distilled.student.accuracy).toBeGreaterThan(0.25);
    expect(distilled.student.agreement).toBeGreaterThan(0.25);

    // The same eval twice: as JSON, then as the printed table.
    const evalArgs = [
      'eval',
      '--model',
      studentDir,
      '--teacher',
      teacherDir,
      '--test-limit',
      '200',
      '--backend',
      'wasm',
    ];
    const evaluation = await runCli([...evalArgs, '--json']);
    expect(evaluation.code).toBe(0);
    const scored = JSON.parse(evaluation.stdout) as EvalJson;
    // Same model, same 200 test images: eval agrees with what distill reported.
    expect(scored.count).toBe(200);
    expect(scored.accuracy).toBeCloseTo(distilled.student.accuracy, 10);
    expect(scored.agreement).toBeCloseTo(distilled.student.agreement, 10);
    expect(scored.topK).toBeGreaterThanOrEqual(scored.accuracy);
    expect(scored.k).toBe(5);
    expect(scored.ece).toBeGreaterThanOrEqual(0);
    expect(scored.confusion.flat().reduce((a, b) => a + b, 0)).toBe(200);

    const table = await runCli(evalArgs);
    expect(table.code).toBe(0);
    for (const column of ['accuracy', 'top-5', 'ECE', 'agreement with teacher']) {
      expect(table.stdout).toContain(column);
    }
  }, 240_000);
});
