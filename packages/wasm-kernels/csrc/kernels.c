// kdkit's SIMD training kernels for tfjs-backend-wasm (NHWC, float32).
//
// Built by scripts/build-simd.mjs with clang --target=wasm32 -msimd128 -mbulk-memory -O3,
// no libc. The module imports tfjs-wasm's own memory: every pointer is a byte offset into
// that heap (tensor data and scratch from its malloc). It must have no data segment and
// never touch the shadow stack, which would land inside tfjs's heap; the build checks both.
//
// Shared geometry (as tfjs's computeConv2DInfo): input [n, h, w, c], output [n, oh, ow, o],
// filter [fh, fw, c, o]; an output pixel (oy, ox) reads input row oy*sh + i*dh - pt.

#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) __attribute__((visibility("default")))

typedef struct {
  int32_t n, h, w, c;      // input
  int32_t oh, ow, o;       // output
  int32_t fh, fw;          // filter taps
  int32_t sh, sw, dh, dw;  // stride, dilation
  int32_t pt, pl;          // top, left padding
} Geometry;

static inline Geometry geometry(const int32_t* g) {
  Geometry r = {g[0], g[1], g[2],  g[3],  g[4],  g[5],  g[6], g[7],
                g[8], g[9], g[10], g[11], g[12], g[13], g[14]};
  return r;
}

static inline int32_t round_up(int32_t v, int32_t m) { return (v + m - 1) / m * m; }

static void zero(float* p, int32_t count) { __builtin_memset(p, 0, (uint32_t)count * 4u); }

// ---------------------------------------------------------------------------------------
// Conv2DBackpropFilter: dW[k, o] = Σ_p A[p, k] · dY[p, o], p = (n, oy, ox),
// k = (i, j, c), A the im2col of x. P is cut in tiles of `tile` rows; each tile's im2col is
// packed in panels of 4 k (Apack[kb][p][4]) and its dY in panels of 8 o (Bpack[ob][p][8]),
// then a 4×8 register-blocked GEMM accumulates into acc[kpad][opad].
// Scratch (floats): tile·kpad + tile·opad + kpad·opad, kpad = ⌈K/4⌉·4, opad = ⌈O/8⌉·8.

static void pack_im2col(const Geometry* g, const float* x, float* apack, int32_t p0,
                        int32_t rows, int32_t kpad) {
  const int32_t c = g->c;
  const int32_t k = g->fh * g->fw * c;
  const int32_t per_image = g->oh * g->ow;
  for (int32_t r = 0; r < rows; r++) {
    const int32_t p = p0 + r;
    const int32_t n = p / per_image;
    const int32_t rest = p - n * per_image;
    const int32_t oy = rest / g->ow;
    const int32_t ox = rest - oy * g->ow;
    const float* image = x + (int64_t)n * g->h * g->w * c;
    for (int32_t kk = 0; kk < kpad; kk++) {
      float v = 0.0f;
      if (kk < k) {
        const int32_t tap = kk / c;
        const int32_t ch = kk - tap * c;
        const int32_t i = tap / g->fw;
        const int32_t j = tap - i * g->fw;
        const int32_t y = oy * g->sh + i * g->dh - g->pt;
        const int32_t xx = ox * g->sw + j * g->dw - g->pl;
        if (y >= 0 && y < g->h && xx >= 0 && xx < g->w) v = image[(y * g->w + xx) * c + ch];
      }
      apack[(kk >> 2) * rows * 4 + r * 4 + (kk & 3)] = v;
    }
  }
}

// Fast path when c % 4 == 0: every panel of 4 k lies inside one tap, a single v128 copy.
static void pack_im2col_c4(const Geometry* g, const float* x, float* apack, int32_t p0,
                           int32_t rows) {
  const int32_t c = g->c;
  const int32_t cb = c >> 2;
  const int32_t per_image = g->oh * g->ow;
  for (int32_t r = 0; r < rows; r++) {
    const int32_t p = p0 + r;
    const int32_t n = p / per_image;
    const int32_t rest = p - n * per_image;
    const int32_t oy = rest / g->ow;
    const int32_t ox = rest - oy * g->ow;
    const float* image = x + (int64_t)n * g->h * g->w * c;
    int32_t kb = 0;
    for (int32_t i = 0; i < g->fh; i++) {
      const int32_t y = oy * g->sh + i * g->dh - g->pt;
      for (int32_t j = 0; j < g->fw; j++, kb += cb) {
        const int32_t xx = ox * g->sw + j * g->dw - g->pl;
        float* dst = apack + (int64_t)kb * rows * 4 + r * 4;
        if (y >= 0 && y < g->h && xx >= 0 && xx < g->w) {
          const float* src = image + (y * g->w + xx) * c;
          for (int32_t b = 0; b < cb; b++)
            wasm_v128_store(dst + (int64_t)b * rows * 4, wasm_v128_load(src + b * 4));
        } else {
          for (int32_t b = 0; b < cb; b++)
            wasm_v128_store(dst + (int64_t)b * rows * 4, wasm_f32x4_splat(0.0f));
        }
      }
    }
  }
}

// Panels of 8 columns of a row-major [rows, cols] matrix, zero-padded to opad columns.
static void pack_columns8(const float* src, int32_t cols, float* bpack, int32_t rows,
                          int32_t opad) {
  for (int32_t ob = 0; ob < opad; ob += 8) {
    float* dst = bpack + (int64_t)ob * rows;
    if (ob + 8 <= cols) {
      for (int32_t r = 0; r < rows; r++) {
        const float* s = src + (int64_t)r * cols + ob;
        wasm_v128_store(dst + r * 8, wasm_v128_load(s));
        wasm_v128_store(dst + r * 8 + 4, wasm_v128_load(s + 4));
      }
    } else {
      for (int32_t r = 0; r < rows; r++)
        for (int32_t q = 0; q < 8; q++)
          dst[r * 8 + q] = ob + q < cols ? src[(int64_t)r * cols + ob + q] : 0.0f;
    }
  }
}

#define FMA(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))

// acc[4 rows][8 cols] += Σ_p a[p][0..4]ᵀ ⊗ b[p][0..8]
static inline void gemm_4x8_outer(const float* a, const float* b, int32_t depth, float* acc,
                                  int32_t ldacc) {
  v128_t c00 = wasm_v128_load(acc), c01 = wasm_v128_load(acc + 4);
  v128_t c10 = wasm_v128_load(acc + ldacc), c11 = wasm_v128_load(acc + ldacc + 4);
  v128_t c20 = wasm_v128_load(acc + 2 * ldacc), c21 = wasm_v128_load(acc + 2 * ldacc + 4);
  v128_t c30 = wasm_v128_load(acc + 3 * ldacc), c31 = wasm_v128_load(acc + 3 * ldacc + 4);
  for (int32_t p = 0; p < depth; p++) {
    const v128_t b0 = wasm_v128_load(b);
    const v128_t b1 = wasm_v128_load(b + 4);
    v128_t a0 = wasm_v128_load32_splat(a);
    FMA(c00, a0, b0);
    FMA(c01, a0, b1);
    a0 = wasm_v128_load32_splat(a + 1);
    FMA(c10, a0, b0);
    FMA(c11, a0, b1);
    a0 = wasm_v128_load32_splat(a + 2);
    FMA(c20, a0, b0);
    FMA(c21, a0, b1);
    a0 = wasm_v128_load32_splat(a + 3);
    FMA(c30, a0, b0);
    FMA(c31, a0, b1);
    a += 4;
    b += 8;
  }
  wasm_v128_store(acc, c00);
  wasm_v128_store(acc + 4, c01);
  wasm_v128_store(acc + ldacc, c10);
  wasm_v128_store(acc + ldacc + 4, c11);
  wasm_v128_store(acc + 2 * ldacc, c20);
  wasm_v128_store(acc + 2 * ldacc + 4, c21);
  wasm_v128_store(acc + 3 * ldacc, c30);
  wasm_v128_store(acc + 3 * ldacc + 4, c31);
}

// Accumulates the pixels [p0, p1) into this part's acc (zeroed first). Parts over disjoint
// pixel ranges run on different threads, each with its own scratch; finish sums them.
EXPORT(kd_conv2d_backprop_filter_range)
void kd_conv2d_backprop_filter_range(const int32_t* geo, const float* x, const float* dy,
                                     float* scratch, int32_t tile, int32_t p0, int32_t p1) {
  const Geometry g = geometry(geo);
  const int32_t kpad = round_up(g.fh * g.fw * g.c, 4);
  const int32_t opad = round_up(g.o, 8);
  float* apack = scratch;
  float* bpack = apack + (int64_t)tile * kpad;
  float* acc = bpack + (int64_t)tile * opad;
  zero(acc, kpad * opad);
  for (int32_t start = p0; start < p1; start += tile) {
    const int32_t rows = p1 - start < tile ? p1 - start : tile;
    if ((g.c & 3) == 0)
      pack_im2col_c4(&g, x, apack, start, rows);
    else
      pack_im2col(&g, x, apack, start, rows, kpad);
    pack_columns8(dy + (int64_t)start * g.o, g.o, bpack, rows, opad);
    for (int32_t ob = 0; ob < opad; ob += 8)
      for (int32_t kb = 0; kb < kpad; kb += 4)
        gemm_4x8_outer(apack + (int64_t)kb * rows, bpack + (int64_t)ob * rows, rows,
                       acc + (int64_t)kb * opad + ob, opad);
  }
}

// dw = the sum of the accs of `parts` ranges, whose scratches lie `stride` floats apart.
EXPORT(kd_conv2d_backprop_filter_finish)
void kd_conv2d_backprop_filter_finish(const int32_t* geo, float* scratch, int32_t tile,
                                      int32_t stride, int32_t parts, float* dw) {
  const Geometry g = geometry(geo);
  const int32_t k = g.fh * g.fw * g.c;
  const int32_t kpad = round_up(k, 4);
  const int32_t opad = round_up(g.o, 8);
  const float* acc = scratch + (int64_t)tile * (kpad + opad);
  for (int32_t kk = 0; kk < k; kk++)
    for (int32_t oo = 0; oo < g.o; oo++) {
      const int64_t at = (int64_t)kk * opad + oo;
      float sum = acc[at];
      for (int32_t part = 1; part < parts; part++) sum += acc[(int64_t)part * stride + at];
      dw[(int64_t)kk * g.o + oo] = sum;
    }
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropInput: G[p, k] = Σ_o dY[p, o] · W[k, o] per tile of P (dY rows packed in
// groups of 4, a 4×8 register-blocked GEMM against W packed once in panels of 8 k,
// Wpack[kb][o][8]), then col2im: each G row is added into dx at the input pixels its taps read.
// Scratch (floats): kpad·o + tile·kpad + tile·o, kpad = ⌈K/8⌉·8, tile a multiple of 4.

static void pack_filter_rows8(const float* w, int32_t k, int32_t o, float* wpack, int32_t kpad) {
  for (int32_t kb = 0; kb < kpad; kb += 8) {
    float* dst = wpack + (int64_t)kb * o;
    for (int32_t oo = 0; oo < o; oo++)
      for (int32_t q = 0; q < 8; q++)
        dst[oo * 8 + q] = kb + q < k ? w[(int64_t)(kb + q) * o + oo] : 0.0f;
  }
}

// out[4 rows][8] = Σ_q a[q][0..4]ᵀ ⊗ b[q][0..8]  (a: 4 rows packed column by column)
static inline void gemm_4x8_store(const float* a, const float* b, int32_t depth, float* out,
                                  int32_t ldout) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int32_t q = 0; q < depth; q++) {
    const v128_t b0 = wasm_v128_load(b);
    const v128_t b1 = wasm_v128_load(b + 4);
    v128_t s = wasm_v128_load32_splat(a);
    FMA(c00, s, b0);
    FMA(c01, s, b1);
    s = wasm_v128_load32_splat(a + 1);
    FMA(c10, s, b0);
    FMA(c11, s, b1);
    s = wasm_v128_load32_splat(a + 2);
    FMA(c20, s, b0);
    FMA(c21, s, b1);
    s = wasm_v128_load32_splat(a + 3);
    FMA(c30, s, b0);
    FMA(c31, s, b1);
    a += 4;
    b += 8;
  }
  wasm_v128_store(out, c00);
  wasm_v128_store(out + 4, c01);
  wasm_v128_store(out + ldout, c10);
  wasm_v128_store(out + ldout + 4, c11);
  wasm_v128_store(out + 2 * ldout, c20);
  wasm_v128_store(out + 2 * ldout + 4, c21);
  wasm_v128_store(out + 3 * ldout, c30);
  wasm_v128_store(out + 3 * ldout + 4, c31);
}

// Groups of 4 rows of a row-major [rows, cols] matrix, each stored column by column
// (dst[g][col][4]); the last group is zero-padded.
static void pack_rows4(const float* src, int32_t rows, int32_t cols, float* dst) {
  for (int32_t r0 = 0; r0 < rows; r0 += 4) {
    float* group = dst + (int64_t)r0 * cols;
    if (r0 + 4 <= rows) {
      const float* s0 = src + (int64_t)r0 * cols;
      const float* s1 = s0 + cols;
      const float* s2 = s1 + cols;
      const float* s3 = s2 + cols;
      for (int32_t q = 0; q < cols; q++) {
        group[q * 4] = s0[q];
        group[q * 4 + 1] = s1[q];
        group[q * 4 + 2] = s2[q];
        group[q * 4 + 3] = s3[q];
      }
    } else {
      for (int32_t q = 0; q < cols; q++)
        for (int32_t i = 0; i < 4; i++)
          group[q * 4 + i] = r0 + i < rows ? src[(int64_t)(r0 + i) * cols + q] : 0.0f;
    }
  }
}

static inline void add_row(float* dst, const float* src, int32_t count) {
  int32_t i = 0;
  for (; i + 4 <= count; i += 4)
    wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < count; i++) dst[i] += src[i];
}

static void col2im_add(const Geometry* g, const float* cols, int32_t ldcols, int32_t p0,
                       int32_t rows, float* dx) {
  const int32_t c = g->c;
  const int32_t per_image = g->oh * g->ow;
  for (int32_t r = 0; r < rows; r++) {
    const int32_t p = p0 + r;
    const int32_t n = p / per_image;
    const int32_t rest = p - n * per_image;
    const int32_t oy = rest / g->ow;
    const int32_t ox = rest - oy * g->ow;
    float* image = dx + (int64_t)n * g->h * g->w * c;
    const float* src = cols + (int64_t)r * ldcols;
    for (int32_t i = 0; i < g->fh; i++) {
      const int32_t y = oy * g->sh + i * g->dh - g->pt;
      if (y < 0 || y >= g->h) continue;
      for (int32_t j = 0; j < g->fw; j++) {
        const int32_t xx = ox * g->sw + j * g->dw - g->pl;
        if (xx < 0 || xx >= g->w) continue;
        add_row(image + (y * g->w + xx) * c, src + (i * g->fw + j) * c, c);
      }
    }
  }
}

EXPORT(kd_conv2d_backprop_input)
void kd_conv2d_backprop_input(const int32_t* geo, const float* dy, const float* w, float* dx,
                              float* scratch, int32_t tile) {
  const Geometry g = geometry(geo);
  const int32_t k = g.fh * g.fw * g.c;
  const int32_t kpad = round_up(k, 8);
  const int32_t total = g.n * g.oh * g.ow;
  float* wpack = scratch;
  float* cols = wpack + (int64_t)kpad * g.o;
  float* apack = cols + (int64_t)tile * kpad;
  pack_filter_rows8(w, k, g.o, wpack, kpad);
  zero(dx, g.n * g.h * g.w * g.c);
  for (int32_t p0 = 0; p0 < total; p0 += tile) {
    const int32_t rows = total - p0 < tile ? total - p0 : tile;
    pack_rows4(dy + (int64_t)p0 * g.o, rows, g.o, apack);
    // One panel of W (o·8 floats) stays in L1 while the tile's rows stream past it.
    for (int32_t kb = 0; kb < kpad; kb += 8) {
      const float* panel = wpack + (int64_t)kb * g.o;
      for (int32_t r = 0; r < rows; r += 4)
        gemm_4x8_store(apack + (int64_t)r * g.o, panel, g.o, cols + (int64_t)r * kpad + kb, kpad);
    }
    col2im_add(&g, cols, kpad, p0, rows, dx);
  }
}

// ---------------------------------------------------------------------------------------
// MaxPoolGrad: each window sends dy to the first tap (row-major) holding its max, like the
// cpu backend; taps in the padding are skipped. Vectorized over channels: per window, one
// pass for the max, one pass that hands dy to the first tap equal to it.
// geo: n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl (no dilation).

EXPORT(kd_max_pool_grad)
void kd_max_pool_grad(const int32_t* geo, const float* x, const float* dy, float* dx) {
  const int32_t n = geo[0], h = geo[1], w = geo[2], c = geo[3], oh = geo[4], ow = geo[5];
  const int32_t fh = geo[6], fw = geo[7], sh = geo[8], sw = geo[9], pt = geo[10], pl = geo[11];
  // Windows that tile the image (pool size = stride, nothing left uncovered) write each dx
  // element once: store instead of zero-then-accumulate, half the memory traffic.
  const int32_t tiled = fh == sh && fw == sw && oh * sh - pt >= h && ow * sw - pl >= w;
  if (!tiled) zero(dx, n * h * w * c);
  for (int32_t b = 0; b < n; b++) {
    const float* image = x + (int64_t)b * h * w * c;
    float* grad = dx + (int64_t)b * h * w * c;
    for (int32_t oy = 0; oy < oh; oy++) {
      const int32_t y0 = oy * sh - pt;
      const int32_t ylo = y0 < 0 ? 0 : y0;
      const int32_t yhi = y0 + fh > h ? h : y0 + fh;
      for (int32_t ox = 0; ox < ow; ox++) {
        const int32_t x0 = ox * sw - pl;
        const int32_t xlo = x0 < 0 ? 0 : x0;
        const int32_t xhi = x0 + fw > w ? w : x0 + fw;
        const float* g = dy + (((int64_t)b * oh + oy) * ow + ox) * c;
        int32_t ch = 0;
        for (; ch + 4 <= c; ch += 4) {
          v128_t best = wasm_f32x4_splat(-__builtin_inff());
          for (int32_t y = ylo; y < yhi; y++)
            for (int32_t xx = xlo; xx < xhi; xx++)
              best = wasm_f32x4_pmax(best, wasm_v128_load(image + (y * w + xx) * c + ch));
          v128_t left = wasm_v128_load(g + ch);
          for (int32_t y = ylo; y < yhi; y++)
            for (int32_t xx = xlo; xx < xhi; xx++) {
              const int32_t at = (y * w + xx) * c + ch;
              const v128_t hit = wasm_f32x4_eq(wasm_v128_load(image + at), best);
              const v128_t share = wasm_v128_and(hit, left);
              wasm_v128_store(grad + at,
                              tiled ? share : wasm_f32x4_add(wasm_v128_load(grad + at), share));
              left = wasm_v128_andnot(left, hit);
            }
        }
        for (; ch < c; ch++) {
          float best = -__builtin_inff();
          int32_t at_best = -1;
          for (int32_t y = ylo; y < yhi; y++)
            for (int32_t xx = xlo; xx < xhi; xx++) {
              const int32_t at = (y * w + xx) * c + ch;
              if (tiled) grad[at] = 0.0f;
              if (at_best < 0 || image[at] > best) {
                best = image[at];
                at_best = at;
              }
            }
          if (at_best >= 0) grad[at_best] += g[ch];
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Adam update, one pass over value, m, v and g: tfjs AdamOptimizer's formula with its float32
// rounding after every operation (no fused multiply-add, so results match its op chain):
//   m' = m·β1 + g·(1 − β1)        v' = v·β2 + g²·(1 − β2)
//   value' = (m' / (1 − β1ᵗ)) / (√(v' / (1 − β2ᵗ)) + ε) · (−lr) + value
// The caller passes every constant rounded to float32 as tfjs's scalar tensors hold them
// (1 − β in double precision first; 1 − β1ᵗ from the float32 β1ᵗ).

EXPORT(kd_adam_update)
void kd_adam_update(const float* value, const float* m, const float* v, const float* g,
                    float* value_out, float* m_out, float* v_out, int32_t count, float beta1,
                    float one_minus_beta1, float beta2, float one_minus_beta2,
                    float one_minus_beta1_power, float one_minus_beta2_power, float epsilon,
                    float neg_lr) {
  const v128_t b1 = wasm_f32x4_splat(beta1), c1 = wasm_f32x4_splat(one_minus_beta1);
  const v128_t b2 = wasm_f32x4_splat(beta2), c2 = wasm_f32x4_splat(one_minus_beta2);
  const v128_t p1 = wasm_f32x4_splat(one_minus_beta1_power);
  const v128_t p2 = wasm_f32x4_splat(one_minus_beta2_power);
  const v128_t eps = wasm_f32x4_splat(epsilon), lr = wasm_f32x4_splat(neg_lr);
  int32_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const v128_t gi = wasm_v128_load(g + i);
    const v128_t mi =
        wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), wasm_f32x4_mul(gi, c1));
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2),
                                     wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), c2));
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, p2)), eps);
    const v128_t step = wasm_f32x4_mul(wasm_f32x4_div(wasm_f32x4_div(mi, p1), denom), lr);
    wasm_v128_store(m_out + i, mi);
    wasm_v128_store(v_out + i, vi);
    wasm_v128_store(value_out + i, wasm_f32x4_add(step, wasm_v128_load(value + i)));
  }
  for (; i < count; i++) {
    const float gi = g[i];
    const float mi = m[i] * beta1 + gi * one_minus_beta1;
    const float vi = v[i] * beta2 + gi * gi * one_minus_beta2;
    const float denom = __builtin_sqrtf(vi / one_minus_beta2_power) + epsilon;
    m_out[i] = mi;
    v_out[i] = vi;
    value_out[i] = mi / one_minus_beta1_power / denom * neg_lr + value[i];
  }
}
