// Images/s of the KD step in headless chromium, printed as one JSON line.
//   node apps/web/scripts/bench.mjs [--backend wasm] [--threads N] [--epochs 3]
// The figure matches the bench app's `student-kd-train-cached` (cnn-student, batch 128, teacher
// logits cached): the KD student's epochs after the first, when every teacher output is a cache
// hit. The teacher is trained for one epoch in the page (its quality does not matter here).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { waitForResult, withPage } from './harness.mjs';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string' },
    epochs: { type: 'string', default: '3' },
    student: { type: 'string', default: 'cnn-student' },
  },
});
const params = new URLSearchParams({
  autorun: '1',
  backend: values.backend,
  teacher: 'train',
  teacherModel: 'cnn-teacher',
  teacherEpochs: '1',
  student: values.student,
  epochs: values.epochs,
  ...(values.threads ? { threads: values.threads } : {}),
});

const line = await withPage(
  `./?${params}`,
  async (page) => {
    const result = await waitForResult(page, 1_800_000);
    if (result.error) throw new Error(`the page reported: ${result.error}`);
    /** @type {{ imagesPerSecond: number, seconds: number }[]} */
    const cached = result.kd.history.slice(1);
    const images = cached.reduce((sum, r) => sum + r.imagesPerSecond * r.seconds, 0);
    const seconds = cached.reduce((sum, r) => sum + r.seconds, 0);
    const browser = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0]);
    return {
      figure: 'student-kd-train-cached',
      where: 'chromium',
      browser,
      backend: result.backend,
      threads: result.threads,
      student: result.kd.model,
      batchSize: result.settings.batchSize,
      imagesPerSecond: seconds > 0 ? Math.round(images / seconds) : null,
      kdImagesPerSecondAllEpochs: Math.round(result.imagesPerSecond),
      teacherTrainImagesPerSecond: Math.round(
        result.teacher.seconds > 0 ? result.dataset.train / result.teacher.seconds : 0,
      ),
      loadAverage: os.loadavg()[0],
      cpus: os.cpus().length,
      at: new Date().toISOString(),
    };
  },
  { log: (/** @type {string} */ l) => process.stderr.write(`${l}\n`) },
);
console.log(JSON.stringify(line));
