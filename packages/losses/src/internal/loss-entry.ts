import type { LossFactory } from '../types.js';

/** A built-in loss as the registry lists it. */
export interface LossEntry {
  readonly name: string;
  /** One line for `listLosses()` and `kdkit losses`. */
  readonly description: string;
  readonly factory: LossFactory;
}
