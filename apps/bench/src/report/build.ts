import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetDescription, MeanStd } from '@kdkit/experiments';
import type { Environment } from '../environment.js';
import { type BenchSettings, kdGrid } from '../options.js';
import { pairName, type QualityResults, slug } from '../quality.js';
import type { SpeedResults } from '../speed.js';
import { SPEED_FIGURES } from '../torch.js';
import {
  ANCHOR_SETTING,
  agreesWithinNoise,
  analyzeQuality,
  type GroupAnalysis,
  gapRecovered,
  PYTORCH_ANCHOR,
} from './analysis.js';
import { type Block, toHtml, toMarkdown } from './doc.js';
import {
  accuracyVsTemperatureSpec,
  type CurvePoint,
  renderSvg,
  speedSpec,
  trainCurvesSpec,
} from './plots.js';

/** Everything one invocation produced; written as `summary.json`. */
export interface BenchRecord {
  readonly settings: BenchSettings;
  /** Hash of the settings and data: same hash, same experiment. */
  readonly configHash: string;
  readonly environment: Environment;
  readonly data: { readonly train: DatasetDescription; readonly test: DatasetDescription };
  readonly quality?: QualityResults;
  readonly speed?: SpeedResults;
  readonly seconds: number;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : 'n/a');
const pm = (m: MeanStd) =>
  m.n > 1 ? `${(m.mean * 100).toFixed(2)} ± ${(m.std * 100).toFixed(2)}%` : pct(m.mean);
const signedPct = (x: number, digits = 0) =>
  Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(digits)}%` : 'n/a';
const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)} pt`;
const inStd = (x: number) =>
  Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}σ` : 'n/a (1 seed)';
/** Gap recovered, or why it is meaningless: no gap to recover when the teacher isn't better. */
const gapCell = (s: { teacher: MeanStd; scratch: MeanStd; gapRecovered: number }) =>
  s.teacher.mean > s.scratch.mean ? signedPct(s.gapRecovered) : 'n/a (teacher ≤ scratch)';
const setting = (c: { temperature: number; alpha: number }) => `T=${c.temperature}, α=${c.alpha}`;
const rate = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x)
    ? 'n/a'
    : x >= 100
      ? Math.round(x).toLocaleString('en-US')
      : x.toFixed(1);
const shorten = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
const minutes = (s: number) => (s >= 90 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

function setupBlocks(record: BenchRecord): Block[] {
  const { environment: env, settings, data } = record;
  const q = settings.quality;
  const rows: string[][] = [
    ['command', `\`${settings.command}\``],
    ['mode', settings.mode],
    ['config hash', `\`${record.configHash}\``],
    ['date', env.date],
    ['machine', `${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB, ${env.os}`],
    [
      'load average at start',
      `${env.loadAverage} (on ${env.cores} cores; other work slows every figure)`,
    ],
    ['Node', env.node],
    ['backend', `\`${env.backend}\` (${shorten(env.backendReason, 160)})`],
    [
      'versions',
      Object.entries(env.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    ['git commit', env.gitCommit ?? 'n/a'],
    [
      'data',
      `train \`${data.train.name}\` ${data.train.size} images (fingerprint \`${data.train.fingerprint}\`), test \`${data.test.name}\` ${data.test.size} images (\`${data.test.fingerprint}\`)`,
    ],
    ['total time', minutes(record.seconds)],
  ];
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Setup' },
    { kind: 'table', header: ['', ''], rows },
  ];
  if (q) {
    blocks.push({
      kind: 'paragraph',
      text:
        `**Protocol.** Teacher: ${q.teacherEpochs} epochs, trained once per pair (seed 0) and cached in \`teachers/\`. ` +
        `Students: ${q.studentEpochs} epochs, same init seed and batch order for scratch and KD. ` +
        `${q.optimizer === 'adam' ? 'Adam' : q.optimizer} lr ${q.learningRate}, ${q.schedule} schedule, batch ${q.batchSize}. ` +
        `KD loss: Hinton, total = α·T²·soft + (1 − α)·hard, teacher logits cached. ` +
        `Seeds ${q.seeds.join(', ')}; ${
          q.kdSettings
            ? `(T, α) ∈ {${kdGrid(q)
                .map((s) => `(${s.temperature}, ${s.alpha})`)
                .join(', ')}}`
            : `T ∈ {${q.temperatures.join(', ')}}; α ∈ {${q.alphas.join(', ')}}`
        }. ` +
        `Few-label regime: the students see the labels of the given fraction of the training set (stratified per class, ` +
        `drawn with the seed); the scratch student trains on those images only, ${
          q.fewLabelScratchEpochs
            ? `for ${q.fewLabelScratchEpochs} epochs`
            : 'for as many optimizer steps as the KD student (epochs ÷ label fraction)'
        }, the KD student on all images with ` +
        `soft targets everywhere. Accuracy is on the test set; per-epoch test accuracy is monitoring only. The best (T, α) is picked on the test set too ` +
        `(there is no separate validation split), so its margin over scratch is optimistic; the T=4, α=0.9 column is fixed in advance. ` +
        `Mean ± sample std over seeds; gap recovered = (KD − scratch) / (teacher − scratch) of the means; ` +
        `σ = (KD − scratch) / pooled std.`,
    });
  }
  return blocks;
}

function headlineBlocks(groups: readonly GroupAnalysis[]): Block[] {
  const rows = groups.map((g) => {
    const a = g.anchor;
    return [
      pairName(g.pair),
      g.regime.name,
      pct(g.teacher.mean),
      pm(g.scratch),
      a ? pm(a.summary.kd) : 'n/a',
      a ? gapCell(a.summary) : 'n/a',
      setting(g.best),
      pm(g.best.summary.kd),
      gapCell(g.best.summary),
      inStd(g.best.summary.kdMinusScratchInStd),
    ];
  });
  return [
    { kind: 'heading', level: 2, text: 'Results: the Hinton triplet' },
    {
      kind: 'table',
      header: [
        'pair',
        'labels',
        'teacher',
        'student scratch',
        `KD (${setting(ANCHOR_SETTING)})`,
        'gap recovered',
        'best (T, α)',
        'KD at best',
        'gap recovered',
        'best KD − scratch',
      ],
      rows,
    },
  ];
}

function findingsBlocks(groups: readonly GroupAnalysis[]): Block[] {
  const items = groups.map((g) => {
    const where = `**${pairName(g.pair)}, ${g.regime.name}:**`;
    const best = `best KD ${pm(g.best.summary.kd)} at ${setting(g.best)} vs scratch ${pm(g.scratch)} (${points(g.best.delta)}, ${inStd(g.best.summary.kdMinusScratchInStd)}, gap recovered ${gapCell(g.best.summary)})`;
    const verdict =
      g.seeds.length < 2
        ? 'one seed only, so no significance claim'
        : g.bestBeatsScratchBy2Std
          ? 'KD **helps**: beats scratch by more than 2σ'
          : g.best.delta > 0
            ? 'KD is ahead but **not** by 2σ'
            : 'KD **does not help** at any (T, α) tried';
    const hurts =
      g.hurts.length === 0
        ? 'KD is at or above scratch at every (T, α)'
        : `KD **hurts** (below scratch) at ${g.hurts.map((c) => `${setting(c)} (${points(c.delta)})`).join('; ')}`;
    return `${where} ${best}; ${verdict}. ${hurts}.`;
  });
  return [
    { kind: 'heading', level: 2, text: 'Where KD helps, and where it hurts' },
    { kind: 'list', items },
  ];
}

function anchorBlocks(groups: readonly GroupAnalysis[], record: BenchRecord): Block[] {
  const q = record.settings.quality;
  const sameProtocol =
    q !== undefined &&
    q.teacherEpochs === 4 &&
    q.studentEpochs === 12 &&
    q.optimizer === 'adam' &&
    q.learningRate === 1e-3 &&
    q.schedule === 'cosine' &&
    q.seeds.length >= 3 &&
    record.data.train.size === 60000;
  const rows: string[][] = [];
  for (const ref of PYTORCH_ANCHOR.rows) {
    const refGap = gapRecovered({
      teacher: ref.teacher,
      scratch: ref.scratch.mean,
      kd: ref.kd.mean,
    });
    rows.push([
      `${ref.regime}, PyTorch`,
      pct(ref.teacher),
      `${(ref.scratch.mean * 100).toFixed(2)} ± ${(ref.scratch.std * 100).toFixed(2)}%`,
      `${(ref.kd.mean * 100).toFixed(2)} ± ${(ref.kd.std * 100).toFixed(2)}%`,
      signedPct(refGap),
      '',
    ]);
    const mine = groups.find(
      (g) =>
        g.pair.teacher === PYTORCH_ANCHOR.pair.teacher &&
        g.pair.student === PYTORCH_ANCHOR.pair.student &&
        g.regime.labelFraction === ref.labelFraction,
    );
    if (mine?.anchor) {
      const agree = [
        agreesWithinNoise(mine.scratch, ref.scratch) ? 'scratch ✓' : 'scratch ✗',
        agreesWithinNoise(mine.anchor.summary.kd, ref.kd) ? 'KD ✓' : 'KD ✗',
      ].join(', ');
      rows.push([
        `${ref.regime}, kdkit`,
        pct(mine.teacher.mean),
        pm(mine.scratch),
        pm(mine.anchor.summary.kd),
        gapCell(mine.anchor.summary),
        sameProtocol ? agree : 'different protocol',
      ]);
    }
  }
  return [
    { kind: 'heading', level: 2, text: 'Cross-check against the PyTorch anchor' },
    {
      kind: 'paragraph',
      text:
        `PyTorch rows are reference numbers from issue 9 (${PYTORCH_ANCHOR.date}; ${PYTORCH_ANCHOR.protocol}), not measured by this run. ` +
        (sameProtocol
          ? 'This run used the same protocol; ✓ means kdkit agrees within 2σ (combined std, floored at 0.1 point).'
          : `This run did **not** use the anchor's protocol (mode \`${record.settings.mode}\`), so the comparison is indicative only.`),
    },
    {
      kind: 'table',
      header: [
        '',
        'teacher',
        'student scratch',
        `student KD (${setting(ANCHOR_SETTING)})`,
        'gap recovered',
        'agrees',
      ],
      rows,
    },
  ];
}

function gridBlocks(g: GroupAnalysis): Block[] {
  return [
    { kind: 'heading', level: 3, text: `${pairName(g.pair)}, ${g.regime.name}` },
    {
      kind: 'paragraph',
      text: `Teacher ${pct(g.teacher.mean)}; student from scratch ${pm(g.scratch)} (agreement with teacher ${pm(g.grid[0]?.summary.scratchAgreement ?? g.scratch)}); seeds ${g.seeds.join(', ')}.`,
    },
    {
      kind: 'table',
      header: ['T', 'α', 'student KD', 'KD − scratch', 'in σ', 'agreement', 'gap recovered'],
      rows: g.grid.map((c) => [
        String(c.temperature),
        String(c.alpha),
        pm(c.summary.kd),
        points(c.delta),
        inStd(c.summary.kdMinusScratchInStd),
        pm(c.summary.kdAgreement),
        gapCell(c.summary),
      ]),
    },
  ];
}

async function plotBlocks(g: GroupAnalysis, out: string): Promise<Block[]> {
  const name = `${slug(`${g.pair.teacher}-to-${g.pair.student}`)}-${slug(g.regime.name)}`;
  const blocks: Block[] = [];
  const tSvg = await renderSvg(
    accuracyVsTemperatureSpec({
      title: `${pairName(g.pair)}, ${g.regime.name}: KD accuracy vs T`,
      points: g.runs.map((r) => ({
        temperature: r.temperature,
        alpha: r.alpha,
        seed: r.seed,
        accuracy: r.result.rows[2].accuracy,
      })),
      teacher: g.teacher.mean,
      scratch: g.scratch.mean,
    }),
  );
  const tFile = join('plots', `accuracy-vs-T-${name}.svg`);
  await writeFile(join(out, tFile), tSvg);
  blocks.push({
    kind: 'figure',
    file: tFile,
    svg: tSvg,
    caption: `Distilled student's test accuracy vs temperature (mean over seeds, ±1 std bars), ${pairName(g.pair)}, ${g.regime.name}; dashed: teacher and scratch student.`,
  });

  const curves: CurvePoint[] = [];
  // x is in KD-student epochs: a few-label scratch student's shorter epochs are scaled by steps.
  const add = (
    series: string,
    rows: {
      seed: number;
      kdEpochs: number;
      history: readonly { epoch: number; testAccuracy?: number; loss: number }[];
    }[],
  ) => {
    for (const { seed, kdEpochs, history } of rows) {
      const scale = kdEpochs / Math.max(1, history.length);
      for (const e of history) {
        if (e.testAccuracy !== undefined)
          curves.push({
            series,
            epoch: (e.epoch + 1) * scale,
            seed,
            testAccuracy: e.testAccuracy,
            loss: e.loss,
          });
      }
    }
  };
  const perSeed = g.seeds.map((s) => g.runs.find((r) => r.seed === s));
  add(
    'scratch',
    perSeed.flatMap((r) =>
      r
        ? [
            {
              seed: r.seed,
              kdEpochs: r.result.config.studentEpochs,
              history: r.result.rows[1].history,
            },
          ]
        : [],
    ),
  );
  const kdSeries = (c: { temperature: number; alpha: number }, label: string) =>
    add(
      label,
      g.runs
        .filter((r) => r.temperature === c.temperature && r.alpha === c.alpha)
        .map((r) => ({
          seed: r.seed,
          kdEpochs: r.result.config.studentEpochs,
          history: r.result.rows[2].history,
        })),
    );
  kdSeries(g.best, `KD best (${setting(g.best)})`);
  if (
    g.anchor &&
    (g.anchor.temperature !== g.best.temperature || g.anchor.alpha !== g.best.alpha)
  ) {
    kdSeries(g.anchor, `KD (${setting(g.anchor)})`);
  }
  if (curves.length > 0) {
    const cSvg = await renderSvg(
      trainCurvesSpec({
        title: `${pairName(g.pair)}, ${g.regime.name}: train curves`,
        points: curves,
      }),
    );
    const cFile = join('plots', `curves-${name}.svg`);
    await writeFile(join(out, cFile), cSvg);
    blocks.push({
      kind: 'figure',
      file: cFile,
      svg: cSvg,
      caption: `Test accuracy after each epoch, scratch vs KD (mean over seeds, ±1 std band), ${pairName(g.pair)}, ${g.regime.name}.`,
    });
  }
  return blocks;
}

async function speedBlocks(speed: SpeedResults, out: string): Promise<Block[]> {
  const torch = speed.torch;
  const rows = SPEED_FIGURES.map((figure) => [
    figure,
    rate(speed.kdkit[figure]),
    rate(torch?.figures[figure]),
    speed.ratios[figure] !== undefined ? `${(speed.ratios[figure] as number).toFixed(2)}×` : 'n/a',
  ]);
  const info = torch?.info ?? {};
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Speed' },
    {
      kind: 'paragraph',
      text:
        `Images/s on ${speed.images} real training images, batch ${speed.settings.batchSize}, ` +
        `\`${speed.settings.teacher}\` teacher and \`${speed.settings.student}\` student, Adam, Hinton loss (T=4, α=0.9); the first ` +
        `batches of each measurement are warm-up and not counted; the cached KD figure is the second epoch (all teacher outputs cached). ` +
        `kdkit backend: \`${speed.backend}\`. ` +
        (torch
          ? `PyTorch ${String(info['torch'] ?? '?')} (\`${torch.python}\`, script \`packages/wasm-kernels/bench/torch_nets.py\`, its own step counts on the first real Fashion-MNIST batches), ${String(info['threads'] ?? '?')} threads, channels_last, flush denormals, GLIBC_TUNABLES malloc thresholds, BLAS loaded: ${Array.isArray(info['blas_loaded']) ? info['blas_loaded'].join(', ') : '?'}; run in the same invocation.`
          : `PyTorch: not run (${speed.torchSkipped ?? 'unknown reason'}).`),
    },
    {
      kind: 'table',
      header: ['figure', `kdkit (${speed.backend}) img/s`, 'PyTorch img/s', 'kdkit / PyTorch'],
      rows,
    },
  ];
  const values = SPEED_FIGURES.flatMap((figure) => [
    ...(speed.kdkit[figure] !== undefined
      ? [
          {
            figure,
            runtime: `kdkit (${speed.backend})`,
            imagesPerSecond: speed.kdkit[figure] as number,
          },
        ]
      : []),
    ...(torch?.figures[figure] !== undefined
      ? [{ figure, runtime: 'PyTorch', imagesPerSecond: torch.figures[figure] as number }]
      : []),
  ]).filter((v) => Number.isFinite(v.imagesPerSecond) && v.imagesPerSecond > 0);
  if (values.length > 0) {
    const svg = await renderSvg(speedSpec({ title: 'Training and inference speed', values }));
    const file = join('plots', 'speed.svg');
    await writeFile(join(out, file), svg);
    blocks.push({ kind: 'figure', file, svg, caption: 'Images/s per figure (log scale).' });
  }
  return blocks;
}

/** Writes REPORT.md, report.html, plots/*.svg and summary.json into `out`. */
export async function writeReport(record: BenchRecord, out: string): Promise<{ files: string[] }> {
  await mkdir(join(out, 'plots'), { recursive: true });
  const groups = record.quality ? analyzeQuality(record.quality) : [];
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: 'kdkit benchmark report' },
    {
      kind: 'paragraph',
      text: `Does knowledge distillation help here, and how fast is it? Mode \`${record.settings.mode}\`, backend \`${record.environment.backend}\`, config hash \`${record.configHash}\`, ${record.environment.date}.`,
    },
  ];
  if (groups.length > 0) {
    blocks.push(
      ...headlineBlocks(groups),
      ...findingsBlocks(groups),
      ...anchorBlocks(groups, record),
    );
    blocks.push({ kind: 'heading', level: 2, text: 'Plots' });
    for (const g of groups) blocks.push(...(await plotBlocks(g, out)));
    blocks.push({ kind: 'heading', level: 2, text: 'Full grid' });
    for (const g of groups) blocks.push(...gridBlocks(g));
  }
  if (record.speed) blocks.push(...(await speedBlocks(record.speed, out)));
  blocks.push(...setupBlocks(record));
  blocks.push(
    { kind: 'heading', level: 2, text: 'Files' },
    {
      kind: 'list',
      items: [
        '`summary.json`: settings, environment, every run and the speed figures',
        '`runs/<pair>/<labels>/seed<s>/T<T>-a<α>.json`: one triplet each (rows, per-epoch history, resolved config and its hash)',
        '`speed.json`: the speed suite, with the PyTorch output',
        '`teachers/<model>-<key>/`: cached teachers (tfjs format); a rerun into this directory reuses them and skips finished runs',
        '`plots/*.svg`, `report.html` (self-contained)',
      ],
    },
  );
  const summary = {
    ...record,
    analysis: groups.map(({ runs, ...rest }) => ({ ...rest, runFiles: runs.map((r) => r.file) })),
  };
  await writeFile(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(out, 'REPORT.md'), toMarkdown(blocks));
  await writeFile(join(out, 'report.html'), toHtml('kdkit benchmark report', blocks));
  return { files: ['summary.json', 'REPORT.md', 'report.html'] };
}
