import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

describe('kdkit demo', () => {
  it('prints the teacher / scratch / KD table, far above chance, and the backend', async () => {
    const run = await runCli([
      ...['demo', '--teacher', 'lenet5', '--limit', '600', '--test-limit', '300'],
      ...['--epochs', '3', '--batch-size', '32', '--backend', 'wasm'],
    ]);
    expect(run.stderr).toContain("kdkit: backend 'wasm'");
    expect(run.code).toBe(0);
    const rows = ['teacher', 'student (scratch)', 'student (KD)'].map((label) => {
      const line = run.stdout.split('\n').find((l) => l.startsWith(`│ ${label} `));
      expect(line, `row '${label}' in\n${run.stdout}`).toBeDefined();
      const cells = (line ?? '').split('│').map((c) => c.trim());
      return { model: cells[2], accuracy: Number.parseFloat(cells[3] ?? ''), agreement: cells[5] };
    });
    expect(rows.map((r) => r.model)).toEqual(['lenet5', 'cnn-student', 'cnn-student']);
    for (const row of rows) expect(row.accuracy).toBeGreaterThan(35); // chance is 10%
    expect(rows[0]?.agreement).toBe('100.00%');
    expect(run.stdout).toContain('backend: wasm');
    expect(run.stdout).toMatch(/KD − scratch: [+-]\d+\.\d\d points/);
  }, 300_000);

  it('--json uses the shipped pretrained cnn-teacher by default, at the validation-chosen T and α', async () => {
    const run = await runCli([
      ...['demo', '--json', '--limit', '600', '--test-limit', '300', '--epochs', '2'],
      ...['--backend', 'wasm'],
    ]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      teacherSource: string;
      rows: Record<'teacher' | 'scratch' | 'kd', { model: string; accuracy: number }>;
      config: { temperature: number; alpha: number };
    };
    expect(out.teacherSource).toBe('pretrained');
    expect(Object.keys(out.rows)).toEqual(['teacher', 'scratch', 'kd']);
    expect(out.rows.teacher.model).toBe('cnn-teacher');
    // The shipped teacher scored 93.25% on the full test set; 300 mini test images vary around it.
    expect(out.rows.teacher.accuracy).toBeGreaterThan(0.85);
    expect([out.config.temperature, out.config.alpha]).toEqual([1, 0.9]);
  }, 300_000);
});
