import { describe, expect, it } from 'vitest';
import { seconds } from './output.js';

describe('seconds', () => {
  it('shows tenths under a minute and whole seconds from a minute on, never 60s', () => {
    expect(seconds(undefined)).toBe('-');
    expect(seconds(12_345)).toBe('12.3s');
    expect(seconds(59_940)).toBe('59.9s');
    expect(seconds(59_960)).toBe('1m 00s');
    expect(seconds(179_600)).toBe('3m 00s');
    expect(seconds(245_000)).toBe('4m 05s');
  });
});
