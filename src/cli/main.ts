/** The `hft` command: dispatches to one verb; the only place that reads argv, env and files. */
import { isHftError } from '../core/errors.ts';
import type { CliIO } from './command.ts';
import { commands, loadCommand } from './commands/index.ts';

/** Loads every verb for its summary: only `hft` / `hft --help` pays for all of them. */
async function usage(): Promise<string> {
  const loaded = await Promise.all(commands.map(loadCommand));
  const width = Math.max(...loaded.map((c) => c.name.length), 8);
  return [
    'hft — event-sourced backtest-and-live engine for crypto trading',
    '',
    'usage: hft <command> [options]      hft <command> --help',
    '',
    'commands:',
    ...loaded.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIO = defaultIO()): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out(await usage());
    return verb === undefined ? 1 : 0;
  }
  // Two-word verbs ("data check", "audit order") are registered with their full name.
  const entry = commands.find((c) => c.name === `${verb} ${rest[0] ?? ''}`) ?? commands.find((c) => c.name === verb);
  if (!entry) {
    io.err(`hft: unknown command '${verb}'. Valid commands: ${commands.map((c) => c.name).join(', ')}`);
    return 2;
  }
  const cmd = await loadCommand(entry);
  const args = cmd.name.includes(' ') ? rest.slice(1) : rest;
  if (args.includes('--help') || args.includes('-h')) {
    io.out(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(args, io);
  } catch (e) {
    if (isHftError(e)) {
      io.err(`hft ${cmd.name}: ${e.message}`);
      return e.code === 'HFT_ERR_USAGE' || e.code === 'HFT_ERR_CONFIG' ? 2 : 1;
    }
    throw e;
  }
}

function defaultIO(): CliIO {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  };
}
