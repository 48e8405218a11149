import type { ImageDataset } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import type * as tfl from '@tensorflow/tfjs-layers';
import { isTeacher, type Teacher } from '../teacher.js';

export interface ModelSignature {
  /** [height, width, channels]; null where the model accepts any size. */
  readonly input: readonly (number | null)[];
  readonly classes: number | null;
}

const show = (dims: readonly (number | null)[]) =>
  `[${dims.map((d) => (d === null ? '*' : String(d))).join(', ')}]`;

/** Input shape (without batch) and class count of a logits model (first output) or a {@link Teacher}. */
export function signatureOf(model: tfl.LayersModel | Teacher): ModelSignature {
  if (isTeacher(model)) return { input: [...model.inputShape], classes: model.numClasses };
  const input = model.inputs[0]?.shape.slice(1) ?? [];
  const output = model.outputs[0]?.shape ?? [];
  return { input, classes: output[output.length - 1] ?? null };
}

const compatible = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || b === null || a === b;

/** Refuses a model whose input shape or class count does not fit the dataset. */
export function assertModelFitsData(
  where: string,
  arg: string,
  model: tfl.LayersModel | Teacher,
  data: ImageDataset,
): void {
  const sig = signatureOf(model);
  const fits =
    sig.input.length === 3 &&
    sig.input.every((d, i) => compatible(d, data.shape[i])) &&
    compatible(sig.classes, data.numClasses);
  if (!fits) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: '${arg}'${isTeacher(model) ? ` (teacher '${model.name}')` : ''} takes input ${show(sig.input)} and predicts ${sig.classes ?? '*'} classes, but dataset '${data.name}' has images ${show(data.shape)} and ${data.numClasses} classes`,
    );
  }
}

/** Refuses a teacher and student that disagree on input shape or classes, naming both shapes. */
export function assertSameSignature(
  where: string,
  argA: string,
  a: tfl.LayersModel,
  argB: string,
  b: tfl.LayersModel | Teacher,
): void {
  const sa = signatureOf(a);
  const sb = signatureOf(b);
  const same =
    sa.input.length === sb.input.length &&
    sa.input.every((d, i) => compatible(d, sb.input[i])) &&
    compatible(sa.classes, sb.classes);
  if (!same) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: '${argA}' (input ${show(sa.input)}, output [*, ${sa.classes ?? '*'}]) and '${argB}' (input ${show(sb.input)}, output [*, ${sb.classes ?? '*'}]) must agree on input shape and number of classes`,
    );
  }
}

/** Refuses a {@link Teacher} whose image shape or classes differ from the student's, naming both. */
export function assertTeacherFits(
  where: string,
  arg: string,
  teacher: Teacher,
  argB: string,
  model: tfl.LayersModel | Teacher,
): void {
  const sb = signatureOf(model);
  const same =
    sb.input.length === 3 &&
    teacher.inputShape.every((d, i) => compatible(d, sb.input[i])) &&
    compatible(teacher.numClasses, sb.classes);
  if (!same) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: '${arg}' (teacher '${teacher.name}': images ${show(teacher.inputShape)}, ${teacher.numClasses} classes) and '${argB}' (input ${show(sb.input)}, output [*, ${sb.classes ?? '*'}]) must agree on input shape and number of classes`,
    );
  }
}
