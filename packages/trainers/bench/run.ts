// KD epoch with a teacher cache vs a plain supervised epoch of the same student.
// Prints one JSON line per figure. Run: pnpm --filter @kdkit/trainers bench
// Env: KDKIT_BACKEND (default wasm), BENCH_LIMIT (train images, default 3000),
// BENCH_TEACHER (default cnn-teacher), BENCH_STUDENT (default cnn-student), BENCH_EPOCHS (default 3).

import { initBackend } from '@kdkit/backend';
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { createModel } from '@kdkit/models';
import type * as tfl from '@tensorflow/tfjs-layers';
import { distill, type TeacherCacheMode, trainSupervised } from '../src/index.js';

const limit = Number(process.env['BENCH_LIMIT'] ?? 3000);
const teacherName = process.env['BENCH_TEACHER'] ?? 'cnn-teacher';
const studentName = process.env['BENCH_STUDENT'] ?? 'cnn-student';
const epochs = Number(process.env['BENCH_EPOCHS'] ?? 3);
const batchSize = 64;

const { name: backend } = await initBackend('wasm');
const train = await loadFashionMnistMini({ split: 'train', limit });
const teacher = createModel(teacherName, { seed: 1 });

const emit = (record: Record<string, unknown>) =>
  process.stdout.write(
    `${JSON.stringify({ bench: '@kdkit/trainers', backend, teacher: teacherName, student: studentName, images: train.size, batchSize, ...record })}\n`,
  );

/**
 * Fastest of epochs 2..n (epoch 1 warms kernels up and fills the cache); the minimum is the
 * figure least disturbed by other processes on a shared machine.
 */
function steadyState(history: readonly { seconds: number }[]): { seconds: number; ips: number } {
  const seconds = Math.min(...history.slice(1).map((h) => h.seconds));
  return { seconds, ips: train.size / seconds };
}

async function run(kind: 'supervised' | 'kd', cache?: TeacherCacheMode) {
  const student: tfl.LayersModel = createModel(studentName, { seed: 2 });
  const common = { train, epochs, batchSize, seed: 3, optimizer: 'adam' as const };
  const result =
    kind === 'supervised'
      ? await trainSupervised({ ...common, model: student })
      : await distill({ ...common, student, teacher, teacherCache: cache ?? 'auto' });
  student.dispose();
  return steadyState(result.history);
}

const supervised = await run('supervised');
emit({ figure: 'supervised-epoch', seconds: supervised.seconds, imagesPerSecond: supervised.ips });
const cached = await run('kd', 'auto');
emit({ figure: 'kd-epoch-cached', seconds: cached.seconds, imagesPerSecond: cached.ips });
const uncached = await run('kd', 'off');
emit({ figure: 'kd-epoch-uncached', seconds: uncached.seconds, imagesPerSecond: uncached.ips });
emit({ figure: 'kd-cached/supervised', ratio: cached.seconds / supervised.seconds, target: 1.2 });
emit({ figure: 'kd-uncached/supervised', ratio: uncached.seconds / supervised.seconds });
teacher.dispose();
