// The drawings: a time-series chart (uPlot) and a stat panel's sparkline (a plain canvas).
import uPlot from '/console/assets/uPlot.esm.js';
import { formatValue } from './format.js';

export const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];

/** The series' points on one shared time axis (seconds); a step a series lacks is a gap. */
function aligned(series) {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const col = new Array(times.length).fill(null);
    for (const [t, v] of s.points) col[index.get(t)] = v;
    return col;
  });
  return [times, ...columns];
}

/** A uPlot chart of `series` ([{ name, points: [[seconds, value]] }]) filling `box`, resized with it. */
export function timeSeriesChart(box, series, unit) {
  const size = () => ({ width: Math.max(box.clientWidth, 100), height: Math.max(box.clientHeight - 28, 60) });
  const axis = { stroke: '#9aa4b2', grid: { stroke: '#243042', width: 1 }, ticks: { stroke: '#243042', width: 1 } };
  const chart = new uPlot(
    {
      ...size(),
      // A legend of names only: values under a moving cursor would make the grid jump.
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 70, values: (_u, ticks) => ticks.map((v) => formatValue(v, unit)) }],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.name,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: false,
          points: { show: false },
          value: (_u, v) => formatValue(v, unit),
        })),
      ],
    },
    aligned(series),
    box,
  );
  const resize = new ResizeObserver(() => chart.setSize(size()));
  resize.observe(box);
  return () => {
    resize.disconnect();
    chart.destroy();
  };
}

/** A filled line of `values` across a canvas that fills `canvas`'s box (device pixels, so it stays crisp). */
export function sparkline(canvas, values, color = PALETTE[0]) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(canvas.clientWidth, 10);
  const h = Math.max(canvas.clientHeight, 10);
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(h * ratio);
  const ctx = canvas.getContext('2d');
  ctx.scale(ratio, ratio);
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min || 1;
  const x = (i) => (i / (values.length - 1)) * w;
  const y = (v) => h - 2 - ((v - min) / span) * (h - 4);
  ctx.beginPath();
  values.forEach((v, i) => {
    if (Number.isFinite(v)) ctx.lineTo(x(i), y(v));
  });
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.lineTo(w, h);
  ctx.lineTo(0, h);
  ctx.closePath();
  ctx.globalAlpha = 0.18;
  ctx.fillStyle = color;
  ctx.fill();
}
