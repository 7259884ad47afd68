/**
 * Charts of the appendix as inline SVG (no script, no external asset, so the page's CSP holds
 * and the PDF prints them): per indicator, a bar per unit against the target line, and the
 * ministry-wide trend from the stored evaluations. Readable in grayscale print: units below
 * target are hatched, met ones solid, units without data an empty outline; the target is a
 * dashed line with its value written beside it; every bar carries its figure as text.
 */
import { T, percent } from './i18n.js';
import type { IndicatorSection, Lang } from './model.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

const WIDTH = 640;
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';

/** Horizontal bars, worst first (the order of the table), with the target as a dashed line. */
export function barChart(ind: IndicatorSection, lang: Lang): string {
  const t = T[lang];
  const label = 150;
  const value = 70;
  const plot = WIDTH - label - value - 10;
  const row = 20;
  const top = 22;
  const h = top + ind.units.length * row + 24;
  const x = (ratio: number) => label + ratio * plot;
  const pat = `hatch-${ind.id}`;
  const bars = ind.units.map((u, i) => {
    const y = top + i * row;
    const name = u.shortName.length > 24 ? `${u.shortName.slice(0, 23)}…` : u.shortName;
    const text = `<text x="${label - 6}" y="${y + 14}" text-anchor="end" font-size="11">${esc(name)}</text>`;
    if (u.ratio === null) {
      return `${text}<rect x="${label}" y="${y + 3}" width="${plot}" height="${row - 6}" fill="none" stroke="#999" stroke-dasharray="2 2"/><text x="${label + 4}" y="${y + 14}" font-size="10" fill="#444">${esc(t.noData)}</text>`;
    }
    const w = Math.max(u.ratio * plot, 1);
    const fill = u.met ? '#555' : `url(#${pat})`;
    return `${text}<rect class="${u.met ? 'met' : 'notmet'}" x="${label}" y="${y + 3}" width="${f1(w)}" height="${row - 6}" fill="${fill}" stroke="#000" stroke-width="0.8"/><text x="${f1(label + plot + 6)}" y="${y + 14}" font-size="11">${esc(percent(u.ratio, lang))}</text>`;
  });
  const tx = x(ind.target);
  const axis = [0, 0.25, 0.5, 0.75, 1].map((v) => `<line x1="${f1(x(v))}" y1="${top}" x2="${f1(x(v))}" y2="${h - 22}" stroke="#ddd"/><text x="${f1(x(v))}" y="${h - 8}" font-size="9" text-anchor="middle">${v * 100}%</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" width="${WIDTH}" height="${h}" viewBox="0 0 ${WIDTH} ${h}" role="img" aria-label="${esc(`${t.chartBars}: ${ind.title[lang]}`)}" ${FONT}>
<defs><pattern id="${pat}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2"/></pattern></defs>
<text x="0" y="13" font-size="12" font-weight="bold">${esc(t.chartBars)}</text>
${axis.join('')}
${bars.join('\n')}
<line class="target" x1="${f1(tx)}" y1="${top - 4}" x2="${f1(tx)}" y2="${h - 22}" stroke="#000" stroke-width="1.5" stroke-dasharray="5 3"/>
<text x="${f1(Math.min(tx + 3, WIDTH - 60))}" y="${top - 6}" font-size="10">${esc(`${t.targetLine} ${percent(ind.target, lang)}`)}</text>
</svg>`;
}

/** The ministry-wide figure over time (one point per day), with the target as a dashed line. */
export function trendChart(ind: IndicatorSection, lang: Lang): string {
  const t = T[lang];
  const h = 170;
  const left = 44;
  const right = 16;
  const top = 24;
  const bottom = 30;
  const plotW = WIDTH - left - right;
  const plotH = h - top - bottom;
  const pts = ind.trend.filter((p) => p.ratio !== null) as { at: string; ratio: number }[];
  const times = pts.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const x = (ms: number) => left + (t1 > t0 ? ((ms - t0) / (t1 - t0)) * plotW : plotW);
  const y = (ratio: number) => top + (1 - ratio) * plotH;
  const grid = [0, 0.5, 1].map((v) => `<line x1="${left}" y1="${f1(y(v))}" x2="${left + plotW}" y2="${f1(y(v))}" stroke="#ddd"/><text x="${left - 4}" y="${f1(y(v) + 3)}" font-size="9" text-anchor="end">${v * 100}%</text>`);
  const target = `<line class="target" x1="${left}" y1="${f1(y(ind.target))}" x2="${left + plotW}" y2="${f1(y(ind.target))}" stroke="#000" stroke-width="1.2" stroke-dasharray="5 3"/><text x="${left + plotW}" y="${f1(y(ind.target) - 3)}" font-size="10" text-anchor="end">${esc(`${t.targetLine} ${percent(ind.target, lang)}`)}</text>`;
  const dateOf = (ms: number) => {
    const d = new Date(ms + 7 * 3600_000).toISOString().slice(0, 10);
    return lang === 'vi' ? d.split('-').reverse().join('/') : d;
  };
  let body: string;
  if (!pts.length) body = `<text x="${left + 8}" y="${top + plotH / 2}" font-size="11">${esc(t.noHistoryChart)}</text>`;
  else {
    const line = pts.map((p, i) => `${f1(x(times[i]!))},${f1(y(p.ratio))}`).join(' ');
    const marks = pts.map((p, i) => `<circle cx="${f1(x(times[i]!))}" cy="${f1(y(p.ratio))}" r="2.5" fill="#000"/>`);
    const last = pts.at(-1)!;
    body = `<polyline class="trend" points="${line}" fill="none" stroke="#000" stroke-width="2"/>${marks.join('')}
<text x="${f1(Math.max(x(times.at(-1)!) - 4, left + 40))}" y="${f1(y(last.ratio) - 6)}" font-size="11" text-anchor="end" font-weight="bold">${esc(percent(last.ratio, lang))}</text>
<text x="${left}" y="${h - 10}" font-size="9">${esc(dateOf(t0))}</text><text x="${left + plotW}" y="${h - 10}" font-size="9" text-anchor="end">${esc(dateOf(t1))}</text>`;
    if (pts.length === 1) body += `<text x="${left + 8}" y="${h - 10}" font-size="9" dx="80">${esc(t.noHistoryChart)}</text>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart trend" width="${WIDTH}" height="${h}" viewBox="0 0 ${WIDTH} ${h}" role="img" aria-label="${esc(`${t.chartTrend}: ${ind.title[lang]}`)}" ${FONT}>
<text x="0" y="13" font-size="12" font-weight="bold">${esc(t.chartTrend)}</text>
<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>
${grid.join('')}
${target}
${body}
</svg>`;
}
