import { describeBackends } from '@kdkit/test-utils';
import { expect, it } from 'vitest';
import { architectureHash } from './architecture-hash.js';
import { createModel } from './create-model.js';

describeBackends(['cpu'], 'architectureHash', () => {
  it('is a hex sha256 that ignores the seed but not the architecture', () => {
    const a = createModel('cnn-student', { seed: 1 });
    const b = createModel('cnn-student', { seed: 2 });
    const c = createModel('cnn-student', { numClasses: 5 });
    const d = createModel('lenet5');
    expect(architectureHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(architectureHash(a)).toBe(architectureHash(b));
    expect(architectureHash(a)).not.toBe(architectureHash(c));
    expect(architectureHash(a)).not.toBe(architectureHash(d));
    for (const m of [a, b, c, d]) m.dispose();
  });
});
