import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.js';

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 vector and node:crypto', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const bytes = new Uint8Array(1000).map((_, i) => (i * 31) & 255);
    expect(await sha256Hex(bytes.subarray(3))).toBe(
      createHash('sha256').update(bytes.subarray(3)).digest('hex'),
    );
  });
});
