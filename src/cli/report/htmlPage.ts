/**
 * The self-contained page shell shared by the run report and the comparison: uPlot's minified build
 * and stylesheet, the page's script and its data are inlined, so the file opens offline and stays
 * byte-for-byte what was generated.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HftError } from '../../core/errors.ts';

const require = createRequire(import.meta.url);
let assets: { js: string; css: string } | undefined;

/** uPlot from node_modules (read once per process). */
export function uplotAssets(): { js: string; css: string } {
  if (!assets) {
    const js = require.resolve('uplot/dist/uPlot.iife.min.js');
    assets = { js: readFileSync(js, 'utf8'), css: readFileSync(js.replace(/uPlot\.iife\.min\.js$/, 'uPlot.min.css'), 'utf8') };
  }
  return assets;
}

export function pageAsset(name: string): string {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
}

/**
 * Delta-encodes an integer series ([first, d1, d2, ...]; null kept, deltas skip it): times in µs and
 * prices in ticks change by small amounts, so the JSON shrinks 2–3× over absolute values.
 */
export function packDeltas(a: readonly (number | null)[], what: string): (number | null)[] {
  const out = new Array<number | null>(a.length);
  let last = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === null || v === undefined) { out[i] = null; continue; }
    if (!Number.isSafeInteger(v)) throw new HftError('HFT_ERR_BAD_INPUT', `report series ${what}[${i}] = ${v} is not an integer`);
    out[i] = v - last; last = v;
  }
  return out;
}

/** Scales a float series to integer millionths for delta packing (drawing only). */
export const micro = (a: readonly (number | null)[]): (number | null)[] => a.map((v) => (v === null ? null : Math.round(v * 1e6)));

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** JSON that cannot end its <script> element early. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function htmlPage(title: string, body: string, data: unknown, script: string): string {
  const { js, css } = uplotAssets();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
<style>${pageAsset('report.css')}</style>
</head><body><div id="main">
${body}
</div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${js}</script>
<script>${script}</script>
</body></html>
`;
}
