import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, settingsFromQuery, settingsToQuery } from './settings.js';

describe('settingsFromQuery', () => {
  it('reads the autorun contract and the distillation knobs', () => {
    const s = settingsFromQuery(
      '?autorun=1&epochs=2&T=3&alpha=0.7&labelFraction=0.1&student=lenet5',
    );
    expect(s).toMatchObject({
      autorun: true,
      epochs: 2,
      temperature: 3,
      alpha: 0.7,
      labelFraction: 0.1,
      student: 'lenet5',
      teacher: 'auto',
    });
  });

  it("reads an ONNX teacher's layout and pixel range (default NCHW in [0, 1])", () => {
    expect(DEFAULT_SETTINGS).toMatchObject({
      teacherLayout: 'nchw',
      teacherInputMin: 0,
      teacherInputMax: 1,
    });
    const s = settingsFromQuery('teacher=upload&teacherLayout=nhwc&teacherInputMin=-1');
    expect(s).toMatchObject({ teacherLayout: 'nhwc', teacherInputMin: -1, teacherInputMax: 1 });
    expect(settingsToQuery(s)).toBe('teacher=upload&teacherLayout=nhwc&teacherInputMin=-1');
  });

  it('reads the loss (default hinton) and round-trips it', () => {
    expect(DEFAULT_SETTINGS.loss).toBe('hinton');
    const s = settingsFromQuery('loss=dist&epochs=2');
    expect(s).toMatchObject({ loss: 'dist', epochs: 2 });
    expect(settingsToQuery(s)).toBe('epochs=2&loss=dist');
  });

  it('keeps the defaults for an empty query', () => {
    expect(settingsFromQuery('')).toEqual(DEFAULT_SETTINGS);
  });

  it.each([
    ['epochs=0', "'epochs' must be an integer ≥ 1, got 0"],
    ['alpha=1.5', "'alpha' must be in [0, 1], got 1.5"],
    ['T=-1', "'temperature' must be a finite number > 0, got -1"],
    ['epochs=two', "'epochs' must be a number, got 'two'"],
    ['teacher=magic', "'teacher' must be one of 'auto', 'pretrained', 'train', 'upload'"],
    ['backend=metal', "'backend' must be one of 'auto', 'webgpu', 'webgl', 'wasm', 'cpu'"],
    ['threads=9', "'threads' must be in [1, 8], got 9"],
    ['teacherLayout=nwhc', "'teacherLayout' must be one of 'nchw', 'nhwc'"],
    ['teacherInputMax=high', "'teacherInputMax' must be a number, got 'high'"],
    ['loss=dkd', "'loss' must be one of 'hinton', 'dist'"],
  ])('refuses %s, naming the setting', (query, text) => {
    expect(() => settingsFromQuery(query)).toThrow(text);
  });

  it('refuses an unknown parameter, listing the valid ones', () => {
    expect(() => settingsFromQuery('epoch=2')).toThrow(
      /unknown query parameter 'epoch'; valid ones: .*epochs/,
    );
  });

  it('round-trips through settingsToQuery, leaving defaults out', () => {
    const s = settingsFromQuery('epochs=3&alpha=0.5&teacher=train&teacherModel=vgg8');
    expect(settingsToQuery(s)).toBe('teacher=train&teacherModel=vgg8&epochs=3&alpha=0.5');
    expect(settingsFromQuery(settingsToQuery(s))).toEqual(s);
  });
});
