import { batches } from '@kdkit/datasets';
import { isKdkitError } from '@kdkit/engine';
import { type DistillationLoss, getLoss, type LossContext } from '@kdkit/losses';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { disposeModels, quadrantDataset, stopAfter, tinyMlp, weightsOf } from '../test/fixtures.js';
import { checkpoint } from './callbacks/checkpoint.js';
import { memoryCheckpointStore } from './checkpoint-store.js';
import { distill } from './distill.js';
import { evaluate } from './evaluate.js';
import { layersTeacher, type Teacher } from './teacher.js';
import { TeacherCache } from './teacher-cache.js';

/** KL(teacher ‖ student) at T = 1, plus the batch's mean student logit (to see the inputs). */
const pureKl: DistillationLoss = {
  name: 'test-kl',
  compute: (ctx: LossContext) => {
    const logQ = tf.logSoftmax(ctx.student);
    const logP = tf.logSoftmax(ctx.teacher as tf.Tensor2D);
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1)) as tf.Scalar;
    return { total: kl, kl, teacherMean: tf.mean(ctx.teacher as tf.Tensor2D) as tf.Scalar };
  },
};

describeBackends(['cpu', 'wasm'], 'distill', () => {
  it('moves the student toward a fixed teacher: agreement rises without any labels', async () => {
    const teacher = tinyMlp(11, { hidden: 8 }); // random, frozen: only its outputs can be learned
    const student = tinyMlp(3);
    const train = quadrantDataset(96, 1, { unlabelled: true });
    const test = quadrantDataset(60, 2);
    const before = await evaluate(student, test, { teacher });
    const teacherWeights = teacher.getWeights().map((w) => Array.from(w.dataSync()));
    const { history } = await distill({
      teacher,
      student,
      train,
      epochs: 8,
      batchSize: 16,
      loss: pureKl,
      optimizer: { name: 'adam', learningRate: 0.03 },
      seed: 2,
    });
    const after = await evaluate(student, test, { teacher });
    expect(after.agreement).toBeGreaterThan(0.9);
    expect(after.agreement).toBeGreaterThan((before.agreement ?? 1) + 0.2);
    expect(history[7]?.losses['kl']).toBeLessThan((history[0]?.losses['kl'] ?? 0) * 0.5);
    // the teacher is frozen
    teacher.getWeights().forEach((w, i) => {
      expect(Array.from(w.dataSync())).toEqual(teacherWeights[i]);
    });
    disposeModels(teacher, student);
  });

  it('default loss (hinton) with labels learns, validation reports agreement', async () => {
    const teacher = tinyMlp(5);
    const student = tinyMlp(6);
    const { history } = await distill({
      teacher,
      student,
      train: quadrantDataset(48, 1),
      validation: quadrantDataset(24, 3),
      epochs: 2,
      batchSize: 16,
      lossOptions: { temperature: 2, alpha: 0.5 },
    });
    expect(Object.keys(history[0]?.losses ?? {})).toContain('total');
    expect(history[1]?.validation?.['agreement']).toBeGreaterThanOrEqual(0);
    disposeModels(teacher, student);
  });

  it('cached and uncached runs give the same losses; the cache serves epochs ≥ 2', async () => {
    const teacher = tinyMlp(11);
    const train = quadrantDataset(40, 1);
    const run = async (teacherCache: 'auto' | 'off') => {
      const student = tinyMlp(3);
      const result = await distill({
        teacher,
        student,
        train,
        epochs: 2,
        batchSize: 16,
        loss: pureKl,
        optimizer: 'sgd',
        seed: 4,
        teacherCache,
      });
      student.dispose();
      return result;
    };
    const cached = await run('auto');
    const uncached = await run('off');
    expect(cached.history[0]?.losses).toEqual(uncached.history[0]?.losses);
    expect(cached.history[1]?.losses).toEqual(uncached.history[1]?.losses);
    expect(cached.teacherCache).toMatchObject({ hits: 40, misses: 40, bytes: 40 * 3 * 4 + 40 });
    expect(uncached.teacherCache).toBeUndefined();
    teacher.dispose();
  });

  it('a shared TeacherCache is filled by the first run and serves every step of the next', async () => {
    const teacher = tinyMlp(11);
    const train = quadrantDataset(40, 1);
    const shared = new TeacherCache(train.size, 3);
    const run = async (teacherCache: 'off' | TeacherCache) => {
      const student = tinyMlp(3);
      const options = { teacher, student, train, epochs: 2, batchSize: 16, loss: pureKl, seed: 4 };
      const result = await distill({ ...options, optimizer: 'sgd', teacherCache });
      student.dispose();
      return result;
    };
    await run(shared);
    expect([shared.hits, shared.misses]).toEqual([40, 40]);
    const second = await run(shared);
    expect([shared.hits, shared.misses]).toEqual([120, 40]);
    const uncached = await run('off');
    expect(second.history.map((h) => h.losses)).toEqual(uncached.history.map((h) => h.losses));
    await expect(run(new TeacherCache(41, 3))).rejects.toThrow(
      "distill: 'teacherCache' was built for 41 samples × 3 classes, but the training set has 40 samples",
    );
    teacher.dispose();
  });

  it('augmented batches: auto bypasses the cache; an explicit cache is keyed by augmentation', async () => {
    const teacher = tinyMlp(11);
    const train = quadrantDataset(16, 1);
    const augment = { horizontalFlip: true };
    const run = async (teacherCache: 'auto' | { topK?: number }) => {
      const student = tinyMlp(3);
      const result = await distill({
        teacher,
        student,
        train,
        epochs: 2,
        batchSize: 8,
        loss: pureKl,
        augment,
        teacherCache,
      });
      student.dispose();
      return result;
    };
    const auto = await run('auto');
    expect(auto.teacherCache).toMatchObject({ hits: 0, misses: 0 });
    const keyed = await run({});
    // every epoch has its own augmentation key: nothing from epoch 1 is served in epoch 2
    expect(keyed.teacherCache).toMatchObject({ hits: 0, misses: 32 });
    expect(keyed.history.map((h) => h.losses)).toEqual(auto.history.map((h) => h.losses));
    teacher.dispose();
  });

  it('augment.views: auto caches each view, so the teacher runs on each image once per view', async () => {
    const model = tinyMlp(11);
    const inner = layersTeacher(model);
    const train = quadrantDataset(16, 1);
    const augment = { cropPadding: 1, horizontalFlip: true, views: 2 };
    const rowKey = (row: ArrayLike<number>) => Array.from(row, (v) => v.toFixed(6)).join(',');
    const seen: string[] = [];
    const counting: Teacher = {
      ...inner,
      logits: async (xs) => {
        const rows = xs.dataSync();
        for (let r = 0; r < xs.shape[0]; r++)
          seen.push(rowKey(rows.subarray(r * 16, (r + 1) * 16)));
        return inner.logits(xs);
      },
    };
    const run = async (teacherCache: 'auto' | 'off') => {
      const student = tinyMlp(3);
      const result = await distill({
        teacher: counting,
        student,
        train,
        epochs: 4,
        batchSize: 8,
        loss: pureKl,
        optimizer: 'sgd',
        seed: 4,
        augment,
        teacherCache,
      });
      student.dispose();
      return result;
    };
    const cached = await run('auto');
    // The teacher saw exactly the two views of every image, once each (views 0 and 1 are what
    // the batches of epochs 0 and 1 hold).
    const views: string[] = [];
    for (const epoch of [0, 1]) {
      for (const b of batches(train, { batchSize: 8, seed: 4, epoch, augment })) {
        const rows = b.xs.dataSync();
        for (let r = 0; r < b.indices.length; r++)
          views.push(rowKey(rows.subarray(r * 16, (r + 1) * 16)));
        tf.dispose([b.xs, b.labels]);
      }
    }
    expect([...seen].sort()).toEqual([...views].sort());
    expect(cached.teacherCache).toMatchObject({
      hits: 32,
      misses: 32,
      bytes: 2 * (16 * 3 * 4 + 16),
    });
    seen.length = 0;
    const uncached = await run('off');
    expect(seen.length).toBe(4 * 16);
    expect(uncached.teacherCache).toBeUndefined();
    // The cache changes no numbers: the losses of every epoch match the teacher-every-step run.
    cached.history.forEach((epoch, e) => {
      for (const [term, value] of Object.entries(epoch.losses)) {
        expect(value).toBeCloseTo(uncached.history[e]?.losses[term] ?? Number.NaN, 6);
      }
    });
    model.dispose();
  });

  it('augment.views: a shared cache must hold every view', async () => {
    const teacher = tinyMlp(11);
    const student = tinyMlp(3);
    const train = quadrantDataset(16, 1);
    const options = { teacher, student, train, epochs: 1, batchSize: 8, loss: pureKl };
    const augment = { horizontalFlip: true, views: 3 };
    await expect(
      distill({ ...options, augment, teacherCache: new TeacherCache(16, 3, { views: 2 }) }),
    ).rejects.toThrow(
      "distill: 'teacherCache' holds 2 augmentation key(s), but 'augment.views' is 3: each epoch would drop a view before it is reused; build it with new TeacherCache(16, 3, { views: 3 })",
    );
    const shared = new TeacherCache(16, 3, { views: 3 });
    await distill({ ...options, augment, teacherCache: shared });
    expect([shared.hits, shared.misses]).toEqual([0, 16]);
    await expect(
      distill({ ...options, augment: { horizontalFlip: true, views: 0 } }),
    ).rejects.toThrow(/distill: 'augment.views' must be a positive integer/);
    disposeModels(teacher, student);
  });

  it('multi-teacher: the loss gets every teacher in teachers', async () => {
    const teachers = [tinyMlp(11), tinyMlp(12)];
    const student = tinyMlp(3);
    const seen: number[] = [];
    const loss: DistillationLoss = {
      name: 'test-multi',
      compute: (ctx) => {
        seen.push(ctx.teachers?.length ?? 0);
        const list = ctx.teachers ?? [];
        const ctxs = list.map((t) => pureKl.compute({ ...ctx, teacher: t }).total);
        const total = tf.div(tf.addN(ctxs), ctxs.length) as tf.Scalar;
        return { total };
      },
    };
    await distill({
      teachers,
      student,
      train: quadrantDataset(16, 1),
      epochs: 1,
      batchSize: 8,
      loss,
    });
    expect(seen).toEqual([2, 2]);
    disposeModels(...teachers, student);
  });

  it('feature losses get tapped student and teacher features; the teacher then runs every step', async () => {
    const teacher = tinyMlp(11, { hidden: 8 });
    const student = tinyMlp(3);
    const shapes: number[][][] = [];
    const loss: DistillationLoss = {
      name: 'test-features',
      needsFeatures: true,
      compute: (ctx) => {
        const s = ctx.features?.student ?? [];
        const t = ctx.features?.teacher ?? [];
        shapes.push([...s, ...t].map((f) => f.shape));
        const total = tf.add(
          pureKl.compute(ctx).total,
          tf.mul(tf.mean(tf.square(s[0] as tf.Tensor)), 1e-3),
        );
        return { total: total as tf.Scalar };
      },
    };
    const result = await distill({
      teacher,
      student,
      train: quadrantDataset(16, 1),
      epochs: 2,
      batchSize: 8,
      loss,
      taps: { teacher: ['hidden'], student: ['hidden'] },
    });
    expect(shapes).toHaveLength(4);
    expect(shapes[0]).toEqual([
      [8, 16],
      [8, 8],
    ]);
    expect(result.teacherCache).toBeUndefined();
    disposeModels(teacher, student);
  });

  it("trains a loss's lazily created adapters (fitnets) and checkpoints them for resume", async () => {
    const teacher = tinyMlp(11, { hidden: 8 });
    const train = quadrantDataset(16, 1);
    const fitnets = getLoss('fitnets', { beta: 1 });
    const student = tinyMlp(3);
    const store = memoryCheckpointStore();
    const opts = {
      teacher,
      train,
      epochs: 2,
      batchSize: 8,
      loss: fitnets,
      taps: { teacher: ['hidden'], student: ['hidden'] },
    };
    await distill({ ...opts, student, callbacks: [checkpoint({ store }), stopAfter(1)] });
    const adapters = fitnets.trainableVariables?.() ?? [];
    expect(adapters.length).toBeGreaterThan(0); // 16 → 8 channels needs an adapter
    const saved = (await store.read())!;
    expect(saved.models[0]?.extra.map((e) => e.shape)).toEqual(adapters.map((a) => a.shape));
    const initial = getLoss('fitnets', { beta: 1 });
    const resumedStudent = tinyMlp(40);
    await distill({ ...opts, loss: initial, student: resumedStudent, resumeFrom: store });
    const fullLoss = getLoss('fitnets', { beta: 1 });
    const full = tinyMlp(3);
    await distill({ ...opts, loss: fullLoss, student: full });
    expect(weightsOf(resumedStudent)).toEqual(weightsOf(full));
    const values = (l: typeof fitnets) =>
      (l.trainableVariables?.() ?? []).map((v) => Array.from(v.dataSync()));
    expect(values(initial)).toEqual(values(fullLoss));
    for (const l of [fitnets, initial, fullLoss]) l.dispose?.();
    disposeModels(teacher, student, resumedStudent, full);
  });

  it('rejects a teacher with other classes or input shape before any step, naming both', async () => {
    const student = tinyMlp(3);
    const train = quadrantDataset(8, 1);
    for (const teacher of [tinyMlp(1, { classes: 4 }), tinyMlp(1, { inputShape: [8, 8, 1] })]) {
      let steps = 0;
      const loss: DistillationLoss = {
        name: 'counting',
        compute: (ctx) => {
          steps++;
          return pureKl.compute(ctx);
        },
      };
      const error = await distill({ teacher, student, train, epochs: 1, batchSize: 4, loss }).catch(
        (e: unknown) => e,
      );
      expect(isKdkitError(error, 'SHAPE_MISMATCH')).toBe(true);
      expect(String(error)).toMatch(
        /'teacher' \(input \[.*\], output .*'student' \(input \[4, 4, 1\]/,
      );
      expect(steps).toBe(0);
      teacher.dispose();
    }
    student.dispose();
  });

  it('leaks no tensors across a multi-epoch run (cache on, top-k, and off)', async () => {
    const teacher = tinyMlp(11);
    const student = tinyMlp(3);
    const train = quadrantDataset(24, 1);
    for (const teacherCache of ['auto', { topK: 2 }, 'off'] as const) {
      await expectNoLeaks(() =>
        distill({
          teacher,
          student,
          train,
          validation: train,
          epochs: 2,
          batchSize: 8,
          teacherCache,
        }),
      );
    }
    // Cached augmented views: epochs 3 and 4 are served from the cache.
    await expectNoLeaks(() =>
      distill({
        teacher,
        student,
        train,
        epochs: 4,
        batchSize: 8,
        augment: { cropPadding: 1, horizontalFlip: true, views: 2 },
      }),
    );
    disposeModels(teacher, student);
  });
});
