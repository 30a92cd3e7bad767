/**
 * A small hand-written SVG line chart for bench results (latency over time, memory against nodes): one
 * or more series of (x, y) points on linear axes with ticks, a title, axis labels and a legend. No
 * dependency; the file opens in any browser.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One line of the chart. */
export interface PlotSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Draw points only (a scatter), no line between them. */
  readonly dots?: boolean;
}

/** A chart. */
export interface PlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly PlotSeries[];
  /** Horizontal reference lines, e.g. a target. */
  readonly hLines?: readonly { readonly y: number; readonly label: string }[];
  readonly width?: number;
  readonly height?: number;
}

const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

/** A "nice" tick step for a range split in about `n` steps (1, 2 or 5 × a power of ten). */
export function niceStep(range: number, n: number): number {
  if (!(range > 0)) return 1;
  const raw = range / n;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || Number.isInteger(v)
    ? String(Math.round(v))
    : String(Number(v.toPrecision(3)));
}

/** Renders the chart as an SVG document. */
export function renderLineChart(spec: PlotSpec): string {
  const width = spec.width ?? 800;
  const height = spec.height ?? 420;
  const m = { left: 70, right: 20 + 150, top: 40, bottom: 50 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const all = spec.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const ys = [...all.map(([, y]) => y), ...(spec.hLines ?? []).map((h) => h.y)];
  const xMin = Math.min(...all.map(([x]) => x), 0);
  const xMax = Math.max(...all.map(([x]) => x), xMin + 1);
  const yMin = Math.min(...ys, 0);
  const yMax = Math.max(...ys, yMin + 1) * 1.05;
  const sx = (x: number): number => m.left + ((x - xMin) / (xMax - xMin)) * pw;
  const sy = (y: number): number => m.top + ph - ((y - yMin) / (yMax - yMin)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${String(width / 2)}" y="20" text-anchor="middle" font-size="15">${esc(spec.title)}</text>`,
  ];
  const xStep = niceStep(xMax - xMin, 8);
  for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax; x += xStep) {
    out.push(
      `<line x1="${sx(x).toFixed(1)}" y1="${String(m.top)}" x2="${sx(x).toFixed(1)}" y2="${String(m.top + ph)}" stroke="#eee"/>`,
      `<text x="${sx(x).toFixed(1)}" y="${String(m.top + ph + 16)}" text-anchor="middle">${fmt(x)}</text>`,
    );
  }
  const yStep = niceStep(yMax - yMin, 6);
  for (let y = Math.ceil(yMin / yStep) * yStep; y <= yMax; y += yStep) {
    out.push(
      `<line x1="${String(m.left)}" y1="${sy(y).toFixed(1)}" x2="${String(m.left + pw)}" y2="${sy(y).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${String(m.left - 6)}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${fmt(y)}</text>`,
    );
  }
  out.push(
    `<rect x="${String(m.left)}" y="${String(m.top)}" width="${String(pw)}" height="${String(ph)}" fill="none" stroke="#444"/>`,
    `<text x="${String(m.left + pw / 2)}" y="${String(height - 10)}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text transform="translate(16 ${String(m.top + ph / 2)}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
  );
  for (const h of spec.hLines ?? []) {
    out.push(
      `<line x1="${String(m.left)}" y1="${sy(h.y).toFixed(1)}" x2="${String(m.left + pw)}" y2="${sy(h.y).toFixed(1)}" stroke="#999" stroke-dasharray="6 4"/>`,
      `<text x="${String(m.left + pw - 4)}" y="${(sy(h.y) - 4).toFixed(1)}" text-anchor="end" fill="#666">${esc(h.label)}</text>`,
    );
  }
  spec.series.forEach((s, i) => {
    const color = colors[i % colors.length] ?? '#000';
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.dots === true || pts.length === 1) {
      for (const [x, y] of pts)
        out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="1.8" fill="${color}"/>`);
    } else if (pts.length > 1) {
      const d = pts
        .map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`)
        .join('');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    }
    const ly = m.top + 10 + i * 18;
    out.push(
      `<rect x="${String(m.left + pw + 12)}" y="${String(ly - 8)}" width="12" height="3" fill="${color}"/>`,
      `<text x="${String(m.left + pw + 30)}" y="${String(ly - 3)}">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Renders and writes the chart to `path` (folders created). */
export async function writeLineChart(path: string, spec: PlotSpec): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderLineChart(spec));
  return path;
}
