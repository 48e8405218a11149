/** Stable error codes. Match on `error.code`, never on the message text. */
export type KdkitErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH'
  | 'OUT_OF_RANGE'
  | 'UNKNOWN_NAME'
  | 'DUPLICATE_NAME'
  | 'BACKEND_UNAVAILABLE'
  | 'FILE_NOT_FOUND'
  | 'CORRUPT_FILE'
  | 'DATA_UNAVAILABLE'
  | 'NON_FINITE'
  | 'CONFIG_INVALID'
  | 'INTERRUPTED';

/**
 * The one error type every kdkit package throws for bad input or an unusable environment.
 * Messages name the function, the argument, file or shape, and what was expected.
 */
export class KdkitError extends Error {
  override readonly name = 'KdkitError';
  readonly code: KdkitErrorCode;

  constructor(code: KdkitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `error` is a {@link KdkitError}, optionally with the given code. */
export function isKdkitError(error: unknown, code?: KdkitErrorCode): error is KdkitError {
  return error instanceof KdkitError && (code === undefined || error.code === code);
}
