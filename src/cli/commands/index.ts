/** Every `hft` verb, in the order `hft --help` lists them. One line per verb. */
import type { Command } from '../command.ts';
import { verifyCommand } from './verify.ts';
import { eventsCommand } from './events.ts';
import { dataCheckCommand } from './data-check.ts';
import { importCommand } from './import.ts';
import { backtestCommand } from './backtest.ts';
import { replayCommand } from './replay.ts';
import { projectCommand } from './project.ts';
import { auditCommand } from './audit.ts';
import { sqlCommand } from './sql.ts';
import { paperCommand } from './paper.ts';
import { liveCommand } from './live.ts';
import { parityCommand } from './parity.ts';
import { promoteCommand } from './promote.ts';
import { killCommand } from './kill.ts';
import { emulatorCommand } from './emulator.ts';
import { latencyProfileCommand } from './latency-profile.ts';
import { reportCommand } from './report.ts';
import { sweepCommand, sweepReportCommand } from './sweep.ts';
import { workerCommand } from './worker.ts';
import { serveCommand } from './serve.ts';

export const commands: readonly Command[] = [
  backtestCommand,
  replayCommand,
  verifyCommand,
  eventsCommand,
  dataCheckCommand,
  importCommand,
  projectCommand,
  auditCommand,
  sqlCommand,
  reportCommand,
  sweepCommand,
  sweepReportCommand,
  workerCommand,
  serveCommand,
  paperCommand,
  parityCommand,
  promoteCommand,
  liveCommand,
  killCommand,
  emulatorCommand,
  latencyProfileCommand,
];
