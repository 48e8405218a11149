import { describe, expect, it } from 'vitest';
import { type OptionSpec, omitOptions, parseLossOptions } from './options.js';

interface Example {
  readonly temperature?: number;
  readonly soft?: 'cross-entropy' | 'kl';
  readonly flag?: boolean;
  readonly weights?: readonly number[];
}

describe('parseLossOptions', () => {
  const spec: OptionSpec<Example> = {
    temperature: 'number',
    soft: ['cross-entropy', 'kl'],
    flag: 'boolean',
    weights: 'numbers',
  };
  const where = "getLoss('x')";

  it('accepts valid options and undefined values', () => {
    expect(
      parseLossOptions(where, { temperature: 2, soft: 'kl', flag: true, weights: [1, 2] }, spec),
    ).toEqual({ temperature: 2, soft: 'kl', flag: true, weights: [1, 2] });
    expect(parseLossOptions(where, undefined, spec)).toEqual({});
    expect(parseLossOptions(where, { temperature: undefined }, spec)).toEqual({
      temperature: undefined,
    });
  });

  it('names unknown keys (listing the valid ones), wrong types and non-objects', () => {
    expect(() => parseLossOptions(where, { temprature: 2 }, spec)).toThrow(
      /getLoss\('x'\): unknown option 'temprature'\. Did you mean 'temperature'\? \(valid options: temperature, soft, flag, weights\)/,
    );
    expect(() => parseLossOptions(where, { temperature: Number.NaN }, spec)).toThrow(
      /'temperature' must be a number/,
    );
    expect(() => parseLossOptions(where, { flag: 1 }, spec)).toThrow(
      /'flag' must be a boolean, got 1/,
    );
    expect(() => parseLossOptions(where, [], spec)).toThrow(/must be a plain object/);
    expect(() => parseLossOptions('softmaxWithTemperature', 2 as never, spec)).toThrow(
      /softmaxWithTemperature: options must be a plain object such as \{ temperature: 4 \}, got 2/,
    );
    const tensorLike = { shape: [2], dtype: 'float32' };
    expect(() => parseLossOptions(where, tensorLike, spec)).toThrow(/got a tensor \[2\]/);
    expect(() => parseLossOptions(where, { a: 1 }, {})).toThrow(/it takes no options/);
  });

  it('omitOptions drops keys from a spec', () => {
    expect(Object.keys(omitOptions(spec, ['soft', 'flag']))).toEqual(['temperature', 'weights']);
  });
});
