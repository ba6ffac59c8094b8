/**
 * The Binance captures are their own oracle: every bookTicker whose `u` is the final `u` of a diff must
 * show exactly the rebuilt best bid/ask (price and size). Both days of a symbol are one session.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BinanceBookCheck } from '../../src/feeds/check/BinanceBookCheck.ts';
import { binanceCaptureFile, isDepthSnapshot, parseBinanceCaptureLine } from '../../src/feeds/capture/binanceCaptureLine.ts';
import { captureInstruments } from '../../src/feeds/binance/captureInstruments.ts';
import { instrumentLookup } from '../../src/feeds/instrumentLookup.ts';

const ROOT = '/work/shared/data/binance-capture';
const sessions = new Map<string, string[]>();
for (const dir of ['spot', 'usdm', 'cm']) {
  for (const f of readdirSync(join(ROOT, dir)).sort()) {
    const key = `${dir}/${f.replace(/_\d{8}\.gz$/, '')}`;
    sessions.set(key, [...(sessions.get(key) ?? []), join(ROOT, dir, f)]);
  }
}

function runSession(files: string[]) {
  const { venue, symbol } = binanceCaptureFile(files[0]!);
  const check = new BinanceBookCheck(venue, instrumentLookup(venue, captureInstruments));
  for (const file of files) {
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
    lines.forEach((line, i) => {
      if (line === '') return;
      const r = parseBinanceCaptureLine(line, `${file}:${i + 1}`);
      if (isDepthSnapshot(r.msg)) check.onSnapshot(symbol, r.msg, r.tsRecv);
      else check.onMessage(r.msg, r.tsRecv);
    });
  }
  return { results: check.results(), stats: check.stats };
}

describe('binance-capture book rebuild', () => {
  it('finds all ten capture files (six sessions)', () => {
    expect([...sessions.values()].flat()).toHaveLength(10);
    expect(sessions.size).toBe(6);
  });
  for (const [name, files] of sessions) {
    it(`${name} (${files.length} day${files.length > 1 ? 's' : ''}): rebuilt best bid/ask equals every checkable bookTicker, no gaps`, () => {
      const { results, stats } = runSession(files);
      expect(results).toHaveLength(1);
      const r = results[0]!;
      expect(r.gapDetails).toEqual([]);
      expect(r.mismatches).toEqual([]);
      expect(stats.snapshots).toBe(1);
      // "about a thousand per instrument per session" (data README); spot diffs are 100 ms batches.
      expect(r.checked).toBeGreaterThan(500);
      expect(r.matched).toBe(r.checked);
      console.log(`${name}: ${r.matched}/${r.checked} checkable bookTickers matched (of ${r.total}), diffs applied ${stats.applied}, dropped before snapshot ${stats.droppedBeforeSnapshot}`);
    }, 120_000);
  }
});

describe('binance-capture gap detection', () => {
  const file = join(ROOT, 'spot/btcusdt_20240808.gz');
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter((l) => l !== '');
  const depthIdx = lines.map((l, i) => (l.includes('@depth') ? i : -1)).filter((i) => i >= 0);

  it('reports a sequence gap, not a silent mismatch, when one diff is missing', () => {
    const dropped = depthIdx[100]!; // well after the snapshot (line 8)
    const check = new BinanceBookCheck('binance-spot', instrumentLookup('binance-spot', captureInstruments));
    lines.forEach((line, i) => {
      if (i === dropped) return;
      const r = parseBinanceCaptureLine(line, `${file}:${i + 1}`);
      if (isDepthSnapshot(r.msg)) check.onSnapshot('BTCUSDT', r.msg, r.tsRecv); else check.onMessage(r.msg, r.tsRecv);
    });
    const r = check.results()[0]!;
    const missing = JSON.parse(lines[dropped]!.slice(lines[dropped]!.indexOf(' ') + 1)).data;
    expect(r.gaps).toBe(1);
    expect(r.gapDetails[0]).toBe(`diff chain: expected U=${missing.U}, got U=${missing.u + 1} (u=${JSON.parse(lines[depthIdx[101]!]!.slice(lines[depthIdx[101]!]!.indexOf(' ') + 1)).data.u}); waiting for a new snapshot`);
    expect(r.mismatches).toEqual([]);
  });

  it('names the file and line of a malformed capture line', () => {
    expect(() => parseBinanceCaptureLine('17231612 {"stream":', 'x.gz:3')).toThrow(/x\.gz:3: invalid JSON/);
    expect(() => parseBinanceCaptureLine('abc {}', 'x.gz:4')).toThrow(/x\.gz:4: expected '<ns> <json>'/);
  });
});
