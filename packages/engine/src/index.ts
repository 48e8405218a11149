export { isKdkitError, KdkitError, type KdkitErrorCode } from './errors.js';
export { closestName, editDistance, lookupByName, unknownNameError } from './lookup.js';
export { hashString, type RandomState, SeededRandom } from './rng.js';
export {
  assertDtype,
  assertInRange,
  assertInteger,
  assertOneOf,
  assertPositive,
  assertRank,
  assertSameShape,
  assertShape,
  formatShape,
} from './validate.js';
