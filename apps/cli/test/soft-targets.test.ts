import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel } from '@kdkit/models';
import { saveModel } from '@kdkit/models/node';
import { describeBackends } from '@kdkit/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from './cli.js';

let dir: string;
let teacher: string;

describeBackends(['cpu'], 'kdkit soft-targets', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kdkit-cli-soft-targets-'));
    teacher = join(dir, 'teacher');
    const model = createModel('lenet5', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    await saveModel(model, teacher, { meta: { zooName: 'lenet5', dataset: 'fashion-mnist-mini' } });
    model.dispose();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes shards in parallel processes, skips a finished shard, and merges them', async () => {
    const store = join(dir, 'store');
    const shard = (i: number) =>
      runCli([
        'soft-targets',
        '--teacher',
        teacher,
        '--shard',
        `${i}/2`,
        '--out',
        store,
        '--limit',
        '64',
        '--top-k',
        '3',
        '--backend',
        'cpu',
        '--json',
      ]);
    const runs = await Promise.all([shard(0), shard(1)]);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(runs.map((r) => JSON.parse(r.stdout).rows)).toEqual([32, 32]);

    const again = await shard(1);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).skipped).toBe(true);

    const merged = await runCli(['soft-targets', 'merge', store, '--json']);
    expect(merged.code, merged.stderr).toBe(0);
    const manifest = JSON.parse(merged.stdout);
    expect(manifest).toMatchObject({
      k: 3,
      numClasses: 10,
      dataset: { name: 'fashion-mnist-mini', size: 64 },
      teacher: { name: 'lenet5' },
    });
    expect((await readdir(store)).sort()).toContain('manifest.json');
  }, 240_000);

  it('exits 2 on a bad --shard, and on a premature merge naming the missing shards', async () => {
    const bad = await runCli([
      'soft-targets',
      '--teacher',
      teacher,
      '--shard',
      '2/2',
      '--out',
      join(dir, 'x'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected I/N with 0 ≤ I < N');

    const half = join(dir, 'half');
    const one = await runCli([
      'soft-targets',
      '--teacher',
      teacher,
      '--shard',
      '0/3',
      '--out',
      half,
      '--limit',
      '30',
      '--backend',
      'cpu',
      '--quiet',
    ]);
    expect(one.code, one.stderr).toBe(0);
    const merge = await runCli(['soft-targets', 'merge', half]);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toMatch(/lacks 2 of 3 shards: 1, 2/);
  }, 240_000);
});
