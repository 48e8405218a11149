import { KdkitError } from './errors.js';

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The valid name closest to `name`, if it is close enough to be a likely typo. */
export function closestName(name: string, validNames: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of validNames) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const closeEnough =
    bestDistance <= Math.max(1, Math.floor(name.length / 3)) && bestDistance < name.length;
  return closeEnough ? best : undefined;
}

/** The error for an unknown name: it lists the valid names and suggests the closest. */
export function unknownNameError(
  kind: string,
  name: string,
  validNames: readonly string[],
): KdkitError {
  const suggestion = closestName(name, validNames);
  const hint = suggestion === undefined ? '' : ` Did you mean '${suggestion}'?`;
  return new KdkitError(
    'UNKNOWN_NAME',
    `Unknown ${kind} '${name}'.${hint} Valid ${kind} names: ${[...validNames].sort().join(', ')}.`,
  );
}

/** Looks `name` up in `registry`, or throws {@link unknownNameError}. */
export function lookupByName<T>(kind: string, registry: ReadonlyMap<string, T>, name: string): T {
  const found = registry.get(name);
  if (found === undefined) throw unknownNameError(kind, name, [...registry.keys()]);
  return found;
}
