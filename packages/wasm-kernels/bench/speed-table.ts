// `pnpm --filter @kdkit/wasm-kernels speed-table <bench.jsonl>...`: the README's speed table
// (markdown) from the `ratio_wasm_over_torch` lines of one or more bench invocations: the median
// of each figure over the invocations, and the range of the same-invocation ratios.
import { readFileSync } from 'node:fs';

const LABELS: Record<string, string> = {
  teacher_train: 'teacher train',
  teacher_inference: 'teacher inference',
  student_kd_teacher_forward: 'student KD train, teacher forward each step',
  student_kd_cached_logits: 'student KD train, cached teacher logits',
};

interface RatioLine {
  readonly figure: string;
  readonly ratio_wasm_over_torch: number;
  readonly wasm: number;
  readonly torch: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const files = process.argv.slice(2).filter((a) => a !== '--');
if (files.length === 0) {
  console.error('speed-table: give one or more bench .jsonl files (bench output)');
  process.exit(2);
}
const byFigure = new Map<string, RatioLine[]>();
for (const file of files) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as Partial<RatioLine>;
    if (record.ratio_wasm_over_torch === undefined || !record.figure) continue;
    const list = byFigure.get(record.figure) ?? [];
    list.push(record as RatioLine);
    byFigure.set(record.figure, list);
  }
}
const count = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `| figure | kdkit, wasm (2 threads), median | PyTorch, median | kdkit / PyTorch, median [range over ${files.length} invocations] |`,
);
console.log('|---|---:|---:|---:|');
for (const [figure, label] of Object.entries(LABELS)) {
  const lines = byFigure.get(figure);
  if (!lines) continue;
  const ratios = lines.map((l) => l.ratio_wasm_over_torch);
  console.log(
    `| ${label} | ${count(median(lines.map((l) => l.wasm)))} | ${count(median(lines.map((l) => l.torch)))} | ${median(ratios).toFixed(2)}× [${Math.min(...ratios).toFixed(2)}, ${Math.max(...ratios).toFixed(2)}] |`,
  );
}
