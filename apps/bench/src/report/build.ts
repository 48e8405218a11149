import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatAugmentSpec } from '@kdkit/datasets';
import type {
  DatasetDescription,
  MeanStd,
  PairedComparison,
  TripletSummary,
} from '@kdkit/experiments';
import type { Environment } from '../environment.js';
import { type BenchSettings, kdGrid, type QualitySettings } from '../options.js';
import { isPretrainedTeacher } from '../pretrained-teacher.js';
import { labelsSlug, pairName, type QualityResults, type QualityRun, slug } from '../quality.js';
import type { SpeedResults } from '../speed.js';
import { SPEED_FIGURES } from '../torch.js';
import {
  ANCHOR_SETTING,
  agreement,
  analyzeQuality,
  type GridCell,
  type GroupAnalysis,
  gapRecovered,
  PYTORCH_ANCHOR,
  protocolDifferences,
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
  readonly data: {
    readonly train: DatasetDescription;
    /** The validation split held out of the training images, when there is one. */
    readonly validation?: DatasetDescription;
    readonly test: DatasetDescription;
  };
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
/** Cohen's d, named as the effect size it is. */
const effect = (x: number) =>
  Number.isFinite(x) ? `d = ${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}` : 'n/a';
const interval = (ci: readonly [number, number], digits = 2) =>
  Number.isFinite(ci[0])
    ? `[${points(ci[0]).replace(' pt', '')}, ${points(ci[1]).replace(' pt', '')}]`.replace(
        /\.(\d{2})/g,
        (_m, d: string) => `.${d.slice(0, digits)}`,
      )
    : 'n/a';
const pValue = (p: number) =>
  Number.isFinite(p) ? (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`) : 'p n/a';
/** Paired KD − scratch: mean, 95% CI, p, seeds ahead. */
const pairedCell = (c: PairedComparison) =>
  `${points(c.meanDiff)} ${interval(c.ci95)}, ${pValue(c.p)}, ${c.positive}/${c.n} ahead`;
const gapWithCi = (s: TripletSummary) =>
  s.teacher.mean > s.scratch.mean
    ? `${signedPct(s.gapRecovered)}${Number.isFinite(s.gapRecoveredCi95[0]) ? ` [${signedPct(s.gapRecoveredCi95[0])}, ${signedPct(s.gapRecoveredCi95[1])}]` : ''}`
    : 'n/a (teacher ≤ scratch)';
const chosenOn = (g: GroupAnalysis) =>
  g.selection.on === 'validation'
    ? 'on validation'
    : g.selection.on === 'fixed'
      ? 'in advance: the only setting run'
      : '**on test** (no validation split: optimistic)';
/**
 * How many times fewer optimizer steps the transfer-set scratch student had than the KD student
 * (1 = equal steps, the fair baseline; more = under-trained).
 */
const scratchShortfall = (g: GroupAnalysis): number => {
  const config = g.runs[0]?.result.config;
  if (!config || config.labelFraction >= 1) return 1;
  const scratchEpochs = config.fewLabelScratchEpochs ?? config.studentEpochs;
  return config.studentEpochs / config.labelFraction / scratchEpochs;
};
const regimeCell = (g: GroupAnalysis) =>
  scratchShortfall(g) > 1.05
    ? `${g.regime.name} (**scratch had 1/${Math.round(scratchShortfall(g))} of KD's steps**)`
    : g.regime.name;
/** Gap recovered, or why it is meaningless: no gap to recover when the teacher isn't better. */
const gapCell = (s: { teacher: MeanStd; scratch: MeanStd; gapRecovered: number }) =>
  s.teacher.mean > s.scratch.mean ? signedPct(s.gapRecovered) : 'n/a (teacher ≤ scratch)';
const setting = (c: { temperature: number; alpha: number }) => `T=${c.temperature}, α=${c.alpha}`;
const label = (c: { method: { label: string } }) => c.method.label;
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
    [
      'git commit',
      `${env.gitCommit ?? 'n/a'}${env.gitCommit?.endsWith('-dirty') ? ' (**uncommitted changes**: made with --allow-dirty; the commit does not name all the code that ran)' : ''}`,
    ],
    [
      'data',
      `train \`${data.train.name}\` ${data.train.size} images (fingerprint \`${data.train.fingerprint}\`), ${data.validation ? `validation \`${data.validation.name}\` ${data.validation.size} images held out of the training set (\`${data.validation.fingerprint}\`), ` : 'no validation split, '}test \`${data.test.name}\` ${data.test.size} images (\`${data.test.fingerprint}\`)`,
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
        `**Protocol.** ${teacherProtocol(q)} ` +
        `Students: ${q.studentEpochs} epochs, same init seed and batch order for scratch and KD. ` +
        `${augmentProtocol(q)} ` +
        `${q.optimizer === 'adam' ? 'Adam' : q.optimizer} lr ${q.learningRate}, ${q.lrSchedule} schedule, batch ${q.batchSize}. ` +
        `${q.losses ? `Losses: ${q.losses.map((l) => l.loss).join(', ')}, each with its own small grid of options, same teacher, student and budget. ` : `KD loss: Hinton, total = α·T²·soft + (1 − α)·hard, ${kdTeacherOutputs(q)}. `}` +
        `Seeds ${q.seeds.join(', ')}; ${
          q.kdSettings
            ? `(T, α) ∈ {${kdGrid(q)
                .map((s) => `(${s.temperature}, ${s.alpha})`)
                .join(', ')}}`
            : `T ∈ {${q.temperatures.join(', ')}}; α ∈ {${q.alphas.join(', ')}}`
        }. ` +
        `Transfer-set regime ("transfer set, 10% labelled"): the teacher saw every label; the students see the labels of the given fraction of the training set (stratified per class, ` +
        `drawn with the seed); the scratch student trains on those images only, ${
          q.fewLabelScratchEpochs
            ? `for ${q.fewLabelScratchEpochs} epochs`
            : 'for as many optimizer steps as the KD student (epochs ÷ label fraction)'
        }, the KD student on all images with soft targets everywhere${
          q.baselines?.length
            ? `; baselines at the KD setting chosen on validation: ${q.baselines.join(', ')} (the teacher's predicted class on unlabelled images, optionally smoothed with ε matched to the teacher's mean soft-target entropy at that T)`
            : ''
        }. ` +
        (record.data.validation
          ? `**Selection.** ${record.data.validation.size} training images are held out as a stratified validation split (seed 0); the KD setting (T, α or loss options) is chosen by mean validation accuracy over seeds and teachers, epochs are fixed in advance and there is no early stopping. Test accuracy is computed once per model at the end and never feeds a choice; the other settings' test figures in the full grid are shown for completeness, not used to choose. `
          : `**Selection.** There is no validation split in this run: the "chosen" setting is the best **on the test set**, so its margin over scratch is optimistic. `) +
        `${teacherCount(q)} ` +
        `Mean ± sample std over seeds; KD − scratch is paired by seed (same init and batch order): mean difference, 95% t confidence interval, two-sided paired t-test p, seeds where KD is ahead. ` +
        `Gap recovered = (KD − scratch) / (teacher − scratch) of the means, with a 95% CI of the per-seed gaps. ` +
        `Effect size d = (KD − scratch) / pooled std (Cohen's d; a size, not a significance).`,
    });
  }
  return blocks;
}

/** Where the KD student's teacher logits come from, for the protocol paragraph. */
function kdTeacherOutputs(q: QualitySettings): string {
  if (!q.augment) return 'teacher logits cached';
  return q.augment.views === undefined
    ? 'teacher run on each augmented batch'
    : `teacher logits cached per image and view (${q.augment.views} views)`;
}

/** The students' augmentation, for the report's protocol paragraph. */
export function augmentProtocol(q: QualitySettings): string {
  const a = q.augment;
  if (!a) return 'No augmentation.';
  const what = [
    ...(a.cropPadding > 0
      ? [`zero-pad by ${a.cropPadding} px and crop back at a random offset`]
      : []),
    ...(a.horizontalFlip ? ['flip left-right with probability ½'] : []),
    ...(a.erase !== undefined
      ? [`erase one random rectangle (2–40% of the area) with probability ${a.erase}`]
      : []),
    ...(a.views !== undefined
      ? [`${a.views} fixed views per image, epoch e reusing view e mod ${a.views}`]
      : []),
  ].join(', ');
  return (
    `Augmentation \`${formatAugmentSpec(a)}\` (${what}) of every student's training batches (scratch, KD${q.baselines?.length ? ', baselines' : ''}): ` +
    `each image's draw depends on the seed, ${a.views === undefined ? 'epoch' : 'view'} and image only, so with every label scratch and KD see the same augmented images; ` +
    (a.views === undefined
      ? `the KD teacher runs on each augmented batch (Hinton's jitter), and teachers trained here get none.`
      : `the KD teacher runs once per image and view and its logits are cached (FKD, Shen & Xing 2022), and teachers trained here get none.`)
  );
}

/** How many teachers each pair had: one shipped teacher, or one per teacher seed. */
function teacherCount(q: QualitySettings): string {
  const seeds = q.teacherSeeds ?? [0];
  const trained = q.pairs.some((p) => !isPretrainedTeacher(p.teacher));
  const shipped = q.pairs.some((p) => isPretrainedTeacher(p.teacher));
  return [
    ...(shipped ? ['A shipped teacher is one teacher (teacher variance is not measured).'] : []),
    ...(trained ? [`Trained teachers: ${seeds.length} per pair (seeds ${seeds.join(', ')}).`] : []),
  ].join(' ');
}

/** How the pairs' teachers were obtained: trained here, or shipped in @kdkit/pretrained. */
function teacherProtocol(q: QualitySettings): string {
  const shipped = q.pairs.filter((p) => isPretrainedTeacher(p.teacher));
  const trained = q.pairs.length - shipped.length;
  return [
    ...(shipped.length > 0
      ? [
          `Teacher ${shipped.map((p) => `\`${p.teacher}\``).join(', ')}: shipped in @kdkit/pretrained, trained by kdkit from its recipe file on the full training set minus that recipe's validation split (its manifest records how); not trained here.`,
        ]
      : []),
    ...(trained > 0
      ? [
          `Teacher${shipped.length > 0 ? 's of the other pairs' : ''}: ${q.teacherEpochs} epochs, trained here once per pair and teacher seed, kept in the teacher store \`teachers/\`.`,
        ]
      : []),
  ].join(' ');
}

function headlineBlocks(groups: readonly GroupAnalysis[]): Block[] {
  const rows = groups.map((g) => {
    const c = g.selected;
    return [
      pairName(g.pair),
      regimeCell(g),
      `${pm(g.teacher)}${g.teacherSeeds.length > 1 ? ` (${g.teacherSeeds.length} teachers)` : ''}`,
      pm(g.scratch),
      `${label(c)} (${g.selection.on === 'fixed' ? 'only setting run' : `chosen on ${g.selection.on}`})`,
      pm(c.summary.kd),
      pairedCell(c.summary.paired),
      effect(c.summary.effectSizeD),
      gapWithCi(c.summary),
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
        'KD setting',
        'student KD',
        'KD − scratch, paired [95% CI]',
        'effect size',
        'gap recovered [95% CI]',
      ],
      rows,
    },
  ];
}

function findingsBlocks(groups: readonly GroupAnalysis[]): Block[] {
  const items = groups.map((g) => {
    const where = `**${pairName(g.pair)}, ${g.regime.name}:**`;
    const c = g.selected;
    const p = c.summary.paired;
    const chosen = `KD at ${label(c)} (chosen ${chosenOn(g)}) ${pm(c.summary.kd)} vs scratch ${pm(g.scratch)}: ${pairedCell(p)}, ${effect(c.summary.effectSizeD)}, gap recovered ${gapWithCi(c.summary)}`;
    const verdict =
      p.n < 2 || !Number.isFinite(p.p)
        ? 'too few seeds for a test, so no claim'
        : p.p < 0.05
          ? p.meanDiff > 0
            ? 'KD **helps** (paired p < 0.05)'
            : 'KD **hurts** (paired p < 0.05)'
          : 'no significant difference (paired p ≥ 0.05)';
    const teachers =
      g.teacherSeeds.length < 2 ? ' One teacher: teacher variance is not measured.' : '';
    const hurts =
      g.hurts.length === 0
        ? 'KD is at or above scratch at every setting tried'
        : `KD is below scratch (test, means) at ${g.hurts.map((h) => `${label(h)} (${points(h.delta)})`).join('; ')}`;
    const shortfall =
      scratchShortfall(g) > 1.05
        ? ` The scratch student had ${Math.round(scratchShortfall(g))}× fewer optimizer steps than the KD student: an under-trained baseline that inflates KD's margin.`
        : '';
    return `${where} ${chosen}; ${verdict}. ${hurts}.${teachers}${shortfall}`;
  });
  return [
    { kind: 'heading', level: 2, text: 'Where KD helps, and where it hurts' },
    { kind: 'list', items },
  ];
}

function lossFamilyBlocks(groups: readonly GroupAnalysis[]): Block[] {
  const rows = groups.flatMap((g) =>
    g.perLoss.map(({ loss, cell }) => [
      pairName(g.pair),
      g.regime.name,
      loss,
      cell.method.label.replace(`${loss} `, ''),
      cell.summary.validation ? pm(cell.summary.validation.kd) : 'n/a',
      pm(cell.summary.kd),
      pairedCell(cell.summary.paired),
      effect(cell.summary.effectSizeD),
      gapWithCi(cell.summary),
    ]),
  );
  if (rows.length === 0) return [];
  const onValidation = groups.every((g) => g.grid.every((c) => c.summary.validation));
  return [
    { kind: 'heading', level: 2, text: 'The loss family, side by side' },
    {
      kind: 'paragraph',
      text: `Each loss on the same teacher, student, seeds and budget; its setting is the one with the best mean ${onValidation ? 'validation' : '**test** (no validation split: optimistic)'} accuracy among its own small grid (all settings are in the full grid below). KD − scratch is paired by seed.`,
    },
    {
      kind: 'table',
      header: [
        'pair',
        'labels',
        'loss',
        'setting',
        'validation',
        'test',
        'KD − scratch, paired [95% CI]',
        'effect size',
        'gap recovered [95% CI]',
      ],
      rows,
    },
  ];
}

function baselineBlocks(groups: readonly GroupAnalysis[]): Block[] {
  const rows = groups.flatMap((g) =>
    g.baselines.map(({ cell, kdMinusBaseline }) => [
      pairName(g.pair),
      g.regime.name,
      label(cell),
      pm(cell.summary.kd),
      pairedCell(cell.summary.paired),
      `${label(g.selected)}: ${pairedCell(kdMinusBaseline)}`,
    ]),
  );
  if (rows.length === 0) return [];
  return [
    { kind: 'heading', level: 2, text: 'What soft targets add: hard-label baselines' },
    {
      kind: 'paragraph',
      text: "Same teacher, student, seeds and budget as KD. Pseudo-labels: the teacher's predicted class on every unlabelled image (true labels elsewhere), plain cross-entropy. Label smoothing: the same targets smoothed with ε chosen so their entropy equals the teacher's mean soft-target entropy at the chosen T, so the targets are as soft as KD's but carry no similarity structure. KD − baseline is paired by (teacher, seed).",
    },
    {
      kind: 'table',
      header: [
        'pair',
        'labels',
        'baseline',
        'student',
        'baseline − scratch, paired',
        'KD − baseline, paired',
      ],
      rows,
    },
  ];
}

function anchorBlocks(groups: readonly GroupAnalysis[], record: BenchRecord): Block[] {
  const q = record.settings.quality;
  const differences = q
    ? protocolDifferences(q, {
        trainImages: record.data.train.size,
        testImages: record.data.test.size,
      })
    : ['no quality suite'];
  const sameProtocol = differences.length === 0;
  const rows: string[][] = [];
  const fmt = (m: { mean: number; std: number }) =>
    `${(m.mean * 100).toFixed(2)} ± ${(m.std * 100).toFixed(2)}%`;
  for (const ref of PYTORCH_ANCHOR.rows) {
    const refGap = gapRecovered({
      teacher: ref.teacher,
      scratch: ref.scratch.mean,
      kd: ref.kd.mean,
    });
    rows.push([
      `${ref.regime}, PyTorch`,
      pct(ref.teacher),
      fmt(ref.scratch),
      fmt(ref.kd),
      signedPct(refGap),
      '',
      '',
    ]);
    const mine = groups.find(
      (g) =>
        g.pair.teacher === PYTORCH_ANCHOR.pair.teacher &&
        g.pair.student === PYTORCH_ANCHOR.pair.student &&
        g.regime.labelFraction === ref.labelFraction,
    );
    if (!mine?.anchor) continue;
    const verdict = (m: MeanStd, r: MeanStd) => {
      const { agrees, test } = agreement(m, r);
      const ci = `Δ ${points(test.diff)} ${interval(test.ci95)}, Welch ${pValue(test.p)}`;
      if (!sameProtocol) return `${ci}; different protocol`;
      return `${agrees ? 'agrees' : 'differs'} (${ci})`;
    };
    rows.push([
      `${ref.regime}, kdkit`,
      pct(mine.teacher.mean),
      pm(mine.scratch),
      pm(mine.anchor.summary.kd),
      gapCell(mine.anchor.summary),
      verdict(mine.scratch, ref.scratch),
      verdict(mine.anchor.summary.kd, ref.kd),
    ]);
  }
  return [
    { kind: 'heading', level: 2, text: 'Cross-check against the PyTorch anchor' },
    {
      kind: 'paragraph',
      text:
        `PyTorch rows are reference numbers from issue 9 (${PYTORCH_ANCHOR.date}; ${PYTORCH_ANCHOR.description}), not measured by this run. ` +
        `kdkit is said to agree only when Welch's t-test at the standard error of the means gives p ≥ 0.05 under the same protocol; the 95% CI of the difference is shown either way (with 3 seeds a side the test has little power: the interval says how large a difference remains possible). ` +
        (sameProtocol
          ? 'This run used the anchor protocol in every field compared (recipe, data sizes, seeds, few-label scratch budget).'
          : `This run did **not** use the anchor's protocol: ${differences.join('; ')}. The comparison is indicative only.`),
    },
    {
      kind: 'table',
      header: [
        '',
        'teacher',
        'student scratch',
        `student KD (${setting(ANCHOR_SETTING)})`,
        'gap recovered',
        'scratch vs anchor',
        'KD vs anchor',
      ],
      rows,
    },
  ];
}

function gridBlocks(g: GroupAnalysis): Block[] {
  const validation = g.grid.every((c) => c.summary.validation !== undefined);
  return [
    { kind: 'heading', level: 3, text: `${pairName(g.pair)}, ${g.regime.name}` },
    {
      kind: 'paragraph',
      text: `Teacher ${pm(g.teacher)}; student from scratch ${pm(g.scratch)} (agreement with teacher ${pm(g.grid[0]?.summary.scratchAgreement ?? g.scratch)}); seeds ${g.seeds.join(', ')}; teachers ${g.teacherSeeds.join(', ')}. Chosen: ${label(g.selected)} ${chosenOn(g)}.${validation ? ' Test figures of the settings not chosen are shown for completeness and were not used to choose.' : ''}`,
    },
    {
      kind: 'table',
      header: [
        'setting',
        ...(validation ? ['KD, validation (chooses)'] : []),
        validation ? 'KD, test (reported)' : 'KD, test',
        'KD − scratch, paired [95% CI]',
        'effect size',
        'agreement',
        'gap recovered [95% CI]',
      ],
      rows: g.grid.map((c) => [
        `${label(c)}${c === g.selected ? ' (chosen)' : ''}`,
        ...(validation ? [pm(c.summary.validation?.kd ?? c.summary.kd)] : []),
        pm(c.summary.kd),
        pairedCell(c.summary.paired),
        effect(c.summary.effectSizeD),
        pm(c.summary.kdAgreement),
        gapWithCi(c.summary),
      ]),
    },
  ];
}

async function plotBlocks(g: GroupAnalysis, out: string): Promise<Block[]> {
  const name = `${slug(`${g.pair.teacher}-to-${g.pair.student}`)}-${labelsSlug(g.regime.labelFraction)}`;
  const blocks: Block[] = [];
  const hintonRuns = g.runs.filter(
    (r) => r.method.kind === 'kd' && r.method.loss === 'hinton' && !r.method.lossOptions,
  );
  const temperatures = new Set(hintonRuns.map((r) => r.temperature));
  if (temperatures.size > 1) blocks.push(...(await temperaturePlot(g, hintonRuns, name, out)));
  blocks.push(...(await curvesPlot(g, name, out)));
  return blocks;
}

async function temperaturePlot(
  g: GroupAnalysis,
  runs: readonly QualityRun[],
  name: string,
  out: string,
): Promise<Block[]> {
  const blocks: Block[] = [];
  const tSvg = await renderSvg(
    accuracyVsTemperatureSpec({
      title: `${pairName(g.pair)}, ${g.regime.name}: KD accuracy vs T`,
      points: runs.map((r) => ({
        temperature: r.temperature,
        alpha: r.alpha,
        seed: r.seed,
        accuracy: r.result.rows.kd.accuracy,
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

  return blocks;
}

async function curvesPlot(g: GroupAnalysis, name: string, out: string): Promise<Block[]> {
  const blocks: Block[] = [];
  const curves: CurvePoint[] = [];
  // x is in KD-student epochs: a few-label scratch student's shorter epochs are scaled by steps.
  const add = (
    series: string,
    rows: {
      seed: number;
      kdEpochs: number;
      history: readonly {
        epoch: number;
        testAccuracy?: number;
        validationAccuracy?: number;
        loss: number;
      }[];
    }[],
  ) => {
    for (const { seed, kdEpochs, history } of rows) {
      const scale = kdEpochs / Math.max(1, history.length);
      for (const e of history) {
        const accuracy = e.validationAccuracy ?? e.testAccuracy;
        if (accuracy !== undefined)
          curves.push({
            series,
            epoch: (e.epoch + 1) * scale,
            seed,
            testAccuracy: accuracy,
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
              history: r.result.rows.scratch.history,
            },
          ]
        : [],
    ),
  );
  const kdSeries = (c: GridCell, series: string) =>
    add(
      series,
      g.runs
        .filter((r) => r.method.stem === c.method.stem)
        .map((r) => ({
          seed: r.seed,
          kdEpochs: r.result.config.studentEpochs,
          history: r.result.rows.kd.history,
        })),
    );
  kdSeries(g.selected, `KD chosen (${label(g.selected)})`);
  if (g.anchor && g.anchor !== g.selected) kdSeries(g.anchor, `KD (${label(g.anchor)})`);
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
      caption: `Accuracy after each epoch (on the validation split when the run has one, else on test; monitoring only), scratch vs KD (mean over seeds, ±1 std band), ${pairName(g.pair)}, ${g.regime.name}.`,
    });
  }
  return blocks;
}

/**
 * The ONNX Runtime line of the speed section: the twin's figure with its ratio to PyTorch, or the
 * fixture's, said to be a different network, or why it did not run.
 */
export function onnxSpeedText(speed: Pick<SpeedResults, 'onnx' | 'settings'>): string {
  const onnx = speed.onnx;
  if (!onnx) return 'ONNX Runtime: not run.';
  if ('skipped' in onnx) return `ONNX Runtime: not run (${onnx.skipped}).`;
  const measured = `Teacher inference with ONNX Runtime (\`${onnx.runtime}\`, its default threads, the same images, batches and warm-up as kdkit's figure) on \`${onnx.model}\`, ${onnx.params.toLocaleString('en-US')} weights: ${rate(onnx.imagesPerSecond)} img/s.`;
  if (!onnx.sameNetwork) {
    return `${measured} This is a different, smaller network than the \`${speed.settings.teacher}\` teacher, so it compares with nothing in the table${onnx.twinSkipped ? ` (the teacher's PyTorch twin was not timed: ${onnx.twinSkipped})` : ''}.`;
  }
  const exported = onnx.exported
    ? ` exported at bench time by \`apps/bench/torch/export_teacher_onnx.py\` (PyTorch ${onnx.exported.torch}, opset ${onnx.exported.opset}, default init with seed ${onnx.exported.seed}; weights don't change the speed)`
    : '';
  return `${measured} It is the \`${speed.settings.teacher}\` architecture (its PyTorch twin from \`torch_nets.py\`,${exported}), so it compares with the teacher-inference row: ${
    onnx.ratioToPyTorch !== undefined
      ? `${onnx.ratioToPyTorch.toFixed(2)}× PyTorch's teacher inference in the same invocation.`
      : "PyTorch's own figure is missing from this invocation, so there is no ratio."
  }`;
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
    { kind: 'paragraph', text: onnxSpeedText(speed) },
  ];
  const onnx = speed.onnx && !('skipped' in speed.onnx) ? speed.onnx : undefined;
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
    // Only the teacher's own architecture belongs beside kdkit's and PyTorch's bars.
    ...(onnx?.sameNetwork && onnx.figure === figure
      ? [{ figure, runtime: 'ONNX Runtime', imagesPerSecond: onnx.imagesPerSecond }]
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
      ...lossFamilyBlocks(groups),
      ...baselineBlocks(groups),
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
        '`runs/<pair>/<labels>/[augment-<spec>/][teacher<k>/]seed<s>/<setting>.json`: one triplet each (rows, per-epoch history, resolved config and its hash)',
        '`speed.json`: the speed suite, with the PyTorch output',
        '`teachers/<model>-<key>/`: the teacher store, trained teachers in tfjs format; a rerun into this directory reuses them and skips finished runs',
        '`plots/*.svg`, `report.html` (self-contained)',
      ],
    },
  );
  const summary = {
    ...record,
    analysis: groups.map(({ runs, ...rest }) => ({ ...rest, runFiles: runs.map((r) => r.file) })),
    selections: record.quality?.selections ?? [],
  };
  await writeFile(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(out, 'REPORT.md'), toMarkdown(blocks));
  await writeFile(join(out, 'report.html'), toHtml('kdkit benchmark report', blocks));
  return { files: ['summary.json', 'REPORT.md', 'report.html'] };
}
