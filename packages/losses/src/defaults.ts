/** Hinton KD's defaults, the one place they are written. */
export interface KdDefaults {
  /** Temperature T of the soft targets. */
  readonly temperature: number;
  /** Weight α of the soft term: `α·T²·soft + (1 − α)·hard`. */
  readonly alpha: number;
}

/**
 * T = 4 and α = 0.9, the defaults of `distillationLoss`, `multiTeacherLoss`, the registered
 * 'hinton', 'kl', 'multi-teacher' and 'mse' losses (α), and of the apps' KD commands.
 */
export const KD_DEFAULTS: KdDefaults = Object.freeze({ temperature: 4, alpha: 0.9 });
