import { describeBackends } from '@kdkit/test-utils';
import { expect, it } from 'vitest';
import { configHash } from './config-hash.js';
import { createModel } from './create-model.js';

describeBackends(['cpu'], 'configHash', () => {
  it('is a hex sha256 that ignores the seed but not the architecture', () => {
    const a = createModel('cnn-student', { seed: 1 });
    const b = createModel('cnn-student', { seed: 2 });
    const c = createModel('cnn-student', { numClasses: 5 });
    const d = createModel('lenet5');
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).not.toBe(configHash(c));
    expect(configHash(a)).not.toBe(configHash(d));
    for (const m of [a, b, c, d]) m.dispose();
  });
});
