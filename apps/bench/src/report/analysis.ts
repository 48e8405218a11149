import { formatAugmentSpec } from '@kdkit/datasets';
import {
  gapRecovered,
  type MeanStd,
  meanStd,
  type PairedComparison,
  pairedComparison,
  summarizeTriplets,
  type TripletSummary,
  type WelchComparison,
  welchComparison,
} from '@kdkit/experiments';
import type { PairSpec, QualitySettings, RegimeSpec } from '../options.js';
import type { Method, QualityResults, QualityRun, Selection } from '../quality.js';

/** The anchor protocol's KD setting (issue 9): T = 4, α = 0.9. */
export const ANCHOR_SETTING = { temperature: 4, alpha: 0.9 } as const;

export interface GridCell {
  readonly method: Method;
  readonly temperature: number;
  readonly alpha: number;
  readonly summary: TripletSummary;
  /** Mean KD − mean scratch accuracy (test). */
  readonly delta: number;
}

export interface GroupAnalysis {
  readonly pair: PairSpec;
  readonly regime: RegimeSpec;
  readonly seeds: readonly number[];
  readonly teacherSeeds: readonly number[];
  readonly teacher: MeanStd;
  readonly scratch: MeanStd;
  /** KD settings (the (T, α) grid or the loss suite). */
  readonly grid: readonly GridCell[];
  /** The cell chosen on validation (or on test when there was no split: see `selection.on`). */
  readonly selected: GridCell;
  readonly selection: Pick<Selection, 'on' | 'accuracy'>;
  /** The (4, 0.9) cell, when the grid has it. */
  readonly anchor?: GridCell;
  /** Hard-label baselines, each with the chosen KD setting − baseline, paired by (teacher, seed). */
  readonly baselines: readonly {
    readonly cell: GridCell;
    readonly kdMinusBaseline: PairedComparison;
  }[];
  /**
   * The loss suite: per loss, its setting with the best mean validation accuracy (test when
   * there is no split), so each loss is compared at its own best, chosen the same way.
   */
  readonly perLoss: readonly { readonly loss: string; readonly cell: GridCell }[];
  /** Cells where KD's mean is below scratch's. */
  readonly hurts: readonly GridCell[];
  readonly runs: readonly QualityRun[];
}

const sameStem = (a: QualityRun, stem: string) => a.method.stem === stem;
const key = (r: QualityRun) => `${r.teacherSeed}/${r.seed}`;

function cellOf(runs: readonly QualityRun[]): GridCell {
  const first = runs[0] as QualityRun;
  const summary = summarizeTriplets(runs.map((r) => r.result));
  return {
    method: first.method,
    temperature: first.temperature,
    alpha: first.alpha,
    summary,
    delta: summary.kd.mean - summary.scratch.mean,
  };
}

/**
 * Groups runs by (pair, regime), summarizes every KD setting over seeds and teachers (paired
 * KD − scratch statistics included), takes the setting chosen on validation, and compares the
 * hard-label baselines with it, paired by (teacher seed, seed).
 */
export function analyzeQuality(quality: QualityResults): GroupAnalysis[] {
  const groups: GroupAnalysis[] = [];
  for (const pair of quality.settings.pairs) {
    for (const regime of quality.settings.regimes) {
      const runs = quality.runs.filter(
        (r) =>
          r.pair.teacher === pair.teacher &&
          r.pair.student === pair.student &&
          r.regime.labelFraction === regime.labelFraction,
      );
      const kdRuns = runs.filter((r) => r.method.kind === 'kd');
      if (kdRuns.length === 0) continue;
      const perSeed = [...new Map(kdRuns.map((r) => [key(r), r])).values()];
      const stems = [...new Set(kdRuns.map((r) => r.method.stem))];
      const grid = stems.map((stem) => cellOf(kdRuns.filter((r) => sameStem(r, stem))));
      const chosen = quality.selections.find(
        (s) =>
          s.pair.teacher === pair.teacher &&
          s.pair.student === pair.student &&
          s.regime.labelFraction === regime.labelFraction,
      );
      const selected =
        grid.find((c) => c.method.stem === chosen?.method.stem) ??
        grid.reduce((a, b) => (b.summary.kd.mean > a.summary.kd.mean ? b : a));
      const anchor = grid.find(
        (c) =>
          c.method.loss === 'hinton' &&
          !c.method.lossOptions &&
          c.temperature === ANCHOR_SETTING.temperature &&
          c.alpha === ANCHOR_SETTING.alpha,
      );
      const chosenRuns = kdRuns.filter((r) => sameStem(r, selected.method.stem));
      const baselineStems = [
        ...new Set(runs.filter((r) => r.method.kind === 'baseline').map((r) => r.method.stem)),
      ];
      const baselines = baselineStems.map((stem) => {
        const cellRuns = runs.filter((r) => sameStem(r, stem));
        const matched = cellRuns.flatMap((b) => {
          const kd = chosenRuns.find((r) => key(r) === key(b));
          return kd ? [[kd.result.rows.kd.accuracy, b.result.rows.kd.accuracy] as const] : [];
        });
        return {
          cell: cellOf(cellRuns),
          kdMinusBaseline: pairedComparison(
            matched.map(([kd]) => kd),
            matched.map(([, b]) => b),
          ),
        };
      });
      const score = (c: GridCell) => c.summary.validation?.kd.mean ?? c.summary.kd.mean;
      const losses = [...new Set(grid.map((c) => c.method.loss))];
      const perLoss = quality.settings.losses
        ? losses.map((loss) => ({
            loss,
            cell: grid
              .filter((c) => c.method.loss === loss)
              .reduce((a, b) => (score(b) > score(a) ? b : a)),
          }))
        : [];
      groups.push({
        pair,
        regime,
        seeds: [...new Set(kdRuns.map((r) => r.seed))],
        teacherSeeds: [...new Set(kdRuns.map((r) => r.teacherSeed))],
        teacher: meanStd(
          [...new Map(kdRuns.map((r) => [r.teacherSeed, r])).values()].map(
            (r) => r.result.rows.teacher.accuracy,
          ),
        ),
        scratch: meanStd(perSeed.map((r) => r.result.rows.scratch.accuracy)),
        grid,
        selected,
        selection: chosen
          ? { on: chosen.on, accuracy: chosen.accuracy }
          : { on: 'test', accuracy: selected.summary.kd.mean },
        ...(anchor ? { anchor } : {}),
        baselines,
        perLoss,
        hurts: grid.filter((c) => c.delta < 0),
        runs,
      });
    }
  }
  return groups;
}

/**
 * The PyTorch anchor of issue 9 (2026-11-28): reference numbers, not measured by this run, and
 * every field of its protocol, so {@link protocolDifferences} can compare all of them.
 */
export const PYTORCH_ANCHOR = {
  date: '2026-11-28',
  pair: { teacher: 'cnn-teacher', student: 'cnn-student' },
  protocol: {
    teacherEpochs: 4,
    studentEpochs: 12,
    batchSize: 128,
    optimizer: 'adam',
    learningRate: 1e-3,
    lrSchedule: 'cosine',
    trainImages: 60000,
    testImages: 10000,
    minSeeds: 3,
    /** Few labels: the scratch student trains as many steps as the KD student. */
    fewLabelScratch: 'equal steps',
  },
  description:
    'teacher 4 epochs; students 12 epochs, Adam 1e-3, cosine schedule, batch 128; all 60,000 training images; 3 seeds; T = 4, α = 0.9; teacher logits cached; few labels: scratch with equal steps',
  rows: [
    {
      regime: 'full data',
      labelFraction: 1,
      teacher: 0.9252,
      scratch: { mean: 0.8855, std: 0.0021, n: 3 },
      kd: { mean: 0.8772, std: 0.0051, n: 3 },
    },
    {
      regime: 'transfer set, 10% labelled',
      labelFraction: 0.1,
      teacher: 0.9252,
      scratch: { mean: 0.8708, std: 0.001, n: 3 },
      kd: { mean: 0.8774, std: 0.0046, n: 3 },
    },
  ],
} as const;

/**
 * Every protocol field where a run differs from the PyTorch anchor (empty = same protocol):
 * recipe, data sizes (a validation split makes the training set smaller), seed count and the
 * few-label scratch student's budget.
 */
export function protocolDifferences(
  q: QualitySettings,
  data: { readonly trainImages: number; readonly testImages: number },
): string[] {
  const p = PYTORCH_ANCHOR.protocol;
  const diffs: string[] = [];
  const check = (name: string, mine: unknown, theirs: unknown) => {
    if (mine !== theirs) diffs.push(`${name} ${String(mine)} (anchor ${String(theirs)})`);
  };
  check('teacher epochs', q.teacherEpochs, p.teacherEpochs);
  check('student epochs', q.studentEpochs, p.studentEpochs);
  check('batch size', q.batchSize, p.batchSize);
  check('optimizer', q.optimizer, p.optimizer);
  check('learning rate', q.learningRate, p.learningRate);
  check('schedule', q.lrSchedule, p.lrSchedule);
  check('training images', data.trainImages, p.trainImages);
  check('test images', data.testImages, p.testImages);
  if (q.augment) diffs.push(`students augmented (${formatAugmentSpec(q.augment)}; anchor none)`);
  if (q.seeds.length < p.minSeeds) diffs.push(`${q.seeds.length} seed(s) (anchor ${p.minSeeds})`);
  const fewLabels = q.regimes.some((r) => r.labelFraction < 1);
  if (fewLabels && q.fewLabelScratchEpochs !== undefined) {
    const equal = q.regimes
      .filter((r) => r.labelFraction < 1)
      .every((r) => Math.round(q.studentEpochs / r.labelFraction) === q.fewLabelScratchEpochs);
    if (!equal) {
      diffs.push(
        `few-label scratch student ${q.fewLabelScratchEpochs} epochs (anchor: equal steps, ${q.regimes
          .filter((r) => r.labelFraction < 1)
          .map((r) => Math.round(q.studentEpochs / r.labelFraction))
          .join('/')} epochs)`,
      );
    }
  }
  return diffs;
}

/**
 * Whether kdkit's mean agrees with the anchor's: Welch's t-test at the standard error of the
 * means (not the per-run std) with p ≥ 0.05. NaN p (one seed) never agrees. The CI of the
 * difference is always returned, to be shown either way.
 */
export function agreement(
  mine: MeanStd,
  anchor: MeanStd,
): { readonly agrees: boolean; readonly test: WelchComparison } {
  const test = welchComparison(mine, anchor);
  return { agrees: Number.isFinite(test.p) && test.p >= 0.05, test };
}

export { gapRecovered };
