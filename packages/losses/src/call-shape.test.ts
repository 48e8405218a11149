import { isKdkitError } from '@kdkit/engine';
import { describeBackends, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { attentionTransferLoss } from './attention-transfer.js';
import { decoupledKdLoss } from './decoupled-kd.js';
import { distLoss } from './dist.js';
import { distillationLoss } from './distillation-loss.js';
import { fitnetsLoss } from './fitnets.js';
import { hardCrossEntropy } from './hard-cross-entropy.js';
import { klDivergence } from './kl-divergence.js';
import { logSoftmaxWithTemperature } from './log-softmax-with-temperature.js';
import { mseLogitsLoss } from './mse-logits.js';
import { multiTeacherLoss } from './multi-teacher.js';
import { pktLoss } from './probabilistic-transfer.js';
import { getLoss } from './registry.js';
import { relationalKdLoss } from './relational-kd.js';
import { similarityPreservingLoss } from './similarity-preserving.js';
import { softCrossEntropy } from './soft-cross-entropy.js';
import { softmaxWithTemperature } from './softmax-with-temperature.js';

/** Runs `call` (an old positional call, typed away) and returns the KdkitError message it throws. */
function rejection(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(isKdkitError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the old call shape was accepted');
}

// The old positional calls are type errors now; `never` lets the tests make them anyway.
const old = <F extends (...args: never[]) => unknown>(f: F) =>
  f as unknown as (...args: unknown[]) => unknown;

describeBackends(['cpu'], 'the old positional call shape is rejected', () => {
  let student: tf.Tensor2D;
  let teacher: tf.Tensor2D;
  let labels: tf.Tensor1D;
  let map: tf.Tensor4D;
  beforeAll(() => {
    student = tf.tensor2d(randomArray(6, 1, -2, 2), [2, 3]);
    teacher = tf.tensor2d(randomArray(6, 2, -2, 2), [2, 3]);
    labels = tf.tensor1d([0, 2], 'int32');
    map = tf.tensor4d(randomArray(16, 3), [2, 2, 2, 2]);
  });
  afterAll(() => {
    tf.dispose([student, teacher, labels, map]);
  });

  const logitPairs = [
    ['softCrossEntropy', softCrossEntropy],
    ['klDivergence', klDivergence],
    ['mseLogitsLoss', mseLogitsLoss],
    ['distLoss', distLoss],
  ] as const;
  for (const [name, loss] of logitPairs) {
    it(`${name}(teacher, student) names the { student, teacher } shape`, () => {
      const message = rejection(() => old(loss)(teacher, student, { temperature: 2 }));
      expect(message).toContain(
        `${name}: expected one object of named inputs { student, teacher }`,
      );
      expect(message).toContain('got a tensor [2, 3]');
      expect(message).toContain(`Call it as ${name}({ student, teacher }, options)`);
    });
  }

  it('hardCrossEntropy(labels, student) names the { student, labels } shape', () => {
    expect(rejection(() => old(hardCrossEntropy)(labels, student))).toMatch(
      /^hardCrossEntropy: expected one object of named inputs \{ student, labels \}, got a tensor \[2\]/,
    );
  });

  it('distillationLoss with the old field names says what they are called now', () => {
    const message = rejection(() =>
      old(distillationLoss)({ studentLogits: student, teacherLogits: teacher, labels }),
    );
    expect(message).toContain('distillationLoss: inputs.student is missing');
    expect(message).toContain("'studentLogits' is now 'student', 'teacherLogits' is now 'teacher'");
    expect(rejection(() => old(distillationLoss)(student, teacher))).toMatch(
      /\{ student, teacher, labels\? \}, got a tensor/,
    );
  });

  it('decoupledKdLoss(teacher, student, targets) names the { student, teacher, labels } shape', () => {
    expect(rejection(() => old(decoupledKdLoss)(teacher, student, labels))).toMatch(
      /^decoupledKdLoss: expected one object of named inputs \{ student, teacher, labels \}/,
    );
  });

  it('multiTeacherLoss([teachers], student) names the { student, teachers } shape', () => {
    expect(rejection(() => old(multiTeacherLoss)([teacher, teacher], student))).toMatch(
      /^multiTeacherLoss: expected one object of named inputs \{ student, teachers \}, got an array of 2/,
    );
  });

  const featureLosses = [
    ['fitnetsLoss', fitnetsLoss],
    ['attentionTransferLoss', attentionTransferLoss],
    ['similarityPreservingLoss', similarityPreservingLoss],
    ['pktLoss', pktLoss],
    ['relationalKdLoss', relationalKdLoss],
  ] as const;
  for (const [name, loss] of featureLosses) {
    it(`${name}([student], [teacher]) names the { student, teacher } shape`, () => {
      expect(rejection(() => old(loss)([map], [map]))).toMatch(
        new RegExp(
          `^${name}: expected one object of named inputs \\{ student, teacher \\}, got an array of 1`,
        ),
      );
      expect(
        rejection(() => old(loss)({ studentFeatures: [map], teacherFeatures: [map] })),
      ).toContain("'studentFeatures' is now 'student'");
    });
  }

  for (const [name, f] of [
    ['softmaxWithTemperature', softmaxWithTemperature],
    ['logSoftmaxWithTemperature', logSoftmaxWithTemperature],
  ] as const) {
    it(`${name}(logits, T) asks for { temperature }`, () => {
      expect(rejection(() => old(f)(student, 2))).toContain(
        `${name}: options must be a plain object such as { temperature: 4 }, got 2`,
      );
    });
  }

  it("a registered loss's compute names the context shape when given the old field names", () => {
    const message = rejection(() =>
      getLoss('hinton').compute({ studentLogits: student, epoch: 0, step: 0 } as never),
    );
    expect(message).toContain("loss 'hinton': inputs.student is missing");
    expect(message).toContain("'studentLogits' is now 'student'");
  });
});
