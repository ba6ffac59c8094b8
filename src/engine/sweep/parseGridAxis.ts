/**
 * One `--grid key=v1,v2,…` argument: a dotted path into the scenario JSON and the raw values to try.
 * Values stay strings here; patchScenario types them against the value they replace.
 */
import { HftError } from '../../core/errors.ts';

export interface GridAxis {
  /** Dotted path as written, e.g. `strategies.0.params.halfSpreadTicks`. */
  readonly key: string;
  readonly path: readonly string[];
  /** Raw values in the order given (the order of the combinations). */
  readonly values: readonly string[];
}

const KEY = /^[A-Za-z_$][\w$]*(\.[\w$]+)*$/;

export function parseGridAxis(arg: string): GridAxis {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new HftError('HFT_ERR_USAGE', `--grid '${arg}': expected key=v1,v2,… (e.g. strategies.0.params.halfSpreadTicks=0.5,1,2 or seed=1,2,3)`);
  const key = arg.slice(0, eq).trim();
  if (!KEY.test(key)) throw new HftError('HFT_ERR_USAGE', `--grid '${arg}': key '${key}' is not a dotted path of names and array indexes`);
  const values = arg.slice(eq + 1).split(',').map((v) => v.trim());
  const empty = values.findIndex((v) => v === '');
  if (empty >= 0) throw new HftError('HFT_ERR_USAGE', `--grid '${arg}': value ${empty + 1} is empty`);
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) throw new HftError('HFT_ERR_USAGE', `--grid '${arg}': value '${dup}' is listed twice (it would run the same backtest twice)`);
  return Object.freeze({ key, path: Object.freeze(key.split('.')), values: Object.freeze(values) });
}
