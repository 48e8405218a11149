import { describe, expect, it } from 'vitest';
import { settingsFromArgs } from './cli.js';
import { fullQuality, kdGrid, LOSS_GRIDS } from './options.js';
import { countRuns } from './quality.js';

describe('settingsFromArgs', () => {
  it('runs the full protocol by default: 3 pairs, 2 teachers, 2 regimes, 5 seeds, T grid × α grid, baselines', () => {
    const s = settingsFromArgs(['--out', '/tmp/x']);
    expect(s.mode).toBe('full');
    expect(s.dataset).toBe('fashion-mnist');
    expect(s.out).toBe('/tmp/x');
    expect(s.quality).toEqual(fullQuality());
    expect(s.quality?.seeds.length).toBeGreaterThanOrEqual(5);
    expect(s.quality?.teacherSeeds?.length).toBeGreaterThanOrEqual(2);
    expect(s.quality?.validationFraction).toBeCloseTo(5000 / 60000, 12);
    expect(s.quality?.temperatures).toEqual([1, 2, 4, 8, 20]);
    expect(s.quality?.regimes.map((r) => r.labelFraction)).toEqual([1, 0.1]);
    expect(s.quality?.regimes.map((r) => r.name)).toEqual([
      'full data',
      'transfer set, 10% labelled',
    ]);
    // Per pair, teacher and seed: 10 KD settings per regime, 2 baselines in the transfer set.
    expect(countRuns(s.quality ?? fullQuality())).toBe(3 * 2 * 5 * (2 * 10 + 2));
    expect(s.speed?.torch).toBe(true);
    expect(s.command).toBe('pnpm bench --out /tmp/x');
  });

  it('--quick uses the mini set with a validation split, two seeds, baselines and few epochs', () => {
    const s = settingsFromArgs(['--quick', '--no-torch']);
    expect(s.mode).toBe('quick');
    expect(s.dataset).toBe('fashion-mnist-mini');
    expect(s.quality?.seeds).toEqual([0, 1]);
    expect(s.quality?.temperatures.length).toBeGreaterThanOrEqual(2);
    expect(s.quality?.validationFraction).toBeGreaterThan(0);
    expect(s.quality?.baselines).toEqual(['pseudo-labels', 'label-smoothing']);
    expect(s.quality?.studentEpochs).toBeLessThanOrEqual(3);
    expect(s.speed?.torch).toBe(false);
    expect(s.out).toMatch(/apps\/bench\/results\/\d{4}-\d\d-\d\dT/);
  });

  it('flags override the preset and mark the run custom', () => {
    const s = settingsFromArgs([
      '--quick',
      '--pairs',
      'mlp-1200:mlp-800',
      '--seeds',
      '0,1',
      '--temperatures',
      '2,8',
      '--alphas',
      '0.5',
      '--label-fractions',
      '1,0.05',
      '--student-epochs',
      '2',
      '--few-label-scratch-epochs',
      '2',
      '--suite',
      'quality',
    ]);
    expect(s.mode).toBe('custom');
    expect(s.quality?.pairs).toEqual([{ teacher: 'mlp-1200', student: 'mlp-800' }]);
    expect(s.quality?.seeds).toEqual([0, 1]);
    expect(s.quality?.temperatures).toEqual([2, 8]);
    expect(s.quality?.alphas).toEqual([0.5]);
    expect(s.quality?.regimes).toEqual([
      { name: 'full data', labelFraction: 1 },
      { name: 'transfer set, 5% labelled', labelFraction: 0.05 },
    ]);
    expect(s.quality?.studentEpochs).toBe(2);
    expect(s.quality?.fewLabelScratchEpochs).toBe(2);
    expect(s.speed).toBeUndefined();
  });

  it('--kd-settings runs an explicit (T, α) list instead of the product', () => {
    const s = settingsFromArgs(['--kd-settings', '4:0.9,1:0.5,2:0.5']);
    const quality = s.quality;
    if (!quality) throw new Error('no quality settings');
    expect(kdGrid(quality)).toEqual([
      { temperature: 4, alpha: 0.9 },
      { temperature: 1, alpha: 0.5 },
      { temperature: 2, alpha: 0.5 },
    ]);
    expect(quality.temperatures).toEqual([4, 1, 2]);
    expect(quality.alphas).toEqual([0.9, 0.5]);
    const { kdSettings: _explicit, ...product } = quality;
    expect(kdGrid(product)).toHaveLength(6);
    expect(quality.storedOnly).toBeUndefined();
    expect(settingsFromArgs(['--stored-only']).quality?.storedOnly).toBe(true);
  });

  it('--suite losses runs the loss family side by side; --val-fraction, --teacher-seeds, --baselines, --allow-dirty', () => {
    const s = settingsFromArgs(['--suite', 'losses', '--allow-dirty']);
    expect(s.speed).toBeUndefined();
    expect(s.quality?.losses?.map((l) => l.loss)).toEqual([
      'hinton',
      'dkd',
      'fitnets',
      'at',
      'sp',
      'pkt',
      'rkd',
      'mse',
    ]);
    expect(s.quality?.losses?.every((l) => l.grid.length >= 2)).toBe(true);
    expect(s.quality?.pairs).toEqual([{ teacher: 'cnn-teacher', student: 'cnn-student' }]);
    expect(s.allowDirty).toBe(true);
    expect(s.mode).toBe('custom');
    const custom = settingsFromArgs([
      '--losses',
      'dkd,mse',
      '--val-fraction',
      '0',
      '--teacher-seeds',
      '0,1,2',
      '--baselines',
      'none',
    ]);
    expect(custom.quality?.losses?.map((l) => l.loss)).toEqual(['dkd', 'mse']);
    // Attention transfer taps the conv stages only.
    expect(settingsFromArgs(['--losses', 'at']).quality?.losses?.[0]?.taps).toEqual({
      teacher: ['pool1', 'pool2'],
      student: ['pool1', 'pool2'],
    });
    // name:key=value items replace a loss's default grid with exactly those settings.
    const own = settingsFromArgs([
      '--losses',
      'hinton,fitnets:beta=1,dkd:beta=0.5:warmupEpochs=1,fitnets:beta=10',
    ]).quality?.losses;
    expect(own).toEqual([
      { loss: 'hinton', grid: LOSS_GRIDS['hinton'] },
      { loss: 'fitnets', grid: [{ beta: 1 }, { beta: 10 }] },
      { loss: 'dkd', grid: [{ beta: 0.5, warmupEpochs: 1 }] },
    ]);
    for (const bad of ['fitnets:beta', 'fitnets:beta=x', 'fitnets:beta=1=2', 'nope:beta=1']) {
      expect(() => settingsFromArgs(['--losses', bad]), bad).toThrow(/fitnets:beta=10|no grid/);
    }
    expect(custom.quality?.validationFraction).toBe(0);
    expect(custom.quality?.teacherSeeds).toEqual([0, 1, 2]);
    expect(custom.quality?.baselines).toEqual([]);
    expect(settingsFromArgs(['--quick', '--allow-dirty']).mode).toBe('quick');
  });

  it('--pairs takes a shipped teacher as pretrained:NAME:student', () => {
    const { quality } = settingsFromArgs([
      '--pairs',
      'pretrained:cnn-teacher:cnn-student,mlp-1200:mlp-800',
    ]);
    expect(quality?.pairs).toEqual([
      { teacher: 'pretrained:cnn-teacher', student: 'cnn-student' },
      { teacher: 'mlp-1200', student: 'mlp-800' },
    ]);
    expect(
      settingsFromArgs(['--pairs', 'pretrained:cnn-teacher@25d9698f2856adc6:cnn-student']).quality
        ?.pairs,
    ).toEqual([{ teacher: 'pretrained:cnn-teacher@25d9698f2856adc6', student: 'cnn-student' }]);
  });

  it('--augment parses a spec into every triplet config, and names the bad part of a bad one', () => {
    const s = settingsFromArgs(['--augment', 'crop2,flip']);
    expect(s.mode).toBe('custom');
    expect(s.quality?.augment).toEqual({ cropPadding: 2, horizontalFlip: true });
    expect(settingsFromArgs(['--augment=flip']).quality?.augment).toEqual({
      cropPadding: 0,
      horizontalFlip: true,
    });
    // 'none' changes nothing, so the settings (and their hash) are those of no flag.
    expect(settingsFromArgs(['--augment', 'none']).quality).toEqual(fullQuality());
    expect(settingsFromArgs([]).quality?.augment).toBeUndefined();
    expect(settingsFromArgs(['--augment', 'crop2,flip,views4']).quality?.augment).toEqual({
      cropPadding: 2,
      horizontalFlip: true,
      views: 4,
    });
    // Without viewsN the settings carry no views field, so their hash is the one before views.
    expect('views' in (s.quality?.augment ?? {})).toBe(false);
    for (const [spec, part] of [
      ['crop2,flop', "unknown part 'flop'"],
      ['crop0', "'crop0' in 'crop0' crops by 0 pixels"],
      ['flip,flip', "'flip' given twice"],
      ['views4', "'views4' in 'views4' has nothing to view"],
    ]) {
      expect(() => settingsFromArgs(['--augment', spec ?? ''])).toThrow(
        new RegExp(
          `option '--augment <spec>' argument '${spec}' is invalid\\. --augment: ${part}.*expected 'cropN'.*'flip'.*'viewsN'.*'none'`,
        ),
      );
    }
  });

  it('rejects malformed values', () => {
    expect(() => settingsFromArgs(['--losses', 'nope'])).toThrow(/no grid for loss 'nope'.*hinton/);
    expect(() => settingsFromArgs(['--baselines', 'mixup'])).toThrow(/unknown baseline 'mixup'/);
    expect(() => settingsFromArgs(['--val-fraction', '1'])).toThrow(/\[0, 1\)/);
    expect(() => settingsFromArgs(['--kd-settings', '4'])).toThrow(/T:α.*got '4'/);
    expect(() => settingsFromArgs(['--kd-settings', '4:1.5'])).toThrow(/α in \[0, 1\]/);
    expect(() => settingsFromArgs(['--kd-settings', '4:0.9', '--alphas', '0.5'])).toThrow(
      /cannot be used with/,
    );
    expect(() => settingsFromArgs(['--seeds', 'a,b'])).toThrow(/comma-separated numbers/);
    expect(() => settingsFromArgs(['--pairs', 'cnn-teacher'])).toThrow(/teacher:student/);
    expect(() => settingsFromArgs(['--pairs', 'pretrained::cnn-student'])).toThrow(
      /pretrained:NAME:student/,
    );
    expect(() => settingsFromArgs(['--pairs', 'a:b:c'])).toThrow(/got 'a:b:c'/);
    for (const pinned of [
      'pretrained:cnn-teacher@25d9:s',
      'pretrained:cnn-teacher@:s',
      'pretrained:@25d9698f2856adc6:s',
      'pretrained:cnn-teacher@25d9698f2856adc6@x:s',
    ]) {
      expect(() => settingsFromArgs(['--pairs', pinned])).toThrow(
        /16 hex digits of its weights key/,
      );
    }
    expect(() => settingsFromArgs(['--suite', 'nope'])).toThrow();
  });
});
