/** The contract every `hft` verb implements. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HftError } from '../core/errors.ts';

export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly isTTY: boolean;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full help text printed by `hft <name> --help`. */
  readonly help: string;
  /** Returns the process exit code. */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv strictly; unknown flags fail with the list of valid ones. */
export function parseFlags<O extends Options>(argv: readonly string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (e) {
    const valid = Object.keys(options).map((k) => `--${k}`).join(', ');
    throw new HftError('HFT_ERR_USAGE', `${(e as Error).message} (valid options: ${valid})`);
  }
}

/** Parses a non-negative integer flag, naming the flag on error. */
export function intFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new HftError('HFT_ERR_USAGE', `--${name} must be a non-negative integer, got '${value}'`);
  return Number(value);
}
