import type { LossValues } from './types.js';

export interface FormatLossTermsOptions {
  /** Only these terms, in the losses' order. Default: every term. */
  readonly only?: readonly string[];
  /** Significant digits. Default 4. */
  readonly digits?: number;
  /** Between two terms. Default ' · '. */
  readonly separator?: string;
}

/**
 * Formats loss terms (or metrics) for a log line: `total 0.5123 · soft 0.2041 · hard 0.3082`.
 * Progress bars, epoch lines and reports all use it, so a term reads the same everywhere.
 *
 * @example
 * formatLossTerms({ total: 0.51234, hard: 0.3 }); // 'total 0.5123 · hard 0.3000'
 */
export function formatLossTerms(terms: LossValues, options: FormatLossTermsOptions = {}): string {
  const { only, digits = 4, separator = ' · ' } = options;
  return Object.entries(terms)
    .filter(([term]) => !only || only.includes(term))
    .map(([term, value]) => `${term} ${value.toPrecision(digits)}`)
    .join(separator);
}
