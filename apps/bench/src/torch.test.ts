import { describe, expect, it } from 'vitest';
import { EXPORT_SCRIPT, parseTwinExport } from './torch.js';

describe('parseTwinExport', () => {
  it("reads the export script's JSON line among other output", () => {
    const line =
      '{"model": "cnn-teacher", "path": "/tmp/x/cnn-teacher.onnx", "bytes": 6806240, "params": 1701802, "trainable_params": 1701354, "opset": 13, "seed": 0, "torch": "1.13.0a0"}';
    expect(parseTwinExport(`a torch.onnx warning\n${line}\n`)).toEqual({
      path: '/tmp/x/cnn-teacher.onnx',
      bytes: 6_806_240,
      params: 1_701_802,
      opset: 13,
      seed: 0,
      torch: '1.13.0a0',
    });
  });

  it('names the script when the line is missing or lacks a field', () => {
    const message = `${EXPORT_SCRIPT} printed no JSON line with path, bytes, params, opset, seed and torch`;
    expect(() => parseTwinExport('')).toThrow(message);
    expect(() => parseTwinExport('{"path": "/tmp/x.onnx", "bytes": 1}')).toThrow(message);
  });
});
