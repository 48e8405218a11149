import { describe, expect, it } from 'vitest';
import { duration, type PageResult, summaryLine, tableRows } from './report.js';
import { DEFAULT_SETTINGS } from './settings.js';

const row = (accuracy: number, agreement: number) => ({
  model: 'cnn-student',
  accuracy,
  agreement,
  params: 26_698,
  seconds: 12.34,
  history: [],
});

const result: PageResult = {
  backend: 'wasm',
  threads: 2,
  backendReason: 'webgl not loadable: software-rendered',
  teacher: {
    model: 'cnn-teacher',
    source: 'pretrained',
    accuracy: 0.9,
    params: 1_701_802,
    seconds: 0,
  },
  scratch: row(0.8, 0.85),
  kd: row(0.8125, 0.9),
  imagesPerSecond: 1234.4,
  seconds: 75,
  dataset: { train: 3000, test: 1000 },
  settings: { ...DEFAULT_SETTINGS, temperature: 4, alpha: 0.9, labelFraction: 0.1 },
};

describe('report', () => {
  it('formats durations as the CLI does', () => {
    expect(duration(12.34)).toBe('12.3s');
    expect(duration(59.96)).toBe('1m 00s');
    expect(duration(153)).toBe('2m 33s');
  });

  it('builds the CLI demo table: teacher, scratch, KD', () => {
    expect(tableRows(result)).toEqual([
      ['teacher', 'cnn-teacher', '90.00%', '1,701,802', '100.00%', '0.0s'],
      ['student (scratch)', 'cnn-student', '80.00%', '26,698', '85.00%', '12.3s'],
      ['student (KD)', 'cnn-student', '81.25%', '26,698', '90.00%', '12.3s'],
    ]);
  });

  it('sums up KD − scratch in points with the setting', () => {
    expect(summaryLine(result)).toBe(
      'KD − scratch: +1.25 points (hinton, T=4, α=0.9, 10% of labels). Backend wasm (2 threads), KD step 1,234 images/s, total 1m 15s.',
    );
    // DIST ignores T and α: the line names its options instead.
    expect(summaryLine({ ...result, settings: { ...result.settings, loss: 'dist' } })).toMatch(
      /^KD − scratch: \+1\.25 points \(dist, default options, 10% of labels\)\./,
    );
  });
});
