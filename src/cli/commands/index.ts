/** Every `hft` verb, in the order `hft --help` lists them. One line per verb. */
import type { Command } from '../command.ts';
import { verifyCommand } from './verify.ts';
import { eventsCommand } from './events.ts';

export const commands: readonly Command[] = [
  verifyCommand,
  eventsCommand,
];
