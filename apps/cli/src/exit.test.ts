import { KdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor, formatError } from './exit.js';

describe('exit codes and error text', () => {
  it('maps bad input to 2 and failures to 1', () => {
    for (const code of [
      'UNKNOWN_NAME',
      'INVALID_ARGUMENT',
      'CONFIG_INVALID',
      'FILE_NOT_FOUND',
    ] as const) {
      expect(exitCodeFor(new KdkitError(code, 'x'))).toBe(EXIT.usage);
    }
    for (const code of [
      'NON_FINITE',
      'INTERRUPTED',
      'CORRUPT_FILE',
      'BACKEND_UNAVAILABLE',
    ] as const) {
      expect(exitCodeFor(new KdkitError(code, 'x'))).toBe(EXIT.failed);
    }
    expect(exitCodeFor(new Error('bug'))).toBe(EXIT.failed);
  });

  it('shows a stack only with --verbose', () => {
    const user = new KdkitError('UNKNOWN_NAME', "Unknown model 'x'.");
    expect(formatError(user, false)).toBe("kdkit: error [UNKNOWN_NAME]: Unknown model 'x'.");
    expect(formatError(user, true)).toMatch(/\n\s+at /);
    const bug = new TypeError('boom');
    expect(formatError(bug, false)).toBe(
      'kdkit: error: boom\n(run again with --verbose for the stack trace)',
    );
    expect(formatError(bug, true)).toMatch(/TypeError: boom\n\s+at /);
    expect(formatError(new KdkitError('INTERRUPTED', 'interrupted during epoch 2/3.'), false)).toBe(
      'kdkit: interrupted during epoch 2/3.',
    );
  });
});
