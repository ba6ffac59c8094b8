/**
 * `hft data check <capture files...>`: rebuilds order books from raw captures and checks them against
 * the venue's own truth (Binance bookTicker at the same update id, OKX CRC32 checksums), printing
 * `matched/total` per file. File reading only; the checks are in src/feeds/check.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { HftError } from '../../core/errors.ts';
import { binanceInstruments } from '../../feeds/binance/binanceInstruments.ts';
import { captureInstruments } from '../../feeds/binance/captureInstruments.ts';
import { binanceCaptureFile, isDepthSnapshot, parseBinanceCaptureLine } from '../../feeds/capture/binanceCaptureLine.ts';
import { parseCryptofeedLine, type CryptofeedRecord } from '../../feeds/capture/cryptofeedLine.ts';
import { BinanceBookCheck, type BookCheckInstrument } from '../../feeds/check/BinanceBookCheck.ts';
import { checkCryptofeedBinance, cryptofeedBinanceVenue } from '../../feeds/check/checkCryptofeedBinance.ts';
import { OkxBookCheck } from '../../feeds/check/OkxBookCheck.ts';
import { instrumentLookup } from '../../feeds/instrumentLookup.ts';
import { okxInstruments } from '../../feeds/okx/okxInstruments.ts';
import { parseFlags, type CliIO, type Command } from '../command.ts';

async function* lines(path: string): AsyncGenerator<[string, number]> {
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) { n++; if (line !== '') yield [line, n]; }
}

async function readCryptofeed(path: string): Promise<CryptofeedRecord[]> {
  const out: CryptofeedRecord[] = [];
  for await (const [line, n] of lines(path)) out.push(parseCryptofeedLine(line, `${path}:${n}`));
  return out;
}

interface Report { readonly label: string; readonly truth: string; readonly results: BookCheckInstrument[] }

async function checkBinanceSession(files: string[]): Promise<Report> {
  const { venue, symbol } = binanceCaptureFile(files[0]!);
  const check = new BinanceBookCheck(venue, instrumentLookup(venue, captureInstruments));
  for (const file of files) {
    for await (const [line, n] of lines(file)) {
      const r = parseBinanceCaptureLine(line, `${file}:${n}`);
      if (isDepthSnapshot(r.msg)) check.onSnapshot(symbol, r.msg, r.tsRecv); else check.onMessage(r.msg, r.tsRecv);
    }
  }
  return { label: files.map((f) => `${basename(dirname(f))}/${basename(f)}`).join(' + '), truth: 'bookTickers', results: check.results() };
}

/** The first record of a cryptofeed instrument-list file `X.0` beside the capture. */
async function siblingRest(path: string, exchange: string): Promise<CryptofeedRecord[]> {
  const file = join(dirname(path), `${exchange}.0`);
  if (!existsSync(file)) throw new HftError('HFT_ERR_NOT_FOUND', `${path}: instrument list ${file} not found (cryptofeed captures keep it beside the ws file)`);
  return (await readCryptofeed(file)).filter((r) => r.type === 'rest');
}

async function checkCryptofeed(path: string): Promise<Report> {
  const m = /^([A-Z_]+)\.ws\.\d+\.0$/.exec(basename(path));
  if (!m) throw new HftError('HFT_ERR_USAGE', `${path}: not a cryptofeed ws capture (expected <EXCHANGE>.ws.<n>.0)`);
  const exchange = m[1]!;
  if (exchange === 'OKX') {
    const specs = (await siblingRest(path, exchange)).flatMap((r) => (r.type === 'rest' ? okxInstruments(r.msg) : []));
    const check = new OkxBookCheck(instrumentLookup('okx', specs));
    for await (const [line, n] of lines(path)) {
      const r = parseCryptofeedLine(line, `${path}:${n}`);
      if (r.type === 'ws') check.onMessage(r.msg, r.tsRecv);
    }
    return { label: basename(path), truth: 'checksums', results: check.results() };
  }
  const venue = cryptofeedBinanceVenue(exchange);
  const info = (await siblingRest(path, exchange))[0];
  // 2021 spot books hold levels at a pre-change finer tick: quote precision is the exact price grain.
  const specs = info?.type === 'rest' ? binanceInstruments(venue as 'binance-spot', info.msg, { spotPriceGrain: 'quotePrecision' }) : [];
  const httpFiles = readdirSync(dirname(path)).filter((f) => new RegExp(`^${exchange}\\.http\\.\\d+\\.0$`).test(f)).sort();
  if (httpFiles.length === 0) throw new HftError('HFT_ERR_NOT_FOUND', `${path}: no ${exchange}.http.<n>.0 snapshot file beside it`);
  const rest = (await Promise.all(httpFiles.map((f) => readCryptofeed(join(dirname(path), f))))).flat();
  const check = checkCryptofeedBinance(venue, instrumentLookup(venue, specs), await readCryptofeed(path), rest);
  return { label: `${basename(path)} (+ ${httpFiles.join(', ')})`, truth: 'bookTickers', results: check.results() };
}

/** Groups binance-capture files of one venue+symbol (consecutive days = one session), keeps the rest. */
function plan(files: readonly string[]): Array<{ kind: 'binance'; files: string[] } | { kind: 'cryptofeed'; file: string }> {
  const sessions = new Map<string, string[]>();
  const out: Array<{ kind: 'binance'; files: string[] } | { kind: 'cryptofeed'; file: string }> = [];
  for (const f of files) {
    if (!existsSync(f)) throw new HftError('HFT_ERR_NOT_FOUND', `${f}: no such file`);
    if (f.endsWith('.gz')) {
      const { venue, symbol } = binanceCaptureFile(f);
      const key = `${venue}:${symbol}`;
      if (!sessions.has(key)) { const list: string[] = []; sessions.set(key, list); out.push({ kind: 'binance', files: list }); }
      sessions.get(key)!.push(f);
    } else out.push({ kind: 'cryptofeed', file: f });
  }
  for (const list of sessions.values()) list.sort((a, b) => binanceCaptureFile(a).day.localeCompare(binanceCaptureFile(b).day));
  return out;
}

export const dataCheckCommand: Command = {
  name: 'data check',
  summary: 'rebuild order books from captures and check them against the venue (bookTicker, OKX checksums)',
  help: [
    'usage: hft data check <capture files...>',
    '',
    'Rebuilds the L2 book from raw captures and compares it with the venue\'s own truth:',
    '  binance-capture  <spot|usdm|cm>/<symbol>_<yyyymmdd>.gz (`<ns> <json>` lines): every bookTicker whose',
    '                   update id equals the final id of a diff must equal the rebuilt best bid/ask (price',
    '                   and size). Files of one symbol (e.g. _20240808 and _20240809) are one session.',
    '  cryptofeed       <EXCHANGE>.ws.<n>.0: OKX (every books checksum), BINANCE, BINANCE_FUTURES,',
    '                   BINANCE_DELIVERY (with the <EXCHANGE>.http.<n>.0 snapshots and <EXCHANGE>.0 beside it).',
    'Prints matched/checked per instrument and the gaps; exits 1 on any mismatch or gap, or when\nnothing was checkable (e.g. a _20240809 file without the _20240808 file holding the snapshot).',
  ].join('\n'),
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { positionals } = parseFlags(argv, {});
    if (positionals.length === 0) throw new HftError('HFT_ERR_USAGE', 'give at least one capture file (see hft data check --help)');
    let bad = 0;
    for (const step of plan(positionals.map((p) => (p.startsWith('/') ? p : join(io.cwd, p))))) {
      const report = step.kind === 'binance' ? await checkBinanceSession(step.files) : await checkCryptofeed(step.file);
      io.out(report.label);
      for (const r of report.results) {
        // Truth seen but nothing checkable (e.g. a session without its snapshot day) is not a pass.
        const ok = r.matched === r.checked && r.gaps === 0 && !(r.total > 0 && r.checked === 0);
        if (!ok) bad++;
        io.out(`  ${ok ? 'ok  ' : 'FAIL'} ${r.instrument.padEnd(28)} ${report.truth} ${r.matched}/${r.checked} matched (${r.total} seen), gaps ${r.gaps}`);
        for (const g of r.gapDetails.slice(0, 5)) io.out(`       gap: ${g}`);
        for (const mm of r.mismatches) io.out(`       mismatch: ${mm}`);
      }
    }
    return bad === 0 ? 0 : 1;
  },
};
