import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fromArrays } from '@kdkit/datasets';
import {
  resolveTripletConfig,
  type TripletResult,
  type TripletRow,
  tripletConfigHash,
} from '@kdkit/experiments';
import { describe, expect, it } from 'vitest';
import { ANCHOR_PAIR, LOSS_GRIDS, type QualitySettings, quickQuality, regime } from './options.js';
import { SILENT_REPORTER } from './progress.js';
import {
  baselineMethod,
  countRuns,
  fromStored,
  kdMethods,
  labelsSlug,
  type Method,
  type QualityRun,
  runQualitySuite,
  type StoredResult,
  selectMethod,
} from './quality.js';

const row = (role: TripletRow['role'], accuracy: number): TripletRow => ({
  role,
  model: 'm',
  accuracy,
  params: 1,
  agreement: 1,
  seconds: 0,
  history: [],
});

describe('fromStored', () => {
  it('reads a run file of the tuple layout (rows[0..2], `schedule`) with named rows and lrSchedule', () => {
    const result = fromStored({
      rows: [row('teacher', 0.9), row('student-scratch', 0.8), row('student-kd', 0.85)],
      backend: 'wasm',
      config: { schedule: 'constant' } as StoredResult['config'],
      configHash: '68fa0c7f87ed',
      teacherSource: 'provided',
    });
    expect(result.rows.teacher.accuracy).toBe(0.9);
    expect(result.rows.scratch.role).toBe('student-scratch');
    expect(result.rows.kd.accuracy).toBe(0.85);
    expect(result.config.lrSchedule).toBe('constant');
    expect('schedule' in result.config).toBe(false);
    expect(result.configHash).toBe('68fa0c7f87ed');
  });

  it('passes a run file of the named layout through', () => {
    const rows = {
      teacher: row('teacher', 0.9),
      scratch: row('student-scratch', 0.8),
      kd: row('student-kd', 0.7),
    };
    const config = { lrSchedule: 'cosine' } as TripletResult['config'];
    const result = fromStored({
      rows,
      backend: 'cpu',
      config,
      configHash: 'x',
      teacherSource: 'store',
    });
    expect(result.rows).toEqual(rows);
    expect(result.config.lrSchedule).toBe('cosine');
  });
});

const run = (stem: string, kind: 'kd' | 'baseline', seed: number, val: number, test: number) =>
  ({
    pair: { teacher: 't', student: 's' },
    regime: { name: 'r', labelFraction: 0.1 },
    seed,
    teacherSeed: 0,
    temperature: 4,
    alpha: 0.9,
    method: { kind, loss: 'hinton', temperature: 4, alpha: 0.9, label: stem, stem },
    file: `${stem}.json`,
    result: {
      rows: {
        teacher: row('teacher', 0.9),
        scratch: row('student-scratch', 0.8),
        kd: { ...row('student-kd', test), ...(val >= 0 ? { validationAccuracy: val } : {}) },
      },
      backend: 'cpu',
      config: { teacherSeed: 0 } as TripletResult['config'],
      configHash: 'x',
      teacherSource: 'provided',
    },
    reused: false,
  }) satisfies QualityRun;

describe('selectMethod', () => {
  it('chooses by mean validation accuracy, never by test, and ignores baselines', () => {
    const runs = [
      run('a', 'kd', 0, 0.8, 0.95),
      run('a', 'kd', 1, 0.82, 0.95),
      run('b', 'kd', 0, 0.84, 0.5),
      run('b', 'kd', 1, 0.84, 0.5),
      run('c', 'baseline', 0, 0.99, 0.99),
    ];
    const pick = selectMethod(runs);
    expect(pick?.method.stem).toBe('b');
    expect(pick?.on).toBe('validation');
    expect(pick?.accuracy).toBeCloseTo(0.84, 12);
  });

  it('falls back to test, and says so, when runs have no validation split', () => {
    const pick = selectMethod([run('a', 'kd', 0, -1, 0.7), run('b', 'kd', 0, -1, 0.9)]);
    expect(pick).toMatchObject({ on: 'test', method: { stem: 'b' } });
    expect(selectMethod([run('c', 'baseline', 0, 0.9, 0.9)])).toBeUndefined();
    // One setting: nothing is chosen.
    expect(selectMethod([run('a', 'kd', 0, 0.8, 0.7), run('a', 'kd', 1, 0.8, 0.7)])?.on).toBe(
      'fixed',
    );
  });
});

describe('kdMethods, baselineMethod, countRuns, labelsSlug', () => {
  it('names Hinton settings as stored runs did, and each loss-suite setting uniquely', () => {
    const base = quickQuality();
    expect(kdMethods(base).map((m) => m.stem)).toEqual(['T1-a0.9', 'T4-a0.9']);
    const suite = kdMethods({
      ...base,
      losses: [
        { loss: 'hinton', grid: LOSS_GRIDS['hinton'] ?? [] },
        { loss: 'dkd', grid: LOSS_GRIDS['dkd'] ?? [] },
      ],
    });
    expect(suite.map((m) => m.stem)).toEqual([
      'T4-a0.9',
      'T1-a0.5',
      'T1-a0.9',
      'dkd-beta8-warmupepochs1',
      'dkd-beta2-warmupepochs1',
      'dkd-beta0.5-warmupepochs1',
    ]);
    expect(suite[3]).toMatchObject({ loss: 'dkd', lossOptions: { beta: 8, warmupEpochs: 1 } });
    expect(suite[0]?.lossOptions).toBeUndefined();
    const chosen = suite[1] as Method;
    expect(baselineMethod('label-smoothing', chosen)).toMatchObject({
      kind: 'baseline',
      temperature: 1,
      baseline: 'label-smoothing',
      stem: 'baseline-label-smoothing-T1',
    });
  });

  it('counts KD settings per regime plus baselines in transfer-set regimes', () => {
    // 1 pair × 1 teacher × 2 seeds × (2 KD settings + 2 baselines).
    expect(countRuns(quickQuality())).toBe(2 * (2 + 2));
    expect(labelsSlug(1)).toBe('full-data');
    expect(labelsSlug(0.1)).toBe('10pct-of-labels');
    expect(labelsSlug(0.05)).toBe('5pct-of-labels');
  });
});

describe('runQualitySuite with augmentation', () => {
  it('puts it in every triplet config (its hash) and keeps its runs beside the plain ones', async () => {
    const images = (n: number) => new Float32Array(n * 28 * 28).fill(0.5);
    const labels = (n: number) => Array.from({ length: n }, (_, i) => i % 10);
    const meta = { shape: [28, 28, 1] as const, numClasses: 10 };
    const train = fromArrays(images(20), labels(20), { ...meta, name: 'tiny/train' });
    const test = fromArrays(images(10), labels(10), { ...meta, name: 'tiny/test' });
    const augment = { cropPadding: 2, horizontalFlip: true };
    const settings: QualitySettings = {
      ...quickQuality(),
      regimes: [regime(1)],
      seeds: [0],
      temperatures: [4],
      alphas: [0.9],
      baselines: [],
      validationFraction: 0,
      augment,
      storedOnly: true,
    };
    // The config runQualitySuite builds for this run, spelled out: its hash finds the stored run.
    const stored = (a: QualitySettings['augment']): TripletResult => {
      const config = resolveTripletConfig({
        ...ANCHOR_PAIR,
        train,
        test,
        teacherEpochs: settings.teacherEpochs,
        studentEpochs: settings.studentEpochs,
        batchSize: settings.batchSize,
        optimizer: settings.optimizer,
        learningRate: settings.learningRate,
        lrSchedule: settings.lrSchedule,
        temperature: 4,
        alpha: 0.9,
        ...(a ? { augment: a } : {}),
      });
      return {
        rows: {
          teacher: row('teacher', 0.9),
          scratch: row('student-scratch', 0.8),
          kd: row('student-kd', 0.85),
        },
        backend: 'cpu',
        config,
        configHash: tripletConfigHash(config),
        teacherSource: 'store',
      };
    };
    const dir = join('runs', 'cnn-teacher-to-cnn-student', 'full-data');
    const file = join(dir, 'augment-crop2-flip');
    const viewed = { ...augment, views: 4 };
    const viewedFile = join(dir, 'augment-crop2-flip-views4');
    const out = mkdtempSync(join(tmpdir(), 'kdkit-quality-'));
    try {
      for (const [where, a] of [
        [file, augment],
        [viewedFile, viewed],
      ] as const) {
        const path = join(out, where, 'seed0', 'T4-a0.9.json');
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, JSON.stringify({ result: stored(a) }));
      }
      const suite = (s: QualitySettings) =>
        runQualitySuite({
          settings: s,
          train,
          test,
          out,
          reporterFor: () => SILENT_REPORTER,
          live: false,
        });
      const { runs } = await suite(settings);
      expect(runs.map((r) => [r.file, r.reused])).toEqual([
        [join(file, 'seed0', 'T4-a0.9.json'), true],
      ]);
      expect(runs[0]?.result.config.augment).toEqual(augment);
      expect(runs[0]?.result.configHash).toBe(tripletConfigHash(stored(augment).config));
      // Fixed views are another experiment, stored beside: its own directory and hash.
      const views = await suite({ ...settings, augment: viewed });
      expect(views.runs.map((r) => [r.file, r.reused])).toEqual([
        [join(viewedFile, 'seed0', 'T4-a0.9.json'), true],
      ]);
      expect(views.runs[0]?.result.config.augment).toEqual(viewed);
      expect(views.runs[0]?.result.configHash).not.toBe(runs[0]?.result.configHash);
      // Without augmentation the suite looks for the plain run, elsewhere: none is stored.
      const { augment: _augment, ...plain } = settings;
      await expect(suite(plain)).rejects.toThrow(/no stored run of 'cnn-teacher → cnn-student'/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
