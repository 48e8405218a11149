import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINI_SET_KD } from './demo-setting.js';

interface Summary {
  readonly analysis: ReadonlyArray<{
    readonly regime: { readonly labelFraction: number };
    readonly selected: { readonly temperature: number; readonly alpha: number };
    readonly selection: { readonly on: string };
  }>;
}

describe('MINI_SET_KD', () => {
  it('is the setting the stored mini-set study chose on validation with every label', () => {
    const summary = JSON.parse(
      readFileSync(
        new URL(
          '../../../docs/results/2026-12-02-mini-pretrained-30ep/summary.json',
          import.meta.url,
        ),
        'utf8',
      ),
    ) as Summary;
    const everyLabel = summary.analysis.find((a) => a.regime.labelFraction === 1);
    expect(everyLabel?.selection.on).toBe('validation');
    expect({
      temperature: everyLabel?.selected.temperature,
      alpha: everyLabel?.selected.alpha,
    }).toEqual(MINI_SET_KD);
  });
});
