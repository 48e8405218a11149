import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a vega-lite spec to SVG in Node: vega-lite → vega → a headless View (`renderer: 'none'`). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One distilled run's accuracy, for the T plot (raw per seed: vega-lite aggregates). */
export interface TemperaturePoint {
  readonly temperature: number;
  readonly alpha: number;
  readonly seed: number;
  readonly accuracy: number;
}

/**
 * Test accuracy of the distilled student vs temperature (log axis), one line per α with ±1 std
 * error bars over seeds, and horizontal rules at the teacher and the scratch student (mean).
 */
export function accuracyVsTemperatureSpec(options: {
  readonly title: string;
  readonly points: readonly TemperaturePoint[];
  readonly teacher: number;
  readonly scratch: number;
}): TopLevelSpec {
  const values = options.points.map((p) => ({
    ...p,
    accuracy: p.accuracy * 100,
    alpha: `α = ${p.alpha}`,
  }));
  const all = [...values.map((v) => v.accuracy), options.teacher * 100, options.scratch * 100];
  const lo = Math.floor(Math.min(...all) - 1);
  const hi = Math.ceil(Math.max(...all) + 0.5);
  const temperatures = [...new Set(options.points.map((p) => p.temperature))];
  const x = {
    field: 'temperature',
    type: 'quantitative' as const,
    scale: {
      type: 'log' as const,
      domain: [Math.min(...temperatures) / 1.3, Math.max(...temperatures) * 1.3],
      nice: false,
    },
    axis: { values: temperatures, title: 'temperature T (log scale)' },
  };
  const y = {
    field: 'accuracy',
    type: 'quantitative' as const,
    scale: { domain: [lo, hi] },
    title: 'test accuracy (%)',
  };
  const references = [
    { label: `teacher ${(options.teacher * 100).toFixed(2)}%`, value: options.teacher * 100 },
    { label: `scratch ${(options.scratch * 100).toFixed(2)}%`, value: options.scratch * 100 },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: 460,
    height: 280,
    layer: [
      {
        data: { values },
        layer: [
          {
            mark: { type: 'line', point: true },
            encoding: {
              x,
              y: { ...y, aggregate: 'mean' },
              color: { field: 'alpha', type: 'nominal', title: null },
            },
          },
          {
            mark: { type: 'errorbar', extent: 'stdev', ticks: true },
            encoding: { x, y, color: { field: 'alpha', type: 'nominal' } },
          },
        ],
      },
      {
        data: { values: references },
        layer: [
          {
            mark: { type: 'rule', strokeDash: [6, 4], color: '#666' },
            encoding: { y: { field: 'value', type: 'quantitative' } },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#444', x: 0 },
            encoding: { y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
}

/** One epoch of one run, for the train-curve plot. */
export interface CurvePoint {
  readonly series: string;
  /** Training progress after the epoch, in KD-student epochs (1 = one epoch of the KD student). */
  readonly epoch: number;
  readonly seed: number;
  readonly testAccuracy: number;
  readonly loss: number;
}

/**
 * Train curves: test accuracy after each epoch (mean over seeds, ±1 std band), one line per
 * series (scratch, KD at the anchor's (T, α), KD at the best (T, α)).
 */
export function trainCurvesSpec(options: {
  readonly title: string;
  readonly points: readonly CurvePoint[];
}): TopLevelSpec {
  const values = options.points.map((p) => ({
    ...p,
    testAccuracy: p.testAccuracy * 100,
  }));
  const x = {
    field: 'epoch',
    type: 'quantitative' as const,
    axis: { tickMinStep: 1, format: 'd' },
    title: 'epoch',
  };
  const y = {
    field: 'testAccuracy',
    type: 'quantitative' as const,
    scale: { zero: false },
    title: 'test accuracy (%)',
  };
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    legend: { labelLimit: 300, orient: 'bottom' as const },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: 460,
    height: 280,
    data: { values },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: { x, y: { ...y, aggregate: 'mean' }, color },
      },
      {
        mark: { type: 'errorband', extent: 'stdev', opacity: 0.2 },
        encoding: { x, y, color },
      },
    ],
  };
}

/** Images/s of kdkit and PyTorch per figure, grouped bars. */
export function speedSpec(options: {
  readonly title: string;
  readonly values: readonly { figure: string; runtime: string; imagesPerSecond: number }[];
}): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: 460,
    height: 220,
    data: { values: [...options.values] },
    mark: 'bar',
    encoding: {
      y: { field: 'figure', type: 'nominal', title: null, axis: { labelLimit: 300 } },
      yOffset: { field: 'runtime' },
      x: {
        field: 'imagesPerSecond',
        type: 'quantitative',
        scale: { type: 'log', domainMin: 1 },
        title: 'images/s (log scale)',
      },
      x2: { datum: 1 },
      color: { field: 'runtime', type: 'nominal', title: null },
    },
  };
}
