import { KdkitError } from '@kdkit/engine';
import type { DistillationLoss } from '@kdkit/losses';
import { getLoss } from '@kdkit/losses';

/** A loss by registered name (built with `options`) or a ready DistillationLoss object. */
export function resolveLoss(
  where: string,
  loss: string | DistillationLoss,
  options: Record<string, unknown> = {},
): DistillationLoss {
  if (typeof loss === 'string') return getLoss(loss, options);
  if (typeof loss !== 'object' || loss === null || typeof loss.compute !== 'function') {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'loss' must be a registered loss name or an object with compute(ctx), got ${typeof loss}`,
    );
  }
  return loss;
}
