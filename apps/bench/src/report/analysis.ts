import {
  gapRecovered,
  type MeanStd,
  meanStd,
  summarizeTriplets,
  type TripletSummary,
} from '@kdkit/experiments';
import { kdGrid, type PairSpec, type RegimeSpec } from '../options.js';
import type { QualityResults, QualityRun } from '../quality.js';

/** The anchor protocol's KD setting (issue 9): T = 4, α = 0.9. */
export const ANCHOR_SETTING = { temperature: 4, alpha: 0.9 } as const;

export interface GridCell {
  readonly temperature: number;
  readonly alpha: number;
  readonly summary: TripletSummary;
  /** Mean KD − mean scratch accuracy. */
  readonly delta: number;
}

export interface GroupAnalysis {
  readonly pair: PairSpec;
  readonly regime: RegimeSpec;
  readonly seeds: readonly number[];
  readonly teacher: MeanStd;
  readonly scratch: MeanStd;
  readonly grid: readonly GridCell[];
  readonly best: GridCell;
  /** The (4, 0.9) cell, when the grid has it. */
  readonly anchor?: GridCell;
  /** Best KD beats scratch by more than 2 pooled std (needs ≥ 2 seeds). */
  readonly bestBeatsScratchBy2Std: boolean;
  /** Cells where KD's mean is below scratch's. */
  readonly hurts: readonly GridCell[];
  readonly runs: readonly QualityRun[];
}

const sameSetting = (
  a: { temperature: number; alpha: number },
  b: { temperature: number; alpha: number },
) => a.temperature === b.temperature && a.alpha === b.alpha;

/** Groups runs by (pair, regime) and summarizes every (T, α) over seeds. */
export function analyzeQuality(quality: QualityResults): GroupAnalysis[] {
  const groups: GroupAnalysis[] = [];
  for (const pair of quality.settings.pairs) {
    for (const regime of quality.settings.regimes) {
      const runs = quality.runs.filter(
        (r) =>
          r.pair.teacher === pair.teacher &&
          r.pair.student === pair.student &&
          r.regime.name === regime.name,
      );
      if (runs.length === 0) continue;
      const seeds = [...new Set(runs.map((r) => r.seed))];
      const firstPerSeed = seeds.map((s) => runs.find((r) => r.seed === s) as QualityRun);
      const teacher = meanStd(firstPerSeed.map((r) => r.result.rows[0].accuracy));
      const scratch = meanStd(firstPerSeed.map((r) => r.result.rows[1].accuracy));
      const grid: GridCell[] = [];
      for (const { temperature, alpha } of kdGrid(quality.settings)) {
        const cell = runs.filter((r) => sameSetting(r, { temperature, alpha }));
        if (cell.length === 0) continue;
        const summary = summarizeTriplets(cell.map((r) => r.result));
        grid.push({ temperature, alpha, summary, delta: summary.kd.mean - summary.scratch.mean });
      }
      const best = grid.reduce((a, b) => (b.summary.kd.mean > a.summary.kd.mean ? b : a));
      const anchor = grid.find((c) => sameSetting(c, ANCHOR_SETTING));
      groups.push({
        pair,
        regime,
        seeds,
        teacher,
        scratch,
        grid,
        best,
        ...(anchor ? { anchor } : {}),
        bestBeatsScratchBy2Std: best.summary.kdMinusScratchInStd > 2,
        hurts: grid.filter((c) => c.delta < 0),
        runs,
      });
    }
  }
  return groups;
}

/** The PyTorch anchor of issue 9 (2026-11-28): reference numbers, not measured by this run. */
export const PYTORCH_ANCHOR = {
  date: '2026-11-28',
  pair: { teacher: 'cnn-teacher', student: 'cnn-student' },
  protocol:
    'teacher 4 epochs; students 12 epochs, Adam 1e-3, cosine schedule; 3 seeds; T = 4, α = 0.9; teacher logits cached',
  rows: [
    {
      regime: 'full data',
      labelFraction: 1,
      teacher: 0.9252,
      scratch: { mean: 0.8855, std: 0.0021 },
      kd: { mean: 0.8772, std: 0.0051 },
    },
    {
      regime: '10% of labels',
      labelFraction: 0.1,
      teacher: 0.9252,
      scratch: { mean: 0.8708, std: 0.001 },
      kd: { mean: 0.8774, std: 0.0046 },
    },
  ],
} as const;

/** Whether two mean ± std figures agree: |Δ| ≤ 2·√(σa² + σb²) (σ floored at 0.1 point). */
export function agreesWithinNoise(
  a: { mean: number; std: number },
  b: { mean: number; std: number },
): boolean {
  const floor = 0.001;
  const sigma = Math.sqrt(Math.max(a.std, floor) ** 2 + Math.max(b.std, floor) ** 2);
  return Math.abs(a.mean - b.mean) <= 2 * sigma;
}

export { gapRecovered };
