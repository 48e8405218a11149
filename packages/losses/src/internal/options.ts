import { closestName, KdkitError } from '@kdkit/engine';

/** The accepted type of one option: a primitive kind, any array, or a list of allowed strings. */
export type OptionKind = 'number' | 'boolean' | 'numbers' | 'list' | readonly string[];

/** The kind that checks values of type V (non-distributive, so unions of strings stay whole). */
type KindOf<V> = [V] extends [number]
  ? 'number'
  : [V] extends [boolean]
    ? 'boolean'
    : [V] extends [readonly number[]]
      ? 'numbers'
      : [V] extends [readonly unknown[]]
        ? 'list'
        : [V] extends [string]
          ? readonly V[]
          : never;

/**
 * The runtime description of an options interface: every key of O, each with the kind of its
 * value. Typed from O, so the option names are written once (in the interface) and the
 * compiler rejects a spec that misses, adds or mistypes one.
 */
export type OptionSpec<O> = { readonly [K in keyof O]-?: KindOf<NonNullable<O[K]>> };

function describeKind(kind: OptionKind): string {
  if (typeof kind !== 'string') return `one of ${kind.map((k) => `'${k}'`).join(', ')}`;
  if (kind === 'numbers') return 'an array of numbers';
  return kind === 'list' ? 'an array' : `a ${kind}`;
}

function matches(kind: OptionKind, value: unknown): boolean {
  if (kind === 'number') return typeof value === 'number' && !Number.isNaN(value);
  if (kind === 'boolean') return typeof value === 'boolean';
  if (kind === 'list') return Array.isArray(value);
  if (kind === 'numbers') {
    return Array.isArray(value) && value.every((v) => typeof v === 'number' && !Number.isNaN(v));
  }
  return typeof value === 'string' && kind.includes(value);
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  const shape = (value as { shape?: unknown }).shape;
  return Array.isArray(shape) ? `a tensor [${shape.join(', ')}]` : 'an object';
}

/**
 * Validates an options object against `spec`: a non-object, an unknown key (with a "did you
 * mean" and the list of valid keys) or a value of the wrong type throws a KdkitError that
 * starts with `where` (a function name, or `getLoss('name')`) and names the option.
 */
export function parseLossOptions<O extends object>(
  where: string,
  options: object | undefined,
  spec: OptionSpec<O>,
): Partial<O> {
  if (options === undefined) return {};
  const value: unknown = options;
  const isPlain =
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    (value as { shape?: unknown }).shape === undefined;
  if (!isPlain) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: options must be a plain object such as { temperature: 4 }, got ${describeValue(value)}.`,
    );
  }
  const kinds = spec as Readonly<Record<string, OptionKind>>;
  const keys = Object.keys(kinds);
  for (const [key, entry] of Object.entries(options)) {
    const kind = kinds[key];
    if (kind === undefined) {
      const suggestion = closestName(key, keys);
      const hint = suggestion === undefined ? '' : ` Did you mean '${suggestion}'?`;
      const valid = keys.length === 0 ? 'it takes no options' : `valid options: ${keys.join(', ')}`;
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: unknown option '${key}'.${hint} (${valid}).`,
      );
    }
    if (entry !== undefined && !matches(kind, entry)) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: option '${key}' must be ${describeKind(kind)}, got ${JSON.stringify(entry)}.`,
      );
    }
  }
  return options as Partial<O>;
}

/** The `where` of a registered loss's option errors. */
export function factoryWhere(name: string): string {
  return `getLoss('${name}')`;
}

/** `spec` without `keys`, for a loss whose options are another's minus a few. */
export function omitOptions<O, K extends keyof O>(
  spec: OptionSpec<O>,
  keys: readonly K[],
): OptionSpec<Omit<O, K>> {
  const kept = Object.entries(spec).filter(([key]) => !keys.includes(key as K));
  return Object.fromEntries(kept) as unknown as OptionSpec<Omit<O, K>>;
}
