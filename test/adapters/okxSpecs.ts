/** Test helper: OKX instrument specs from the cryptofeed instrument lists (data/cryptofeed/OKX.0). */
import { readFileSync } from 'node:fs';
import { parseCryptofeedLine } from '../../src/feeds/capture/cryptofeedLine.ts';
import { okxInstruments } from '../../src/feeds/okx/okxInstruments.ts';
import type { InstrumentSpec } from '../../src/model/instrument.ts';

export const OKX_DIR = '/work/shared/data/cryptofeed';

export function okxSpecs(instIds: readonly string[]): InstrumentSpec[] {
  const all = new Map<string, InstrumentSpec>();
  readFileSync(`${OKX_DIR}/OKX.0`, 'utf8').split('\n').forEach((line, i) => {
    if (line === '') return;
    const rec = parseCryptofeedLine(line, `OKX.0:${i + 1}`);
    if (rec.type !== 'rest' || !rec.url.includes('/public/instruments')) return;
    for (const s of okxInstruments(rec.msg)) all.set(s.symbol, s);
  });
  return instIds.map((id) => {
    const s = all.get(id);
    if (!s) throw new Error(`OKX.0 has no instrument ${id}`);
    return s;
  });
}
