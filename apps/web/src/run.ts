// One distillation run in the page: kdkit's teacher / scratch / KD triplet, with live events
// for the curves and the distilled student kept (as tfjs artifacts) for the download.
import type { ImageDataset } from '@kdkit/datasets';
import {
  type EpochRecord,
  runTriplet,
  type TripletPhase,
  type TripletResult,
  type TripletRole,
} from '@kdkit/experiments';
import type { BatchLogs, Callback, Teacher } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { PageSettings } from './settings.js';

/**
 * Where the teacher comes from: a loaded one (shipped or uploaded: any trainers `Teacher`, tfjs
 * or ONNX), or a zoo model trained in the page.
 */
export type TeacherPlan =
  | {
      readonly kind: 'teacher';
      readonly teacher: Teacher;
      readonly label: string;
      /** For the table, when known. */
      readonly params?: number;
    }
  | { readonly kind: 'train'; readonly zooName: string; readonly epochs: number };

export interface RunEvents {
  onPhase?(phase: TripletPhase): void;
  onBatch?(role: TripletRole, logs: BatchLogs, epochs: number): void;
  onEpoch?(role: TripletRole, record: EpochRecord): void;
}

export interface RunOutput {
  readonly triplet: TripletResult;
  /** The distilled student as saved by `model.save`, for a later `browserDownloads`. */
  readonly kdStudent: tf.io.ModelArtifacts;
  /** Images per second of the KD student's training steps (teacher logits cached after epoch 1). */
  readonly kdImagesPerSecond: number;
}

/** Lets the browser paint between training steps: at most one macrotask every `ms`. */
function yielder(ms = 50): () => Promise<void> {
  let last = performance.now();
  const channel = new MessageChannel();
  return async () => {
    if (performance.now() - last < ms) return;
    await new Promise<void>((resolve) => {
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
    last = performance.now();
  };
}

async function saveArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('saving the distilled student produced no artifacts');
  return saved;
}

/** Runs the triplet with the page's settings; events drive the curves and the progress bar. */
export async function runDistillation(
  settings: PageSettings,
  teacher: TeacherPlan,
  data: { readonly train: ImageDataset; readonly test: ImageDataset },
  events: RunEvents = {},
): Promise<RunOutput> {
  const pause = yielder();
  let kdStudent: tf.io.ModelArtifacts | undefined;
  const live = (role: TripletRole): Callback => ({
    name: 'web-live',
    async onBatchEnd(logs, state) {
      events.onBatch?.(role, logs, state.epochs);
      await pause();
    },
    async onTrainEnd(state) {
      const model = state.models[0]?.model;
      if (role === 'student-kd' && model && !state.stop?.failed) {
        kdStudent = await saveArtifacts(model);
      }
    },
  });
  const triplet = await runTriplet(
    {
      train: data.train,
      test: data.test,
      student: settings.student,
      studentEpochs: settings.epochs,
      batchSize: settings.batchSize,
      loss: settings.loss,
      temperature: settings.temperature,
      alpha: settings.alpha,
      labelFraction: settings.labelFraction,
      seed: settings.seed,
      ...(teacher.kind === 'teacher'
        ? {
            teacherModel: teacher.teacher,
            teacher: teacher.label,
            ...(teacher.params === undefined ? {} : { teacherParams: teacher.params }),
          }
        : { teacher: teacher.zooName, teacherEpochs: teacher.epochs }),
    },
    {
      callbacks: (role) => [live(role)],
      onPhase: async (phase) => {
        events.onPhase?.(phase);
        await pause();
      },
      onEpochEnd: (role, record) => events.onEpoch?.(role, record),
    },
  );
  if (!kdStudent) throw new Error('the distilled student was not saved');
  const history = triplet.rows.kd.history;
  const images = history.reduce((sum, r) => sum + r.imagesPerSecond * r.seconds, 0);
  const seconds = history.reduce((sum, r) => sum + r.seconds, 0);
  return { triplet, kdStudent, kdImagesPerSecond: seconds > 0 ? images / seconds : 0 };
}
