/**
 * InstrumentSpecs from OKX `GET /api/v5/public/instruments` responses (parsed JSON, one per instType):
 * tick = tickSz, lot = lotSz; derivatives: contract value = ctVal × ctMult (base units per contract
 * when ctType is linear, ctValCcy (USD) per contract when inverse). Options are not modelled and are
 * skipped. The response has no fees: the regular-user base rates are filled in (config overrides them).
 */
import { HftError } from '../../core/errors.ts';
import { instrumentId, type InstrumentKind, type InstrumentSpec } from '../../model/instrument.ts';

type Obj = Record<string, unknown>;

function field(o: Obj, name: string, where: string): string {
  const v = o[name];
  if (typeof v !== 'string' || v === '') throw new HftError('HFT_ERR_BAD_INPUT', `OKX instruments ${where}: field '${name}' missing or empty`, { field: name });
  return v;
}

export function okxInstruments(response: unknown): InstrumentSpec[] {
  const r = response as Obj | null;
  if (!r || r.code !== '0' || !Array.isArray(r.data)) throw new HftError('HFT_ERR_BAD_INPUT', `OKX instruments: expected {code:"0", data:[...]}, got code ${JSON.stringify(r?.code)}`);
  const out: InstrumentSpec[] = [];
  (r.data as Obj[]).forEach((d, i) => {
    const type = d.instType;
    if (type === 'OPTION') return;
    const where = `data[${i}]`;
    const symbol = field(d, 'instId', where);
    const tickSize = field(d, 'tickSz', `${where} (${symbol})`);
    const lotSize = field(d, 'lotSz', `${where} (${symbol})`);
    if (type === 'SPOT') {
      const base = field(d, 'baseCcy', where); const quote = field(d, 'quoteCcy', where);
      out.push({ id: instrumentId('okx', symbol), venue: 'okx', symbol, kind: 'spot', base, quote, settle: quote, tickSize, lotSize, contractMultiplier: '1', makerFeeRate: '0.0008', takerFeeRate: '0.001' });
      return;
    }
    if (type !== 'SWAP' && type !== 'FUTURES') throw new HftError('HFT_ERR_BAD_INPUT', `OKX instruments ${where} (${symbol}): unknown instType ${JSON.stringify(type)}`);
    const [base, quote] = field(d, 'uly', where).split('-') as [string, string];
    const inverse = field(d, 'ctType', where) === 'inverse';
    const perp = type === 'SWAP';
    const kind: InstrumentKind = inverse ? (perp ? 'inverse_perp' : 'inverse_future') : (perp ? 'linear_perp' : 'linear_future');
    const ctVal = field(d, 'ctVal', where);
    const ctMult = typeof d.ctMult === 'string' && d.ctMult !== '' ? d.ctMult : '1';
    out.push({
      id: instrumentId('okx', symbol), venue: 'okx', symbol, kind, base, quote, settle: field(d, 'settleCcy', where),
      tickSize, lotSize, contractMultiplier: ctMult === '1' ? ctVal : String(Number(ctVal) * Number(ctMult)),
      makerFeeRate: '0.0002', takerFeeRate: '0.0005',
    });
  });
  return out;
}
