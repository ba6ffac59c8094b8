/**
 * The dashboard in real headless Chromium, against `hft serve`'s pieces over a real socket and a
 * file store opened read-only (as `hft serve` opens it) while a writer appends: the demo run's real
 * events are re-appended as a live run, and a new fill must show within 1 s of its append.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/cli/server/createServer.ts';
import { EventHub } from '../../src/cli/server/EventHub.ts';
import { MemoryRunReadModels } from '../../src/cli/server/MemoryRunReadModels.ts';
import { OmsControlRegistry } from '../../src/cli/server/OmsControl.ts';
import { parseTokens } from '../../src/cli/server/tokens.ts';
import { openStore } from '../../src/cli/store.ts';
import { collect, type EventStore } from '../../src/eventstore/port.ts';
import type { EventEnvelope, NewEvent } from '../../src/model/events.ts';
import { CHROMIUM, CHROMIUM_ARGS, runDemo, type DemoRun } from '../report/demoRun.ts';

// Browser globals of the code run inside the page (page.evaluate); the project's lib has no DOM.
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare function requestAnimationFrame(cb: (t: number) => void): number;
type CanvasRenderingContext2D = { getImageData(x: number, y: number, w: number, h: number): { data: Iterable<number> } };

const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  console.warn(`\n!!!!!!!! BROWSER TESTS SKIPPED: ${CHROMIUM} not found (apt-get install chromium). The dashboard was NOT checked in a browser. !!!!!!!!\n`);
}
const VIEWER = 'viewer-0123456789abcdef';
const LIVE = 'live1';
const SCREENSHOTS = join(import.meta.dirname, '../report/screenshots');

/** A demo event re-issued as an event of the live run. */
const asLive = (e: EventEnvelope): NewEvent => ({
  id: `${LIVE}-${e.revision}`, type: e.type, version: e.version, tsEvent: e.tsEvent, tsRecv: e.tsRecv, runId: LIVE,
  correlationId: e.correlationId, causationId: e.causationId,
  data: (e.type === 'run.started' ? { ...(e.data as object), mode: 'paper' } : e.data) as never,
});

describe.skipIf(!HAVE_CHROMIUM)('live dashboard in headless Chromium', () => {
  let demo: DemoRun;
  let writer: EventStore, reader: EventStore;
  let rm: MemoryRunReadModels;
  let hub: EventHub;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let events: EventEnvelope[];

  beforeAll(async () => {
    demo = await runDemo();
    writer = await openStore(demo.storeUri);
    reader = await openStore(demo.storeUri, { readOnly: true });
    events = await collect(writer.readStream(`run-${demo.runId}`));
    hub = EventHub.start(reader, 0);
    rm = await MemoryRunReadModels.follow(hub);
    app = await createServer({ hub, readModels: rm, tokens: parseTokens(`${VIEWER}:viewer`), control: new OmsControlRegistry() });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);
  afterAll(async () => { await browser?.close(); await app?.close(); await rm?.close(); await hub?.close(); await reader?.close(); await writer?.close(); });

  it('shows a fill appended to the log within 1 s, with its position and P&L', async () => {
    // The live run so far: the demo's first 600 events (real decisions, orders, fills).
    const firstPart = events.slice(0, 600);
    await writer.append(`run-${LIVE}`, firstPart.map(asLive), { expectedRevision: 'no_stream' });
    await rm.waitFor(await writer.headPosition());

    const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/dashboard`);
    await page.fill('#token', VIEWER);
    await page.click('#connect');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('live'), null, { timeout: 10_000 });
    expect(await page.inputValue('#run')).toBe(LIVE);
    const fillsBefore = firstPart.filter((e) => e.type === 'order.filled').length;
    expect(await page.locator('#fills tr').count()).toBe(Math.min(50, fillsBefore));

    // Append up to and including the next real fill (and its position change) in one batch.
    const nextFill = events.findIndex((e, i) => i >= 600 && e.type === 'order.filled');
    const batch = events.slice(600, nextFill + 2);
    expect(batch.at(-1)!.type).toBe('position.changed');
    const fill = events[nextFill]!.data as { venueTradeId: string; clientOrderId: string };
    const t0 = performance.now();
    await writer.append(`run-${LIVE}`, batch.map(asLive), { expectedRevision: firstPart.length - 1 });
    await page.waitForSelector(`#fills tr[data-trade-id="${fill.venueTradeId}"]`, { timeout: 1_000 });
    const shownAfterMs = performance.now() - t0;
    expect(shownAfterMs).toBeLessThan(1_000);
    console.log(`dashboard showed the appended fill ${shownAfterMs.toFixed(0)} ms after its append`);

    const pos = batch.at(-1)!.data as { quantity: string; realizedPnl: string };
    await page.waitForFunction((q) => document.querySelector('#positions tr td:nth-child(3)')?.textContent === q, pos.quantity, { timeout: 1_000 });
    expect(await page.locator('#positions tr td:nth-child(5)').textContent()).toBe(pos.realizedPnl);
    expect(await page.locator('#fill-count').textContent()).toBe(`(${fillsBefore + 1} in run)`);
    expect(errors, errors.join('\n')).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png') });
    await page.close();
  }, 60_000);
});
