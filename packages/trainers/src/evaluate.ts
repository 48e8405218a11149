import type { ImageDataset } from '@kdkit/datasets';
import { batches } from '@kdkit/datasets';
import { assertInteger, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  assertModelFitsData,
  assertSameSignature,
  assertTeacherFits,
} from './internal/check-models.js';
import { splitOutputs } from './internal/minimize-terms.js';
import { isTeacher, type Teacher } from './teacher.js';

export interface EvaluateOptions {
  /** With a teacher (a tfjs model or any {@link Teacher}), `agreement` is reported. */
  readonly teacher?: tfl.LayersModel | Teacher;
  /** Default 256. */
  readonly batchSize?: number;
  /** k of the top-k accuracy. Default 5 (capped at the number of classes). */
  readonly topK?: number;
  /** Equal-width confidence bins of the ECE. Default 15. */
  readonly bins?: number;
}

export interface EvaluationResult {
  /** Labelled examples scored (label −1 is skipped except for agreement). */
  readonly count: number;
  readonly accuracy: number;
  /** Fraction whose label is among the k highest logits. */
  readonly topK: number;
  readonly k: number;
  /** Mean cross-entropy −log softmax(logits)[label] over labelled examples. */
  readonly meanLoss: number;
  /** Expected calibration error: Σ_b (n_b / n) · |accuracy_b − confidence_b| over confidence bins. */
  readonly ece: number;
  /** confusion[label][prediction] counts. */
  readonly confusion: number[][];
  /** Fraction of all examples where the model and the teacher predict the same class. */
  readonly agreement?: number;
}

/**
 * Scores a logits model on a dataset in inference mode: accuracy, top-k accuracy, mean
 * cross-entropy, expected calibration error (15 bins), the confusion matrix, and with a teacher
 * the agreement (how often both predict the same class). Models with feature taps are scored on
 * their first output. `model` may also be any {@link Teacher} (an ONNX model, a pretrained
 * teacher), scored through its `logits`.
 *
 * @example
 * const { accuracy, ece, agreement } = await evaluate(student, testSet, { teacher });
 * const { accuracy: teacherAccuracy } = await evaluate(await onnxTeacher('teacher.onnx'), testSet);
 */
export async function evaluate(
  model: tfl.LayersModel | Teacher,
  data: ImageDataset,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const where = 'evaluate';
  const { teacher, batchSize = 256, bins = 15 } = options;
  assertInteger(where, 'batchSize', batchSize, 1);
  assertInteger(where, 'bins', bins, 1);
  assertModelFitsData(where, 'model', model, data);
  if (isTeacher(teacher)) assertTeacherFits(where, 'teacher', teacher, 'model', model);
  else if (teacher) assertSameSignature(where, 'teacher', teacher, 'model', model);
  const classes = data.numClasses;
  const k = Math.min(options.topK ?? 5, classes);
  assertInteger(where, 'topK', k, 1);
  if (data.size === 0) {
    throw new KdkitError('INVALID_ARGUMENT', `${where}: dataset '${data.name}' is empty`);
  }

  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const binCount = new Float64Array(bins);
  const binCorrect = new Float64Array(bins);
  const binConfidence = new Float64Array(bins);
  let count = 0;
  let correct = 0;
  let topKCorrect = 0;
  let lossSum = 0;
  let agreeing = 0;
  let seen = 0;

  for (const batch of batches(data, { batchSize, shuffle: false, augment: false })) {
    const own = isTeacher(model) ? await model.logits(batch.xs) : undefined;
    const given = isTeacher(teacher) ? await teacher.logits(batch.xs) : undefined;
    const [logProbs, teacherPred] = tf.tidy(() => {
      const logits =
        own ?? splitOutputs((model as tfl.LayersModel).apply(batch.xs, { training: false })).logits;
      const lp = tf.logSoftmax(logits);
      if (!teacher) return [lp, undefined] as const;
      const t =
        given ??
        splitOutputs((teacher as tfl.LayersModel).apply(batch.xs, { training: false })).logits;
      return [lp, tf.argMax(t, 1)] as const;
    });
    tf.dispose([own, given]);
    const lp = await logProbs.data();
    const labels = await batch.labels.data();
    const tp = teacherPred ? await teacherPred.data() : undefined;
    tf.dispose([logProbs, teacherPred, batch.xs, batch.labels]);

    for (let row = 0; row < batch.indices.length; row++) {
      const base = row * classes;
      let pred = 0;
      let best = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < classes; c++) {
        const v = lp[base + c] ?? Number.NEGATIVE_INFINITY;
        if (v > best) {
          best = v;
          pred = c;
        }
      }
      seen++;
      if (tp && tp[row] === pred) agreeing++;
      const label = labels[row] ?? -1;
      if (label < 0) continue;
      count++;
      const labelLp = lp[base + label] ?? Number.NEGATIVE_INFINITY;
      let higher = 0;
      for (let c = 0; c < classes; c++) if ((lp[base + c] ?? 0) > labelLp) higher++;
      if (higher < k) topKCorrect++;
      const hit = pred === label ? 1 : 0;
      correct += hit;
      lossSum -= labelLp;
      const confidence = Math.exp(best);
      const bin = Math.min(bins - 1, Math.floor(confidence * bins));
      binCount[bin] = (binCount[bin] ?? 0) + 1;
      binCorrect[bin] = (binCorrect[bin] ?? 0) + hit;
      binConfidence[bin] = (binConfidence[bin] ?? 0) + confidence;
      const confusionRow = confusion[label];
      if (confusionRow) confusionRow[pred] = (confusionRow[pred] ?? 0) + 1;
    }
  }

  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const n = binCount[b] ?? 0;
    if (n > 0)
      ece += (n / count) * Math.abs((binCorrect[b] ?? 0) / n - (binConfidence[b] ?? 0) / n);
  }
  const per = (x: number) => (count > 0 ? x / count : Number.NaN);
  return {
    count,
    accuracy: per(correct),
    topK: per(topKCorrect),
    k,
    meanLoss: per(lossSum),
    ece: count > 0 ? ece : Number.NaN,
    confusion,
    ...(teacher ? { agreement: agreeing / seen } : {}),
  };
}

/** The scalar metrics of an evaluation, as logged per epoch (`confusion` left out). */
export function metricValues(result: EvaluationResult): Record<string, number> {
  return {
    accuracy: result.accuracy,
    topK: result.topK,
    meanLoss: result.meanLoss,
    ece: result.ece,
    ...(result.agreement !== undefined ? { agreement: result.agreement } : {}),
  };
}
