import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { isKdkitError } from '@kdkit/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { quickQuality } from './options.js';
import type { BenchRecord } from './report/build.js';
import { assertCleanTree, holdOutValidation, runBench } from './run-bench.js';

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
      allowDirty: true,
    });

    // Raw JSON: one file per (seed, setting): 2 seeds × (2 KD settings + 2 baselines), each
    // parses and holds three rows scored on validation and test.
    const runFiles = record.quality?.runs.map((r) => r.file) ?? [];
    expect(runFiles).toHaveLength(2 * (2 + 2));
    expect(runFiles).toContain(
      'runs/cnn-teacher-to-cnn-student/10pct-of-labels/seed1/baseline-pseudo-labels.json',
    );
    // The baselines ran at the T chosen on validation, recorded with the choice.
    const [selection] = record.quality?.selections ?? [];
    expect(selection?.on).toBe('validation');
    expect(runFiles).toContain(
      `runs/cnn-teacher-to-cnn-student/10pct-of-labels/seed0/baseline-label-smoothing-T${selection?.method.temperature}.json`,
    );
    expect(record.data.validation?.size).toBeGreaterThan(0);
    expect((record.data.validation?.size ?? 0) + record.data.train.size).toBe(192);
    for (const file of runFiles) {
      const run = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
        result: {
          rows: Record<'teacher' | 'scratch' | 'kd', { role: string; validationAccuracy?: number }>;
          configHash: string;
        };
      };
      const { teacher, scratch, kd } = run.result.rows;
      for (const row of [teacher, scratch, kd]) expect(row).toHaveProperty('validationAccuracy');
      expect([teacher.role, scratch.role, kd.role]).toEqual([
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

    // REPORT.md: the headline row with the setting chosen on validation and the paired test, the
    // grid one row per (T, α), the baselines, speed 4 figures, and the dirty-tree note.
    const md = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(md).toMatch(/^# kdkit benchmark report/);
    expect(md).toMatch(
      /\| cnn-teacher → cnn-student \| transfer set, 10% labelled \| [\d.]+% \| [\d.]+ ± [\d.]+% \| T=[14], α=0\.9 \(chosen on validation\) \|/,
    );
    expect(md).toMatch(/[+−][\d.]+ pt \[[+−][\d.]+, [+−][\d.]+\], p [=<] [\d.]+, [012]\/2 ahead/);
    expect(md).toContain('effect size');
    expect(md).not.toMatch(/σ/);
    expect(
      md.match(/^\| T=[14], α=0\.9( \(chosen\))? \| [\d.]+ ± [\d.]+% \| [\d.]+ ± [\d.]+% \|/gm),
    ).toHaveLength(2);
    expect(md).toContain("| teacher's hard pseudo-labels |");
    expect(md).toMatch(/label smoothing, ε matched to the teacher's entropy at T=[14]/);
    expect(md).toContain('not used to choose');
    expect(md).toContain("did **not** use the anchor's protocol");
    for (const figure of [
      'teacher-train',
      'teacher-inference',
      'student-kd-train',
      'student-kd-train-cached',
    ]) {
      expect(md).toMatch(new RegExp(`^\\| ${figure} \\| [\\d,.]+ \\| n/a \\| n/a \\|$`, 'm'));
    }
    expect(md).toContain('PyTorch: not run (disabled');
    // No twin for this suite's teacher: the fixture, said to compare with nothing.
    expect(JSON.parse(readFileSync(join(out, 'speed.json'), 'utf8')).onnx).toMatchObject({
      model: 'fashion-cnn.onnx (PyTorch export, @kdkit/onnx fixture)',
      sameNetwork: false,
      twinSkipped: "the suite's teacher 'cnn-student' has no PyTorch twin (only cnn-teacher)",
    });
    expect(md).toContain('so it compares with nothing in the table');
    expect(md).toContain(`config hash | \`${record.configHash}\``);

    // Plots: every linked SVG exists and is an SVG document.
    const linked = [...md.matchAll(/\]\((plots\/[^)]+\.svg)\)/g)].map((m) => m[1] as string);
    // One regime: accuracy vs T and train curves, plus speed.
    expect(linked.length).toBe(2 + 1);
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
    expect(record.quality?.teachers[0]?.source).toBe('store');
    expect(record.quality?.runs.every((r) => r.reused)).toBe(true);
  }, 120_000);

  it('--stored-only reports the stored runs without any teacher, and skips missing settings', async () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as BenchRecord;
    const quality = summary.settings.quality;
    if (!quality) throw new Error('no quality settings stored');
    rmSync(join(out, 'teachers'), { recursive: true, force: true });
    const stored = { ...quality, storedOnly: true, temperatures: [1, 2, 4] };
    const record = await runBench({ ...summary.settings, quality: stored, speed: undefined });
    expect(record.quality?.runs).toHaveLength(2 * (2 + 2));
    expect(record.quality?.teachers[0]?.source).toBe('stored run');
    expect(existsSync(join(out, 'teachers'))).toBe(false);
    expect(
      existsSync(join(out, 'runs/cnn-teacher-to-cnn-student/10pct-of-labels/seed0/T2-a0.9.json')),
    ).toBe(false);

    await expect(
      runBench({ ...summary.settings, quality: { ...stored, teacherEpochs: 2 }, speed: undefined }),
    ).rejects.toThrow(/--stored-only: no stored run of 'cnn-teacher → cnn-student'/);
  }, 120_000);
});

describe('assertCleanTree', () => {
  it('refuses a dirty tree unless allowed', () => {
    expect(() => assertCleanTree('abc123-dirty', false)).toThrow(
      /uncommitted changes.*--allow-dirty/,
    );
    try {
      assertCleanTree('abc123-dirty', false);
    } catch (error) {
      expect(isKdkitError(error, 'CONFIG_INVALID')).toBe(true);
    }
    expect(() => assertCleanTree('abc123-dirty', true)).not.toThrow();
    expect(() => assertCleanTree('abc123', false)).not.toThrow();
    expect(() => assertCleanTree(undefined, false)).not.toThrow();
  });
});

describe('holdOutValidation', () => {
  it('holds out a stratified split of the training images only, seeded', async () => {
    const train = await loadFashionMnistMini({ split: 'train' });
    const { train: fit, validation } = holdOutValidation(train, 1 / 12);
    // 300 images per class → 25 each: 250 of 3,000.
    expect(validation?.size).toBe(250);
    expect(fit.size).toBe(2750);
    const perClass = new Array(10).fill(0);
    for (const label of validation?.labels ?? []) perClass[label]++;
    expect(perClass).toEqual(new Array(10).fill(25));
    expect(holdOutValidation(train, 1 / 12).validation?.labels).toEqual(validation?.labels);
    expect(holdOutValidation(train, 0)).toEqual({ train });
  });
});
