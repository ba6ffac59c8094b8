/**
 * `hft live` on OKX: spot order entry only, the key's passphrase required, no demo-trading mode, and
 * a --ws that is OKX's public URL (the private one is taken beside it) — each refused before any
 * store, socket or key use, naming what is wrong.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { okxPrivateWsUrl, runSession } from '../../src/cli/commands/paper.ts';
import { isHftError } from '../../src/core/errors.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const cwd = mkdtempSync(join(tmpdir(), 'hft-okx-guards-'));
const io = { out: () => {}, err: () => {}, env: {}, cwd, isTTY: false };
const keys = { apiKey: 'k', secret: 's', passphrase: 'p' };
const never = new Promise<string>(() => {});

function scenario(instrument: string): string {
  const sc = JSON.parse(readFileSync(join(ROOT, 'scenarios/paper-mm-okx-btcusdt.json'), 'utf8')) as {
    strategies: { instruments: string[] }[]; fees: Record<string, unknown>; data: { sources: { instrument: string; files: string[] }[] };
  };
  sc.strategies[0]!.instruments = [instrument];
  sc.data.sources[0]!.instrument = instrument;
  sc.data.sources[0]!.files = ['/work/shared/data/cryptofeed/OKX.ws.1.0'];
  sc.fees = { [instrument]: Object.values(sc.fees)[0] };
  const file = join(cwd, `${instrument.replace(/[^A-Za-z0-9]/g, '_')}.json`);
  writeFileSync(file, JSON.stringify(sc));
  return file;
}

const live = (scenarioPath: string, extra: Record<string, unknown> = {}) => runSession({ mode: 'live', scenarioPath, storeUri: 'file:store', stopWhen: never, credentials: keys, ...extra }, io);

describe('hft live on OKX refuses what it cannot trade', () => {
  it('a swap (OKX order entry is spot only)', async () => {
    await expect(live(scenario('okx:UNI-USD-SWAP'))).rejects.toSatisfy((e) => isHftError(e, 'HFT_ERR_CONFIG') && /instrument 'okx:UNI-USD-SWAP' is inverse_perp: OKX order entry is spot only/.test((e as Error).message));
  });
  it('keys without the passphrase', async () => {
    await expect(live(scenario('okx:BTC-USDT'), { credentials: { apiKey: 'k', secret: 's' } })).rejects.toSatisfy((e) => isHftError(e, 'HFT_ERR_CONFIG') && /passphrase missing/.test((e as Error).message));
  });
  it('--sandbox (demo trading is not wired) and a --ws that is not the public URL', async () => {
    await expect(live(scenario('okx:BTC-USDT'), { sandbox: true })).rejects.toSatisfy((e) => isHftError(e, 'HFT_ERR_USAGE') && /--sandbox/.test((e as Error).message));
    await expect(live(scenario('okx:BTC-USDT'), { wsUrl: 'ws://127.0.0.1:1/ws/v5/private' })).rejects.toSatisfy((e) => isHftError(e, 'HFT_ERR_USAGE') && /ending in \/ws\/v5\/public/.test((e as Error).message));
  });
  it('derives the private URL beside the public one (production and emulator)', () => {
    expect(okxPrivateWsUrl('wss://ws.okx.com:8443/ws/v5/public')).toBe('wss://ws.okx.com:8443/ws/v5/private');
    expect(okxPrivateWsUrl('ws://127.0.0.1:4242/ws/v5/public')).toBe('ws://127.0.0.1:4242/ws/v5/private');
  });
});
