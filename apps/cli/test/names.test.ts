import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe('unknown names', () => {
  it('an unknown model, loss or dataset exits 2 listing the valid names and the closest one', async () => {
    const [model, dataset, loss, what] = await Promise.all([
      runCli(['train', '--model', 'cnn-studnet', '--backend', 'cpu', '--quiet']),
      runCli([
        'train',
        '--model',
        'mlp-800',
        '--dataset',
        'fashion-mnits',
        '--backend',
        'cpu',
        '--quiet',
      ]),
      runCli([
        'distill',
        '--teacher',
        'nowhere',
        '--student',
        'cnn-student',
        '--loss',
        'hintn',
        '--quiet',
      ]),
      runCli(['list', 'modles']),
    ]);
    expect(model.code).toBe(2);
    expect(model.stderr).toContain("Unknown model 'cnn-studnet'. Did you mean 'cnn-student'?");
    expect(model.stderr).toContain('mlp-1200');
    expect(dataset.code).toBe(2);
    expect(dataset.stderr).toContain("'fashion-mnits'");
    expect(dataset.stderr).toContain("Did you mean 'fashion-mnist'?");
    expect(loss.code).toBe(2);
    expect(loss.stderr).toContain("'hintn'");
    expect(loss.stderr).toContain("Did you mean 'hinton'?");
    expect(what.code).toBe(2);
    expect(what.stderr).toContain("value 'modles' is invalid for argument 'what'");
    for (const run of [model, dataset, loss]) {
      expect(run.stderr).toContain('[UNKNOWN_NAME]');
      noStack(run.stderr);
      expect(run.stdout).toBe('');
    }
  });

  it('a missing teacher directory exits 2; --verbose adds the stack trace', async () => {
    const args = [
      'distill',
      '--teacher',
      'no/such/dir',
      '--student',
      'cnn-student',
      '--backend',
      'cpu',
    ];
    const [plain, verbose] = await Promise.all([runCli(args), runCli([...args, '--verbose'])]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('holds no saved model');
    expect(plain.stderr).toContain('kdkit train');
    noStack(plain.stderr);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

describe('kdkit list', () => {
  it('prints one line per model, loss and dataset', async () => {
    const [models, losses, datasets] = await Promise.all([
      runCli(['list', 'models']),
      runCli(['list', 'losses']),
      runCli(['list', 'datasets']),
    ]);
    for (const run of [models, losses, datasets]) expect(run.code).toBe(0);
    const lines = (text: string) => text.trim().split('\n');
    expect(lines(models.stdout).length).toBeGreaterThanOrEqual(9);
    expect(models.stdout).toMatch(/^cnn-teacher\s+teacher\s+[\d,]+ params/m);
    expect(models.stdout).toMatch(/^cnn-student\s+student\s+[\d,]+ params/m);
    expect(lines(losses.stdout).map((line) => line.split(/\s+/)[0])).toContain('hinton');
    const datasetNames = lines(datasets.stdout).map((line) => line.split(/\s+/)[0]);
    expect(datasetNames).toEqual(['fashion-mnist', 'fashion-mnist-mini', 'mnist', 'cifar10']);
  });

  it('without an argument prints every kind under its heading and exits 0', async () => {
    const [plain, json] = await Promise.all([runCli(['list']), runCli(['list', '--json'])]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^models:\n/m);
    expect(plain.stdout).toMatch(/^cnn-teacher\s/m);
    expect(plain.stdout).toMatch(/^losses:\n/m);
    expect(plain.stdout).toMatch(/^datasets:\nfashion-mnist\s/m);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as Record<string, { name: string }[]>;
    expect(Object.keys(parsed)).toEqual(['models', 'losses', 'datasets', 'teachers']);
    expect(parsed['losses']?.map((l) => l.name)).toContain('hinton');
  });

  it('--json prints parseable JSON', async () => {
    const run = await runCli(['list', 'datasets', '--json']);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { name: string; embedded: boolean }[];
    expect(parsed.find((d) => d.name === 'fashion-mnist-mini')?.embedded).toBe(true);
  });
});
