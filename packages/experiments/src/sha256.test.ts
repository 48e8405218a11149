import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256 } from './sha256.js';

describe('Sha256', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(new Sha256().update('abc').hex()).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(new Sha256().hex()).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(
      new Sha256().update('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq').hex(),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto for any length, fed in any chunks', () => {
    for (const size of [1, 55, 56, 63, 64, 65, 119, 120, 1000, 70_001]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + size) & 255);
      const expected = createHash('sha256').update(bytes).digest('hex');
      expect(new Sha256().update(bytes).hex()).toBe(expected);
      const chunked = new Sha256();
      for (let i = 0; i < size; i += 37) chunked.update(bytes.subarray(i, i + 37));
      expect(chunked.hex()).toBe(expected);
    }
  });
});
