import { KdkitError, lookupByName } from '@kdkit/engine';
import {
  type AttentionTransferLossOptions,
  attentionTransferLossEntry,
} from './attention-transfer.js';
import { type CrossEntropyLossOptions, crossEntropyLossEntry } from './cross-entropy-loss.js';
import { type DkdLossOptions, decoupledKdLossEntry } from './decoupled-kd.js';
import { type DistLossOptions, distLossEntry } from './dist.js';
import { type FitnetsLossOptions, fitnetsLossEntry } from './fitnets.js';
import { type HintonLossOptions, hintonLossEntry, klLossEntry } from './hinton-loss.js';
import type { FeatureLossOptions } from './internal/feature-loss.js';
import type { LossEntry } from './internal/loss-entry.js';
import { type MseLossOptions, mseLogitsLossEntry } from './mse-logits.js';
import { type MultiTeacherLossOptions, multiTeacherLossEntry } from './multi-teacher.js';
import { pktLossEntry } from './probabilistic-transfer.js';
import { type RelationalKdLossOptions, relationalKdLossEntry } from './relational-kd.js';
import { similarityPreservingLossEntry } from './similarity-preserving.js';
import type { DistillationLoss, LossFactory } from './types.js';

/** The options of each built-in loss, by registered name: `getLoss` is typed by them. */
export interface BuiltInLossOptions {
  readonly hinton: HintonLossOptions;
  readonly kl: HintonLossOptions;
  readonly mse: MseLossOptions;
  readonly dkd: DkdLossOptions;
  readonly dist: DistLossOptions;
  readonly 'multi-teacher': MultiTeacherLossOptions;
  readonly fitnets: FitnetsLossOptions;
  readonly at: AttentionTransferLossOptions;
  readonly sp: FeatureLossOptions;
  readonly pkt: FeatureLossOptions;
  readonly rkd: RelationalKdLossOptions;
  readonly ce: CrossEntropyLossOptions;
}

const BUILT_IN: ReadonlyMap<string, LossEntry> = new Map(
  [
    hintonLossEntry,
    klLossEntry,
    mseLogitsLossEntry,
    decoupledKdLossEntry,
    distLossEntry,
    multiTeacherLossEntry,
    fitnetsLossEntry,
    attentionTransferLossEntry,
    similarityPreservingLossEntry,
    pktLossEntry,
    relationalKdLossEntry,
    crossEntropyLossEntry,
  ].map((entry) => [entry.name, entry]),
);

// Registered by users; looked up before the built-ins, so an override shadows one.
const registered = new Map<string, LossEntry>();

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

function allEntries(): Map<string, LossEntry> {
  return new Map([...BUILT_IN, ...registered]);
}

export interface RegisterLossOptions {
  /** Replace an existing loss of that name, built-in or not. Default false. */
  readonly override?: boolean;
  /** One line shown by `listLosses()`. */
  readonly description?: string;
}

export interface LossInfo {
  readonly name: string;
  readonly description: string;
  /** True for kdkit's own losses (and for a user loss overriding one, false). */
  readonly builtIn: boolean;
}

/**
 * Registers a loss factory under `name`, so `getLoss(name, options)` (and the CLI's
 * `--loss name`) can build it. Names already taken, including every built-in, are refused
 * unless `{ override: true }` is passed.
 *
 * @example
 * registerLoss('my-kd', (options) => ({ name: 'my-kd', compute: ({ student, teacher }) => ({ total: ... }) }), {
 *   description: 'my variant of KD',
 * });
 */
export function registerLoss(
  name: string,
  factory: LossFactory,
  options: RegisterLossOptions = {},
): void {
  const where = 'registerLoss';
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'name' must be a non-empty string of letters, digits and . _ : / -, got ${JSON.stringify(name)}.`,
    );
  }
  if (typeof factory !== 'function') {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'factory' for '${name}' must be a function (options) => DistillationLoss.`,
    );
  }
  const taken = registered.has(name)
    ? 'a registered loss'
    : BUILT_IN.has(name)
      ? 'a built-in loss'
      : undefined;
  if (taken !== undefined && options.override !== true) {
    throw new KdkitError(
      'DUPLICATE_NAME',
      `${where}: '${name}' is already ${taken}; choose another name, or pass { override: true } to replace it on purpose.`,
    );
  }
  registered.set(name, {
    name,
    description: options.description ?? `user loss '${name}'`,
    factory,
  });
}

/** Removes a loss registered with {@link registerLoss} (restoring a built-in it overrode). */
export function unregisterLoss(name: string): boolean {
  return registered.delete(name);
}

/**
 * Builds the loss registered as `name` with `options`. A built-in's options are typed
 * ({@link BuiltInLossOptions}) and checked at run time too: an unknown key (listing the valid
 * ones) or a wrongly typed value throws a KdkitError naming it. An unknown name lists the
 * valid ones and suggests the closest.
 *
 * @example
 * const loss = getLoss('hinton', { temperature: 4, alpha: 0.9 });
 * const { total, soft, hard } = loss.compute({ student, teacher, labels, epoch: 0, step: 0 });
 */
export function getLoss<N extends keyof BuiltInLossOptions>(
  name: N,
  options?: BuiltInLossOptions[N],
): DistillationLoss;
export function getLoss(
  name: string,
  options?: Readonly<Record<string, unknown>>,
): DistillationLoss;
export function getLoss(name: string, options?: object): DistillationLoss {
  const entry = lookupByName('loss', allEntries(), name);
  const loss: unknown = entry.factory(options as Readonly<Record<string, unknown>> | undefined);
  if (
    loss === null ||
    typeof loss !== 'object' ||
    typeof (loss as DistillationLoss).compute !== 'function' ||
    typeof (loss as DistillationLoss).name !== 'string'
  ) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `getLoss('${name}'): the factory must return a DistillationLoss { name, compute(ctx) }, got ${loss === null ? 'null' : typeof loss}.`,
    );
  }
  return loss as DistillationLoss;
}

/** Every loss `getLoss` accepts, sorted by name, with a one-line description. */
export function listLosses(): LossInfo[] {
  return [...allEntries().values()]
    .map((entry) => ({
      name: entry.name,
      description: entry.description,
      builtIn: BUILT_IN.get(entry.name) === entry,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
