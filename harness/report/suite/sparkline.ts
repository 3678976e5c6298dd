import { html, htmlJoin, type Html } from '../html-escape.ts';

export interface SparkPoint {
  value: number | null;
  /** Tooltip: which suite, and the figure in words. */
  label: string;
  /** Failed runs are drawn red. */
  bad: boolean;
}

const W = 132;
const H = 30;
const PAD = 4;

/**
 * A small inline SVG line of the figures, oldest left, current (last) point larger. A missing figure (never
 * converged) is a red cross at the top, so a gap reads as the worst value rather than as no data.
 */
export function sparkline(points: readonly SparkPoint[], o: { budget?: number | null; name: string }): Html {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const top = Math.max(1, ...values, o.budget ?? 0);
  const step = points.length > 1 ? (W - 2 * PAD) / (points.length - 1) : 0;
  const x = (i: number): number => (points.length > 1 ? PAD + i * step : W / 2);
  const y = (v: number): number => H - PAD - ((H - 2 * PAD) * v) / top;
  const f = (n: number): string => n.toFixed(1);
  const line = points
    .map((p, i) => (p.value === null ? null : `${f(x(i))},${f(y(p.value))}`))
    .filter((s): s is string => s !== null)
    .join(' ');
  const budget = o.budget
    ? htmlJoin(
        html`<line class="budget" x1="${PAD}" x2="${W - PAD}" y1="${f(y(o.budget))}" y2="${f(y(o.budget))}">`,
        html`<title>budget</title></line>`,
      )
    : '';
  const marks = points.map((p, i) => {
    const last = i === points.length - 1;
    if (p.value === null) {
      const cx = x(i);
      return html`<path class="never" d="M${f(cx - 3)},${PAD - 2}l6,6m0,-6l-6,6"><title>${p.label}</title></path>`;
    }
    return htmlJoin(
      html`<circle class="${p.bad ? 'bad' : 'ok'}${last ? ' now' : ''}" `,
      html`cx="${f(x(i))}" cy="${f(y(p.value))}" r="${last ? 3.2 : 2}"><title>${p.label}</title></circle>`,
    );
  });
  return htmlJoin(
    html`<svg class="spark" data-spark="${o.name}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" `,
    html`role="img" aria-label="${o.name}, ${points.length} suites">`,
    html`${budget}<polyline points="${line}"/>${marks}</svg>`,
  );
}
