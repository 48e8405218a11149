// Bench-only: PyTorch anchor runs (apps/bench/torch/anchor_protocol.py JSON lines) against kdkit's
// stored runs of the same protocol. Prints, per label regime: PyTorch KD − scratch paired by seed,
// and kdkit vs PyTorch by Welch's t-test at the standard error of the means (scratch and KD).
// Usage: tsx --conditions=@kdkit/source apps/bench/scripts/compare-anchor.ts <anchor.jsonl> \
//          <regime>=<kdkit runs dir with seed*/T4-a0.9.json> ...
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanStd, pairedComparison, welchComparison } from '@kdkit/experiments';

interface AnchorRun {
  readonly run: 'teacher' | 'scratch' | 'kd';
  readonly seed?: number;
  readonly label_fraction?: number;
  readonly init: string;
  readonly accuracy: number;
}

const [anchorFile, ...regimeArgs] = process.argv.slice(2);
if (!anchorFile || regimeArgs.length === 0) {
  console.error(
    'compare-anchor: give <anchor.jsonl> and one or more <labelFraction>=<kdkit runs dir>',
  );
  process.exit(2);
}
const anchor = readFileSync(anchorFile, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l) as AnchorRun);
const pt = (x: number) => `${(100 * x).toFixed(2)}`;
const interval = ([lo, hi]: readonly [number, number]) => `[${pt(lo)}, ${pt(hi)}]`;

for (const arg of regimeArgs) {
  const [fraction, dir] = arg.split('=') as [string, string];
  const runs = anchor.filter((r) => r.label_fraction === Number(fraction));
  const bySeed = (kind: 'scratch' | 'kd') =>
    new Map(runs.filter((r) => r.run === kind).map((r) => [r.seed as number, r.accuracy]));
  const [scratch, kd] = [bySeed('scratch'), bySeed('kd')];
  const seeds = [...scratch.keys()].filter((s) => kd.has(s)).sort((a, b) => a - b);
  const torchScratch = seeds.map((s) => scratch.get(s) as number);
  const torchKd = seeds.map((s) => kd.get(s) as number);
  const paired = pairedComparison(torchKd, torchScratch);
  const kdkitRows = readdirSync(dir)
    .filter((d) => d.startsWith('seed'))
    .map((d) => {
      const stored = JSON.parse(readFileSync(join(dir, d, 'T4-a0.9.json'), 'utf8')) as {
        result: { rows: { role: string; accuracy: number }[] };
      };
      const row = (role: string) =>
        stored.result.rows.find((r) => r.role === role)?.accuracy ?? Number.NaN;
      return { scratch: row('student-scratch'), kd: row('student-kd') };
    });
  const summary = (values: number[]) => ({ ...meanStd(values), n: values.length });
  const lines = [
    `labels ${fraction}: PyTorch (init ${runs[0]?.init}), seeds ${seeds.join(',')}; kdkit ${kdkitRows.length} seeds from ${dir}`,
    `  PyTorch scratch ${pt(summary(torchScratch).mean)} ± ${pt(summary(torchScratch).std)}, KD ${pt(summary(torchKd).mean)} ± ${pt(summary(torchKd).std)}; KD − scratch paired ${pt(paired.meanDiff)} pt ${interval(paired.ci95)}, p = ${paired.p.toFixed(3)}, ${paired.positive}/${paired.n} ahead`,
  ];
  for (const role of ['scratch', 'kd'] as const) {
    const mine = summary(kdkitRows.map((r) => r[role]));
    const theirs = summary(role === 'kd' ? torchKd : torchScratch);
    const w = welchComparison(mine, theirs);
    lines.push(
      `  ${role}: kdkit ${pt(mine.mean)} ± ${pt(mine.std)} (n ${mine.n}) − PyTorch ${pt(theirs.mean)} ± ${pt(theirs.std)} (n ${theirs.n}) = ${pt(w.diff)} pt ${interval(w.ci95)}, Welch p = ${w.p.toFixed(3)}`,
    );
  }
  console.log(lines.join('\n'));
}
