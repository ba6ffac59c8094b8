/**
 * Every `hft` verb, in the order `hft --help` lists them: its name and how to load it. A verb's module
 * is imported only when that verb runs: `hft worker` (started once per job process of a sweep) must not
 * pay for the exchange client library, the servers and DuckDB that other verbs import (bench/sweep).
 * The name here is checked against the module's own when it loads (loadCommand).
 */
import type { Command } from '../command.ts';

export interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<Command>;
}

const verb = (name: string, load: () => Promise<Command>): CommandEntry => ({ name, load });

export const commands: readonly CommandEntry[] = [
  verb('backtest', async () => (await import('./backtest.ts')).backtestCommand),
  verb('replay', async () => (await import('./replay.ts')).replayCommand),
  verb('why', async () => (await import('./why.ts')).whyCommand),
  verb('verify', async () => (await import('./verify.ts')).verifyCommand),
  verb('events', async () => (await import('./events.ts')).eventsCommand),
  verb('data check', async () => (await import('./data-check.ts')).dataCheckCommand),
  verb('import', async () => (await import('./import.ts')).importCommand),
  verb('project', async () => (await import('./project.ts')).projectCommand),
  verb('audit', async () => (await import('./audit.ts')).auditCommand),
  verb('sql', async () => (await import('./sql.ts')).sqlCommand),
  verb('report', async () => (await import('./report.ts')).reportCommand),
  verb('sweep', async () => (await import('./sweep.ts')).sweepCommand),
  verb('sweep report', async () => (await import('./sweep.ts')).sweepReportCommand),
  verb('worker', async () => (await import('./worker.ts')).workerCommand),
  verb('serve', async () => (await import('./serve.ts')).serveCommand),
  verb('paper', async () => (await import('./paper.ts')).paperCommand),
  verb('parity', async () => (await import('./parity.ts')).parityCommand),
  verb('promote', async () => (await import('./promote.ts')).promoteCommand),
  verb('live', async () => (await import('./live.ts')).liveCommand),
  verb('kill', async () => (await import('./kill.ts')).killCommand),
  verb('emulator', async () => (await import('./emulator.ts')).emulatorCommand),
  verb('latency-profile', async () => (await import('./latency-profile.ts')).latencyProfileCommand),
];

/** Imports the verb's module; a table entry that names another verb than its module is a bug. */
export async function loadCommand(e: CommandEntry): Promise<Command> {
  const c = await e.load();
  if (c.name !== e.name) throw new Error(`src/cli/commands/index.ts: entry '${e.name}' loads the command '${c.name}'`);
  return c;
}
