import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

describe('kdkit help', () => {
  it('lists every command, with examples and exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['demo', 'train', 'distill', 'eval', 'list']) {
      expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    expect(run.stdout).toContain('Exit codes: 0 success');
  });

  it('has help text for every command, with the common flags', async () => {
    const runs = await Promise.all(
      ['demo', 'train', 'distill', 'eval', 'list'].map((c) => runCli([c, '--help'])),
    );
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Examples:');
      for (const flag of ['--config <file>', '--json', '--quiet', '--verbose']) {
        expect(run.stdout).toContain(flag);
      }
    }
    const [demo, train, distill, evaluate] = runs;
    for (const run of [demo, train, distill, evaluate]) {
      expect(run?.stdout).toContain('--backend <name>');
      expect(run?.stdout).toContain('"auto", "tensorflow", "wasm", "cpu"');
    }
    for (const run of [train, distill]) {
      for (const flag of ['--seed <n>', '--resume', '--epochs <n>', '--out <dir>']) {
        expect(run?.stdout).toContain(flag);
      }
    }
    expect(distill?.stdout).toContain('--loss-module <path>');
    expect(distill?.stdout).toContain('--temperature <t>');
    expect(demo?.stdout).toContain('--full');
    for (const run of [demo, train, distill]) expect(run?.stdout).toContain('--augment <spec>');
  });

  it('exits 2 with usage on stderr for no command, an unknown command or a bad flag', async () => {
    const [none, unknown, badFlag, badValue] = await Promise.all([
      runCli([]),
      runCli(['distil']),
      runCli(['train', '--epoch', '3']),
      runCli(['train', '--epochs', 'three']),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: kdkit');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'distil'");
    expect(unknown.stderr).toContain('distill');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("unknown option '--epoch'");
    expect(badFlag.stderr).toContain('--epochs');
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain("expected an integer ≥ 1, got 'three'");
    for (const run of [none, unknown, badFlag, badValue]) expect(run.stdout).toBe('');
  });

  it('prints its version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
