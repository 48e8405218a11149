// Independent float64 references for the feature losses (plain TypeScript, tests only).
import type { Matrix } from './reference.js';

const dot = (a: readonly number[], b: readonly number[]) =>
  a.reduce((acc, x, i) => acc + x * (b[i] ?? 0), 0);
const norm = (a: readonly number[]) => Math.sqrt(dot(a, a));
const unit = (a: readonly number[]) => {
  const n = norm(a);
  return a.map((x) => (n === 0 ? 0 : x / n));
};
const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const smoothL1 = (a: number, b: number) => {
  const d = Math.abs(a - b);
  return d < 1 ? 0.5 * d * d : d - 0.5;
};

/** NHWC data as [batch][h·w][c]. */
export type Maps = number[][][];

export function toMaps(flat: ArrayLike<number>, shape: readonly number[]): Maps {
  const [b = 0, h = 0, w = 0, c = 0] = shape;
  return Array.from({ length: b }, (_, n) =>
    Array.from({ length: h * w }, (_, p) =>
      Array.from({ length: c }, (_, k) => Number(flat[(n * h * w + p) * c + k])),
    ),
  );
}

export function refAttention(s: Maps, t: Maps): number {
  const at = (x: Maps) =>
    x.map((example) => unit(example.map((pixel) => meanOf(pixel.map((v) => v * v)))));
  const as = at(s);
  const att = at(t);
  const diffs = as.flatMap((row, n) => row.map((v, p) => (v - (att[n]?.[p] ?? 0)) ** 2));
  return meanOf(diffs);
}

export function refSimilarityPreserving(s: Matrix, t: Matrix): number {
  const g = (x: Matrix) => x.map((a) => unit(x.map((b) => dot(a, b))));
  const gs = g(s);
  const gt = g(t);
  const b = s.length;
  return (
    gs
      .flatMap((row, i) => row.map((v, j) => (v - (gt[i]?.[j] ?? 0)) ** 2))
      .reduce((a, c) => a + c, 0) /
    (b * b)
  );
}

export function refPkt(s: Matrix, t: Matrix, eps = 1e-7): number {
  const p = (x: Matrix) => {
    const u = x.map(unit);
    const sims = u.map((a) => u.map((b) => (dot(a, b) + 1) / 2));
    return sims.map((row) => {
      const total = row.reduce((acc, v) => acc + v, 0);
      return row.map((v) => v / total);
    });
  };
  const ps = p(s);
  const pt = p(t);
  return meanOf(
    pt.flatMap((row, i) =>
      row.map((v, j) => v * (Math.log(v + eps) - Math.log((ps[i]?.[j] ?? 0) + eps))),
    ),
  );
}

export function refRkd(s: Matrix, t: Matrix): { distance: number; angle: number } {
  const distances = (x: Matrix) => {
    const d = x.map((a, i) =>
      x.map((b, j) => (i === j ? 0 : norm(a.map((v, k) => v - (b[k] ?? 0))))),
    );
    const positive = d.flat().filter((v) => v > 0);
    const m = meanOf(positive);
    return d.map((row) => row.map((v) => v / m));
  };
  const angles = (x: Matrix) => {
    const out: number[] = [];
    for (const ei of x) {
      for (const ej of x) {
        for (const ek of x) {
          out.push(
            dot(unit(ej.map((v, k) => v - (ei[k] ?? 0))), unit(ek.map((v, k) => v - (ei[k] ?? 0)))),
          );
        }
      }
    }
    return out;
  };
  const ds = distances(s).flat();
  const dt = distances(t).flat();
  const as = angles(s);
  const at = angles(t);
  return {
    distance: meanOf(ds.map((v, i) => smoothL1(v, dt[i] ?? 0))),
    angle: meanOf(as.map((v, i) => smoothL1(v, at[i] ?? 0))),
  };
}

/** DKD in float64: returns { tckd, nckd } batch means (not scaled by T²). */
export function refDkd(
  teacher: Matrix,
  student: Matrix,
  targets: readonly number[],
  temperature: number,
): { tckd: number; nckd: number } {
  const softmax = (row: readonly number[]) => {
    const z = row.map((v) => v / temperature);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / total);
  };
  const kl = (p: readonly number[], q: readonly number[]) =>
    p.reduce((acc, pi, i) => acc + (pi > 0 ? pi * (Math.log(pi) - Math.log(q[i] ?? 0)) : 0), 0);
  let tckd = 0;
  let nckd = 0;
  teacher.forEach((trow, r) => {
    const srow = student[r] ?? [];
    const y = targets[r] ?? 0;
    const pt = softmax(trow);
    const ps = softmax(srow);
    const bt = [pt[y] ?? 0, 1 - (pt[y] ?? 0)];
    const bs = [ps[y] ?? 0, 1 - (ps[y] ?? 0)];
    tckd += kl(bt, bs);
    const rest = (p: number[]) => {
      const others = p.filter((_, i) => i !== y);
      const total = others.reduce((a, b) => a + b, 0);
      return others.map((v) => v / total);
    };
    nckd += kl(rest(pt), rest(ps));
  });
  return { tckd: tckd / teacher.length, nckd: nckd / teacher.length };
}
