// @ts-check
/**
 * A pie or bar chart of labelled values, drawn by Chart.js on a canvas (docs/console.md, "Reports
 * page": why Chart.js). Only the pieces these two kinds need are registered, so the rest of the
 * library is loaded but never set up.
 *
 * Drawn without animation: a report is read, not watched, and a chart that is finished as soon
 * as it is made is one a test can look at without waiting for an animation to end. The canvas
 * carries `data-drawn` once Chart.js has drawn it.
 */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import { ArcElement, BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, PieController, Title, Tooltip } from 'chart.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, Legend, LinearScale, PieController, Title, Tooltip);

/** Colours told apart by most colour-blind readers too (Okabe–Ito), then repeated. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442', '#000000'];

/** @typedef {{label: string, value: number}} ChartPoint */
/**
 * @typedef {object} ChartProps
 * @property {'pie' | 'bar'} kind
 * @property {string} title what the values are (the column's label)
 * @property {ChartPoint[]} points
 * @property {(v: number) => string} [format] a value as the table writes it (tooltips, the axis)
 * @property {string} [test] its `data-test`
 */

/** @param {ChartProps} props */
export function ChartView({ kind, title, points, format, test = 'chart' }) {
  const canvas = useRef(/** @type {HTMLCanvasElement | null} */ (null));

  useEffect(() => {
    const el = canvas.current;
    if (!el) return undefined;
    const fmt = format ?? ((/** @type {number} */ v) => String(v));
    const colours = points.map((_, i) => PALETTE[i % PALETTE.length] ?? '#0072B2');
    /** @type {import('chart.js').ChartConfiguration<'pie' | 'bar', number[], string>} */
    const config = {
      type: kind,
      data: {
        labels: points.map((p) => p.label),
        datasets: [{ label: title, data: points.map((p) => p.value), backgroundColor: kind === 'pie' ? colours : PALETTE[0], borderWidth: kind === 'pie' ? 1 : 0 }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          title: { display: true, text: title },
          legend: { display: kind === 'pie', position: 'right' },
          tooltip: { callbacks: { label: (c) => `${c.label}: ${fmt(Number(c.raw))}` } },
        },
        ...(kind === 'bar' ? { scales: { y: { beginAtZero: true, ticks: { callback: (v) => fmt(Number(v)) } } } } : {}),
      },
    };
    const chart = new Chart(el, config);
    el.dataset.drawn = 'true';
    return () => {
      chart.destroy();
      delete el.dataset.drawn;
    };
  }, [kind, title, points, format]);

  return html`<div class="chart-box" data-test=${test} data-kind=${kind}>
    <canvas ref=${canvas} role="img" aria-label=${title}></canvas>
  </div>`;
}
