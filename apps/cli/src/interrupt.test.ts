import { describe, expect, it } from 'vitest';
import { resumeCommand } from './interrupt.js';

describe('resumeCommand', () => {
  it('repeats the arguments, quoted for a shell, with one --resume', () => {
    const argv = ['node', 'bin.js', 'train', '--out', 'my runs/a', '--resume', '--lr', '0.01'];
    expect(resumeCommand(argv)).toBe("kdkit train --out 'my runs/a' --lr 0.01 --resume");
    expect(resumeCommand(['node', 'bin.js', 'train', "--out=it's"])).toBe(
      "kdkit train '--out=it'\\''s' --resume",
    );
  });
});
