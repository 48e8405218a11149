// The page's result: the machine-readable JSON (the test contract) and the table rows.
import {
  describeKdSetting,
  type EpochRecord,
  type TripletResult,
  type TripletRow,
} from '@kdkit/experiments';
import type { PageSettings } from './settings.js';

/** Written to `#result`'s `data-json` when a run ends (accuracies as fractions). */
export interface PageResult {
  readonly backend: string;
  /** wasm threads (1 on other backends). */
  readonly threads: number;
  readonly backendReason: string;
  readonly teacher: {
    readonly model: string;
    /** 'pretrained' (shipped with the site), 'train' (trained in the page) or 'upload'. */
    readonly source: string;
    readonly accuracy: number;
    /** Absent when unknown (a teacher that is not a tfjs model). */
    readonly params?: number;
    readonly seconds: number;
  };
  readonly scratch: RowResult;
  readonly kd: RowResult;
  /** Images per second of the KD student's training steps. */
  readonly imagesPerSecond: number;
  /** Wall time of the whole run, teacher included. */
  readonly seconds: number;
  readonly dataset: { readonly train: number; readonly test: number };
  readonly settings: PageSettings;
}

/** What `#result` holds when the run failed. */
export interface PageError {
  readonly error: string;
}

export interface RowResult {
  readonly model: string;
  readonly accuracy: number;
  readonly agreement: number;
  /** Absent when unknown (a teacher that is not a tfjs model). */
  readonly params?: number;
  readonly seconds: number;
  /** Per epoch: loss, test accuracy, images/s (the KD student's from epoch 2 on use cached teacher logits). */
  readonly history: readonly EpochRecord[];
}

const row = (r: TripletRow): RowResult => ({
  model: r.model,
  accuracy: r.accuracy,
  agreement: r.agreement,
  ...(r.params === undefined ? {} : { params: r.params }),
  seconds: r.seconds,
  history: r.history,
});

export function pageResult(input: {
  readonly triplet: TripletResult;
  readonly backend: { readonly name: string; readonly reason: string; readonly threads: number };
  readonly teacherSource: string;
  readonly imagesPerSecond: number;
  readonly seconds: number;
  readonly settings: PageSettings;
}): PageResult {
  const { rows, config } = input.triplet;
  return {
    backend: input.backend.name,
    threads: input.backend.threads,
    backendReason: input.backend.reason,
    teacher: {
      model: rows.teacher.model,
      source: input.teacherSource,
      accuracy: rows.teacher.accuracy,
      ...(rows.teacher.params === undefined ? {} : { params: rows.teacher.params }),
      seconds: rows.teacher.seconds,
    },
    scratch: row(rows.scratch),
    kd: row(rows.kd),
    imagesPerSecond: input.imagesPerSecond,
    seconds: input.seconds,
    dataset: { train: config.train.size, test: config.test.size },
    settings: input.settings,
  };
}

export const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;
export const count = (n: number): string => n.toLocaleString('en-US');

/** `12.3s`, or `4m 05s` from a minute on (as the CLI prints it). */
export function duration(seconds: number): string {
  if (seconds < 59.95) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
}

/** The table's rows, as the CLI demo prints them. */
export function tableRows(result: PageResult): string[][] {
  const line = (label: string, r: RowResult) => [
    label,
    r.model,
    percent(r.accuracy),
    r.params === undefined ? '—' : count(r.params),
    percent(r.agreement),
    duration(r.seconds),
  ];
  return [
    line('teacher', { ...result.teacher, agreement: 1, history: [] }),
    line('student (scratch)', result.scratch),
    line('student (KD)', result.kd),
  ];
}

/** One sentence under the table: KD − scratch in points, and the setting. */
export function summaryLine(result: PageResult): string {
  const diff = (result.kd.accuracy - result.scratch.accuracy) * 100;
  const s = result.settings;
  const sign = diff >= 0 ? '+' : '−';
  return (
    `KD − scratch: ${sign}${Math.abs(diff).toFixed(2)} points (${s.loss}, ${describeKdSetting(s)}` +
    `${s.labelFraction < 1 ? `, ${Math.round(s.labelFraction * 100)}% of labels` : ''}). ` +
    `Backend ${result.backend}${result.backend === 'wasm' ? ` (${result.threads} thread${result.threads === 1 ? '' : 's'})` : ''}, ` +
    `KD step ${count(Math.round(result.imagesPerSecond))} images/s, total ${duration(result.seconds)}.`
  );
}
