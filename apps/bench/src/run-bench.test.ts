import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quickQuality } from './options.js';
import type { BenchRecord } from './report/build.js';
import { runBench } from './run-bench.js';

const out = mkdtempSync(join(tmpdir(), 'kdkit-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const isSvg = (text: string) =>
  /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(text) &&
  text.trimEnd().endsWith('</svg>');

// Quick mode shrunk further (a few hundred mini-set images, 1 epoch): checks that it ran and wrote
// a sane report, never accuracy.
describe('runBench (smaller than --quick)', () => {
  it('writes raw JSON per run, REPORT.md with the rows, SVG plots and a self-contained report.html', async () => {
    const quality = {
      ...quickQuality(),
      temperatures: [1, 4],
      teacherEpochs: 1,
      studentEpochs: 1,
      batchSize: 64,
      trainLimit: 192,
      testLimit: 64,
    };
    const record: BenchRecord = await runBench({
      out,
      mode: 'custom',
      dataset: 'fashion-mnist-mini',
      backend: 'wasm',
      quality,
      speed: {
        teacher: 'cnn-student',
        student: 'cnn-student',
        images: 192,
        batchSize: 64,
        torch: false,
      },
      progress: false,
      command: 'test',
    });

    // Raw JSON: one file per (regime, seed, T, α), each parses and holds three rows.
    const runFiles = record.quality?.runs.map((r) => r.file) ?? [];
    expect(runFiles).toHaveLength(2 * 2);
    for (const file of runFiles) {
      const run = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
        result: { rows: { role: string }[]; configHash: string };
      };
      expect(run.result.rows.map((r) => r.role)).toEqual([
        'teacher',
        'student-scratch',
        'student-kd',
      ]);
      expect(run.result.configHash).toMatch(/^[0-9a-f]{12}$/);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as BenchRecord;
    expect(summary.environment.backend).toBe('wasm');
    expect(summary.configHash).toBe(record.configHash);
    expect(JSON.parse(readFileSync(join(out, 'speed.json'), 'utf8')).kdkit).toHaveProperty(
      'teacher-train',
    );
    expect(JSON.parse(readFileSync(join(out, 'environment.json'), 'utf8')).node).toBe(
      process.version,
    );
    expect(existsSync(join(out, 'teachers'))).toBe(true);

    // REPORT.md: the headline table has one row per regime, the grid one per (T, α), speed 4 figures.
    const md = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(md).toMatch(/^# kdkit benchmark report/);
    expect(md).toMatch(/\| cnn-teacher → cnn-student \| full data \| [\d.]+% \|/);
    expect(md).toMatch(/\| cnn-teacher → cnn-student \| 10% of labels \| [\d.]+% \|/);
    expect(md.match(/^\| [14] \| 0\.9 \| [\d.]+% \|/gm)).toHaveLength(4);
    for (const figure of [
      'teacher-train',
      'teacher-inference',
      'student-kd-train',
      'student-kd-train-cached',
    ]) {
      expect(md).toMatch(new RegExp(`^\\| ${figure} \\| [\\d,.]+ \\| n/a \\| n/a \\|$`, 'm'));
    }
    expect(md).toContain('PyTorch: not run (disabled');
    expect(md).toContain(`config hash | \`${record.configHash}\``);

    // Plots: every linked SVG exists and is an SVG document.
    const linked = [...md.matchAll(/\]\((plots\/[^)]+\.svg)\)/g)].map((m) => m[1] as string);
    expect(linked.length).toBe(2 * 2 + 1);
    for (const file of linked) expect(isSvg(readFileSync(join(out, file), 'utf8'))).toBe(true);

    // report.html inlines the same plots and links nothing external.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg[\s>]/g)?.length).toBe(linked.length);
    expect(html).not.toMatch(/<(script|link|img)[\s>]/);
    expect(html).toContain('<table>');
  }, 300_000);

  it('a rerun into the same directory reuses the teacher and every finished run', async () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as BenchRecord;
    const record = await runBench({ ...summary.settings, speed: undefined, progress: false });
    expect(record.quality?.teachers[0]?.source).toBe('cache');
    expect(record.quality?.runs.every((r) => r.reused)).toBe(true);
  }, 120_000);

  it('--stored-only reports the stored runs, skips missing settings and never trains a teacher', async () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as BenchRecord;
    const quality = summary.settings.quality;
    if (!quality) throw new Error('no quality settings stored');
    const stored = { ...quality, storedOnly: true, temperatures: [1, 2, 4] };
    const record = await runBench({ ...summary.settings, quality: stored, speed: undefined });
    expect(record.quality?.runs.map((r) => r.temperature).sort()).toEqual([1, 1, 4, 4]);
    expect(
      existsSync(join(out, 'runs/cnn-teacher-to-cnn-student/full-data/seed0/T2-a0.9.json')),
    ).toBe(false);

    await expect(
      runBench({ ...summary.settings, quality: { ...stored, teacherEpochs: 2 }, speed: undefined }),
    ).rejects.toThrow(/--stored-only: no cached teacher 'cnn-teacher' .*teachers'/);
  }, 120_000);
});
