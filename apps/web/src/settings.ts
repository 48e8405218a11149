import {
  assertInRange,
  assertInteger,
  assertOneOf,
  assertPositive,
  KdkitError,
} from '@kdkit/engine';
import { MINI_SET_KD } from '@kdkit/pretrained';
import type { TeacherLayout } from '@kdkit/trainers';

export const TEACHER_SOURCES = ['auto', 'pretrained', 'train', 'upload'] as const;
/** `auto`: the first shipped teacher when the site has one, else train one in the page. */
export type TeacherSource = (typeof TEACHER_SOURCES)[number];

/** Input layouts of an uploaded ONNX teacher: PyTorch's NCHW (the default) or TensorFlow's NHWC. */
export const TEACHER_LAYOUTS: readonly TeacherLayout[] = ['nchw', 'nhwc'];

export const BACKEND_CHOICES = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;

/**
 * Distillation losses the page offers: Hinton's (T, α) and DIST (its defaults; the mini-set
 * study's best with every label, docs/results/2026-12-02-mini-losses-30ep).
 */
export const PAGE_LOSSES = ['hinton', 'dist'] as const;
export type PageLoss = (typeof PAGE_LOSSES)[number];
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Everything a run needs; each field is also a query parameter of the same name. */
export interface PageSettings {
  readonly teacher: TeacherSource;
  /** Id of a shipped teacher (with `teacher=pretrained`); default the first in the manifest. */
  readonly pretrained?: string;
  /** Zoo teacher trained in the page (with `teacher=train`). */
  readonly teacherModel: string;
  readonly teacherEpochs: number;
  /** Input layout of an uploaded ONNX teacher. */
  readonly teacherLayout: TeacherLayout;
  /**
   * Pixel range an uploaded ONNX teacher was trained on: the page's [0, 1] images are mapped
   * linearly onto [teacherInputMin, teacherInputMax] (torchvision's Normalize(m, s) on one
   * channel is [−m/s, (1 − m)/s]).
   */
  readonly teacherInputMin: number;
  readonly teacherInputMax: number;
  readonly student: string;
  /** Epochs of each student. */
  readonly epochs: number;
  /** Distillation loss; `dist` ignores `temperature` and `alpha` (it takes its defaults). */
  readonly loss: PageLoss;
  /** Softmax temperature T of the soft targets (hinton). */
  readonly temperature: number;
  /** Weight of the soft term: α·T²·soft + (1 − α)·hard (hinton). */
  readonly alpha: number;
  /** Fraction of training labels the students see. */
  readonly labelFraction: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Train on the first `limit` training images only (quick runs). */
  readonly limit?: number;
  readonly backend: BackendChoice;
  /** wasm threads; default every core the browser reports. */
  readonly threads?: number;
  /** Start at once, with no clicks (`?autorun=1`). */
  readonly autorun: boolean;
}

export const DEFAULT_SETTINGS: PageSettings = {
  teacher: 'auto',
  // A teacher the page trains in seconds; the shipped pretrained cnn-teacher is the strong one.
  teacherModel: 'mlp-1200',
  teacherEpochs: 3,
  teacherLayout: 'nchw',
  teacherInputMin: 0,
  teacherInputMax: 1,
  student: 'cnn-student',
  epochs: 5,
  loss: 'hinton',
  // Chosen on validation for the shipped teacher and this student on the mini set.
  temperature: MINI_SET_KD.temperature,
  alpha: MINI_SET_KD.alpha,
  labelFraction: 1,
  batchSize: 128,
  seed: 0,
  backend: 'auto',
  autorun: false,
};

const WHERE = 'page settings';
const INTEGER_KEYS = ['teacherEpochs', 'epochs', 'batchSize', 'seed', 'limit', 'threads'] as const;
const NUMBER_KEYS = [
  'temperature',
  'alpha',
  'labelFraction',
  'teacherInputMin',
  'teacherInputMax',
] as const;
const KNOWN = new Set<string>([
  ...Object.keys(DEFAULT_SETTINGS),
  'pretrained',
  'limit',
  'threads',
  'T',
]);

function parseNumber(key: string, raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || Number.isNaN(value)) {
    throw new KdkitError('INVALID_ARGUMENT', `${WHERE}: '${key}' must be a number, got '${raw}'.`);
  }
  return value;
}

function parseFlag(raw: string): boolean {
  return !['0', 'false', 'no', 'off'].includes(raw.trim().toLowerCase());
}

/** Checks every field; throws KdkitError naming the field and what it must be. */
export function validateSettings(settings: PageSettings): PageSettings {
  assertOneOf(WHERE, 'teacher', settings.teacher, TEACHER_SOURCES);
  assertOneOf(WHERE, 'backend', settings.backend, BACKEND_CHOICES);
  assertOneOf(WHERE, 'loss', settings.loss, PAGE_LOSSES);
  // The pixel range is checked where it is used: onnxTeacher refuses a non-finite or empty one.
  assertOneOf(WHERE, 'teacherLayout', settings.teacherLayout, TEACHER_LAYOUTS);
  assertInteger(WHERE, 'teacherEpochs', settings.teacherEpochs, 1);
  assertInteger(WHERE, 'epochs', settings.epochs, 1);
  assertInteger(WHERE, 'batchSize', settings.batchSize, 1);
  assertInteger(WHERE, 'seed', settings.seed, 0);
  if (settings.limit !== undefined) assertInteger(WHERE, 'limit', settings.limit, 10);
  if (settings.threads !== undefined) {
    assertInteger(WHERE, 'threads', settings.threads, 1);
    assertInRange(WHERE, 'threads', settings.threads, 1, 8);
  }
  assertPositive(WHERE, 'temperature', settings.temperature);
  assertInRange(WHERE, 'alpha', settings.alpha, 0, 1);
  assertPositive(WHERE, 'labelFraction', settings.labelFraction);
  assertInRange(WHERE, 'labelFraction', settings.labelFraction, 0, 1);
  return settings;
}

/**
 * Settings from a query string over `base`: `?autorun=1&epochs=2&T=3&alpha=0.7&labelFraction=0.1`.
 * Throws KdkitError for an unknown parameter (naming the valid ones) or a bad value.
 */
export function settingsFromQuery(
  query: string | URLSearchParams,
  base: PageSettings = DEFAULT_SETTINGS,
): PageSettings {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const out: Record<string, unknown> = { ...base };
  for (const [rawKey, raw] of params) {
    const key = rawKey === 'T' ? 'temperature' : rawKey;
    if (!KNOWN.has(rawKey)) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${WHERE}: unknown query parameter '${rawKey}'; valid ones: ${[...KNOWN].join(', ')}.`,
      );
    }
    if ((INTEGER_KEYS as readonly string[]).includes(key)) out[key] = parseNumber(key, raw);
    else if ((NUMBER_KEYS as readonly string[]).includes(key)) out[key] = parseNumber(key, raw);
    else if (key === 'autorun') out[key] = parseFlag(raw);
    else out[key] = raw.trim();
  }
  return validateSettings(out as unknown as PageSettings);
}

/** The query string that reproduces `settings` (defaults left out). */
export function settingsToQuery(settings: PageSettings): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'autorun' || value === undefined) continue;
    if (value === DEFAULT_SETTINGS[key as keyof PageSettings]) continue;
    params.set(key, String(value));
  }
  return params.toString();
}
