/**
 * Name of kdkit's fused Adam kernel (a kernel name is the contract, as tfjs's own are).
 * Inputs `value`, `m`, `v`, `gradient` (float32, one shape); attrs {@link AdamUpdateAttrs};
 * outputs `[value', m', v']`. `installWasmKernels()` registers it on wasm;
 * `FusedAdamOptimizer` calls it once per variable instead of tfjs `AdamOptimizer`'s ten
 * element-wise ops.
 */
export const ADAM_UPDATE_KERNEL = 'KdkitAdamUpdate';

/** Attrs of {@link ADAM_UPDATE_KERNEL}: tfjs `AdamOptimizer`'s settings and running β powers. */
export interface AdamUpdateAttrs {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** β1ᵗ at this step (tfjs's `accBeta1`: β1 at the first step). */
  readonly beta1Power: number;
  /** β2ᵗ at this step (tfjs's `accBeta2`). */
  readonly beta2Power: number;
}
