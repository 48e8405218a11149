import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, runCli, startCli } from './cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdkit-cli-resume-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Ctrl-C and --resume', () => {
  it('saves the steps done, says how to resume, and --resume completes the run', async () => {
    const out = join(dir, 'model');
    const args = [
      'train',
      '--model',
      'cnn-student',
      '--epochs',
      '8',
      '--limit',
      '300',
      '--test-limit',
      '100',
      '--batch-size',
      '16',
      '--backend',
      'wasm',
      '--out',
      out,
    ];
    const child = startCli(args);
    const interrupted = finished(child);
    let stderr = '';
    let sent = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && stderr.includes('epoch 1/8 ·')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const run = await interrupted;
    expect(sent).toBe(true);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('kdkit: interrupted during epoch');
    expect(run.stderr).toMatch(/The checkpoint \([1-7] epochs? and the steps since\) is in /);
    expect(run.stderr).toContain(`kdkit ${args.join(' ')} --resume`);
    expect(run.stdout).toBe('');
    expect(await readdir(dir)).toEqual(['model.checkpoint']); // no model saved yet
    const stoppedAt = Number(/The checkpoint \((\d) epochs?/.exec(run.stderr)?.[1]);

    const resumed = await runCli([...args, '--resume', '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${join(dir, 'model.checkpoint')}`);
    // Only the epochs after the checkpoint ran again.
    expect(resumed.stderr).not.toContain(`epoch ${stoppedAt}/8 ·`);
    expect(resumed.stderr).toContain(`epoch ${stoppedAt + 1}/8 ·`);
    const result = JSON.parse(resumed.stdout) as {
      epochs: number;
      history: unknown[];
      accuracy: number;
    };
    expect(result.epochs).toBe(8);
    expect(result.history).toHaveLength(8);
    expect(result.accuracy).toBeGreaterThan(0.2);
    expect((await readdir(dir)).sort()).toEqual(['model']);
  }, 180_000);

  it('--resume without a checkpoint is a usage error', async () => {
    const run = await runCli([
      'train',
      '--model',
      'cnn-student',
      '--backend',
      'cpu',
      '--out',
      join(dir, 'never'),
      '--resume',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--resume: no checkpoint in');
  });
});
