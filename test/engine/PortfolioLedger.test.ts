import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/core/random.ts';
import { PortfolioLedger } from '../../src/engine/PortfolioLedger.ts';
import { equitySnapshot } from '../../src/model/accounting/equity.ts';
import { instrument } from '../../src/model/instrument.ts';

const SPOT = instrument({ id: 'binance-spot:BTCUSDT', venue: 'binance-spot', symbol: 'BTCUSDT', kind: 'spot', base: 'BTC', quote: 'USDT', settle: 'USDT', tickSize: '0.01', lotSize: '0.00000001', contractMultiplier: '1', makerFeeRate: '0', takerFeeRate: '0.0004' });
const COINM = instrument({ id: 'binance-coinm:BTCUSD_PERP', venue: 'binance-coinm', symbol: 'BTCUSD_PERP', kind: 'inverse_perp', base: 'BTC', quote: 'USD', settle: 'BTC', tickSize: '0.1', lotSize: '1', contractMultiplier: '100', makerFeeRate: '0.0001', takerFeeRate: '0.0005' });

describe('PortfolioLedger.equity', () => {
  it('equals the accounting snapshot after every fill and mark, for linear and inverse positions', () => {
    for (const [inst, ccy, base] of [[SPOT, 'USDT', 6_183_763], [COINM, 'BTC', 618_370]] as const) {
      const ledger = new PortfolioLedger([inst], { [ccy]: ccy === 'USDT' ? '10000' : '1' }, ccy);
      const rnd = new SeededRandom(11);
      for (let i = 0; i < 300; i++) {
        const px = base + Math.floor(rnd.next() * 200) - 100;
        if (rnd.next() < 0.4) {
          const lots = inst === SPOT ? 100_000 * (1 + Math.floor(rnd.next() * 3)) : 1 + Math.floor(rnd.next() * 3);
          ledger.onFill({
            clientOrderId: `c${i}`, strategyId: 'mm', instrument: inst.id, side: rnd.next() < 0.5 ? 'buy' : 'sell', venueTradeId: `t${i}`,
            priceTicks: px, sizeLots: lots, leavesLots: 0, liquidity: 'maker', price: inst.tick.toDecimal(px), size: inst.lot.toDecimal(lots),
            fee: '0.0001', feeCurrency: ccy,
          });
        }
        ledger.mark(inst.id, px + 3);
        const snap = equitySnapshot(ledger.portfolio).find((x) => x.currency === ccy)!;
        expect(ledger.equity()).toBe(snap.equity);
      }
    }
  });
});
