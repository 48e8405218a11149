import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { augmentsImages, formatAugmentSpec, parseAugmentSpec } from './augment-spec.js';

describe('parseAugmentSpec', () => {
  it('reads crops, flips, erasing and none, in any order, and round-trips through formatAugmentSpec', () => {
    expect(parseAugmentSpec('crop2,flip')).toEqual({ cropPadding: 2, horizontalFlip: true });
    expect(parseAugmentSpec(' flip , crop4 ')).toEqual({ cropPadding: 4, horizontalFlip: true });
    expect(parseAugmentSpec('crop1')).toEqual({ cropPadding: 1, horizontalFlip: false });
    expect(parseAugmentSpec('flip')).toEqual({ cropPadding: 0, horizontalFlip: true });
    expect(parseAugmentSpec('none')).toEqual({ cropPadding: 0, horizontalFlip: false });
    expect(parseAugmentSpec('crop2,flip,views4')).toEqual({
      cropPadding: 2,
      horizontalFlip: true,
      views: 4,
    });
    expect(parseAugmentSpec('views1, flip')).toEqual({
      cropPadding: 0,
      horizontalFlip: true,
      views: 1,
    });
    expect('views' in parseAugmentSpec('crop2,flip')).toBe(false);
    expect(parseAugmentSpec('erase.25,crop2')).toEqual({
      cropPadding: 2,
      horizontalFlip: false,
      erase: 0.25,
    });
    expect('erase' in parseAugmentSpec('crop2,flip')).toBe(false);
    for (const spec of [
      'crop2,flip',
      'crop3',
      'flip',
      'none',
      'crop2,flip,views4',
      'flip,views2',
      'crop2,erase0.5',
      'erase1,views3',
    ]) {
      expect(formatAugmentSpec(parseAugmentSpec(spec))).toBe(spec);
    }
    expect(formatAugmentSpec({})).toBe('none');
  });

  it('names the caller, the bad part and the valid forms', () => {
    const bad: [string, RegExp][] = [
      ['crop2,flop', /unknown part 'flop' in 'crop2,flop'/],
      ['crop', /unknown part 'crop'/],
      ['crop-1', /unknown part 'crop-1'/],
      ['crop0', /'crop0' in 'crop0' crops by 0 pixels/],
      ['crop2,crop4', /'crop' given twice/],
      ['flip,flip', /'flip' given twice/],
      ['none,flip', /unknown part 'none'/],
      ['', /empty part in ''/],
      ['crop2,', /empty part in 'crop2,'/],
      ['crop2,views0', /'views0' in 'crop2,views0' has 0 views/],
      ['flip,views2,views3', /'views' given twice/],
      ['views4', /'views4' in 'views4' has nothing to view: add a 'cropN', 'flip' or 'eraseP'/],
      ['erase0', /'erase0' in 'erase0' is not a probability in \(0, 1\]/],
      ['erase1.5', /'erase1.5' in 'erase1.5' is not a probability/],
      ['erase0.5,erase0.2', /'erase' given twice/],
      ['erase', /unknown part 'erase'/],
      ['crop2,views', /unknown part 'views'/],
    ];
    for (const [spec, message] of bad) {
      let caught: unknown;
      try {
        parseAugmentSpec(spec, '--augment');
      } catch (error) {
        caught = error;
      }
      expect(isKdkitError(caught, 'INVALID_ARGUMENT')).toBe(true);
      expect(String(caught)).toMatch(message);
      expect(String(caught)).toMatch(/--augment: .*expected 'cropN'.*'flip'.*'viewsN'.*'none'/);
    }
  });
});

describe('augmentsImages', () => {
  it('is true only when something crops, flips or erases', () => {
    expect(augmentsImages(undefined)).toBe(false);
    expect(augmentsImages({ cropPadding: 0, horizontalFlip: false })).toBe(false);
    expect(augmentsImages({ erase: 0 })).toBe(false);
    expect(augmentsImages({ erase: 0.1 })).toBe(true);
    expect(augmentsImages({ cropPadding: 2 })).toBe(true);
    expect(augmentsImages({ horizontalFlip: true })).toBe(true);
  });
});
