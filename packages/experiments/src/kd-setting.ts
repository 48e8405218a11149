/** Losses whose options are Hinton's temperature and α (a triplet's `temperature`, `alpha`). */
const HINTON_OPTIONS: ReadonlySet<string> = new Set(['hinton', 'kl']);

/**
 * Whether the registered loss `loss` takes Hinton's temperature and α. Other losses take only
 * their own options (a triplet's `lossOptions`) and ignore `temperature` and `alpha`.
 *
 * @example
 * usesHintonOptions('hinton'); // true
 * usesHintonOptions('dist'); // false
 */
export function usesHintonOptions(loss: string): boolean {
  return HINTON_OPTIONS.has(loss);
}

/**
 * A KD setting as reports print it: `T=4, α=0.9` for Hinton-style losses (plus any other
 * options), else the loss's own options (`beta=1, gamma=1`), or `default options` when none.
 *
 * @example
 * describeKdSetting({ loss: 'dist', temperature: 1, alpha: 0.9 }); // 'default options'
 */
export function describeKdSetting(setting: {
  readonly loss: string;
  readonly temperature: number;
  readonly alpha: number;
  readonly lossOptions?: Readonly<Record<string, unknown>> | undefined;
}): string {
  const options = Object.entries(setting.lossOptions ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  if (usesHintonOptions(setting.loss)) {
    return [`T=${setting.temperature}`, `α=${setting.alpha}`, ...options].join(', ');
  }
  return options.length > 0 ? options.join(', ') : 'default options';
}
