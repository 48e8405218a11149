import { KdkitError } from '@kdkit/engine';

// Names of the old positional-era fields, mapped to the named inputs that replace them.
const RENAMED: Readonly<Record<string, string>> = {
  studentLogits: 'student',
  teacherLogits: 'teacher',
  teacherLogitsList: 'teachers',
  studentFeatures: 'student',
  teacherFeatures: 'teacher',
  targets: 'labels',
};

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  const shape = (value as { shape?: unknown }).shape;
  return Array.isArray(shape) ? `a tensor [${shape.join(', ')}]` : 'an object';
}

function describeShape(required: readonly string[], optional: readonly string[]): string {
  return `{ ${[...required, ...optional.map((k) => `${k}?`)].join(', ')} }`;
}

/**
 * Checks that a loss got ONE object of named inputs holding every `required` key: a tensor
 * (the old positional call), an array or a missing key throws a KdkitError that shows the
 * expected shape, e.g. `softCrossEntropy({ student, teacher }, options)`.
 */
export function assertInputs(
  where: string,
  inputs: unknown,
  required: readonly string[],
  optional: readonly string[] = [],
  call = `${where}(${describeShape(required, optional)}, options)`,
): void {
  const shape = describeShape(required, optional);
  const isObject =
    inputs !== null &&
    typeof inputs === 'object' &&
    !Array.isArray(inputs) &&
    (inputs as { shape?: unknown }).shape === undefined;
  if (!isObject) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: expected one object of named inputs ${shape}, got ${describe(inputs)}. Call it as ${call}; named inputs make a student/teacher swap impossible.`,
    );
  }
  const given = inputs as Readonly<Record<string, unknown>>;
  for (const key of required) {
    if (given[key] !== undefined) continue;
    const renamed = Object.keys(given)
      .filter((k) => RENAMED[k] !== undefined)
      .map((k) => `'${k}' is now '${RENAMED[k]}'`);
    const hint = renamed.length > 0 ? ` (${renamed.join(', ')})` : '';
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: inputs.${key} is missing; expected ${shape}, got keys [${Object.keys(given).join(', ')}]${hint}.`,
    );
  }
}

/** Checks a registered loss's step context: named fields, `student` logits at least. */
export function assertContext(where: string, ctx: unknown): void {
  assertInputs(
    where,
    ctx,
    ['student'],
    ['teacher', 'teachers', 'labels', 'features'],
    'loss.compute({ student, teacher, labels, features, epoch, step })',
  );
}
