import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveModel } from '@kdkit/models/node';
import { describeBackends } from '@kdkit/test-utils';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseTeacherInput } from '../src/teachers.js';
import { runCli } from './cli.js';

const ONNX = fileURLToPath(
  new URL('../../../packages/onnx/fixtures/fashion-cnn.onnx', import.meta.url),
);
const small = [
  '--dataset',
  'fashion-mnist-mini',
  '--limit',
  '600',
  '--test-limit',
  '200',
  '--batch-size',
  '32',
  '--epochs',
  '2',
  '--backend',
  'wasm',
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdkit-cli-teachers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('parses --teacher-input ranges and per-channel normalization, and refuses the rest', () => {
  expect(parseTeacherInput('0,1')).toEqual({ scale: [0, 1] });
  expect(parseTeacherInput('-1,1')).toEqual({ scale: [-1, 1] });
  expect(parseTeacherInput('mean=0.286,std=0.353')).toEqual({ mean: [0.286], std: [0.353] });
  expect(parseTeacherInput('std=0.2/0.3,mean=0.4/0.5')).toEqual({
    mean: [0.4, 0.5],
    std: [0.2, 0.3],
  });
  for (const bad of ['0', '0,1,2', 'mean=0.2', 'mean=a,std=1', 'lo=0,hi=1']) {
    expect(() => parseTeacherInput(bad)).toThrow(/--teacher-input: expected/);
  }
});

it('distils from a PyTorch ONNX teacher (NCHW) and reports agreement; eval takes it too', async () => {
  const out = join(dir, 'from-onnx');
  const run = await runCli([
    'distill',
    '--teacher',
    ONNX,
    '--student',
    'cnn-student',
    ...small,
    '--out',
    out,
    '--json',
  ]);
  expect(run.stderr).toMatch(/kdkit distill: fashion-cnn\.onnx \(onnx\) → cnn-student/);
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as {
    teacher: { kind: string; source: string };
    student: { agreement: number; accuracy: number; agreementOn: string };
  };
  expect(result.teacher).toMatchObject({ kind: 'onnx', source: ONNX });
  expect(result.student.agreementOn).toBe('test images');
  // Two epochs on 600 images: well above chance (0.1) agreement with a 90% teacher.
  expect(result.student.agreement).toBeGreaterThan(0.3);

  const scored = await runCli([
    'eval',
    '--model',
    out,
    '--teacher',
    ONNX,
    '--teacher-layout',
    'nchw',
    '--test-limit',
    '200',
    '--backend',
    'wasm',
    '--json',
  ]);
  expect(scored.code).toBe(0);
  const metrics = JSON.parse(scored.stdout) as { agreement: number };
  expect(metrics.agreement).toBeCloseTo(result.student.agreement, 6);
});

it('lists the valid teachers for an unknown pretrained:NAME', async () => {
  const run = await runCli([
    'distill',
    '--teacher',
    'pretrained:nosuch',
    '--student',
    'cnn-student',
    ...small,
    '--out',
    join(dir, 'nosuch'),
  ]);
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(
    /no pretrained teacher 'nosuch' for dataset 'fashion-mnist'(\. Valid teachers: .*\.|: none are shipped yet\. Train one: pnpm --filter @kdkit\/pretrained train)/,
  );
});

it('says when no teacher is shipped, or lists them, in kdkit list teachers', async () => {
  const run = await runCli(['list', 'teachers']);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(
    /^(none shipped yet; train one: pnpm --filter @kdkit\/pretrained train|pretrained:\S+\s+\S+\s+\d+\.\d\d% test)/m,
  );
});

it('runs the demo triplet with a PyTorch ONNX teacher: its accuracy scored, no training', async () => {
  const run = await runCli([
    ...['demo', '--teacher', ONNX, '--teacher-layout', 'nchw', '--teacher-input', '0,1'],
    ...['--limit', '600', '--test-limit', '200', '--student-epochs', '1', '--batch-size', '32'],
    ...['--backend', 'wasm'],
  ]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).not.toMatch(/training the teacher/);
  const cells = (label: string) =>
    (run.stdout.split('\n').find((l) => l.startsWith(`│ ${label} `)) ?? '')
      .split('│')
      .map((c) => c.trim());
  const [, , model, accuracy, params, agreement, time] = cells('teacher');
  expect(model).toBe('fashion-cnn.onnx');
  // The fixture scores 91% on the full test set; 200 images stay far above chance (10%).
  expect(Number.parseFloat(accuracy ?? '')).toBeGreaterThan(75);
  expect(params).toBe('—');
  expect(agreement).toBe('100.00%');
  expect(time).toBe('(onnx)');
  expect(cells('student (KD)')[2]).toBe('cnn-student');
  expect(run.stdout).toMatch(/KD − scratch: [+-]\d+\.\d\d points/);
}, 300_000);

describeBackends(['cpu'], 'a teacher of other classes', () => {
  it('is refused before training, naming both class counts', async () => {
    const input = tfl.input({ shape: [28, 28, 1] });
    const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    const logits = tfl.layers.dense({ units: 3 }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: logits });
    const teacherDir = join(dir, 'three-classes');
    await saveModel(model, teacherDir, { meta: { dataset: 'fashion-mnist-mini' } });
    model.dispose();
    const run = await runCli([
      'distill',
      '--teacher',
      teacherDir,
      '--student',
      'cnn-student',
      ...small,
      '--out',
      join(dir, 'refused'),
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /--teacher: .*three-classes predicts 3 classes, but the dataset 'fashion-mnist-mini\/train' has 10/,
    );
    expect(run.stderr).not.toMatch(/epoch 1/i);
  });
});
