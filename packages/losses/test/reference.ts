// Independent float64 references in plain TypeScript, for tests only.

export type Matrix = number[][];

export function toMatrix(flat: ArrayLike<number>, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, c) => Number(flat[r * cols + c])),
  );
}

export function refLogSoftmax(row: readonly number[], temperature: number): number[] {
  const scaled = row.map((z) => z / temperature);
  const max = Math.max(...scaled);
  const logSum = Math.log(scaled.reduce((acc, z) => acc + Math.exp(z - max), 0)) + max;
  return scaled.map((z) => z - logSum);
}

export function refSoftmax(row: readonly number[], temperature: number): number[] {
  return refLogSoftmax(row, temperature).map(Math.exp);
}

export function refSoftCrossEntropy(
  teacher: Matrix,
  student: Matrix,
  temperature: number,
): number[] {
  return teacher.map((t, r) => {
    const p = refSoftmax(t, temperature);
    const logQ = refLogSoftmax(student[r] ?? [], temperature);
    return -p.reduce((acc, pi, i) => acc + pi * (logQ[i] ?? 0), 0);
  });
}

export function refKl(teacher: Matrix, student: Matrix, temperature: number): number[] {
  return teacher.map((t, r) => {
    const logP = refLogSoftmax(t, temperature);
    const logQ = refLogSoftmax(student[r] ?? [], temperature);
    return logP.reduce((acc, lp, i) => acc + Math.exp(lp) * (lp - (logQ[i] ?? 0)), 0);
  });
}

export function refHardCrossEntropy(
  labels: readonly number[],
  student: Matrix,
  smoothing = 0,
): number[] {
  return student.map((row, r) => {
    const label = labels[r] ?? -1;
    if (label < 0) return 0;
    const logQ = refLogSoftmax(row, 1);
    const k = row.length;
    return -logQ.reduce(
      (acc, lq, i) => acc + ((i === label ? 1 - smoothing : 0) + smoothing / k) * lq,
      0,
    );
  });
}

export const mean = (values: readonly number[]): number =>
  values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
