import { describe, expect, it } from 'vitest';
import { describeKdSetting, usesHintonOptions } from './kd-setting.js';

describe('KD settings', () => {
  it('knows which losses take temperature and α', () => {
    expect(usesHintonOptions('hinton')).toBe(true);
    expect(usesHintonOptions('kl')).toBe(true);
    expect(usesHintonOptions('dist')).toBe(false);
    expect(usesHintonOptions('dkd')).toBe(false);
  });

  it('describes a setting by the options the loss really takes', () => {
    expect(describeKdSetting({ loss: 'hinton', temperature: 1, alpha: 0.9 })).toBe('T=1, α=0.9');
    expect(
      describeKdSetting({
        loss: 'hinton',
        temperature: 4,
        alpha: 0.5,
        lossOptions: { soft: 'kl' },
      }),
    ).toBe('T=4, α=0.5, soft=kl');
    expect(describeKdSetting({ loss: 'dist', temperature: 1, alpha: 0.9 })).toBe('default options');
    expect(
      describeKdSetting({
        loss: 'dist',
        temperature: 1,
        alpha: 0.9,
        lossOptions: { beta: 2, gamma: 2 },
      }),
    ).toBe('beta=2, gamma=2');
  });
});
