/**
 * The demo run's report in real headless Chromium (Debian's package): charts drawn with data, a
 * marker painted at each fill's (time, price), no console error. Writes the README screenshot.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/cli/report/writeReport.ts';
import { CHROMIUM, CHROMIUM_ARGS, io, runDemo, type DemoRun } from './demoRun.ts';

// Browser globals of the code run inside the page (page.evaluate); the project's lib has no DOM.
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare function requestAnimationFrame(cb: (t: number) => void): number;
type CanvasRenderingContext2D = { getImageData(x: number, y: number, w: number, h: number): { data: Iterable<number> } };

const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  console.warn(`\n!!!!!!!! BROWSER TESTS SKIPPED: ${CHROMIUM} not found (apt-get install chromium). The report was NOT checked in a browser. !!!!!!!!\n`);
}
export const SCREENSHOTS = join(import.meta.dirname, 'screenshots');

describe.skipIf(!HAVE_CHROMIUM)('run report in headless Chromium', () => {
  let demo: DemoRun;
  let browser: Browser;
  let file: string;
  beforeAll(async () => {
    demo = await runDemo();
    file = join(demo.work, 'run.html');
    await writeReport({ runIds: [demo.runId], storeUri: demo.storeUri, ticksDir: demo.ticksDir, out: file }, io);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);
  afterAll(async () => { await browser?.close(); });

  it('renders non-empty charts with a marker at each fill and no console error, offline', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    // Offline: any request other than the file itself fails the test.
    const requests: string[] = [];
    await context.route('**/*', (route) => { requests.push(route.request().url()); return route.request().url().startsWith('file://') ? route.continue() : route.abort(); });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => (window as unknown as { __reportReady?: boolean }).__reportReady === true, null, { timeout: 20_000 });

    const charts = await page.evaluate(() => {
      const c = (window as unknown as { __report: { charts: Record<string, { data: (number | null | undefined)[][] }> } }).__report.charts;
      return Object.fromEntries(Object.entries(c).map(([k, u]) => [k, u.data.slice(1).map((s) => s.filter((v) => v !== null && v !== undefined).length)]));
    });
    for (const id of ['equity', 'drawdown', 'price-0', 'inventory', 'lat-ack', 'lat-fill', 'lat-queue']) {
      expect(charts[id], id).toBeDefined();
      expect(Math.max(...charts[id]!), id).toBeGreaterThan(0);
    }
    // price chart series: mid, bid, ask, our bid, our ask, buy fills, sell fills
    const fills = charts['price-0']![5]! + charts['price-0']![6]!;
    expect(fills).toBe(demo.summary.fills);

    // Zoom to the first fill's second and read the canvas under each fill marker in view.
    const zoomedAt = await page.evaluate(() => {
      type U = { data: (number | null | undefined)[][]; setScale(k: string, r: { min: number; max: number }): void; valToPos(v: number, k: string, canvas?: boolean): number; ctx: CanvasRenderingContext2D; series: { show: boolean }[]; scales: Record<string, { min: number; max: number }> };
      const u = (window as unknown as { __report: { charts: Record<string, U> } }).__report.charts['price-0']!;
      const xs = u.data[0]! as number[];
      const firstFill = xs.findIndex((_, i) => u.data[6]![i] != null || u.data[7]![i] != null);
      const t0 = xs[firstFill]!;
      u.setScale('x', { min: t0 - 0.5, max: t0 + 0.5 });
      return t0;
    });
    // uPlot commits a new scale on the next microtask and paints on it: read the canvas after a frame.
    const probe = await page.evaluate(async (t0) => {
      await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
      type U = { data: (number | null | undefined)[][]; valToPos(v: number, k: string, canvas?: boolean): number; ctx: CanvasRenderingContext2D; scales: Record<string, { min: number; max: number }> };
      const u = (window as unknown as { __report: { charts: Record<string, U> } }).__report.charts['price-0']!;
      const xs = u.data[0]! as number[];
      const out: { side: string; rgba: number[] }[] = [];
      for (let i = 0; i < xs.length && out.length < 12; i++) {
        if (xs[i]! < t0 - 0.5 || xs[i]! > t0 + 0.5) continue;
        for (const [col, side] of [[6, 'buy'], [7, 'sell']] as const) {
          const v = u.data[col]![i];
          if (v == null) continue;
          const x = Math.round(u.valToPos(xs[i]!, 'x', true)), y = Math.round(u.valToPos(v, 'y', true));
          out.push({ side, rgba: [...u.ctx.getImageData(x, y, 1, 1).data] });
        }
      }
      return { span: u.scales.x!.max - u.scales.x!.min, out };
    }, zoomedAt);
    expect(probe.span).toBeCloseTo(1, 6); // one second across the chart: millisecond resolution
    expect(probe.out.length).toBeGreaterThan(0);
    for (const p of probe.out) {
      const [r, g] = p.rgba;
      // buy markers #16a34a (green dominant), sell #dc2626 (red dominant); overlapping markers are either
      expect(r! !== g!, JSON.stringify(p)).toBe(true);
      expect(p.rgba[3]).toBe(255);
    }
    await page.evaluate(() => { const u = (window as unknown as { __report: { charts: Record<string, { setScale(k: string, r: { min: number; max: number }): void; data: number[][] }> } }).__report.charts['price-0']!; const xs = u.data[0]!; u.setScale('x', { min: xs[0]!, max: xs[xs.length - 1]! }); });
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
