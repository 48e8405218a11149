import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from './cli.js';

describe('--loss-module', () => {
  it("loads the user's module, whose registerLoss makes the loss usable by name", async () => {
    const run = await runCli(['list', 'losses', '--loss-module', './test/fixtures/my-loss.mjs']);
    expect(run.code).toBe(0);
    const names = run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[0]);
    expect(names).toContain('my-loss');
    expect(names).toContain('hinton');
    expect(run.stdout).toMatch(/^my-loss\s+\(user\) weight·T²·KL \+ \(1 − weight\)·CE$/m);
  });

  it('loads only an explicit file path, never a package name', async () => {
    const [bare, missing] = await Promise.all([
      runCli(['list', 'losses', '--loss-module', 'zod']),
      runCli(['list', 'losses', '--loss-module', join(FIXTURES, 'absent.mjs')]),
    ]);
    for (const run of [bare, missing]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--loss-module: no file at');
      expect(run.stderr).toContain('[FILE_NOT_FOUND]');
    }
  });
});
