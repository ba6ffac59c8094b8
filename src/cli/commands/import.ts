/** `hft import <format> <files...> --out <dir>`: raw captures and CSVs into the Parquet tick store. */
import { resolve } from 'node:path';
import { HftError } from '../../core/errors.ts';
import { IMPORT_FORMATS, runImport } from '../../feeds/importers/runImport.ts';
import { parseFlags, type Command } from '../command.ts';

export const importCommand: Command = {
  name: 'import',
  summary: 'import captures / CSVs into the Parquet tick store',
  help: [
    'usage: hft import <format> <files...> --out <dir> [--skip-bad] [--instruments <specs.json>]',
    '',
    `formats: ${IMPORT_FORMATS.join(', ')}`,
    '  binance-capture  <spot|usdm|cm>/<symbol>_<yyyymmdd>.gz (`<ns> <json>` lines); book synced from the REST snapshot',
    '  cryptofeed       <EXCHANGE>.ws.N.0 (+ <EXCHANGE>.http.N.0 snapshots); Binance spot/USDⓈ-M/COIN-M and OKX;',
    '                   instruments from <EXCHANGE>.0 beside the files unless --instruments',
    '  funding-csv      <PAIR>_<venue>_<start>_<end>_funding_history.csv; UTC+3 dates of Binance/Bybit/HTX/KuCoin/MEXC corrected',
    '  tardis           tardis.dev CSV (incremental_book_L2, trades, quotes, derivative_ticker); needs --instruments',
    '',
    'A malformed line fails the import with file and line (nothing is written). --skip-bad instead copies',
    'it to <out>/quarantine/<file>.bad and counts it. Output: <out>/<venue>/<symbol>/<day>.parquet + manifest.json.',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      out: { type: 'string' }, 'skip-bad': { type: 'boolean' }, instruments: { type: 'string' },
    });
    const [format, ...files] = positionals;
    if (!format) throw new HftError('HFT_ERR_USAGE', `missing <format> (one of ${IMPORT_FORMATS.join(', ')})`);
    if (!values.out) throw new HftError('HFT_ERR_USAGE', 'missing --out <dir>');
    const r = await runImport(format, files.map((f) => resolve(io.cwd, f)), {
      out: resolve(io.cwd, values.out), skipBad: values['skip-bad'] ?? false,
      ...(values.instruments ? { instrumentsFile: resolve(io.cwd, values.instruments) } : {}),
    });
    io.out(`lines ${r.lines}, accepted ${r.acceptedLines}, quarantined ${r.quarantined}`);
    for (const [reason, n] of Object.entries(r.ignored)) io.out(`ignored ${n}: ${reason}`);
    for (const q of r.quarantineFiles) io.out(`quarantine: ${q}`);
    for (const [id, n] of Object.entries(r.rows)) io.out(`rows ${id}: ${n}`);
    for (const f of r.files) io.out(`wrote ${f.path} rows=${f.rows} sha256=${f.sha256}`);
    return 0;
  },
};
