import { describe, expect, it } from 'vitest';
import { parseLossOptions } from './options.js';

describe('parseLossOptions', () => {
  const spec = {
    temperature: 'number',
    soft: ['cross-entropy', 'kl'],
    flag: 'boolean',
    weights: 'numbers',
  } as const;

  it('accepts valid options and undefined values', () => {
    expect(
      parseLossOptions('x', { temperature: 2, soft: 'kl', flag: true, weights: [1, 2] }, spec),
    ).toEqual({ temperature: 2, soft: 'kl', flag: true, weights: [1, 2] });
    expect(parseLossOptions('x', undefined, spec)).toEqual({});
    expect(parseLossOptions('x', { temperature: undefined }, spec)).toEqual({
      temperature: undefined,
    });
  });

  it('names unknown keys, wrong types and non-objects', () => {
    expect(() => parseLossOptions('x', { temprature: 2 }, spec)).toThrow(
      /getLoss\('x'\): unknown option 'temprature'\. Did you mean 'temperature'\?/,
    );
    expect(() => parseLossOptions('x', { temperature: Number.NaN }, spec)).toThrow(
      /'temperature' must be a number/,
    );
    expect(() => parseLossOptions('x', { flag: 1 }, spec)).toThrow(
      /'flag' must be a boolean, got 1/,
    );
    expect(() => parseLossOptions('x', [] as unknown as Record<string, unknown>, spec)).toThrow(
      /must be a plain object/,
    );
    expect(() => parseLossOptions('x', { a: 1 }, {})).toThrow(/it takes no options/);
  });
});
