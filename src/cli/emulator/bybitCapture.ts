/**
 * The Bybit emulator's market data: the only Bybit capture here, cryptofeed's legacy 2021 one
 * (/work/shared/data/cryptofeed/BYBIT.ws.25.0, USDT perpetuals on `wss://stream.bybit.com/realtime_public`,
 * 2021-04-17, ~30 s; XFree86-1.1, see data/README.md), TRANSLATED into the v5 public shapes, not
 * replayed verbatim: Bybit's v2 API no longer exists and the v5 one was never captured.
 *
 * Translation, per symbol, in capture order:
 * - v2 `orderBookL2_25.<S>` (snapshot `{order_book:[{price,id,side,size}]}`, delta `{delete,update,
 *   insert}`, id-keyed, `cross_seq`, `timestamp_e6`) -> v5 `orderbook.50.<S>` (https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook):
 *   snapshot `{b,a}` sorted best first; delta with the changed levels, a deletion as size "0"; `u` counts
 *   the messages (1,000,001 first, +1 each, as v5 does), `seq` = the v2 `cross_seq`, `ts`/`cts` =
 *   `timestamp_e6` in ms. The v2 book is 25 levels a side, so the "50" book never has more than 25.
 * - v2 `trade.<S>` -> v5 `publicTrade.<S>` `{T, s, S, v, p, L, i, BT:false}` (https://bybit-exchange.github.io/docs/v5/websocket/public/trade).
 * - v2 sizes are JSON floats with float noise (29.180002, 116.600006: 1,587 of 7,490 book sizes in
 *   BYBIT.ws.25.0, never more than 0.00006 off) and are rounded to the symbol's qty_step; prices are the
 *   v2 strings as received.
 *
 * Instrument specs come from the capture's own instrument list (BYBIT.0, `GET /v2/public/symbols`).
 */
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { HftError } from '../../core/errors.ts';
import { parseCryptofeedLine } from '../../feeds/capture/cryptofeedLine.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';

export interface BybitCaptureMessage {
  /** Recorder receive time, µs. */
  readonly tsCapUs: number;
  readonly kind: 'orderbook' | 'publicTrade';
  readonly symbol: string;
  /** The v5 message (translated); `ts`, `cts` and trade `T` are re-stamped when sent. */
  readonly msg: Record<string, unknown>;
}

export interface BybitCapture {
  readonly file: string;
  readonly messages: readonly BybitCaptureMessage[];
  readonly symbols: readonly string[];
}

interface LegacyLevel { price?: unknown; id?: unknown; side?: unknown; size?: unknown }

/** The USDT-perpetual specs of a legacy `GET /v2/public/symbols` answer (cryptofeed's BYBIT.0). */
export function bybitLegacySpecs(file: string): InstrumentSpec[] {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new HftError('HFT_ERR_NOT_FOUND', `bybit emulator: cannot read instrument list ${file}: ${(e as Error).message}`); }
  const out: InstrumentSpec[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('configuration: ')) return;
    const rec = parseCryptofeedLine(line, `${file}:${i + 1}`);
    if (rec.type !== 'rest' || !rec.url.includes('/v2/public/symbols')) return;
    const rows = (rec.msg as { result?: unknown }).result;
    if (!Array.isArray(rows)) throw new HftError('HFT_ERR_BAD_INPUT', `${file}:${i + 1}: /v2/public/symbols answer without a 'result' array`);
    for (const [j, r] of (rows as Record<string, unknown>[]).entries()) {
      if (r.quote_currency !== 'USDT') continue; // USDT perpetuals (linear); the USD ones are inverse
      const pf = r.price_filter as { tick_size?: unknown } | undefined; const lf = r.lot_size_filter as { qty_step?: unknown } | undefined;
      if (typeof r.name !== 'string' || typeof pf?.tick_size !== 'string' || typeof lf?.qty_step !== 'number' || typeof r.maker_fee !== 'string' || typeof r.taker_fee !== 'string') {
        throw new HftError('HFT_ERR_BAD_INPUT', `${file}:${i + 1}: result[${j}]: name, price_filter.tick_size, lot_size_filter.qty_step, maker_fee, taker_fee expected`);
      }
      out.push({
        id: `bybit-linear:${r.name}`, venue: 'bybit-linear', symbol: r.name, kind: 'linear_perp', base: String(r.base_currency), quote: 'USDT', settle: 'USDT',
        tickSize: pf.tick_size, lotSize: new Decimal(lf.qty_step).toFixed(), contractMultiplier: '1', makerFeeRate: r.maker_fee, takerFeeRate: r.taker_fee,
      });
    }
  });
  if (out.length === 0) throw new HftError('HFT_ERR_BAD_INPUT', `bybit emulator: no USDT symbol in ${file}`);
  return out;
}

/**
 * A spot spec standing in for a linear one (same symbol, tick and step; Bybit's base spot fee, 0.1%
 * maker and taker): the emulator's spot account trades against the linear capture, there being no
 * Bybit spot capture.
 */
export function spotStandIn(linear: InstrumentSpec): InstrumentSpec {
  return { ...linear, id: `bybit-spot:${linear.symbol}`, venue: 'bybit-spot', kind: 'spot', settle: linear.quote, makerFeeRate: '0.001', takerFeeRate: '0.001' };
}

/** Loads the legacy capture and translates it into v5 messages; `specs` give each symbol's qty_step. */
export function loadBybitLegacyCapture(file: string, specs: readonly InstrumentSpec[], symbols?: readonly string[]): BybitCapture {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new HftError('HFT_ERR_NOT_FOUND', `bybit emulator: cannot read capture ${file}: ${(e as Error).message}`); }
  const stepOf = new Map(specs.map((s) => [s.symbol, new Decimal(s.lotSize)]));
  const books = new Map<string, { levels: Map<string, { price: string; side: string; size: string }>; u: number }>();
  const messages: BybitCaptureMessage[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('configuration: ')) return;
    const where = `${file}:${i + 1}`;
    const rec = parseCryptofeedLine(line, where);
    if (rec.type !== 'ws') return;
    const m = rec.msg as { topic?: unknown; type?: unknown; data?: unknown; cross_seq?: unknown; timestamp_e6?: unknown };
    if (typeof m.topic !== 'string') return; // subscription answers
    const [channel, symbol] = m.topic.split('.') as [string, string | undefined];
    if (!symbol || (channel !== 'orderBookL2_25' && channel !== 'trade')) return;
    if (symbols && !symbols.includes(symbol)) return;
    const step = stepOf.get(symbol);
    if (!step) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: ${symbol} is not in the instrument list`);
    const size = (v: unknown, f: string): string => {
      if (typeof v !== 'number' || !(v >= 0)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: ${f}: size must be a number, got ${JSON.stringify(v)}`);
      return new Decimal(v).div(step).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).times(step).toFixed();
    };
    seen.add(symbol);
    if (channel === 'trade') {
      if (!Array.isArray(m.data)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: trade without a 'data' array`);
      const data = (m.data as Record<string, unknown>[]).map((t) => ({
        T: Number(t.trade_time_ms), s: symbol, S: t.side, v: size(t.size, 'trade size'), p: t.price, L: t.tick_direction, i: t.trade_id, BT: false,
      }));
      messages.push({ tsCapUs: rec.tsRecv, kind: 'publicTrade', symbol, msg: { topic: `publicTrade.${symbol}`, type: 'snapshot', ts: Math.floor(rec.tsRecv / 1000), data } });
      return;
    }
    const tsMs = Math.floor(Number(m.timestamp_e6) / 1000);
    const seq = Number(m.cross_seq);
    if (!Number.isSafeInteger(seq) || !Number.isFinite(tsMs)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: cross_seq / timestamp_e6 missing`);
    let book = books.get(symbol);
    const d = m.data as Record<string, unknown>;
    const changed = new Map<string, { price: string; side: string; size: string }>();
    const put = (l: LegacyLevel, deleted: boolean): void => {
      if (typeof l.price !== 'string' || (l.side !== 'Buy' && l.side !== 'Sell')) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: book level without price/side: ${JSON.stringify(l)}`);
      const lv = { price: l.price, side: l.side, size: deleted ? '0' : size(l.size, 'book size') };
      const k = `${l.side}|${l.price}`;
      if (lv.size === '0') book!.levels.delete(k); else book!.levels.set(k, lv);
      changed.set(k, lv);
    };
    if (m.type === 'snapshot') {
      book = { levels: new Map(), u: book?.u ?? 1_000_000 };
      books.set(symbol, book);
      const rows = Array.isArray(d) ? d : (d as { order_book?: unknown }).order_book;
      if (!Array.isArray(rows)) throw new HftError('HFT_ERR_BAD_INPUT', `${where}: snapshot without levels`);
      for (const l of rows as LegacyLevel[]) put(l, false);
    } else if (m.type === 'delta') {
      if (!book) return; // before the first snapshot
      for (const [f, del] of [['delete', true], ['update', false], ['insert', false]] as const) for (const l of (d[f] as LegacyLevel[] | undefined) ?? []) put(l, del);
    } else throw new HftError('HFT_ERR_BAD_INPUT', `${where}: book message type ${JSON.stringify(m.type)}`);
    book.u++;
    const levels = m.type === 'snapshot' ? [...book.levels.values()] : [...changed.values()];
    const b = levels.filter((l) => l.side === 'Buy').sort((x, y) => Number(y.price) - Number(x.price)).map((l) => [l.price, l.size]);
    const a = levels.filter((l) => l.side === 'Sell').sort((x, y) => Number(x.price) - Number(y.price)).map((l) => [l.price, l.size]);
    messages.push({ tsCapUs: rec.tsRecv, kind: 'orderbook', symbol, msg: { topic: `orderbook.50.${symbol}`, type: m.type, ts: tsMs, data: { s: symbol, b, a, u: book.u, seq }, cts: tsMs } });
  });
  if (messages.length === 0) throw new HftError('HFT_ERR_BAD_INPUT', `bybit emulator: no orderBookL2_25 / trade message in ${file}${symbols ? ` for ${symbols.join(', ')}` : ''}`);
  return { file, messages, symbols: [...seen] };
}
