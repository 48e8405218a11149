import { isKdkitError, type KdkitErrorCode } from '@kdkit/engine';

/** Process exit codes of the kdkit command. */
export const EXIT = {
  ok: 0,
  /** The run started and failed (or was interrupted). */
  failed: 1,
  /** Bad usage: unknown flag, bad value, bad config file, unknown name. Nothing ran. */
  usage: 2,
} as const;

/** Error codes that mean the user asked for something invalid, not that a run failed. */
const USAGE_CODES: ReadonlySet<KdkitErrorCode> = new Set<KdkitErrorCode>([
  'INVALID_ARGUMENT',
  'UNKNOWN_NAME',
  'DUPLICATE_NAME',
  'CONFIG_INVALID',
  'OUT_OF_RANGE',
  'FILE_NOT_FOUND',
  'SHAPE_MISMATCH',
  'DTYPE_MISMATCH',
]);

/** The exit code for an error thrown by a command. */
export function exitCodeFor(error: unknown): number {
  return isKdkitError(error) && USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failed;
}

/**
 * The text printed for an error. A KdkitError is the user's to fix: its message only, no stack
 * unless `verbose`. Anything else is a bug or an environment failure: its message, and the stack
 * with `verbose`.
 */
export function formatError(error: unknown, verbose: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  // An interrupt is the user's choice, not an error: say where things stand.
  let text = isKdkitError(error, 'INTERRUPTED')
    ? `kdkit: ${message}`
    : `kdkit: error${isKdkitError(error) ? ` [${error.code}]` : ''}: ${message}`;
  if (verbose && error instanceof Error && error.stack) {
    text += `\n${error.stack}`;
    if (error.cause instanceof Error && error.cause.stack)
      text += `\nCaused by: ${error.cause.stack}`;
  } else if (!isKdkitError(error)) {
    text += '\n(run again with --verbose for the stack trace)';
  }
  return text;
}
