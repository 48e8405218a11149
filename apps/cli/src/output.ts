import Table from 'cli-table3';

export interface OutputMode {
  readonly json?: boolean | undefined;
  readonly quiet?: boolean | undefined;
  readonly verbose?: boolean | undefined;
}

/**
 * Where a command writes. The result goes to stdout (as JSON with `--json`); everything else
 * (progress, the backend line, notes) goes to stderr, and `--quiet` silences it.
 */
export class Output {
  constructor(readonly mode: OutputMode) {}

  /** True when progress may be shown. */
  get showProgress(): boolean {
    return !this.mode.quiet;
  }

  /** A note on stderr, unless --quiet. */
  info(line: string): void {
    if (!this.mode.quiet) process.stderr.write(`${line}\n`);
  }

  /** A detail on stderr, only with --verbose. */
  debug(line: string): void {
    if (this.mode.verbose && !this.mode.quiet) process.stderr.write(`${line}\n`);
  }

  /** The command's result: `value` as JSON with --json, else the human text. */
  result(value: unknown, human: () => string): void {
    if (this.mode.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else process.stdout.write(`${human()}\n`);
  }
}

/** A plain table (no colours): the first column left-aligned, the others right-aligned. */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({
    head: [...head],
    style: { head: [], border: [] },
    colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')),
  });
  for (const row of rows) table.push([...row]);
  return table.toString();
}

export const percent = (x: number | undefined): string =>
  x === undefined || Number.isNaN(x) ? '-' : `${(x * 100).toFixed(2)}%`;

export const count = (n: number | undefined): string =>
  n === undefined ? '-' : n.toLocaleString('en-US');

/** A duration for people: `12.3s`, or `4m 05s` from a minute on (whole seconds, never `60s`). */
export const seconds = (ms: number | undefined): string => {
  if (ms === undefined) return '-';
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const whole = Math.round(ms / 1000);
  return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
};
