// A small SVG line chart: a few named series of (x, y) points, axes with ticks, a legend.
const SVG = 'http://www.w3.org/2000/svg';

export interface SeriesStyle {
  readonly label: string;
  readonly color: string;
  /** Dashed: reference lines (the teacher's accuracy). */
  readonly dashed?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  /** Fixed y range; otherwise from the data (with 0 included for losses). */
  readonly yRange?: readonly [number, number];
  readonly yFormat?: (y: number) => string;
  /** 'log' for losses of very different sizes (a KD loss is scaled by T²). Default 'linear'. */
  readonly yScale?: 'linear' | 'log';
  readonly series: Readonly<Record<string, SeriesStyle>>;
}

const WIDTH = 480;
const HEIGHT = 260;
const PAD = { left: 52, right: 12, top: 44, bottom: 40 };

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** 1, 2, 5 × powers of ten within [min, max]. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= min && t <= max) ticks.push(Number(t.toPrecision(2)));
    }
  }
  return ticks;
}

function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(t);
  return ticks;
}

/** A live chart: `add` points, it redraws at most once per animation frame. */
export class LineChart {
  readonly element: SVGSVGElement;
  private readonly points = new Map<string, [number, number][]>();
  private scheduled = false;

  constructor(private readonly options: ChartOptions) {
    this.element = el('svg', {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': options.title,
      class: 'chart',
    });
    this.draw();
  }

  add(series: string, x: number, y: number): void {
    if (!Number.isFinite(y) || (this.options.yScale === 'log' && y <= 0)) return;
    const list = this.points.get(series) ?? [];
    list.push([x, y]);
    this.points.set(series, list);
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  clear(): void {
    this.points.clear();
    this.draw();
  }

  /** Redraws now (the final frame before a screenshot or a result). */
  draw(): void {
    const { options } = this;
    const all = [...this.points.values()].flat();
    const xs = all.map(([x]) => x);
    const ys = all.map(([, y]) => y);
    const xMax = Math.max(1, ...xs);
    const log = options.yScale === 'log';
    const [yMin, yMax] =
      options.yRange ??
      (log
        ? [Math.min(1, ...ys) * 0.8, Math.max(2, ...ys) * 1.25]
        : [Math.min(0, ...ys), Math.max(1e-6, ...ys) * 1.05]);
    const f = (y: number) => (log ? Math.log10(y) : y);
    const sx = (x: number) => PAD.left + (x / xMax) * (WIDTH - PAD.left - PAD.right);
    const sy = (y: number) =>
      HEIGHT -
      PAD.bottom -
      ((f(y) - f(yMin)) / (f(yMax) - f(yMin) || 1)) * (HEIGHT - PAD.top - PAD.bottom);
    const format = options.yFormat ?? ((y: number) => String(Number(y.toPrecision(3))));

    const svg = this.element;
    svg.replaceChildren();
    svg.append(el('text', { x: PAD.left, y: 16, class: 'chart-title' }, options.title));
    for (const t of log ? logTicks(yMin, yMax) : niceTicks(yMin, yMax, 4)) {
      svg.append(
        el('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: sy(t), y2: sy(t), class: 'grid' }),
      );
      svg.append(el('text', { x: PAD.left - 6, y: sy(t) + 4, class: 'tick y' }, format(t)));
    }
    for (const t of niceTicks(0, xMax, 5)) {
      svg.append(el('text', { x: sx(t), y: HEIGHT - PAD.bottom + 16, class: 'tick x' }, String(t)));
    }
    svg.append(
      el(
        'text',
        { x: (PAD.left + WIDTH - PAD.right) / 2, y: HEIGHT - 6, class: 'axis-label' },
        options.xLabel,
      ),
    );
    let legendX = PAD.left + 8;
    for (const [key, style] of Object.entries(options.series)) {
      const list = this.points.get(key);
      if (list && list.length > 0) {
        const d = list.map(
          ([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`,
        );
        svg.append(
          el('path', {
            d: d.join(''),
            stroke: style.color,
            class: style.dashed ? 'series dashed' : 'series',
            'data-series': key,
          }),
        );
        if (list.length === 1 && !style.dashed) {
          const [x, y] = list[0] ?? [0, 0];
          svg.append(el('circle', { cx: sx(x), cy: sy(y), r: 3, fill: style.color }));
        }
      }
      svg.append(el('rect', { x: legendX, y: 24, width: 10, height: 10, fill: style.color }));
      svg.append(el('text', { x: legendX + 14, y: 33, class: 'legend' }, style.label));
      legendX += 24 + style.label.length * 6.5;
    }
  }
}
