import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The PyTorch teacher fixture made by fixtures/make_fixture.py. */
export const MODEL_PATH = fileURLToPath(new URL('../fixtures/fashion-cnn.onnx', import.meta.url));

/** PyTorch's own logits for the first images of the mini set's test split. */
export interface ReferenceLogits {
  readonly onnxSha256: string;
  readonly indices: readonly number[];
  readonly input: { readonly layout: 'nchw'; readonly scale: readonly [number, number] };
  readonly testAccuracy: number;
  readonly labels: readonly number[];
  readonly logits: readonly (readonly number[])[];
}

export const reference = JSON.parse(
  readFileSync(new URL('../fixtures/fashion-cnn.logits.json', import.meta.url), 'utf8'),
) as ReferenceLogits;
