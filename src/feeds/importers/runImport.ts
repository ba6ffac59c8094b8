/** `hft import <format> <files...>`: dispatches to one importer and writes what it accepted. */
import { existsSync, readFileSync } from 'node:fs';
import { HftError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../model/instrument.ts';
import { importBinanceCapture } from './importBinanceCapture.ts';
import { importCryptofeed } from './importCryptofeed.ts';
import { importFundingCsv } from './importFundingCsv.ts';
import { ImportSession, type ImportReport } from './ImportSession.ts';
import { importTardisCsv } from './importTardisCsv.ts';

export const IMPORT_FORMATS = ['binance-capture', 'cryptofeed', 'funding-csv', 'tardis'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface RunImportOptions {
  readonly out: string;
  readonly skipBad?: boolean;
  /** JSON file with an InstrumentSpec array (tardis: required; cryptofeed: instead of `<EXCHANGE>.0`). */
  readonly instrumentsFile?: string;
}

function loadSpecs(path: string): InstrumentSpec[] {
  if (!existsSync(path)) throw new HftError('HFT_ERR_NOT_FOUND', `instrument file ${path} does not exist`);
  let v: unknown;
  try { v = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    throw new HftError('HFT_ERR_BAD_INPUT', `${path}: not valid JSON (${(e as Error).message})`, {}, { cause: e });
  }
  if (!Array.isArray(v)) throw new HftError('HFT_ERR_BAD_INPUT', `${path}: expected an array of instrument specs`);
  const need = ['id', 'venue', 'symbol', 'kind', 'tickSize', 'lotSize', 'contractMultiplier'];
  v.forEach((s, i) => {
    for (const k of need) if (typeof (s as Record<string, unknown>)?.[k] !== 'string') throw new HftError('HFT_ERR_BAD_INPUT', `${path}: [${i}].${k} must be a string`);
  });
  return v as InstrumentSpec[];
}

export async function runImport(format: string, files: readonly string[], opts: RunImportOptions): Promise<ImportReport> {
  if (!(IMPORT_FORMATS as readonly string[]).includes(format)) throw new HftError('HFT_ERR_USAGE', `unknown import format '${format}' (valid: ${IMPORT_FORMATS.join(', ')})`);
  if (files.length === 0) throw new HftError('HFT_ERR_USAGE', 'no input files');
  const session = new ImportSession({ out: opts.out, skipBad: opts.skipBad ?? false });
  switch (format as ImportFormat) {
    case 'binance-capture': await importBinanceCapture(files, session); break;
    case 'cryptofeed': await importCryptofeed(files, session, opts.instrumentsFile ? { instrumentsFile: opts.instrumentsFile } : {}); break;
    case 'funding-csv': await importFundingCsv(files, session); break;
    case 'tardis': {
      if (!opts.instrumentsFile) throw new HftError('HFT_ERR_USAGE', 'tardis import needs --instruments <specs.json> (tick and lot sizes are not in the CSV)');
      await importTardisCsv(files, session, loadSpecs(opts.instrumentsFile));
      break;
    }
  }
  return session.finish();
}
