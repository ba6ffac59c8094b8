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
import { reportCommand } from './report.ts';

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
];
